"""Source separation: SI-SDR improvement per stem on mixtures with known stems, speed, peak memory.

Mixtures come from ``scripts/make_separation_bench.py`` (synthesised band, centred voice: espeak-ng speech where
installed, and a synthesised sung voice). SI-SDR (Le Roux et al. 2019) of an estimate ``s'`` of a reference
``s``, both stereo and flattened: ``a = <s', s> / <s, s>``, ``SI-SDR = 10 log10(|a s|^2 / |a s - s'|^2)`` dB.
The improvement (SI-SDRi) subtracts the SI-SDR of the unprocessed mixture taken as the estimate.
Peak memory is the maximum RSS of a child process that separates a 10-minute stereo 44.1 kHz WAV from disk.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time

import numpy as np

from benchmarks.common import BenchContext, Section

STEMS = ("vocals", "accompaniment", "drums")
LONG_SONG_S = 600.0


def si_sdr_db(estimate: np.ndarray, reference: np.ndarray) -> float:
    """SI-SDR in dB of ``estimate`` against ``reference`` (any equal shapes, flattened)."""
    est, ref = estimate.ravel().astype(np.float64), reference.ravel().astype(np.float64)
    target = (est @ ref) / (ref @ ref) * ref
    return float(10.0 * np.log10((target @ target) / max((est - target) @ (est - target), 1e-20)))


def _quality(sec: Section, stems: dict[str, np.ndarray], voice: str, sr: int, seconds: float) -> float:
    """Rows for each method on one mixture; returns seconds of compute per minute of audio (default method)."""
    from audio.separation import SeparationParams, separate_array

    mix = stems["mix"]
    per_minute = 0.0
    for method in ("stereo", "mono"):
        t0 = time.perf_counter()
        out = separate_array(mix, sr, SeparationParams(method=method))
        took = time.perf_counter() - t0
        if method == "stereo":
            per_minute = took * 60.0 / seconds
        for stem in STEMS:
            base = si_sdr_db(mix, stems[stem])
            gain = si_sdr_db(out[stem], stems[stem]) - base
            goal = {"vocals": ">= 4 dB", "accompaniment": ">= 6 dB"}.get(stem, "") if method == "stereo" else ""
            sec.add(f"{voice} voice, {method} method: {stem} SI-SDRi", gain, "dB", goal,
                    f"mixture {base:.1f} dB -> {base + gain:.1f} dB")
    return per_minute


def _peak_memory_mb(ctx: BenchContext, seconds: float) -> tuple[float, float, float]:
    """(peak RSS MB separating a ``seconds``-long stereo WAV, RSS MB after imports only, wall s) in children."""
    import soundfile as sf

    from scripts.make_separation_bench import make_mixture

    wav = ctx.work / "long.wav"
    piece = make_mixture(30.0, seed=7, voice="synth")[0]["mix"]
    with sf.SoundFile(wav, "w", 44100, 2, subtype="PCM_16") as f:
        for _ in range(int(seconds // 30)):
            f.write(piece.T)
    cache = ctx.work / "sep-cache"
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so a child would report this process's peak
    code = ("import re; from audio.separation import separate_file; import librosa, scipy.ndimage; {body}; "
            "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))")
    runs = []
    for body in ("pass", f"separate_file({str(wav)!r}, cache_dir={str(cache)!r})"):
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", code.format(body=body)], cwd=ctx.repo, capture_output=True,
                              text=True, check=True)
        runs.append((int(done.stdout.strip().splitlines()[-1]) / 1024.0, time.perf_counter() - t0))
    shutil.rmtree(cache, ignore_errors=True)
    return runs[1][0], runs[0][0], runs[1][1]


def run(ctx: BenchContext) -> list[Section]:
    from scripts.make_separation_bench import make_mixture

    seconds = 10.0 if ctx.quick else 30.0
    sr = 44100
    sec = Section(f"Source separation quality (synthetic {seconds:.0f} s mixtures, 44.1 kHz stereo, 0 dB voice)")
    voices = [v for v in ("espeak", "synth") if v != "espeak" or shutil.which("espeak-ng")]
    speed = []
    for voice in voices:
        stems, used = make_mixture(seconds, sr=sr, seed=0, voice=voice)
        speed.append(_quality(sec, stems, used, sr, seconds))
    sec.text = ("SI-SDR: a = <est, ref> / <ref, ref>; SI-SDR = 10 log10(|a ref|^2 / |a ref - est|^2) over both "
                "channels; SI-SDRi = SI-SDR(estimate) - SI-SDR(mixture). stereo = centre coherence x REPET-SIM x "
                "HPSS masks (the default for stereo files); mono = the same without the centre cue. The voice "
                "and the accompaniment have equal RMS. These mixtures are dry and panned simply; real songs "
                "(reverb, centred lead instruments, doubled vocals) separate worse." +
                ("" if "espeak" in voices else " espeak-ng is not installed here: synthesised voice only."))
    perf = Section("Source separation speed and memory (default method, CPU)")
    perf.add("compute per minute of 44.1 kHz stereo audio", float(np.mean(speed)), "s",
             note=f"{len(speed)} mixture(s) of {seconds:.0f} s, in-memory, machine shared")
    long_s = 120.0 if ctx.quick else LONG_SONG_S
    peak_mb, base_mb, wall_s = _peak_memory_mb(ctx, long_s)
    perf.add(f"peak RSS separating a {long_s / 60:.0f}-min stereo WAV from disk", peak_mb, "MB", "<= 1024 MB",
             f"{base_mb:.0f} MB of it is Python + numpy/scipy/librosa after import")
    perf.add(f"wall time for that {long_s / 60:.0f}-min song (decode, separate, write 3 stems)", wall_s, "s",
             note=f"{wall_s * 60.0 / long_s:.1f} s per minute of audio")
    return [sec, perf]

"""Audio layer benchmarks: decode, peak pyramid, spectrogram tiles, tempo detection.

Songs are synthesised (a swung drum loop with a pad), so the figures do not depend on ../shared/data.
Reference measured in the same run: a plain ``soundfile.read`` of the same file, so decode overhead is a ratio.
Peak memory of the 10-minute pyramid build is measured in a child process (its peak RSS minus the RSS of a
child that only imports the same modules), so the benchmark process's own memory does not count.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.common import BenchContext, Section, timeit

SR = 44100


def _song(seconds: float) -> np.ndarray:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.audio.signals import drum_loop

    loop = drum_loop(128.0, 0.11, 30.0, SR, noise=0.01)  # 30 s repeated: synthesis is not what we measure
    mono = np.tile(loop, int(np.ceil(seconds / 30.0)))[: int(seconds * SR)]
    return np.stack([mono, 0.8 * mono])


def _write(path: Path, seconds: float, fmt: str, subtype: str) -> Path:
    import soundfile as sf

    data = np.ascontiguousarray(_song(seconds).T)
    # In blocks: libsndfile's vorbis encoder crashes (segfault) when handed minutes of audio in one call.
    with sf.SoundFile(str(path), "w", SR, data.shape[1], format=fmt, subtype=subtype) as f:
        for i in range(0, data.shape[0], 1 << 15):
            f.write(data[i:i + (1 << 15)])
    return path


_CHILD = """
import json, sys, time
sys.path.insert(0, {repo!r})
import numpy as np, soundfile, soxr
from audio.peaks import PeakPyramid
def hwm_kb():  # VmHWM, not ru_maxrss: ru_maxrss keeps the forked parent's peak across exec
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
base = hwm_kb()
t = time.perf_counter()
p = PeakPyramid.from_file({path!r}) if {build} else None
dt = time.perf_counter() - t
print(json.dumps({{"seconds": dt, "maxrss_kb": hwm_kb(), "base_kb": base,
                  "pyramid_bytes": p.nbytes if p else 0}}))
"""


def _child(repo: Path, path: Path, build: bool) -> dict:
    code = _CHILD.format(repo=str(repo), path=str(path), build=build)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _decode_section(ctx: BenchContext, song: Path) -> Section:
    import soundfile as sf

    from audio.decode import load_audio
    from audio.onset import onset_envelope

    repeat = 1 if ctx.quick else 3
    raw = timeit(lambda: sf.read(str(song), dtype="float32"), repeat=repeat)
    ours = timeit(lambda: load_audio(song), repeat=repeat)
    resampled = timeit(lambda: load_audio(song, sr=22050), repeat=repeat)
    samples, sr = load_audio(song)
    env_s = timeit(lambda: onset_envelope(samples, sr), repeat=repeat)
    s = Section("Audio: decode (3-minute stereo OGG, 44.1 kHz)")
    s.add("soundfile.read (reference)", raw, "s")
    s.add("load_audio mono", ours, "s", note=f"{ours / raw:.2f}x the reference")
    s.add("load_audio mono + soxr HQ to 22.05 kHz", resampled, "s", note=f"{resampled / raw:.2f}x the reference")
    s.add("decode + 1 ms onset envelope (tempo features)", ours + env_s, "s",
          note=f"{(ours + env_s) / raw:.2f}x the reference")
    return s


def _tempo_section(ctx: BenchContext, song: Path) -> Section:
    from audio.decode import load_audio
    from audio.onset import onset_envelope
    from audio.tempo import detect_tempo, detect_tempo_from_envelope

    samples, sr = load_audio(song)
    repeat = 1 if ctx.quick else 3
    total = timeit(lambda: detect_tempo(samples, sr), repeat=repeat)
    env, rate, t0 = onset_envelope(samples, sr)
    search = timeit(lambda: detect_tempo_from_envelope(env, rate, t0), repeat=repeat)
    best = detect_tempo(samples, sr)[0]
    s = Section("Audio: tempo detection (3-minute song, after decode)")
    s.add("detect_tempo (envelope + search)", total, "s")
    s.add("of which candidate search and refinement", search, "s")
    s.add("result on the synthetic 128 BPM loop (beat 0 at 0.110 s)", f"{best.bpm:.3f} BPM, {best.offset_s:.4f} s")
    return s


def _peaks_section(ctx: BenchContext, long_song: Path) -> Section:
    from audio.peaks import PeakPyramid

    built = _child(ctx.repo, long_song, True)
    idle = _child(ctx.repo, long_song, False)
    pyramid = PeakPyramid.from_file(long_song)
    query = timeit(lambda: pyramid.query(100.0, 160.0, 1920), repeat=20)
    whole = timeit(lambda: pyramid.query(0.0, 600.0, 1920), repeat=20)
    s = Section("Audio: peak pyramid (10-minute stereo FLAC, mono peaks, 64 samples per bin)")
    s.add("build from file (stream decode + pyramid)", built["seconds"], "s")
    s.add("peak RSS growth during the build", (built["maxrss_kb"] - built["base_kb"]) / 1024, "MiB",
          note=f"child process, after its imports (an import-only child peaks at {idle['maxrss_kb'] / 1024:.0f} "
               f"MiB, the build child at {built['maxrss_kb'] / 1024:.0f} MiB); the whole song as float32 "
               f"mono would be {600 * SR * 4 / 2**20:.0f} MiB")
    s.add("pyramid size", built["pyramid_bytes"] / 2**20, "MiB")
    s.add("query 60 s into 1920 pixels", query * 1000, "ms")
    s.add("query the whole song into 1920 pixels", whole * 1000, "ms")
    return s


def _spectrogram_section(song: Path) -> Section:
    from audio.decode import load_audio
    from audio.spectrogram import SpectrogramTiler

    samples, sr = load_audio(song, sr=22050)
    tiler = SpectrogramTiler(samples, sr, tile_s=5.0)
    one = timeit(lambda: tiler.tile(5), repeat=5)
    t = time.perf_counter()
    for _ in tiler.tiles():
        pass
    all_s = time.perf_counter() - t
    s = Section("Audio: spectrogram tiles (mel 128, 46 ms window (n_fft 1024 at 22.05 kHz), 5 ms hop)")
    s.add("one 5 s tile", one * 1000, "ms")
    s.add(f"all {tiler.n_tiles} tiles of the 3-minute song", all_s, "s")
    return s


def run(ctx: BenchContext) -> list[Section]:
    song = _write(ctx.work / "song3min.ogg", 180.0, "OGG", "VORBIS")
    long_song = _write(ctx.work / "song10min.flac", 600.0, "FLAC", "PCM_16")
    return [_decode_section(ctx, song), _peaks_section(ctx, long_song), _spectrogram_section(song),
            _tempo_section(ctx, song)]

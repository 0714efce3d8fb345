"""Inference benchmarks: decode, features, raw onnxruntime forward vs our full 5-slot draft, remote overhead.

Song: a synthesised 3-minute track (inference.serving.loadtest.synth_song) written to a WAV in the scratch folder.
Model: the shipped ``resources/models/onset`` (+ lane) when present, else a tiny random-weight stand-in with the
real feature shape (the model's own compute is then negligible, so the numbers isolate our pipeline's cost).
Every local session is pinned to onnxruntime's CPU provider, also on a machine with CUDA (bench_gpu times that).
The remote overhead is the median of local/remote pairs timed back to back, so that the load of a shared machine
falls on both halves of each difference.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

from benchmarks.common import PHASES, BenchContext, Section, draft_phases, interleaved, timeit

SONG_S = 180.0


def model_dir(ctx: BenchContext) -> tuple[Path, str]:
    """The shipped models folder, or a stand-in built in the scratch folder; and a label for the report."""
    shipped = ctx.repo / "resources" / "models"
    if (shipped / "onset.manifest.json").is_file():
        from inference.manifest import Manifest

        m = Manifest.load(shipped / "onset.manifest.json")
        lanes = " + lane model" if (shipped / "lane.manifest.json").is_file() else ", rule lanes"
        return shipped, f"shipped {m.display_id()}{lanes}"
    from inference.manifest import FeatureParams
    from tests.inference.tiny_models import build_onset_model

    folder = ctx.work / "standin-models"
    if not (folder / "onset.manifest.json").is_file():
        build_onset_model(folder, n_channels=FeatureParams().n_channels, n_guide=6, features=FeatureParams())
    return folder, "tiny random stand-in (no onset model shipped yet), rule lanes"


def run(ctx: BenchContext) -> list[Section]:
    import soundfile as sf

    from audio.decode import load_audio
    from benchmarks.bench_lanes import cpu_drafter
    from chart.timing import TimingData
    from inference.backends import OnnxBackend
    from inference.drafter import Drafter
    from inference.features import compute_features
    from inference.serving.loadtest import synth_song

    folder, label = model_dir(ctx)
    drafter = cpu_drafter(folder)
    params = drafter.onset.features
    assert params is not None
    wav = ctx.work / "song3min.wav"
    sf.write(wav, synth_song(SONG_S, 44100), 44100)
    timing = TimingData.constant(128, Fraction(-3, 10))
    reps = 1 if ctx.quick else 3
    sec = Section(f"Inference on CPU ({label})")
    t_sf = timeit(lambda: sf.read(wav, dtype="float32"), repeat=reps)
    t_decode = timeit(lambda: load_audio(wav, sr=params.sample_rate), repeat=reps)
    sec.add("decode 3-min WAV (load_audio, resampled)", t_decode, "s", note=f"{t_decode / t_sf:.1f}x soundfile.read")
    samples, sr = load_audio(wav, sr=params.sample_rate)
    t_feat = timeit(lambda: compute_features(samples, sr, params), repeat=reps)
    sec.add("features (compute_features)", t_feat, "s")
    sec.add("decode + features", t_decode + t_feat, "s")
    analysis = drafter.analyse((samples, sr))
    backend = OnnxBackend(providers=["CPUExecutionProvider"])
    inputs = _batch(drafter, analysis, timing)
    session = backend.session(drafter.onset)
    t_raw = timeit(lambda: session.run(None, inputs), repeat=reps)
    sec.add("raw onnxruntime forward, 5 slots (reference)", t_raw, "s", note=backend.describe())
    # models loaded once, as in the editor and the server; no analysis cache: features computed every time
    warm = Drafter(drafter.onset, drafter.lanes, OnnxBackend(providers=["CPUExecutionProvider"]), cache_size=0)
    warm.draft((samples, sr), timing)
    t_draft = timeit(lambda: warm.draft((samples, sr), timing), repeat=reps)
    sec.add("draft 5 slots after decode (features+model+decode+lanes)", t_draft, "s", goal="<= 1.5 s (2 cores)",
            note=f"{t_draft / t_raw:.1f}x raw forward; models loaded, as in the editor")
    fresh = lambda: Drafter(drafter.onset, drafter.lanes,  # noqa: E731
                            OnnxBackend(providers=["CPUExecutionProvider"])).draft((samples, sr), timing)
    t_fresh = timeit(fresh, repeat=reps)
    sec.add("same, models loaded for the draft (a one-shot `main.py draft`)", t_fresh, "s",
            note="new onnxruntime sessions, arena grown from empty")
    t_cached = timeit(lambda: drafter.draft(analysis, timing), repeat=reps)
    sec.add("draft 5 slots, features cached", t_cached, "s")
    phases = draft_phases(lambda progress: drafter.draft(analysis, timing, progress=progress), repeat=reps)
    sec.add("of which: onset model / decode / lanes", " / ".join(f"{phases[k]:.3f}" for k in PHASES), "s",
            note="from the drafter's progress reports")
    t_range = timeit(lambda: drafter.draft(analysis, timing, start_beat=Fraction(64), end_beat=Fraction(96)),
                     repeat=reps)
    sec.add("draft 5 slots of 32 beats (regenerate a section)", t_range, "s")
    top = drafter.draft(analysis, timing, slots=["challenge"])[0].notes
    t_simple = timeit(lambda: drafter.simplify(analysis, timing, top, "challenge", ["beginner", "easy", "medium",
                                                                                   "hard"]), repeat=reps)
    sec.add("simplify a Challenge chart down to 4 slots, features cached", t_simple, "s")
    rows = sorted({n.beat for n in top if Fraction(64) <= n.beat < Fraction(96)})
    t_arrows = timeit(lambda: drafter.arrows(analysis, timing, rows, "challenge", n=3, context=top), repeat=reps)
    sec.add(f"arrows for 32 beats ({len(rows)} rows), 3 variants, 64 rows of context", t_arrows, "s")
    return [sec, _memory(ctx, folder, wav), _remote(ctx, folder, drafter, analysis, timing, reps)]


_MEMORY_PROBE = """
import json, sys
from fractions import Fraction
from chart.timing import TimingData
from inference.backends import OnnxBackend
from inference.drafter import Drafter
def rss_mb():
    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS')) / 1024
folder, wav, release = sys.argv[1], sys.argv[2], sys.argv[3] == '1'
d = Drafter.from_models_dir(folder)
d = Drafter(d.onset, d.lanes, OnnxBackend(providers=["CPUExecutionProvider"], release_memory=release))
timing = TimingData.constant(128, Fraction(-3, 10))
d.draft(wav, timing)
first = rss_mb()
d.draft(wav, timing)
second = rss_mb()
d.backend.arena.release_now()  # what the idle timer does IDLE_RELEASE_S after the last draft
print(json.dumps({"first": first, "second": second, "idle": rss_mb()}))
"""


def _memory(ctx: BenchContext, folder: Path, wav: Path) -> Section:
    """Resident memory of a fresh process after drafting the 3-minute song, with and without handing
    onnxruntime's CPU arena back after the large run (OnnxBackend.release_memory)."""
    import json
    import subprocess
    import sys

    sec = Section("Memory after drafting (fresh process, 5 slots of the 3-minute song, twice)")
    if not Path("/proc/self/status").exists():
        sec.text = "Reads VmRSS from /proc: Linux only."
        return sec
    got = {}
    for release in (True, False):
        out = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, str(folder), str(wav), "1" if release else "0"],
                             capture_output=True, text=True, timeout=600, cwd=ctx.repo)
        if out.returncode != 0:
            sec.text = f"probe failed: {out.stderr.strip().splitlines()[-1] if out.stderr.strip() else out.returncode}"
            return sec
        got[release] = json.loads(out.stdout.strip().splitlines()[-1])
    from inference.arena_release import IDLE_RELEASE_S

    sec.add(f"RSS once idle, arena handed back {IDLE_RELEASE_S:g} s after the last draft (the editor's and the CLI's "
            "default)", got[True]["idle"], "MB",
            note=f"{got[True]['second']:.0f} MB right after the drafts (arena warm for the next one)")
    sec.add("RSS after the drafts, arena kept (onnxruntime's default; the server's choice)", got[False]["second"],
            "MB", note=f"{got[False]['first']:.0f} MB after the first draft")
    return sec


def _batch(drafter, analysis, timing) -> dict[str, np.ndarray]:
    from inference.beatguide import beat_guide

    t = len(analysis.normalised)
    guide = beat_guide(timing, t, analysis.frame_rate)
    values = {"features": np.repeat(analysis.normalised[None], 5, 0), "beat_guide": np.repeat(guide[None], 5, 0),
              "difficulty": np.arange(5, dtype=np.int64), "cond_onsets": np.zeros((5, t), np.float32),
              "cond_difficulty": np.zeros(5, np.int64), "cond_present": np.zeros(5, np.float32)}
    return {s.name: values[s.name] for s in drafter.onset.inputs}


def _remote(ctx, folder, drafter, analysis, timing, reps) -> Section:
    """Drafts through a loopback server against local drafts timed in the same pairs (``interleaved``)."""
    import statistics

    from inference.drafter import Drafter
    from inference.remote import RemoteBackend
    from inference.serving.loadtest import server_process

    sec = Section("Remote drafting over loopback (MLServer + our runtime, binary tensors)")
    pairs = 1 if ctx.quick else max(reps, 5)
    with server_process(folder, ctx.work, "bench-token") as (url, _proc):
        sizes: list[int] = []
        remote = Drafter(drafter.onset, drafter.lanes, RemoteBackend(url, "bench-token", on_request=sizes.append))
        remote.draft(analysis, timing)  # connect + metadata check + warm-up
        drafter.draft(analysis, timing)
        sizes.clear()
        local_s, remote_s = interleaved(lambda: drafter.draft(analysis, timing),
                                        lambda: remote.draft(analysis, timing), pairs)
        t_local, t_remote = statistics.median(local_s), statistics.median(remote_s)
        sec.add("draft 5 slots via server, features cached", t_remote, "s", note=f"{len(sizes) / pairs:.0f} "
                f"request(s), {sum(sizes) / max(len(sizes), 1) / 1e6:.1f} MB each")
        overhead = statistics.median(r - lo for lo, r in zip(local_s, remote_s, strict=True))
        ratio = statistics.median(r / lo for lo, r in zip(local_s, remote_s, strict=True))
        sec.add("remote overhead vs local", overhead, "s", goal="<= 0.3 s",
                note=f"median of {pairs} (remote - local) differences of drafts timed back to back, alternating "
                     f"which goes first (median ratio {ratio:.2f}x); local median {t_local:.3f} s")
        json_remote = Drafter(drafter.onset, drafter.lanes, RemoteBackend(url, "bench-token", binary=False))
        t_json = timeit(lambda: json_remote.draft(analysis, timing), repeat=1, warmup=0)
        sec.add("same with JSON tensors (no binary extension)", t_json, "s",
                note=f"for comparison; {t_json / t_local:.1f}x the local median above")
    return sec

"""GPU: the same drafting on onnxruntime's CUDA provider, against CPU sessions in the same run.

Where CUDA really starts (``OnnxBackend.describe()`` says ``CUDAExecutionProvider``), this measures the onset
model's forward pass, the lane model's per-row steps and whole 5-slot drafts of a 3-minute song on CUDA and on CPU,
checks that both give the same chart, and stores the sections in ``docs/benchmarks-gpu.json`` (committed: the CI
and most designers' machines have no GPU). Elsewhere it reports that stored measurement, with its date and machine,
under a line saying why this machine ran none.
"""

from __future__ import annotations

import re
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np

from benchmarks.common import (
    PHASES,
    BenchContext,
    Section,
    draft_phases,
    load_sections,
    save_sections,
    timeit,
)

RESULTS = Path("docs") / "benchmarks-gpu.json"
GOAL_5_SLOTS = "<= 0.3 s"


def gpu_name() -> str:
    """``NVIDIA H100 80GB HBM3, driver 580.159.04`` from nvidia-smi, or "" when there is none."""
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=30).stdout.strip().splitlines()
    except (OSError, subprocess.SubprocessError):
        return ""
    if not out:
        return ""
    name, _, driver = out[0].partition(",")
    return f"{name.strip()}, driver {driver.strip()}" if driver else name.strip()


def shipped_sha256(repo: Path) -> str:
    """The sha256 of the shipped onset model (from its manifest), or "" when none is shipped."""
    import json

    try:
        return str(json.loads((repo / "resources" / "models" / "onset.manifest.json").read_text())["sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def stale_note(data: dict, sections: list[Section], shipped: str) -> str:
    """A line saying that the stored measurement ran an onset model other than ``shipped``; "" when it is the same
    (or either is unknown). Runs before ``model_sha256`` was stored are read from their text's ``sha256:…``."""
    measured = str(data.get("model_sha256", ""))
    if not measured and sections and (m := re.search(r"sha256:([0-9a-f]{12,64})", sections[0].text)):
        measured = m.group(1)
    n = min(len(measured), len(shipped))
    if not n or measured[:n] == shipped[:n]:
        return ""
    return (f"Measured on an earlier model, sha256 {measured[:12]}; the shipped model is {shipped[:12]}: re-run on a "
            f"GPU machine (`python -m benchmarks.run --only gpu`).")


def stored(path: Path, why: str, shipped: str = "") -> list[Section]:
    """The last GPU measurement in ``path``, titled with its date and machine, under ``why`` this run has none;
    each section says so when it measured an onset model other than ``shipped`` (its sha256)."""
    loaded = load_sections(path)
    if loaded is None:
        return [Section("GPU", text=f"{why}. No GPU measurement is stored yet (`{RESULTS.as_posix()}`).")]
    data, sections = loaded
    stale = stale_note(data, sections, shipped)
    for i, s in enumerate(sections):
        head = (f"{why}; the rows above are the last measurement on a GPU machine ({data['machine']}), "
                f"stored in `{RESULTS.as_posix()}`." if i == 0 else "")
        s.text = "\n\n".join(part for part in (head, stale, s.text.strip()) if part)
        s.measured = data["date"]
    return sections


def run(ctx: BenchContext) -> list[Section]:
    import onnxruntime as ort

    from benchmarks.bench_inference import SONG_S, model_dir
    from benchmarks.run import machine_line
    from inference.backends import OnnxBackend
    from inference.drafter import Drafter
    from inference.serving.loadtest import synth_song

    folder, label = model_dir(ctx)
    cuda = OnnxBackend()
    probe = Drafter.from_models_dir(folder, backend=cuda)
    cuda.session(probe.onset)
    if "CUDA" not in cuda.describe():
        why = cuda.cuda_note or (f"No usable CUDA on this machine ({cuda.describe()}; onnxruntime "
                                 f"{ort.__version__} lists {', '.join(ort.get_available_providers())})")
        return stored(ctx.repo / RESULTS, why, shipped_sha256(ctx.repo))

    from chart.timing import TimingData

    samples = synth_song(SONG_S, 44100)
    timing = TimingData.constant(128, Fraction(-3, 10))
    reps = 3 if ctx.quick else 10
    cpu = OnnxBackend(providers=["CPUExecutionProvider"])
    on_gpu = Drafter(probe.onset, probe.lanes, cuda)  # the default on a GPU machine: lanes on a CPU backend
    on_cpu = Drafter(probe.onset, probe.lanes, cpu)  # what a machine without a GPU runs
    analysis = on_gpu.analyse((samples, 44100))
    sections = [_models(on_gpu, on_cpu, analysis, timing, reps),
                _drafts(on_gpu, on_cpu, samples, analysis, timing, reps)]
    gpu = gpu_name() or "a CUDA GPU"
    sections[0].text = (f"{gpu}; onnxruntime {ort.__version__}, sessions on {cuda.describe()} and "
                        f"{cpu.describe()} (CPU threads: {cpu.intra_op_threads}); {label}; synthesised "
                        f"{SONG_S / 60:.0f}-minute song at 128 BPM. Medians of {reps} runs after a warm-up.")
    save_sections(ctx.repo / RESULTS, sections, f"{gpu}; {machine_line()}", {"model_sha256": probe.onset.sha256})
    return sections


def _models(on_gpu, on_cpu, analysis, timing, reps) -> Section:
    import time
    from types import SimpleNamespace

    from benchmarks.bench_inference import _batch
    from chart.song import MODEL_SLOTS
    from inference.draft_audio import beat_window, run_onset_model
    from inference.time_chunks import WINDOW_FRAMES

    sec = Section("GPU: models on CUDA against CPU")
    inputs = _batch(on_gpu, analysis, timing)
    fresh = type(on_gpu.backend)()
    t0 = time.perf_counter()
    fresh.session(on_gpu.onset)
    sec.add("onset session start on CUDA (first use)", time.perf_counter() - t0, "s")
    gpu_session, cpu_session = on_gpu.backend.session(on_gpu.onset), on_cpu.backend.session(on_cpu.onset)
    t_cpu = timeit(lambda: cpu_session.run(None, inputs), repeat=reps)
    t_pass = timeit(lambda: gpu_session.run(None, inputs), repeat=reps)
    window = beat_window(timing, analysis, None, None)
    jobs = [SimpleNamespace(slot=slot, cond=None, cond_slot=0) for slot in MODEL_SLOTS]
    t_win = timeit(lambda: run_onset_model(on_gpu.onset, on_gpu.backend, analysis, timing, window, jobs),
                   repeat=reps)
    sec.add("onset model, 5 slots, CPU, one pass over the song (reference)", t_cpu, "s")
    sec.add("onset model, 5 slots, CUDA, one pass over the song", t_pass, "s", note=f"{t_cpu / t_pass:.2f}x CPU")
    sec.add(f"onset model, 5 slots, CUDA, windows of {WINDOW_FRAMES} frames (the drafter's way)", t_win, "s",
            note=f"{t_cpu / t_win:.1f}x CPU")
    _window_sweep(sec, on_gpu.onset, gpu_session, inputs, reps, t_cpu)
    windowed = run_onset_model(on_gpu.onset, on_gpu.backend, analysis, timing, window, jobs)
    one_pass = run_onset_model(on_cpu.onset, on_cpu.backend, analysis, timing, window, jobs)
    diff = np.abs(windowed - one_pass)
    sec.add("onset probability, CUDA windows vs CPU one pass: median / 99th pct / max difference",
            f"{np.median(diff):.2g} / {np.percentile(diff, 99):.2g} / {diff.max():.2g}", "")
    return sec


#: Window lengths (frames) the sweep times, each in ONE call (all windows x slots as one batch). Validation F1@50 of
#: each, measured on CPU with the windows forced (session 9): 0.7263 (4096), 0.7263 (2048), 0.7265 (1536) against
#: 0.7267 in one pass; fewer frames per window mean fewer sequential GRU steps, the launch-bound part on a GPU.
SWEEP_FRAMES = (1536, 2048, 4096)


def _window_sweep(sec: Section, manifest, session, inputs: dict, reps: int, t_cpu: float) -> None:
    """Time the onset model on windows of each :data:`SWEEP_FRAMES` length, every row in one call."""
    from inference import time_chunks

    timed = time_chunks.time_inputs(manifest, inputs)
    n_frames = inputs[timed[0]].shape[1]
    context = time_chunks.context_frames(manifest)
    for length in SWEEP_FRAMES:
        windows = time_chunks.plan(n_frames, length, context)
        rows = len(windows) * len(next(iter(inputs.values())))

        def run(feeds, length=length, windows=windows, rows=rows):
            return time_chunks.run_windowed(lambda f: session.run(None, f)[0], dict(feeds), timed, windows, length,
                                            rows)

        t = timeit(lambda: run(inputs), repeat=reps)
        sec.add(f"sweep: windows of {length} frames, {rows} rows in one call", t, "s",
                note=f"{t_cpu / t:.1f}x CPU one pass")


def _drafts(on_gpu, on_cpu, samples, analysis, timing, reps) -> Section:
    from inference.backends import OnnxBackend

    sec = Section("GPU: 5-slot drafts of the 3-minute song")
    lanes_on_cuda = type(on_gpu)(on_gpu.onset, on_gpu.lanes, on_gpu.backend, on_gpu.backend)
    lanes_all_cores = type(on_gpu)(on_gpu.onset, on_gpu.lanes, on_gpu.backend,
                                   OnnxBackend(providers=["CPUExecutionProvider"]))
    runs = {"all on CPU": on_cpu, "onset on CUDA, lanes on 1 CPU thread (default)": on_gpu,
            "onset on CUDA, lanes on all CPU cores": lanes_all_cores, "onset and lanes on CUDA": lanes_on_cuda}
    cached = {name: timeit(lambda d=d: d.draft(analysis, timing), repeat=reps) for name, d in runs.items()}
    for name, t in cached.items():
        sec.add(f"draft 5 slots, features cached, {name}", t, "s",
                note=f"{cached['all on CPU'] / t:.1f}x all-CPU" if name != "all on CPU" else "reference")
    for name in ("all on CPU", "onset on CUDA, lanes on 1 CPU thread (default)"):
        phases = draft_phases(lambda progress, d=runs[name]: d.draft(analysis, timing, progress=progress), reps)
        sec.add(f"of which onset model / decode / lanes, {name}", " / ".join(f"{phases[k]:.3f}" for k in PHASES),
                "s", note="from the drafter's progress reports")
    fresh = lambda: type(on_gpu)(on_gpu.onset, on_gpu.lanes, on_gpu.backend, on_gpu.lane_backend).draft(  # noqa: E731
        (samples, 44100), timing)
    sec.add("draft 5 slots after decode (features+model+decode+lanes), default", timeit(fresh, repeat=3), "s",
            goal=GOAL_5_SLOTS, note="features, decoding and lanes run on the CPU")
    same, total = _agreement([d.notes for d in on_gpu.draft(analysis, timing)],
                             [d.notes for d in on_cpu.draft(analysis, timing)])
    sec.add("onset rows the same in the GPU and all-CPU drafts", f"{same} / {total}", "")
    _host_probe(sec, on_cpu, analysis, timing, reps)
    return sec


def _host_probe(sec: Section, on_cpu, analysis, timing, reps: int) -> None:
    """The "Lane decoding" benchmark (the lanes of a 5-slot draft of the 3-minute song, one CPU thread) on this
    host: its CPU half of a draft against the 2-core machine's figure in that section, whether or not this host
    has a CPU quota."""
    from benchmarks.bench_lanes import lane_work, work_label
    from inference.lanes import OnnxLaneStepper, decode_rows

    stepper = OnnxLaneStepper(on_cpu.lanes, type(on_cpu.backend)(providers=["CPUExecutionProvider"],
                                                                  intra_op_threads=1))
    requests = lane_work(on_cpu, analysis, timing)[1]
    t = timeit(lambda: decode_rows(stepper, requests), repeat=max(2, reps // 2))
    sec.add(f"host probe: lane decoding, {work_label(requests)}, 1 CPU thread", t, "s",
            note="same work as the 'Lane decoding' section: compare with the CPU machine's figure there")


def _agreement(a, b) -> tuple[int, int]:
    """Onset rows (beats) present in both drafts, slot by slot, and the larger of the two totals."""
    same = total = 0
    for x, y in zip(a, b, strict=True):
        left, right = {n.beat for n in x}, {n.beat for n in y}
        same += len(left & right)
        total += max(len(left), len(right))
    return same, total

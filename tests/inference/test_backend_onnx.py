"""OnnxBackend specifics: provider choice and reporting, quiet CUDA fallback, session cache, manifest checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from inference.backends import OnnxBackend, cpu_quota, physical_cores, validate_inputs
from inference.manifest import Manifest, ManifestError
from tests.inference.tiny_models import build_onset_model, onset_inputs

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Manifest:
    return build_onset_model(tmp_path_factory.mktemp("tiny"))


def test_describe_reports_the_provider_the_session_really_uses(tiny):
    backend = OnnxBackend()
    assert "no model loaded" in backend.describe()
    backend.run(tiny, onset_inputs(tiny, batch=1, frames=20))
    used = backend.session(tiny).get_providers()[0]
    expected = "local ONNX (CPU)" if used == "CPUExecutionProvider" else f"local ONNX ({used})"
    assert backend.describe() == expected


def test_cuda_load_failure_is_silent_in_a_fresh_process(tiny):
    """onnxruntime-gpu logs a red libcublasLt error without CUDA; the backend must keep stderr clean."""
    code = (
        "import sys; sys.path.insert(0, '.');"
        "from inference.manifest import Manifest; from inference.backends import OnnxBackend;"
        "from tests.inference.tiny_models import onset_inputs;"
        f"m = Manifest.load({str(tiny.path)!r}); b = OnnxBackend();"
        "b.run(m, onset_inputs(m, 1, 10)); print(b.describe())"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "local ONNX" in proc.stdout
    assert "libcublas" not in proc.stderr, proc.stderr
    assert "onnxruntime" not in proc.stderr, proc.stderr
    # onnxruntime's CUDA library preloader prints what it misses: that output is captured, not shown
    assert proc.stdout.strip().splitlines() == [proc.stdout.strip()], proc.stdout
    assert "Failed to load" not in proc.stdout, proc.stdout


def test_missing_cuda_library_is_named_only_on_a_machine_with_a_gpu(tiny, monkeypatch):
    import inference.backends as backends

    monkeypatch.setattr(backends, "preload_cuda_libraries",
                        lambda: "Failed to load libcublasLt.so.13: libcublasLt.so.13: cannot open shared object file\n")
    monkeypatch.setattr(backends.OnnxBackend, "providers",
                        lambda self: ["CUDAExecutionProvider", "CPUExecutionProvider"])
    monkeypatch.setattr(backends, "nvidia_driver_present", lambda: False)
    cpu_only = OnnxBackend()
    if "CUDAExecutionProvider" in cpu_only.session(tiny).get_providers():
        pytest.skip("CUDA really works on this machine: there is no fallback to explain")
    assert cpu_only.cuda_note == ""  # no driver: CPU is what this machine has, nothing to explain
    monkeypatch.setattr(backends, "nvidia_driver_present", lambda: True)
    gpu_box = OnnxBackend()
    gpu_box.session(tiny)
    assert gpu_box.cuda_note.startswith("GPU found but CUDA did not start: libcublasLt.so.13 could not be loaded")
    assert "make gpu" in gpu_box.cuda_note
    assert gpu_box.describe() == "local ONNX (CPU)"  # provenance keeps the plain provider line


def test_preload_report_names_the_first_missing_library():
    from inference.backends import _missing_library

    assert _missing_library("Failed to load libcudnn.so.9: not found\nFailed to load libcurand.so.10: x") \
        == "libcudnn.so.9"
    assert _missing_library("") == ""


def test_sessions_are_cached_per_model_file(tiny, tmp_path):
    backend = OnnxBackend()
    assert backend.session(tiny) is backend.session(tiny)
    other = build_onset_model(tmp_path, seed=5)
    assert backend.session(other) is not backend.session(tiny)


def test_threads_default_to_physical_cores():
    assert OnnxBackend().intra_op_threads == physical_cores() >= 1
    assert OnnxBackend(intra_op_threads=1).intra_op_threads == 1


def test_cpu_quota_reads_cgroup_v2_and_v1(tmp_path, monkeypatch):
    import inference.backends as backends

    assert cpu_quota(tmp_path) is None  # no cgroup files: unlimited
    v2 = tmp_path / "v2"
    v2.mkdir()
    (v2 / "cpu.max").write_text("max 100000\n")
    assert cpu_quota(v2) is None
    (v2 / "cpu.max").write_text("150000 100000\n")
    assert cpu_quota(v2) == 1.5
    v1 = tmp_path / "v1" / "cpu,cpuacct"
    v1.mkdir(parents=True)
    (v1 / "cpu.cfs_quota_us").write_text("-1\n")
    (v1 / "cpu.cfs_period_us").write_text("100000\n")
    assert cpu_quota(v1.parent) is None
    (v1 / "cpu.cfs_quota_us").write_text("200000\n")
    assert cpu_quota(v1.parent) == 2.0
    unlimited = physical_cores()
    monkeypatch.setattr(backends, "cpu_quota", lambda: 1.5)  # a container allowed 1.5 CPUs: 2 threads at most
    assert physical_cores() == min(unlimited, 2)
    monkeypatch.setattr(backends, "cpu_quota", lambda: 0.2)
    assert physical_cores() == 1


def test_model_file_not_matching_manifest_is_refused(tmp_path):
    manifest = build_onset_model(tmp_path)
    data = manifest.model_path.read_bytes()
    manifest.model_path.write_bytes(data + b"\0")  # changed after the manifest was written
    with pytest.raises(ManifestError, match="does not match its manifest"):
        OnnxBackend().run(manifest, onset_inputs(manifest, 1, 10))


def test_manifest_naming_inputs_the_graph_lacks_is_refused(tmp_path):
    manifest = build_onset_model(tmp_path)
    raw = json.loads(manifest.path.read_text())
    raw["inputs"][0]["name"] = "spectrogram"
    manifest.path.write_text(json.dumps(raw))
    broken = Manifest.load(manifest.path)
    inputs = onset_inputs(manifest, 1, 10)
    inputs["spectrogram"] = inputs.pop("features")
    with pytest.raises(ManifestError, match="manifest says"):
        OnnxBackend().run(broken, inputs)


def test_missing_model_file_is_a_manifest_error(tmp_path):
    manifest = build_onset_model(tmp_path)
    manifest.model_path.unlink()
    with pytest.raises(ManifestError, match="missing"):
        OnnxBackend().run(manifest, onset_inputs(manifest, 1, 10))


def test_validate_casts_lossless_dtypes(tiny):
    inputs = onset_inputs(tiny, 2, 10)
    inputs["features"] = inputs["features"].astype(np.float64)
    inputs["difficulty"] = inputs["difficulty"].astype(np.int32)
    out = validate_inputs(tiny, inputs)
    assert out["features"].dtype == np.float32
    assert out["difficulty"].dtype == np.int64


def test_single_onnxruntime_build_installed():
    """onnxruntime and onnxruntime-gpu share one folder and break each other: exactly one may be installed."""
    from importlib import metadata

    names = {d.metadata["Name"].lower() for d in metadata.distributions() if d.metadata["Name"]}
    builds = sorted(n for n in names if n.startswith("onnxruntime") and "extensions" not in n and "genai" not in n)
    assert len(builds) == 1, builds


_RSS_PROBE = """
import gc, json, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, '.')
from tests.inference.tiny_models import build_onset_model, onset_inputs
from inference.backends import OnnxBackend
def rss_mb():
    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS')) / 1024
mode = sys.argv[1]
m = build_onset_model(Path(tempfile.mkdtemp()))
b = OnnxBackend(providers=['CPUExecutionProvider'], release_memory=mode != 'keep',
                idle_release_s=0.0 if mode == 'immediate' else 0.5)
b.run(m, onset_inputs(m, 1, 10))
x = onset_inputs(m, 16, 25000)  # one pass: under time_chunks.LONG_SONG_FRAMES
gc.collect(); before = rss_mb()
out = b.run(m, x)
gc.collect(); after_run = rss_mb() - before
time.sleep(1.5 if mode == 'idle' else 0.0)  # the idle release fires after 0.5 s
gc.collect(); print(json.dumps({"after_run": after_run, "later": rss_mb() - before, "releases": b.arena.releases}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads RSS from /proc (Linux)")
def test_a_large_run_hands_the_arena_back_once_idle(tiny):
    """onnxruntime's CPU arena keeps a run's peak for the life of the process (a 3-minute 5-slot draft left the
    editor at 1.1 GB); the backend hands it back once no large run has come for a while (or, with
    ``idle_release_s=0``, right after the run). Fresh processes, the same tiny model and input."""
    got = {}
    for mode in ("keep", "idle", "immediate"):
        proc = subprocess.run([sys.executable, "-c", _RSS_PROBE, mode], cwd=REPO, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, proc.stderr
        got[mode] = json.loads(proc.stdout.strip().splitlines()[-1])
    keep = got["keep"]["later"]
    assert keep > 20.0  # the arena holds the run's intermediates (~34 MB here)
    assert got["idle"]["after_run"] > 0.75 * keep, got  # warm right after the run: the next draft is faster
    assert got["idle"]["releases"] == 1, got
    assert got["idle"]["later"] < 0.75 * keep, got
    assert got["immediate"]["after_run"] < 0.75 * keep, got
    assert got["immediate"]["releases"] == 0, got
    backend = OnnxBackend(providers=["CPUExecutionProvider"])
    assert not backend.large_run(onset_inputs(tiny, batch=1, frames=20))  # lane steps: arena kept warm
    assert backend.large_run(onset_inputs(tiny, batch=2, frames=200000))


def test_a_large_run_before_the_idle_delay_postpones_the_release(tiny):
    """Drafts in a row keep the arena warm: each large run cancels the release the previous one scheduled."""
    backend = OnnxBackend(providers=["CPUExecutionProvider"], idle_release_s=30.0)
    big = onset_inputs(tiny, batch=8, frames=30000)  # one pass: under time_chunks.LONG_SONG_FRAMES
    backend.run(tiny, big)
    first = backend.arena._timer
    assert backend.arena.pending
    assert first is not None
    assert first.is_alive()
    backend.run(tiny, big)
    first.join(timeout=5.0)
    assert not first.is_alive()
    assert backend.arena.releases == 0
    assert backend.arena.pending
    assert backend.arena._timer is not first
    backend.run(tiny, onset_inputs(tiny, batch=1, frames=20))  # small runs leave it scheduled
    assert backend.arena.pending
    assert backend.arena.release_now()
    assert backend.arena.releases == 1
    assert not backend.arena.pending
    assert not backend.arena.release_now()
    # the probe is one batch row and a few frames: the release itself is a tiny run
    backend.run(tiny, big)
    _, _, probe = backend.arena._pending
    assert probe["features"].shape[:2] == (1, 256)
    assert probe["difficulty"].shape == (1,)
    backend.arena.cancel()
    assert not backend.arena.pending


def test_a_pending_release_does_not_keep_a_dropped_backend_s_session_alive(tiny):
    """The editor makes a new backend when its settings change: the old one's session (and its arena) must go
    with it, not wait for the idle timer."""
    import gc
    import weakref

    backend = OnnxBackend(providers=["CPUExecutionProvider"], idle_release_s=30.0)
    backend.run(tiny, onset_inputs(tiny, batch=8, frames=30000))
    arena = backend.arena
    session = weakref.ref(backend.session(tiny))
    assert arena.pending
    del backend
    gc.collect()
    assert session() is None
    assert not arena.release_now()  # nothing left to hand back
    arena.cancel()


def test_a_model_whose_inputs_cannot_be_cut_falls_back_to_releasing_after_each_run(tiny):
    backend = OnnxBackend(providers=["CPUExecutionProvider"], idle_release_s=30.0)
    calls = []

    def failing_run(names, feeds, options):
        calls.append(options)
        raise RuntimeError("probe does not fit the graph")

    backend.arena.finished(failing_run, ["onset_prob"], onset_inputs(tiny, batch=2, frames=50), ["features"])
    assert not backend.arena.release_now()
    assert len(calls) == 1
    assert backend.arena.immediate  # later large runs shrink at their own end
    out = backend.run(tiny, onset_inputs(tiny, batch=8, frames=30000))["onset_prob"]
    assert out.shape == (8, 30000)
    assert not backend.arena.pending


def test_the_server_keeps_its_arena(tiny):
    """A server drafts all day: it keeps onnxruntime's arena between requests (throughput over memory)."""
    import asyncio

    from mlserver.settings import ModelParameters, ModelSettings

    from inference.serving.runtime import GeneLiveOnnxRuntime

    runtime = GeneLiveOnnxRuntime(ModelSettings(name="onset", implementation=GeneLiveOnnxRuntime,
                                                parameters=ModelParameters(uri=str(tiny.path))))
    assert asyncio.run(runtime.load())
    assert runtime.backend.release_memory is False
    asyncio.run(runtime.unload())


def test_the_lane_benchmark_times_the_lanes_on_the_drafters_backend(monkeypatch, tmp_path) -> None:
    """``make bench`` timed the lane model on a default (all-cores) backend while drafts run it on one CPU thread:
    on a loaded 2-core machine its batched figure was 5x the drafter's. Both now take ``lane_step_backend``."""
    from benchmarks import bench_lanes
    from benchmarks.common import BenchContext
    from inference import lanes
    from inference.backends import lane_step_backend
    from tests.conftest import REPO

    backend = lane_step_backend()
    assert (backend.intra_op_threads, backend.providers()) == (1, ["CPUExecutionProvider"])
    seen = []

    class Spy(lanes.OnnxLaneStepper):
        def __init__(self, manifest, backend=None, ngram=None):
            seen.append(backend)
            raise RuntimeError("stop: only the backend is checked")

    monkeypatch.setattr(lanes, "OnnxLaneStepper", Spy)
    with pytest.raises(RuntimeError, match="stop"):
        bench_lanes.run(BenchContext(repo=REPO, work=tmp_path, quick=True))
    assert len(seen) == 1
    assert (seen[0].intra_op_threads, seen[0].providers()) == (1, ["CPUExecutionProvider"])

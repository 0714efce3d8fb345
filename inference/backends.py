"""Inference backends: one protocol, run any manifest's model with a dict of named numpy arrays.

``OnnxBackend`` runs the model in-process with onnxruntime (CUDA when it really works, else CPU);
``inference.remote.RemoteBackend`` sends the same tensors to a KServe V2 server (MLServer, Triton, KServe).
Callers (drafter, server runtime, benchmarks) see only :class:`Backend`, so the editor does not care where the
GPU is.

Facts this module relies on (checked with onnxruntime-gpu 1.31 on a machine without CUDA):

* ``ort.get_device()`` says ``"GPU"`` for the GPU build even when CUDA cannot load; only
  ``session.get_providers()`` tells which provider a session really uses.
* A failed CUDA provider load is logged at ERROR severity (a red ``libcublasLt`` line). Severity 3 (error) on the
  default logger and the session options still prints it on this version, so sessions are created at severity 4
  (fatal only); real failures still surface as Python exceptions, which we turn into one-line errors.
* Once CUDA failed to load, later sessions go straight to CPU: retrying costs ~0.2 s of dlopen per session.
* The CUDA provider needs CUDA 13's cuBLAS/cuRAND/cudart (and cuDNN 9) at load time. ``ort.preload_dlls()`` loads
  them from pip's nvidia packages (``pip install "onnxruntime-gpu[cuda,cudnn]"``) or the default library path; it
  reports what it misses with ``print``, so it runs once per process with its output captured, and the first
  missing library becomes :attr:`OnnxBackend.cuda_note` (why a machine with a GPU still runs on CPU).
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import threading
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from inference import time_chunks
from inference.arena_release import IDLE_RELEASE_S, IdleRelease, shrink_options
from inference.input_checks import InputError, validate_inputs
from inference.manifest import Manifest, ManifestError, file_sha256

# onnxruntime's severities: 0 verbose, 1 info, 2 warning, 3 error, 4 fatal.
_ORT_QUIET_SEVERITY = 4
_CUDA = "CUDAExecutionProvider"
_CPU = "CPUExecutionProvider"


_preload_lock = threading.Lock()
_preload_report: str | None = None  # what ort.preload_dlls() printed (None: not tried in this process)


def preload_cuda_libraries() -> str:
    """Load the CUDA libraries onnxruntime's CUDA provider needs, once per process, quietly.

    Returns what onnxruntime's loader reported (empty when everything loaded). Harmless without a GPU: each
    missing library is one failed ``dlopen``.
    """
    global _preload_report
    with _preload_lock:
        if _preload_report is None:
            import onnxruntime as ort

            sink = io.StringIO()
            try:
                with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    preload = getattr(ort, "preload_dlls", None)
                    if preload is not None:
                        preload()
            except Exception as exc:  # a loader problem only means CPU; the session below says so
                sink.write(f"preload_dlls failed: {_first_line(exc)}\n")
            _preload_report = sink.getvalue()
        return _preload_report


def nvidia_driver_present() -> bool:
    """Whether the NVIDIA driver's CUDA library loads (a GPU machine), whatever onnxruntime makes of it."""
    import ctypes

    for name in ("libcuda.so.1", "nvcuda.dll"):
        try:
            ctypes.CDLL(name)
            return True
        except OSError:
            continue
    return False


def _missing_library(report: str) -> str:
    """The first library name in a loader report such as ``Failed to load libcublasLt.so.13: ...``."""
    found = re.search(r"(lib[\w.+-]+\.so(?:\.\d+)*)", report)
    return found.group(1) if found else ""


class BackendError(RuntimeError):
    """A backend could not produce a result (model not loadable, server down or failing, timeout)."""


@runtime_checkable
class Backend(Protocol):
    """Runs exported models. Implementations must be safe to call from several threads."""

    def run(self, manifest: Manifest, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Run ``manifest``'s model on named inputs; returns every output of the manifest by name."""
        ...

    def describe(self) -> str:
        """Where the model runs, for status bars and provenance, e.g. ``"local ONNX (CPU)"``."""
        ...


def cancel_scope(backend: Backend, check: Callable[[], None]) -> contextlib.AbstractContextManager[Any]:
    """A block during which ``backend`` calls ``check()`` while it waits (a remote server that never answers), so
    that what ``check`` raises (the drafter's ``CancelToken.check``) ends a run at once; a no-op for backends that
    do not wait on anything (local ONNX runs to its end). Backends opt in with a ``cancel_scope(check)`` method."""
    scope = getattr(backend, "cancel_scope", None)
    return scope(check) if callable(scope) else contextlib.nullcontext()


def cpu_quota(root: Path = Path("/sys/fs/cgroup")) -> float | None:
    """CPUs' worth of time per period this process's cgroup may use (a container's ``--cpus``), None when
    unlimited. Reads cgroup v2 ``cpu.max`` or v1 ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us`` under ``root``
    (a container sees its own cgroup there). A container can see 16 cores and be allowed 2: threads beyond
    the quota only get the process throttled."""
    try:
        limit, period = (root / "cpu.max").read_text().split()[:2]
        return None if limit == "max" else int(limit) / int(period)
    except (OSError, ValueError):
        pass
    for folder in ("cpu", "cpu,cpuacct", "cpuacct,cpu"):
        try:
            quota_us = int((root / folder / "cpu.cfs_quota_us").read_text())
            period_us = int((root / folder / "cpu.cfs_period_us").read_text())
        except (OSError, ValueError):
            continue
        return quota_us / period_us if quota_us > 0 and period_us > 0 else None
    return None


def physical_cores() -> int:
    """Physical CPU cores this process may use (hyper-threads share one core's FPU, so ORT gains nothing),
    at most its cgroup's CPU quota rounded up (:func:`cpu_quota`)."""
    try:
        allowed = os.sched_getaffinity(0)
    except AttributeError:  # not Linux
        allowed = set(range(os.cpu_count() or 1))
    cores: set[tuple[str, str]] = set()
    try:
        proc, phys, core = None, "0", None
        for line in Path("/proc/cpuinfo").read_text().splitlines() + [""]:
            key, _, value = (part.strip() for part in line.partition(":"))
            if key == "processor":
                proc = int(value)
            elif key == "physical id":
                phys = value
            elif key == "core id":
                core = value
            elif not line.strip() and proc is not None:
                if proc in allowed:
                    cores.add((phys, core if core is not None else str(proc)))
                proc, phys, core = None, "0", None
    except (OSError, ValueError):
        cores = set()
    count = max(1, len(cores) or len(allowed))
    quota = cpu_quota()
    return count if quota is None else max(1, min(count, math.ceil(quota)))


#: Inputs (bytes) above which a run releases the CPU arena's memory afterwards (a 30-s window of one slot's
#: features is about 3 MB; a 3-minute 5-slot draft about 90 MB).
RELEASE_AFTER_BYTES = 8 * 1024 * 1024


class OnnxBackend:
    """In-process onnxruntime backend; one cached session per model file (path + sha256).

    Parameters
    ----------
    providers : list of str, optional
        Force execution providers (e.g. ``["CPUExecutionProvider"]``); default tries CUDA, then CPU.
    intra_op_threads : int, optional
        Threads per operator; default the physical core count (``GENELIVE_ORT_THREADS`` overrides).
    release_memory : bool
        Hand onnxruntime's CPU memory arena back after a run whose inputs exceed :data:`RELEASE_AFTER_BYTES`.
        Without it the arena keeps the largest run's peak: a 5-slot draft of a 3-minute song left the process at
        1.1 GB resident, for good. A server that drafts all day keeps its arena (``False``).
    idle_release_s : float
        When: once no large run has started for this many seconds (:mod:`inference.arena_release`), so that
        drafts in a row find the arena warm; 0 shrinks at the end of each large run (0.11 s more per 5-slot draft
        on 2 cores, docs/decisions.md).
    """

    def __init__(self, providers: list[str] | None = None, intra_op_threads: int | None = None,
                 release_memory: bool = True, idle_release_s: float = IDLE_RELEASE_S) -> None:
        env_threads = os.environ.get("GENELIVE_ORT_THREADS", "")
        self.intra_op_threads = intra_op_threads or (int(env_threads) if env_threads.isdigit() else 0) \
            or physical_cores()
        self.release_memory = bool(release_memory)
        self.arena = IdleRelease(idle_release_s)
        self._forced = list(providers) if providers else None
        self._sessions: dict[tuple[str, str], Any] = {}
        self._sha_cache: dict[tuple[str, int, int], str] = {}
        self._lock = threading.Lock()
        self._cuda_failed = False
        self._last_providers: list[str] = []
        self.cuda_note = ""  # why CUDA was wanted but not used, shown in the editor's AI panel

    # ------------------------------------------------------------------ protocol
    def run(self, manifest: Manifest, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Run the model; see :class:`Backend`. Raises InputError, ManifestError or BackendError."""
        session = self.session(manifest)
        names = [spec.name for spec in manifest.outputs] or [o.name for o in session.get_outputs()]
        timed = time_chunks.time_inputs(manifest, inputs)
        if manifest.kind == "onset" and timed and len(names) == 1:
            n_frames = np.shape(inputs[timed[0]])[1]
            gpu = self.prefers_windows(manifest)
            # On CPU one pass is cheaper, but its memory grows with the song (1.7 GB for 10 minutes and 5 slots):
            # past LONG_SONG_FRAMES (5.4 minutes) the song runs in windows too, a few rows at a time.
            if gpu or n_frames > time_chunks.LONG_SONG_FRAMES:
                length = time_chunks.window_frames(manifest)
                rows = time_chunks.MAX_WINDOW_ROWS if gpu else time_chunks.CPU_WINDOW_ROWS
                windows = time_chunks.plan(n_frames, length, time_chunks.context_frames(manifest))
                if len(windows) > 1:
                    out = time_chunks.run_windowed(lambda f: self._run_once(manifest, session, names, f)[names[0]],
                                                   dict(inputs), timed, windows, length, rows)
                    return {names[0]: out}
        return self._run_once(manifest, session, names, inputs)

    def _run_once(self, manifest: Manifest, session: Any, names: list[str],
                  inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        feeds = validate_inputs(manifest, inputs)
        _check_symbolic_dims(manifest, session, feeds)
        large = self.large_run(feeds)
        if large:
            self.arena.starting()
        try:
            values = session.run(names, feeds, shrink_options() if large and self.arena.immediate else None)
        except Exception as exc:  # onnxruntime raises its own exception types (InvalidArgument, Fail, ...)
            raise _ort_error(manifest, exc) from exc
        if large and not self.arena.immediate:
            self.arena.finished(session.run, names, feeds, time_chunks.time_inputs(manifest, feeds))
        return {name: np.asarray(value) for name, value in zip(names, values)}

    def large_run(self, feeds: Mapping[str, np.ndarray]) -> bool:
        """Whether a run on ``feeds`` hands the CPU arena back afterwards; small runs (the lane model's steps)
        keep it warm."""
        return self.release_memory and sum(np.asarray(v).nbytes for v in feeds.values()) >= RELEASE_AFTER_BYTES

    def describe(self) -> str:
        """``"local ONNX (CUDAExecutionProvider)"`` or ``"local ONNX (CPU)"`` from the sessions really made."""
        if not self._last_providers:
            return "local ONNX (no model loaded yet)"
        first = self._last_providers[0]
        return "local ONNX (CPU)" if first == _CPU else f"local ONNX ({first})"

    def prefers_windows(self, manifest: Manifest) -> bool:
        """Whether :meth:`run` gives an onset model any song longer than one window as batched windows
        (``inference.time_chunks``): on CUDA, where its recurrent layers are launch-bound. On CPU one pass is
        cheaper, so a song runs in one pass up to ``time_chunks.LONG_SONG_FRAMES`` (5.4 minutes) and in windows,
        a few rows at a time, past it (one pass's memory grows with the song). The drafter and the server
        (``main.py serve`` on a GPU box) both get this through :meth:`run`."""
        return self.session(manifest).get_providers()[0] != _CPU

    # ------------------------------------------------------------------ sessions
    def providers(self) -> list[str]:
        """Providers the next session will ask for: CUDA (unless it failed before) then CPU."""
        import onnxruntime as ort

        if self._forced:
            return list(self._forced)
        available = ort.get_available_providers()
        wanted = [_CPU] if self._cuda_failed else [_CUDA, _CPU]
        return [p for p in wanted if p in available] or [_CPU]

    def session(self, manifest: Manifest) -> Any:
        """The cached ``onnxruntime.InferenceSession`` for ``manifest`` (created on first use)."""
        path = manifest.model_path.resolve()
        sha = self._verified_sha(manifest, path)
        key = (str(path), sha)
        with self._lock:
            cached = self._sessions.get(key)
            if cached is None:
                cached = self._sessions[key] = self._create(manifest, path)
            return cached

    def _verified_sha(self, manifest: Manifest, path: Path) -> str:
        try:
            st = path.stat()
        except OSError as exc:
            raise ManifestError(f"model file missing: {path}") from exc
        stat_key = (str(path), st.st_mtime_ns, st.st_size)
        sha = self._sha_cache.get(stat_key)
        if sha is None:
            sha = self._sha_cache[stat_key] = file_sha256(path)
        if manifest.sha256 and sha != manifest.sha256:
            raise ManifestError(f"model file {path.name} does not match its manifest "
                                f"(sha256 {sha[:12]} != {manifest.sha256[:12]})")
        return sha

    def _create(self, manifest: Manifest, path: Path) -> Any:
        import onnxruntime as ort

        ort.set_default_logger_severity(_ORT_QUIET_SEVERITY)
        options = ort.SessionOptions()
        options.log_severity_level = _ORT_QUIET_SEVERITY
        options.intra_op_num_threads = self.intra_op_threads
        options.inter_op_num_threads = 1  # the graphs are sequential; extra pools only contend for 2 cores
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        wanted = self.providers()
        report = preload_cuda_libraries() if _CUDA in wanted else ""
        try:
            session = ort.InferenceSession(str(path), sess_options=options, providers=wanted)
        except Exception as exc:
            raise ManifestError(f"cannot load model {path.name}: {_first_line(exc)}") from exc
        used = session.get_providers()
        if _CUDA in wanted and _CUDA not in used:
            self._cuda_failed = True
            if nvidia_driver_present():  # without a driver, CPU is simply what this machine has
                missing = _missing_library(report)
                self.cuda_note = (f"GPU found but CUDA did not start: {missing} could not be loaded "
                                  "(`make gpu` installs CUDA 13 and cuDNN 9)" if missing
                                  else "GPU found but onnxruntime's CUDA provider did not start")
        self._last_providers = used
        _check_io(manifest, session)
        return session


def _check_io(manifest: Manifest, session: Any) -> None:
    """Refuse a model whose graph inputs/outputs are not the manifest's (a stale or wrong file)."""
    graph_in = {i.name for i in session.get_inputs()}
    graph_out = {o.name for o in session.get_outputs()}
    want_in = {s.name for s in manifest.inputs}
    want_out = {s.name for s in manifest.outputs}
    if want_in and graph_in != want_in:
        raise ManifestError(f"model {manifest.file} has inputs {sorted(graph_in)}, manifest says {sorted(want_in)}")
    if want_out and not want_out <= graph_out:
        raise ManifestError(f"model {manifest.file} lacks outputs {sorted(want_out - graph_out)}")


def _check_symbolic_dims(manifest: Manifest, session: Any, feeds: Mapping[str, np.ndarray]) -> None:
    """Axes that the graph names alike (e.g. ``T`` of features and of beat_guide) must have equal sizes."""
    seen: dict[str, tuple[str, int, int]] = {}
    for node in session.get_inputs():
        arr = feeds.get(node.name)
        if arr is None:
            continue
        for axis, dim in enumerate(node.shape):
            if not isinstance(dim, str) or axis >= arr.ndim:
                continue
            first = seen.setdefault(dim, (node.name, axis, arr.shape[axis]))
            if first[2] != arr.shape[axis]:
                raise InputError(f"{manifest.model_id}: axis {dim!r} is {first[2]} in {first[0]!r} but "
                                 f"{arr.shape[axis]} in {node.name!r}")


def _ort_error(manifest: Manifest, exc: Exception) -> Exception:
    text = _first_line(exc)
    if "INVALID_ARGUMENT" in text or "InvalidArgument" in type(exc).__name__:
        return InputError(f"{manifest.model_id}: {text}")
    return BackendError(f"{manifest.model_id} failed: {text}")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def lane_step_backend() -> OnnxBackend:
    """The backend the lane model runs on in a draft (and in ``make bench``'s lane timing): CPU even on a GPU
    machine, one thread. Each row is one tiny step, launch-bound on a GPU and dominated by thread-pool hand-offs on
    many cores (docs/serving.md: on an H100 box, 1.66 s for the 5-slot draft with one lane thread, 1.91 s with its
    16 cores, 2.21 s with the lanes on CUDA; on a loaded 2-core machine two threads made the batched decode 2x
    slower than one)."""
    return OnnxBackend(providers=["CPUExecutionProvider"], intra_op_threads=1)

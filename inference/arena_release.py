"""Hand onnxruntime's CPU arena back when the app goes idle, not after every large run.

onnxruntime keeps its CPU arena at the largest run's peak for the life of the process (a 5-slot draft of a
3-minute song left the editor at 1.1 GB resident). The run option ``memory.enable_memory_arena_shrinkage`` frees
the arena's unused regions at the end of a run; set on the large run itself, the *next* large run must fault
all that memory in again, which cost the onset forward 0.11 s of 0.46 s on the 2-core machine (a draft is one
such run; separating a song is dozens). :class:`IdleRelease` instead remembers a tiny cut of the large run's
inputs (one batch row, the first :data:`PROBE_FRAMES` frames) and, once no large run has started for
``idle_s`` seconds, runs the same session on it with the shrink option: the arena goes back to the small run's
size while the designer reads the draft, and a draft made right after another one finds it warm.

A model whose inputs cannot be cut that way (the probe run fails) falls back to shrinking after each large run
(:attr:`IdleRelease.immediate`). Pending releases are cancelled at interpreter exit, so a one-shot CLI command
never runs one while onnxruntime is being torn down.
"""

from __future__ import annotations

import atexit
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

#: Frames kept along the time axis of the probe (the onset model's widest pooling is 128 frames).
PROBE_FRAMES = 256
#: Seconds without a new large run before the arena is handed back (the editor's default).
IDLE_RELEASE_S = 10.0

_live: weakref.WeakSet[IdleRelease] = weakref.WeakSet()


def shrink_options() -> Any:
    """RunOptions that free the CPU arena's unused regions at the end of the run."""
    import onnxruntime as ort

    options = ort.RunOptions()
    options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
    return options


def probe_inputs(feeds: Mapping[str, np.ndarray], timed: Sequence[str]) -> dict[str, np.ndarray]:
    """One batch row of every input, and the first :data:`PROBE_FRAMES` frames of the ``timed`` ones (axis 1)."""
    out = {}
    for name, value in feeds.items():
        arr = np.asarray(value)
        if arr.ndim >= 1:
            arr = arr[:1, :PROBE_FRAMES] if name in timed and arr.ndim >= 2 else arr[:1]
        out[name] = np.ascontiguousarray(arr)
    return out


class IdleRelease:
    """Schedules the arena release of an :class:`inference.backends.OnnxBackend` (see the module docstring).

    Parameters
    ----------
    idle_s : float
        Seconds without a new large run before the release; 0 shrinks after each large run instead.
    """

    def __init__(self, idle_s: float = IDLE_RELEASE_S) -> None:
        self.idle_s = float(idle_s)
        self.immediate = self.idle_s <= 0
        self.releases = 0  # probe runs made (tests and benchmarks read it)
        self._lock = threading.Lock()
        self._generation = 0
        self._pending: tuple[Callable[[], Callable[..., Any] | None], list[str], dict[str, np.ndarray]] | None = None
        self._timer: threading.Timer | None = None
        _live.add(self)

    def starting(self) -> None:
        """A large run starts: a release scheduled earlier would only make it fault its memory in again."""
        with self._lock:
            self._generation += 1
            self._cancel_timer()

    def finished(self, run: Callable[..., Any], names: list[str], feeds: Mapping[str, np.ndarray],
                 timed: Sequence[str]) -> None:
        """A large run ended: release after ``idle_s`` unless another starts. ``run`` is the session's ``run``."""
        probe = probe_inputs(feeds, timed)
        # a weak reference to a session's run: a backend dropped meanwhile frees its session (and arena) at once
        runner: Callable[[], Callable[..., Any] | None] = (
            weakref.WeakMethod(run) if hasattr(run, "__self__") else (lambda: run))
        with self._lock:
            self._generation += 1
            generation = self._generation
            self._cancel_timer()
            self._pending = (runner, names[:1], probe)
            timer = threading.Timer(self.idle_s, self._fire, args=(generation,))
            timer.daemon = True  # never keeps a process alive; atexit cancels it (below)
            self._timer = timer
        timer.start()

    def release_now(self) -> bool:
        """Run the pending release at once; whether one ran. A failing probe switches to :attr:`immediate`."""
        with self._lock:
            pending, self._pending = self._pending, None
            self._cancel_timer()
        if pending is None:
            return False
        runner, names, probe = pending
        run = runner()
        if run is None:  # the session is gone, and its arena with it
            return False
        try:
            run(names, probe, shrink_options())
        except Exception:  # a model whose inputs do not cut down: shrink after each large run from now on
            self.immediate = True
            return False
        self.releases += 1
        return True

    @property
    def pending(self) -> bool:
        return self._pending is not None

    def cancel(self) -> None:
        """Drop the pending release (interpreter exit)."""
        with self._lock:
            self._pending = None
            timer = self._timer
            self._cancel_timer()
        if timer is not None and timer.is_alive() and timer is not threading.current_thread():
            timer.join(timeout=5.0)  # a probe run in progress: let it end before onnxruntime is torn down

    def _fire(self, generation: int) -> None:
        with self._lock:
            if generation != self._generation:
                return  # a large run came after the one that scheduled this
        self.release_now()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


@atexit.register
def _cancel_all() -> None:
    for releaser in list(_live):
        releaser.cancel()

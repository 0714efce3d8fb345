"""Background jobs: run a function off the GUI thread, report progress, allow cancel, deliver the result as a
Qt signal in the GUI thread.

Decoding, peak pyramids, spectrogram tiles, tempo detection and AI drafts all run as a :class:`Job`, so the UI
never freezes. The function receives a :class:`JobContext`; it calls ``ctx.report(fraction, text)`` now and then
and ``ctx.check()`` (raises :class:`Cancelled`) at safe points. Results and errors come back through the Job's
signals, which Qt queues to the GUI thread because the Job object lives there.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

_log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised by :meth:`JobContext.check` once the job was cancelled."""


class JobContext:
    """What a job function sees: progress reporting and the cancel flag."""

    def __init__(self, job: Job):
        self._job = job
        self.cancel_event = threading.Event()
        self._on_cancel: list[Callable[[], Any]] = []

    def on_cancel(self, fn: Callable[[], Any]) -> None:
        """Also call ``fn`` when the job is cancelled (e.g. a library's own cancel token)."""
        self._on_cancel.append(fn)
        if self.cancel_event.is_set():
            fn()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` when the user cancelled the job."""
        if self.cancel_event.is_set():
            raise Cancelled()

    def report(self, fraction: float, text: str = "") -> None:
        """Progress in [0, 1] with a short message (thread-safe; delivered queued)."""
        self._job.progress.emit(float(fraction), text)

    def partial(self, value: Any) -> None:
        """Hand a partial result to the GUI (e.g. one spectrogram tile) before the job ends."""
        self._job.partial.emit(value)


class Job(QObject):
    """One background task. Connect the signals, then call :meth:`start`."""

    progress = Signal(float, str)
    partial = Signal(object)
    finished = Signal(object)  # the function's return value
    failed = Signal(str)  # one-line message
    cancelled = Signal()
    done = Signal()  # after any of finished / failed / cancelled

    def __init__(self, name: str, fn: Callable[..., Any], *args: Any, parent: QObject | None = None, **kwargs: Any):
        super().__init__(parent)
        self.name = name
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self.ctx = JobContext(self)
        self._thread: threading.Thread | None = None
        self.running = False

    def start(self) -> Job:
        self.running = True
        self._thread = threading.Thread(target=self._run, name=f"job-{self.name}", daemon=True)
        self._thread.start()
        return self

    def cancel(self) -> None:
        self.ctx.cancel_event.set()
        for fn in list(self.ctx._on_cancel):
            fn()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Join the worker thread; True when it ended."""
        if self._thread is None:
            return True
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def _run(self) -> None:
        try:
            self._work()
        except RuntimeError as exc:  # the Job's C++ side was deleted (the window closed while it ran): no one waits
            if "deleted" not in str(exc):
                raise
            _log.debug("job %s ended after its window: %s", self.name, exc)

    def _work(self) -> None:
        # The job lets go of its function and arguments as it runs: a finished job kept by its controller (the last
        # band waveform's, the last draft's) held a closed song's whole decoded audio for the rest of the session.
        fn, args, kwargs = self._fn, self._args, self._kwargs
        self._fn, self._args, self._kwargs = _ran, (), {}
        try:
            result = fn(self.ctx, *args, **kwargs)
            del fn, args, kwargs
        except Cancelled:
            self.running = False
            self.cancelled.emit()
        except Exception as exc:  # reported to the user as one line; the traceback is logged for bug reports
            self.running = False
            if self.ctx.cancelled:  # a library's own "cancelled" exception after the user pressed Cancel
                self.cancelled.emit()
                self.done.emit()
                return
            _log.debug("job %s failed", self.name, exc_info=True)
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self.failed.emit(text)
        else:
            self.running = False
            if self.ctx.cancelled:
                self.cancelled.emit()
            else:
                self.finished.emit(result)
        self.done.emit()


def _ran(_ctx: JobContext) -> None:
    """A job's function once it has run (:meth:`Job._work`): a job runs once."""
    raise RuntimeError("this job has already run")


class JobRegistry(QObject):
    """Keeps running jobs alive (Python would collect them), cancels them all on shutdown, and lets each go when it
    is done: a Job made with a Qt ``parent`` would otherwise live as long as that parent (the window), and with it
    everything its connected handlers hold (a closed song's whole Document, for every song ever opened)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.jobs: list[Job] = []

    def start(self, job: Job) -> Job:
        self.jobs.append(job)
        job.done.connect(lambda j=job: self._forget(j))
        return job.start()

    def _forget(self, job: Job) -> None:
        """The job is done (its finished/failed/cancelled handlers have run: ``done`` comes last, queued in order):
        drop it, and delete its QObject once control is back in the event loop. That also disconnects its handlers
        and frees what they hold; a controller that keeps the Python object (``self.job``) can still read its plain
        attributes (``running``, ``ctx``) and call ``cancel()``."""
        if job in self.jobs:
            self.jobs.remove(job)
        job.deleteLater()

    def running(self, name_prefix: str = "") -> list[Job]:
        return [j for j in self.jobs if j.running and j.name.startswith(name_prefix)]

    def shutdown(self, timeout_s: float = 2.0) -> None:
        for job in list(self.jobs):
            job.cancel()
        for job in list(self.jobs):
            job.wait(timeout_s / max(len(self.jobs), 1))

"""The AI's background jobs (the jobs half of :class:`~editor.controllers.drafting.DraftController`, split off to
keep modules short): one at a time, a second request refused while one runs, Cancel, and the end of each.

The model loads in the background at start-up (``ai-warmup``). A request made meanwhile (a Draft pressed in the
first seconds) is not refused as if a draft were running: it waits for the load and starts when the model is ready
(its progress bar says so), and Cancel drops it before it starts; the load itself cannot be stopped, so Cancel
with nothing else waiting says that instead of "AI draft cancelled". A cancelled job ends at its next check (the
audio features are computed in one piece: a second or two on a long song); a request made before it has ended is
refused with "The AI is cancelling the last job; try again in a moment" (queueing it would race the cancelled
job's taking back of the empty charts it added, which the new request may be about to draft into).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject

from editor import messages
from editor.controllers.draft_results import DraftRequest
from editor.session import EditorSession
from editor.workers import Job, JobContext

WARMUP = "ai-warmup"
#: What each job is, for the messages at its end
JOB_NAMES = {WARMUP: "Loading the AI model", "ai-draft": "AI draft", "ai-refine": "AI refine",
             "ai-simplify": "AI simplify", "ai-variants": "AI regenerate", "ai-arrows": "AI arrows"}


def cancel_token(ctx: JobContext):
    """A drafter CancelToken that the job's Cancel button trips."""
    from inference.drafter import CancelToken

    token = CancelToken()
    ctx.on_cancel(token.cancel)
    return token


class DraftJobs:
    """Job handling of :class:`~editor.controllers.drafting.DraftController` (a mixin)."""

    win: Any
    session: EditorSession
    settings: Any
    drafter: Any
    job: Job | None
    last_error: str | None
    _busy: bool
    # a request made while the model loads, started when it is loaded: (its job, the job's name, its request)
    _waiting: tuple[Job, str, DraftRequest | None] | None = None
    busy_changed: Any  # the controller's signals
    progress: Any
    backend_changed: Any
    backend_line: Any
    check_server: Any
    _take_back_added: Any

    @property
    def busy(self) -> bool:
        """True from the start of a job until its result (or error) has been handled in the GUI thread (also while
        a request waits for the model to load)."""
        return self._busy

    def cancel(self) -> None:
        """Cancel the request waiting for the model, else the running job."""
        if self._waiting is not None:
            job, name, request = self._waiting
            self._waiting = None
            job.deleteLater()
            self._cancelled(name, request, waited=True)
        elif self.job is not None:
            self.job.cancel()

    def shutdown(self) -> None:
        self.cancel()

    def _song_replaced(self) -> None:
        """A job for the song just closed is cancelled and let go: its result would be for charts that are gone,
        and the new song's drafts must not wait for it (the model load is not the song's: it goes on)."""
        job = self.job
        if self.drafter is not None:  # the closed song's analysis goes too (it stayed until two more songs drafted)
            self.drafter.analyses.clear()
        if self._waiting is not None:  # waiting for the model: dropped before it starts
            self._waiting[0].deleteLater()
            self._waiting = None
            self.session.status.emit("AI draft cancelled: its song was closed")
        if job is None or not self._busy or job.name == WARMUP:
            return
        job.cancel()
        self.job = None
        self._job_done()
        self.session.status.emit("AI draft cancelled: its song was closed")

    def refused_busy(self, name: str = "ai-draft", request: DraftRequest | None = None) -> bool:
        """True (after saying why on the status line, and taking back the charts ``request`` added) when a job
        ``name`` cannot start now: the AI runs another (one may wait behind the model's load). Checked before
        anything is asked too: a draft's tempo question offered Detect Tempo during an Arrows job, and the new
        timing then dropped that job's ghosts."""
        loading = self.busy and self.job is not None and self.job.name == WARMUP and name != WARMUP
        if not self.busy or (loading and self._waiting is None):
            return False
        if request is not None:
            self._take_back_added(request)
        if loading:
            text = "An AI request is already waiting for the model to load; cancel it first"
        elif self.job is not None and self.job.ctx.cancelled:  # its stage ends before the cancel lands
            text = "The AI is cancelling the last job; try again in a moment"
        else:
            text = "The AI is still working; cancel it first"
        self.session.status.emit(text)
        return True

    def _start(self, name: str, fn, on_done, quiet: bool = False, request: DraftRequest | None = None
               ) -> Job | None:
        """Run ``fn`` as the AI's job; behind the model's load when that still runs. None when refused."""
        if self.refused_busy(name, request):
            return None
        loading = self.busy and self.job is not None and self.job.name == WARMUP  # the model still loads
        assert isinstance(self, QObject)  # the mixin's host, DraftController, is a QObject
        job = Job(name, fn, parent=self)

        def mine(handler):  # a job let go (its song closed) reports nothing
            return lambda *args: handler(*args) if self.job is job else None

        job.finished.connect(mine(on_done))
        job.failed.connect(mine(lambda msg: self._failed(name, msg, quiet, request)))
        job.cancelled.connect(mine(lambda: self._cancelled(name, request)))
        job.progress.connect(mine(self.progress.emit))
        job.done.connect(mine(self._job_done))
        if loading:
            self._waiting = (job, name, request)
            self.progress.emit(0.0, "AI: loading the model first")
            self.session.status.emit(f"{JOB_NAMES.get(name, 'AI')}: the model is still loading; it starts when the "
                                     "model is ready")
        else:
            self._run(job)
        return job

    def _run(self, job: Job) -> None:
        self.job, self.last_error = job, None
        self._busy = True
        self.win.run_job(job)
        self.busy_changed.emit(True)

    def _job_done(self) -> None:
        self._busy = False
        waiting, self._waiting = self._waiting, None
        if waiting is not None:  # the model has loaded (or failed to: the request then says why)
            self._run(waiting[0])
            return
        self.busy_changed.emit(False)

    def _cancelled(self, name: str, request: DraftRequest | None, waited: bool = False) -> None:
        if name == WARMUP:  # the load ran on: it cannot be stopped, and nothing else was running
            if self.drafter is not None:
                self.backend_changed.emit(self.backend_line())
            self.session.status.emit("Nothing to cancel: the AI was loading its model, which cannot be stopped "
                                     "(no draft was running)")
            return
        removed = request is not None and self._take_back_added(request)
        self.session.status.emit(f"{JOB_NAMES.get(name, 'AI job')} cancelled"
                                 + (" before it started (it waited for the model to load)" if waited else "")
                                 + ("; the empty charts made for it were removed" if removed else ""))

    def _failed(self, name: str, message: str, quiet: bool, request: DraftRequest | None = None) -> None:
        self.last_error = message
        if request is not None:
            self._take_back_added(request)
        if quiet:
            self.session.status.emit(f"AI: {message}")
        else:
            messages.error(self.win, "AI draft failed", message)
        if self.drafter is not None:
            self.backend_changed.emit(self.backend_line())
        if self.settings.get("ai/backend") == "remote":  # e.g. a refused token: the light says so again
            self.check_server()

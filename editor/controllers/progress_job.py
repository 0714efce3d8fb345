"""A background job behind a modal-free progress box whose Cancel cancels it: Detect Tempo and Detect Tempo of
Selection share it (:mod:`editor.controllers.timing_tools`, :mod:`editor.controllers.section_tempo`).

One job at a time per controller; when the job ends (finished, failed or cancelled) the box goes away. The box is
hidden, not closed, at the end, since closing a QProgressDialog cancels it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QProgressDialog

from editor.workers import Job


class ProgressJobs(QObject):
    """Base of a window controller that runs one :class:`Job` at a time behind a progress box."""

    def __init__(self, win):
        super().__init__(win)
        self.win = win
        self.session = win.session
        self.job: Job | None = None
        self.progress: QProgressDialog | None = None

    def run_with_progress(self, job: Job, title: str, text: str) -> None:
        """Show a progress box titled ``title`` saying ``text`` (and the status line too), and start ``job``."""
        job.done.connect(self._job_done)
        self.job = job
        self.progress = QProgressDialog(text, "Cancel", 0, 0, self.win)
        self.progress.setWindowTitle(title)
        self.progress.setMinimumDuration(0)
        self.progress.canceled.connect(job.cancel)
        self.progress.show()
        self.session.status.emit(text)
        self.win.run_job(job)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _job_done(self) -> None:
        self.job = None
        if self.progress is not None:
            self.progress.canceled.disconnect()
            self.progress.hide()  # not close(): closing a progress box cancels
            self.progress.deleteLater()
            self.progress = None

"""What the designer has under way in a window that a background job's result must not cut into: a mouse drag or
a recording take (the undo stroke they keep open refuses every other edit, and a chart switch ends the take or
drops the drag) and a test play (it judges the notes it started with, and a chart switch ends it).

:func:`under_way` says which one is open; :class:`HeldResult` holds a result (a function to call) until none is,
looking again every :data:`WAIT_POLL_MS`. Plugin results (:mod:`editor.controllers.plugins`), Detect Tempo's and
Detect Tempo of Selection's dialogs wait this way; an AI draft does not switch the view to its chart meanwhile
(:mod:`editor.controllers.draft_results`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from editor.controllers.save_checks import open_edit

WAIT_POLL_MS = 100  # how often a result that waits for a drag, a take or a test play looks again


def under_way(win, doc=None) -> str | None:
    """"the recording take", "the drag" or "the test play" when one is open in ``win`` (on ``doc``, the open song
    when None), else None."""
    doc = win.session.doc if doc is None else doc
    edit = open_edit(win, doc)
    if edit is not None:
        return edit
    test_play = getattr(win, "test_play", None)
    return "the test play" if test_play is not None and test_play.active else None


class HeldResult(QObject):
    """One result of ``win`` waiting for :func:`under_way` to end; a newer one replaces it."""

    def __init__(self, parent: QObject, win):
        super().__init__(parent)
        self.win = win
        self.timer: QTimer | None = None

    @property
    def waiting(self) -> bool:
        return self.timer is not None

    def hold(self, fn: Callable[[], object]) -> None:
        """Call ``fn`` once nothing is under way in the window (it checks again what changed meanwhile)."""
        self.drop()
        timer = self.timer = QTimer(self)
        timer.timeout.connect(lambda: self._retry(fn))
        timer.start(WAIT_POLL_MS)

    def _retry(self, fn: Callable[[], object]) -> None:
        if under_way(self.win) is not None:
            return  # still open
        self.drop()
        fn()

    def drop(self) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer.deleteLater()
            self.timer = None

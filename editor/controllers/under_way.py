"""What the designer has under way in a window that a background job's result must not cut into: a mouse drag or
a recording take (the undo stroke they keep open refuses every other edit, and a chart switch ends the take or
drops the drag) and a test play (it judges the notes it started with, and a chart switch ends it).

:func:`under_way` says which one is open; :class:`HeldResult` holds a result (a function to call) until none is,
looking again every :data:`WAIT_POLL_MS`. Plugin results (:mod:`editor.controllers.plugins`), Detect Tempo's and
Detect Tempo of Selection's dialogs and Convert Music to Ogg's #MUSIC change wait this way; an AI draft does not
switch the view to its chart meanwhile (:mod:`editor.controllers.draft_results`).

While the window handles a Close (its "Save changes?" prompt runs after the take has just ended there) the close
is under way too, so results wait for it: a dialog opened over the prompt, or a step pushed after shutdown, once did. A held result is
dropped, never called, when the window closes or shuts down and when another song is opened (it was for the song
closed); a cancelled close lets it go in as before: :class:`WindowHolds`, one per window (``win.held_results``,
which the window's shutdown reaches by name).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

from editor.controllers.save_checks import open_edit

WAIT_POLL_MS = 100  # how often a result that waits for a drag, a take or a test play looks again


def under_way(win, doc=None) -> str | None:
    """"the recording take", "the drag", "the lane key hold" (:func:`~editor.controllers.save_checks.open_edit`) or
    "the test play" when one is open in ``win`` (on ``doc``, the open song
    when None), "the close" while the window handles a Close (a job ending inside its "Save changes?" prompt waits
    for the prompt), else None."""
    holds = getattr(win, "held_results", None)
    if holds is not None and holds.closing:
        return "the close"
    doc = win.session.doc if doc is None else doc
    edit = open_edit(win, doc)
    if edit is not None:
        return edit
    test_play = getattr(win, "test_play", None)
    return "the test play" if test_play is not None and test_play.active else None


class HeldResult(QObject):
    """One result of ``win`` waiting for :func:`under_way` to end; a newer one replaces it. ``changed`` comes when
    it starts or stops waiting (called, replaced or dropped)."""

    changed = Signal()

    def __init__(self, parent: QObject, win):
        super().__init__(parent)
        self.win = win
        self.timer: QTimer | None = None
        self.holds = WindowHolds.of(win)
        self.holds.add(self)

    @property
    def waiting(self) -> bool:
        return self.timer is not None

    def hold(self, fn: Callable[[], object]) -> None:
        """Call ``fn`` once nothing is under way in the window (it checks again what changed meanwhile)."""
        self._stop()
        timer = self.timer = QTimer(self)
        timer.timeout.connect(lambda: self._retry(fn))
        timer.start(WAIT_POLL_MS)
        self.changed.emit()

    def hold_if_busy(self, fn: Callable[[], object], said: Callable[[str], str], doc=None) -> bool:
        """Hold ``fn`` when something is :func:`under_way` (on ``doc``), saying ``said(what)`` on the status line;
        False (nothing held) when nothing is."""
        busy = under_way(self.win, doc)
        if busy is None:
            return False
        self.hold(fn)
        self.win.session.status.emit(said(busy))
        return True

    def _retry(self, fn: Callable[[], object]) -> None:
        if under_way(self.win) is not None:
            return  # still open
        self.drop()
        fn()

    def drop(self) -> None:
        """Forget the result (nothing happens if none waits)."""
        if self._stop():
            self.changed.emit()

    def _stop(self) -> bool:
        if self.timer is None:
            return False
        self.timer.stop()
        self.timer.deleteLater()
        self.timer = None
        return True


class WindowHolds(QObject):
    """The :class:`HeldResult` objects of one window. While the window handles a Close :func:`under_way` says so
    (the filter passes the event on to the window itself, so it sees the close end); they are dropped together when
    it closed,
    when it shuts down (:meth:`shutdown`, called by the window's ``shutdown`` as ``held_results``) and when another
    song is opened; a cancelled close resumes them."""

    def __init__(self, win):
        super().__init__(win)
        self.win = win
        self.holds: list[HeldResult] = []
        self.closing = False  # True while the window handles a Close (its "Save changes?" prompt included)
        win.installEventFilter(self)
        win.session.document_replaced.connect(self.drop_all)

    @staticmethod
    def of(win) -> WindowHolds:
        holds = getattr(win, "held_results", None)
        if holds is None:
            holds = win.held_results = WindowHolds(win)
        return holds

    def add(self, held: HeldResult) -> None:
        self.holds.append(held)
        held.destroyed.connect(partial(self._forget, id(held)))  # not a lambda holding it: that kept it alive

    def _forget(self, key: int, *_args) -> None:
        self.holds = [held for held in self.holds if id(held) != key]

    def drop_all(self) -> None:
        """Drop every waiting result."""
        for held in list(self.holds):
            held.drop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is not self.win or event.type() != QEvent.Type.Close or self.closing:
            return False  # a Close sent again from inside the prompt goes on as usual
        self.closing = True  # under_way says "the close": held results wait, and results ending meanwhile are held
        try:
            watched.event(event)  # the window's closeEvent, its prompt included; Qt reads the accepted flag after
        finally:
            self.closing = False
            if event.isAccepted():
                self.drop_all()  # the window closed (its shutdown dropped them already); cancelled: they go in
        return True  # handled here: the window has seen it

    def shutdown(self) -> None:
        self.drop_all()

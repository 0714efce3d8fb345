"""The status bar's message line: elided to the room it has, whole in its tooltip and in a log of the last
:data:`LOG_SIZE` messages (View > Messages..., or a click on the line), with a warning level.

Why not ``QStatusBar.showMessage``: it paints the text over the bar's own widgets, cut off at the permanent
read-outs with no ellipsis and no tooltip, and gone after its timeout, so at the documented 1280x860 window the
AI's instructions and its disclosure notice were never seen whole. Why a warning level: a warning (StepMania
reads the .ssc beside this .sm; a draft could not reach its target) was replaced within a second by the next info
line (the audio's decode); for :data:`WARNING_MS` *background* info lines (posted with ``background=True`` or
through :func:`post_background`: the audio loading, the sound device) only go to the log, and the latest of them
still due comes back when the warning ends. A line that answers the user's own key, menu or click replaces the
warning at once (holding those back for 20 s hid every refusal and result of what the user did), and the warning
stays a click away: an amber "1 warning" badge beside the line, its text in the tooltip, opens View > Messages
until the warning's time is up.

:class:`MessageBar` keeps ``currentMessage()`` (the full text shown now) and ``showMessage`` (an info line), so
callers and tests that knew a plain :class:`QStatusBar` work unchanged.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QStatusBar

from editor.colors import text_style

LOG_SIZE = 200  # messages kept for View > Messages...
INFO_MS = 8000  # how long an info line stays
WARNING_MS = 20000  # how long a warning stays, info lines meanwhile only logged
INFO, WARNING = "info", "warning"
AMBER = "#e0a030"  # warnings: made dark enough to read on the bar (editor.colors)


def post_background(window: Any, text: str) -> None:
    """Say ``text`` on ``window.session.status`` as a background line (module docstring): listeners of the signal
    see it as any other, and the window's bar holds it back behind a warning."""
    bar = getattr(window, "message_bar", None)
    if not isinstance(bar, MessageBar):
        window.session.status.emit(text)
        return
    previous, bar.background_text = bar.background_text, text
    try:
        window.session.status.emit(text)
    finally:
        bar.background_text = previous


@dataclass(frozen=True)
class LoggedMessage:
    at: datetime
    level: str
    text: str

    def line(self) -> str:
        return f"{self.at:%H:%M:%S}  {'warning: ' if self.level == WARNING else ''}{self.text}"


class ElidedLabel(QLabel):
    """A one-line label that ends in "…" when its text does not fit, the whole text in its tooltip; clickable."""

    clicked = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens the bar
        self.setMinimumWidth(40)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self.setToolTip(f"{text}\n\n(click: all messages, View > Messages...)" if text else
                        "Click: all messages (View > Messages...)")
        self._elide()

    def _elide(self) -> None:
        self.setText(self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight,
                                                   max(0, self.contentsRect().width())))

    def resizeEvent(self, ev: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(ev)
        self._elide()

    def mousePressEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if ev.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mousePressEvent(ev)


class _Badge(QLabel):
    """The "N warnings" mark beside the message line while a warning it replaced is still due; clickable."""

    clicked = Signal()

    def mousePressEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if ev.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mousePressEvent(ev)


class MessageBar(QStatusBar):
    """The window's status bar: the message line at the left (stretching), the permanent read-outs at the right."""

    logged = Signal(object)  # LoggedMessage, for an open Messages dialog

    def __init__(self) -> None:
        super().__init__()
        self.log: deque[LoggedMessage] = deque(maxlen=LOG_SIZE)
        self.line = ElidedLabel()
        self.line.setContentsMargins(4, 0, 4, 0)
        self.addWidget(self.line, 1)
        self._level = INFO
        self._until = 0.0  # monotonic end of the message shown (0: shown until replaced)
        self._held: tuple[str, float] | None = None  # the latest info line that came during a warning, its end
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._expired)
        self.line.set_full_text("")
        self.background_text: str | None = None  # the text post_background is emitting now
        self._replaced: list[tuple[str, float]] = []  # warnings an answer to the user replaced, their monotonic end
        self.badge = _Badge()
        self.badge.setStyleSheet(f"{text_style(self, AMBER)}; font-weight: bold")
        self.badge.setCursor(Qt.CursorShape.PointingHandCursor)
        self.badge.clicked.connect(self.line.clicked)  # what a click on the line does: View > Messages...
        self.addWidget(self.badge)
        self.badge.hide()
        self._badge_timer = QTimer(self)
        self._badge_timer.setSingleShot(True)
        self._badge_timer.timeout.connect(self._update_badge)

    def post(self, text: str, level: str = INFO, timeout_ms: int | None = None, background: bool = False) -> None:
        """Show ``text`` (logged either way). A ``background`` info line during a warning is only logged, and shown
        after it if still due; any other info line (an answer to the user) replaces the warning, which the badge
        then keeps in sight. ``timeout_ms`` 0 keeps the text until the next message."""
        background = background or (self.background_text is not None and text == self.background_text)
        text = " ".join(str(text).split())
        if not text:
            return
        entry = LoggedMessage(datetime.now(), level, text)
        self.log.append(entry)
        self.logged.emit(entry)
        ms = (WARNING_MS if level == WARNING else INFO_MS) if timeout_ms is None else timeout_ms
        now = time.monotonic()
        if level == INFO and self._level == WARNING and now < self._until:
            if background:
                self._held = (text, now + ms / 1000.0 if ms else float("inf"))
                return
            self._replaced.append((self.line.full_text, self._until))
        self._show(text, level, ms)
        self._update_badge()

    def _show(self, text: str, level: str, ms: int) -> None:
        self._level, self._until = level, (time.monotonic() + ms / 1000.0) if ms else float("inf")
        self._held = None if level == WARNING else self._held
        self.line.setStyleSheet(text_style(self, AMBER) if level == WARNING else "")  # amber that reads here
        self.line.set_full_text(text)
        self._timer.stop()
        if ms:
            self._timer.start(ms)

    def _update_badge(self) -> None:
        """Show the replaced warnings still due (none shown on the line) as the badge, until the first one ends."""
        now = time.monotonic()
        self._replaced = [(t, end) for t, end in self._replaced if end > now
                          and not (self._level == WARNING and t == self.line.full_text)]
        self._badge_timer.stop()
        if not self._replaced:
            self.badge.hide()
            return
        n = len(self._replaced)
        self.badge.setText(f"⚠ {n} warning{'s' * (n != 1)}")
        self.badge.setToolTip("\n".join(t for t, _ in self._replaced) + "\n\n(click: all messages, View > "
                                                                       "Messages...)")
        self.badge.show()
        first = min(end for _t, end in self._replaced)
        if first != float("inf"):
            self._badge_timer.start(max(1, int((first - now) * 1000)))

    def _expired(self) -> None:
        held, self._held = self._held, None
        left = held[1] - time.monotonic() if held is not None else 0.0
        if held is not None and left > 0:
            self._show(held[0], INFO, 0 if left == float("inf") else max(1, int(left * 1000)))
        else:
            self.clearMessage()

    # ------------------------------------------------------------------ QStatusBar's message API
    def showMessage(self, text: str, timeout: int | None = 0) -> None:  # noqa: N802 - Qt API
        self.post(text, INFO, timeout)

    def currentMessage(self) -> str:  # noqa: N802 - Qt API
        return self.line.full_text

    def clearMessage(self) -> None:  # noqa: N802 - Qt API
        self._timer.stop()
        self._level, self._until = INFO, 0.0
        self.line.setStyleSheet("")
        self.line.set_full_text("")

"""The status bar's message line: elided to the room it has, whole in its tooltip and in a log of the last
:data:`LOG_SIZE` messages (View > Messages..., or a click on the line), with a warning level.

Why not ``QStatusBar.showMessage``: it paints the text over the bar's own widgets, cut off at the permanent
read-outs with no ellipsis and no tooltip, and gone after its timeout, so at the documented 1280x860 window the
AI's instructions and its disclosure notice were never seen whole. Why a warning level: a warning (StepMania
reads the .ssc beside this .sm; a draft could not reach its target) was replaced within a second by the next info
line (the audio's decode); for :data:`WARNING_MS` info lines only go to the log, and the latest of them still due
comes back when the warning ends.

:class:`MessageBar` keeps ``currentMessage()`` (the full text shown now) and ``showMessage`` (an info line), so
callers and tests that knew a plain :class:`QStatusBar` work unchanged.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QStatusBar

LOG_SIZE = 200  # messages kept for View > Messages...
INFO_MS = 8000  # how long an info line stays
WARNING_MS = 20000  # how long a warning stays, info lines meanwhile only logged
INFO, WARNING = "info", "warning"


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

    def post(self, text: str, level: str = INFO, timeout_ms: int | None = None) -> None:
        """Show ``text`` (logged either way). An info line during a warning is only logged, and shown after it if
        still due; ``timeout_ms`` 0 keeps the text until the next message."""
        text = " ".join(str(text).split())
        if not text:
            return
        entry = LoggedMessage(datetime.now(), level, text)
        self.log.append(entry)
        self.logged.emit(entry)
        ms = (WARNING_MS if level == WARNING else INFO_MS) if timeout_ms is None else timeout_ms
        now = time.monotonic()
        if level == INFO and self._level == WARNING and now < self._until:
            self._held = (text, now + ms / 1000.0 if ms else float("inf"))
            return
        self._show(text, level, ms)

    def _show(self, text: str, level: str, ms: int) -> None:
        self._level, self._until = level, (time.monotonic() + ms / 1000.0) if ms else float("inf")
        self._held = None if level == WARNING else self._held
        self.line.setStyleSheet("color: #e0a030" if level == WARNING else "")
        self.line.set_full_text(text)
        self._timer.stop()
        if ms:
            self._timer.start(ms)

    def _expired(self) -> None:
        held, self._held = self._held, None
        left = held[1] - time.monotonic() if held is not None else 0.0
        if held is not None and left > 0:
            self._show(held[0], INFO, 0 if left == float("inf") else max(1, int(left * 1000)))
        else:
            self.clearMessage()

    # ------------------------------------------------------------------ QStatusBar's message API
    def showMessage(self, text: str, timeout: int = 0) -> None:  # noqa: N802 - Qt API
        self.post(text, INFO, timeout)

    def currentMessage(self) -> str:  # noqa: N802 - Qt API
        return self.line.full_text

    def clearMessage(self) -> None:  # noqa: N802 - Qt API
        self._timer.stop()
        self._level, self._until = INFO, 0.0
        self.line.setStyleSheet("")
        self.line.set_full_text("")

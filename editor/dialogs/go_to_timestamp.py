"""GoToTimestampDialog: one line to paste a review timestamp (or type a time, a beat, a measure) into, with what it
reads as shown live below it, so a typo is seen before anything moves.

The dialog only reads; :class:`editor.controllers.timestamps.TimestampController` moves the cursor and selects.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from chart.timestamp import TimestampError

HELP = ("Paste a timestamp from a review as osu! copies it (text around it is fine):<br>"
        "&nbsp;&nbsp;<tt>00:12:345 (12345|0,12500|1) - too dense</tt> &nbsp;&nbsp;selects the notes it lists<br>"
        "or type a time (<tt>1:23.456</tt>, <tt>83.5s</tt>, <tt>83500ms</tt>), a beat (<tt>b123.5</tt>) "
        "or a measure (<tt>m45</tt>).")
ERROR_STYLE = "color: #e05050;"


class GoToTimestampDialog(QDialog):
    """``describe(text)`` returns one line saying where ``text`` points, or raises TimestampError."""

    def __init__(self, parent: QWidget | None, describe: Callable[[str], str], initial: str = ""):
        super().__init__(parent)
        self.setWindowTitle("Go to Timestamp")
        self.describe = describe
        self.resize(560, 0)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(HELP))  # explicit lines: a wrapped label in a dialog sized once came out cut
        self.edit = QLineEdit(initial)
        self.edit.setPlaceholderText("00:12:345 (12345|0) -    1:23.456    b123.5    m45")
        self.edit.selectAll()
        layout.addWidget(self.edit)
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.preview.setMinimumHeight(2 * self.preview.fontMetrics().lineSpacing() + 4)  # an error takes two lines
        layout.addWidget(self.preview)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.edit.textChanged.connect(self._show)
        self._show(initial)

    def text(self) -> str:
        return self.edit.text()

    def _show(self, text: str) -> bool:
        """Show what ``text`` reads as (or why it does not); True when it names a position."""
        try:
            line, ok = self.describe(text), True
        except TimestampError as exc:
            line, ok = str(exc) if text.strip() else "", False
        self.preview.setText(line)
        self.preview.setStyleSheet("" if ok else ERROR_STYLE)
        ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok_button.setEnabled(ok)
        return ok

    def accept(self) -> None:
        if self._show(self.text()):  # Return in an unreadable line: the reason stays in view, nothing moves
            super().accept()

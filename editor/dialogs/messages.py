"""View > Messages...: every status message of this session (the last :data:`~editor.status_messages.LOG_SIZE`),
with its time, newest at the bottom, so a line that was elided or replaced is not lost. Not modal: it stays open
beside the window and takes new messages as they come."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QPushButton, QVBoxLayout

from editor.status_messages import LoggedMessage, MessageBar


class MessagesDialog(QDialog):
    def __init__(self, parent, bar: MessageBar):
        super().__init__(parent)
        self.setWindowTitle("Messages")
        self.resize(760, 360)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.bar = bar
        self.text.setPlainText("\n".join(m.line() for m in bar.log))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton("Copy All")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text.toPlainText()))
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        bar.logged.connect(self._add)
        self._scroll_to_end()

    def _add(self, _entry: LoggedMessage) -> None:
        """The log again (it drops its oldest past its size); at most a few hundred lines, so redrawn whole."""
        self.text.setPlainText("\n".join(m.line() for m in self.bar.log))
        self._scroll_to_end()

    def _scroll_to_end(self) -> None:
        bar = self.text.verticalScrollBar()
        bar.setValue(bar.maximum())


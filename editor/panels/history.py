"""HistoryPanel: the undo stack as a list — the saved state marked, redo steps greyed; click a step to undo or
redo up to it (osu!/Photoshop style)."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from editor.session import EditorSession


class HistoryPanel(QWidget):
    """Row 0 is the opened state; row k is after the k-th step."""

    def __init__(self, session: EditorSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        layout = QVBoxLayout(self)
        self.list = QListWidget()
        self.list.itemClicked.connect(self._clicked)
        layout.addWidget(self.list)
        session.document_replaced.connect(self._attach)
        self._attach()

    def _attach(self) -> None:
        self.session.bridge.history_changed.connect(self.refresh)
        self.session.bridge.clean_changed.connect(lambda _c: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        history = self.session.doc.history
        done, undone = history.undo_stack_names(), history.redo_stack_names()
        self.list.clear()
        for i, name in enumerate(["(opened)", *done, *undone]):
            item = QListWidgetItem(name)
            if i > len(done):
                item.setForeground(QColor(140, 140, 140))
            self.list.addItem(item)
        self.list.setCurrentRow(len(done))

    def _clicked(self, item: QListWidgetItem) -> None:
        self.go_to(self.list.row(item))

    def go_to(self, row: int) -> None:
        """Undo or redo until ``row`` steps are applied."""
        doc = self.session.doc
        if doc.history.in_stroke:
            return
        current = len(doc.history.undo_stack_names())
        while current > row and doc.undo():
            current -= 1
        while current < row and doc.redo():
            current += 1

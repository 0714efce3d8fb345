"""HistoryPanel: the undo stack as a list — the current state and the saved state marked, redo steps greyed;
click a step (or highlight it and press Return, Enter or Space) to undo or redo up to it (osu!/Photoshop style).

A jump steps through :func:`step_history`, the function behind Ctrl+Z / Ctrl+Y, one step at a time: a click that
called ``Document.undo`` directly silently took back another difficulty's edit while the view stayed on this one.

The current state has a mark of its own (:data:`CURRENT_MARK`, and "current state" for a screen reader), not only
the list's highlight: the arrow keys move the highlight to choose a step without undoing anything, and a highlight
that was the only mark then showed a state the chart was not in. Leaving the list puts the highlight back on it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from editor.session import EditorSession

SAVED_SUFFIX = "  (saved)"
CURRENT_MARK = "▶ "  # before the step the chart is at now


def step_history(session: EditorSession, redo: bool) -> bool:
    """Undo or redo one step; when it edited another difficulty than the one shown, that one is shown and the status
    bar says so (an undo in Easy silently took back a Beginner edit, and the next edit lost it for good)."""
    doc = session.doc
    if doc.history.in_stroke:
        return False
    steps = doc.history.redo_commands() if redo else doc.history.undo_commands()[::-1]
    if not steps or not (doc.redo() if redo else doc.undo()):
        return False
    charts = {id(c): c for c in _charts_of(steps[0], doc)}
    if len(charts) == 1 and (chart := next(iter(charts.values()))) is not session.chart:
        session.set_chart(chart)
        session.status.emit(f"{'Redid' if redo else 'Undid'} {steps[0].name} in {chart.slot.sm_name}")
    return True


def _charts_of(command, doc) -> list:
    """The charts of the song a command edited (its children's, for a transaction)."""
    children = getattr(command, "children", None)
    if children is not None:
        return [c for child in children for c in _charts_of(child, doc)]
    ref = getattr(command, "chart", None)
    if ref is None:
        return []
    try:
        return [doc.resolve_chart(ref)]
    except (KeyError, ValueError):  # a chart the step removed or added
        return []


class StepList(QListWidget):
    """The steps: Space jumps to the highlighted one as Return and Enter do (``itemActivated``), and leaving the
    list puts the highlight back on the current state (``state_row``)."""

    jump = Signal(int)

    def __init__(self):
        super().__init__()
        self.state_row = 0
        self.setAccessibleName("Edit history")

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() == Qt.Key.Key_Space and not event.modifiers() and self.currentRow() >= 0:
            self.jump.emit(self.currentRow())
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt's name)
        super().focusOutEvent(event)
        if 0 <= self.state_row < self.count():
            self.setCurrentRow(self.state_row)


class HistoryPanel(QWidget):
    """Row 0 is the opened state; row k is after the k-th step. The current state's row starts with
    :data:`CURRENT_MARK`. The saved state's row is bold with a "(saved)" suffix; no row is when the saved state is
    out of reach (a new song, or redo steps dropped by a new edit)."""

    def __init__(self, session: EditorSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        layout = QVBoxLayout(self)
        self.list = StepList()
        self.list.itemClicked.connect(self._clicked)
        self.list.itemActivated.connect(self._clicked)  # Return / Enter on the highlighted step
        self.list.jump.connect(self.go_to)
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
        saved = history.clean_index
        self.list.clear()
        for i, name in enumerate(["(opened)", *done, *undone]):
            text = name + SAVED_SUFFIX if i == saved else name
            item = QListWidgetItem(CURRENT_MARK + text if i == len(done) else text)
            if i == len(done):
                item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{text}, current state")
            if i == saved:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            if i > len(done):
                item.setForeground(QColor(140, 140, 140))
            self.list.addItem(item)
        self.list.state_row = len(done)
        self.list.setCurrentRow(len(done))

    def _clicked(self, item: QListWidgetItem) -> None:
        self.go_to(self.list.row(item))

    def go_to(self, row: int) -> None:
        """Undo or redo, one step at a time as Ctrl+Z / Ctrl+Y do, until ``row`` steps are applied."""
        history = self.session.doc.history
        if history.in_stroke:
            return
        current = len(history.undo_stack_names())
        while current > row and step_history(self.session, redo=False):
            current -= 1
        while current < row and step_history(self.session, redo=True):
            current += 1

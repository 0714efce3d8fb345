"""HistoryPanel: the undo stack as a list — the current state and the saved state marked, redo steps greyed;
click a step (or highlight it and press Return, Enter or Space) to undo or redo up to it (osu!/Photoshop style).

A jump steps through :func:`step_history`, the function behind Ctrl+Z / Ctrl+Y, one step at a time: a click that
called ``Document.undo`` directly silently took back another difficulty's edit while the view stayed on this one.

The current state has a mark of its own (:data:`CURRENT_MARK`, and "current state" for a screen reader), not only
the list's highlight: the arrow keys move the highlight to choose a step without undoing anything, and a highlight
that was the only mark then showed a state the chart was not in. Leaving the list puts the highlight back on it.

The list follows the history row by row (rows added or taken off the end, the oldest dropped off the top, the rows
whose marks changed dressed again), and a jump refreshes it once, at the end: it was cleared and rebuilt after
every step, so a click 1,000 steps back rebuilt 1,000 rows 1,000 times (3.5 s), and every edit paid a rebuild that
grew with the history (2.5 ms at 1,000 steps).

Row 0 is the opened state until the history's limits drop the oldest steps (:mod:`chart.history`); from then on
it is the oldest state kept and says how many steps before it are gone (:func:`first_row_name`), and an undo or a
jump that reaches it says so: it read "(opened)" while 100 of the session's notes were still there.

During a drag or a record take (an open stroke) Undo, Redo and a jump change nothing and the status line says why,
as a refused edit's does ("Undo: recording: Esc ends the take"). A panel field being typed in is committed first
(:func:`commit_typed`), so that an undo which shows another difficulty (and refills the field from it) never
drops the typed text: it becomes a step of its own, which that Undo takes back (Redo puts it back), as Ctrl+Z in
the field would.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QFont, QKeyEvent
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from chart.history import Command
from editor.chart_names import chart_name
from editor.panels.fields import commit_focused_field
from editor.session import EditorSession

SAVED_SUFFIX = "  (saved)"
CURRENT_MARK = "▶ "  # before the step the chart is at now
UNDONE_COLOR = QColor(140, 140, 140)  # redo steps


def first_row_name(history) -> str:
    """Row 0's name: the opened state, or the oldest state kept once the limits dropped steps before it."""
    n = history.dropped
    return f"(oldest kept: {n} earlier step{'s' if n != 1 else ''} dropped)" if n else "(opened)"


def _at_oldest(history) -> str:
    """What a line about an undo adds when it reached the oldest state kept and that is not the opened one."""
    if history.undo_commands() or not history.dropped:
        return ""
    n = history.dropped
    steps = f"{n} steps before it were" if n != 1 else "step before it was"
    return f"; the {steps} dropped (undo limit), not back to the opened song"


def busy_line(session: EditorSession, what: str) -> str:
    """Why ``what`` (Undo, Redo, History) does nothing during a stroke: the take's line, or what ends the stroke
    ("finish the drag first", "release the lane key first": ``History.stroke_ends``)."""
    return f"{what}: {session.live_run or f'{session.doc.history.stroke_ends} first'}"


def commit_typed(window, session: EditorSession):
    """Commit the panel field being typed in (:func:`commit_focused_field`) before an undo or redo; the step it
    made (None when the field held the document's value, or the text merged into the last step)."""
    history = session.doc.history
    if history.in_stroke or window is None:
        return None
    before = history.undo_commands()[-1:]
    commit_focused_field(window)
    after = history.undo_commands()[-1:]
    return after[0] if after and (not before or after[0] is not before[0]) else None


def step_history(session: EditorSession, redo: bool, say: bool = True, note: str = "") -> bool:
    """Undo or redo one step, said in the status bar ("Undid Delete"; a line left from before, "Selected 374
    notes", read as if it were still true); when it edited another difficulty than the one shown, that one is shown
    and the line names it (an undo in Easy silently took back a Beginner edit, and the next edit lost it for good).
    ``say=False``: no line (a History jump says what it did once, at its end); ``note`` is added to the line."""
    doc = session.doc
    if doc.history.in_stroke:
        if say:
            session.status.emit(busy_line(session, "Redo" if redo else "Undo"))
        return False
    steps = doc.history.redo_commands() if redo else doc.history.undo_commands()[::-1]
    if not steps or not (doc.redo() if redo else doc.undo()):
        return False
    charts = {id(c): c for c in _charts_of(steps[0], doc)}
    where = ""
    if len(charts) == 1 and (chart := next(iter(charts.values()))) is not session.chart:
        session.set_chart(chart)
        where = f" in {chart_name(doc.song, chart, meter=False)}"
    if say:
        session.status.emit(f"{'Redid' if redo else 'Undid'} {steps[0].name}{where}{note}{_at_oldest(doc.history)}")
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
    """Row 0 is the opened state (or the oldest kept, :func:`first_row_name`); row k is after the k-th step. The
    current state's row starts with :data:`CURRENT_MARK`. The saved state's row is bold with a "(saved)" suffix; no
    row is when the saved state is out of reach (a new song, or redo steps dropped by a new edit)."""

    def __init__(self, session: EditorSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        layout = QVBoxLayout(self)
        self.list = StepList()
        self.list.itemClicked.connect(self._clicked)
        self.list.itemActivated.connect(self._clicked)  # Return / Enter on the highlighted step
        self.list.jump.connect(self.go_to)
        layout.addWidget(self.list)
        # what the list shows: each row's step (None for the opened state) and name, the current and saved rows
        self._steps: list[Command | None] = []
        self._names: list[str] = []
        self._current = 0
        self._saved: int | None = None
        self._stepping = False  # a jump is under way: one refresh at its end
        session.document_replaced.connect(self._attach)
        self._attach()

    def _attach(self) -> None:
        self.session.bridge.history_changed.connect(self.refresh)
        self.session.bridge.clean_changed.connect(lambda _c: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        """Show the history: rows are added or taken off the end (and the top, for the oldest steps the history
        dropped), and only the rows whose marks changed are dressed again."""
        if self._stepping:
            return
        history = self.session.doc.history
        done = history.undo_commands()
        steps = [None, *done, *history.redo_commands()]
        names = [first_row_name(history), *history.undo_stack_names(), *history.redo_stack_names()]
        current, saved = len(done), history.clean_index
        self._drop_oldest(steps)
        renamed = bool(self._names) and self._names[0] != names[0]  # steps dropped: only row 0 is dressed again
        if renamed:
            self._names[0] = names[0]
        shown, common = self._steps, min(len(self._steps), len(steps))
        if shown[:common] == steps[:common] and self._names[:common] == names[:common]:  # at C speed: the usual
            same = common
        else:
            same = next(i for i in range(common + 1) if i == common or shown[i] is not steps[i]
                        or self._names[i] != names[i])
        for i in range(len(shown) - 1, same - 1, -1):
            self.list.takeItem(i)

        def dress(item: QListWidgetItem, i: int) -> None:
            _dress(item, names[i], current=i == current, saved=i == saved, undone=i > current)

        low, high = sorted((max(self._current, 0), current))  # the rows between the old and new current state
        for i in {*range(low, high + 1), self._saved, saved, 0 if renamed else None}:
            if i is not None and 0 <= i < same:
                dress(self.list.item(i), i)
        for i in range(same, len(steps)):
            item = QListWidgetItem()
            dress(item, i)
            self.list.addItem(item)
        self._steps, self._names, self._current, self._saved = steps, names, current, saved
        self.list.state_row = current
        self.list.setCurrentRow(current)

    def _drop_oldest(self, steps: list[Command | None]) -> None:
        """Take off the top the rows of the oldest steps the history dropped (its limits, :mod:`chart.history`), so
        that the rows below line up with ``steps`` again."""
        shown = self._steps
        if len(shown) < 2 or len(steps) < 2 or shown[1] is steps[1]:
            return
        first = next((i for i in range(2, len(shown)) if shown[i] is steps[1]), None)
        if first is None:
            return
        for _ in range(first - 1):
            self.list.takeItem(1)
        dropped = first - 1
        del self._steps[1:first], self._names[1:first]
        self._current -= dropped
        if self._saved is not None and self._saved >= first:
            self._saved -= dropped
        elif self._saved:  # its row was dropped (row 0 stays)
            self._saved = None

    def _clicked(self, item: QListWidgetItem) -> None:
        self.go_to(self.list.row(item))

    def go_to(self, row: int) -> None:
        """Undo or redo, one step at a time as Ctrl+Z / Ctrl+Y do, until ``row`` steps are applied; the list is
        refreshed once, at the end, and the status bar says what it did once: "Undid Add tap" for one step, "Undid
        120 steps" for more (a line per step filled View > Messages' log, pushing out its warnings), naming the
        difficulty when the jump showed another one. A field being typed in is committed first (:func:`commit_typed`):
        its step is undone with the others; a jump forward then has no steps to redo (the new step dropped them)."""
        history = self.session.doc.history
        if history.in_stroke:
            self.session.status.emit(busy_line(self.session, "History"))
            return
        start = len(history.undo_commands())
        typed = commit_typed(self._main_window(), self.session)
        if typed is not None and row > start:
            self.session.status.emit(f"Kept what was typed as a step of its own ({typed.name}): nothing to redo now")
            return
        start = current = len(history.undo_commands())
        chart = self.session.chart
        self._stepping = True
        try:
            while current > row and step_history(self.session, redo=False, say=False):
                current -= 1
            while current < row and step_history(self.session, redo=True, say=False):
                current += 1
        finally:
            self._stepping = False
            self.refresh()
        if current != start:
            redo = current > start
            last = history.undo_commands()[-1] if redo else history.redo_commands()[0]  # the one step's
            what = last.name if abs(current - start) == 1 else f"{abs(current - start)} steps"
            shown = self.session.chart  # None after a jump that removes the song's last chart
            where = "" if shown is chart or shown is None else f" in {shown.slot.sm_name}"
            self.session.status.emit(f"{'Redid' if redo else 'Undid'} {what}{where}{_at_oldest(history)}")

    def _main_window(self) -> QWidget:
        """The window whose panel field may be typed in (a floating History dock's parent is still the window)."""
        top: QWidget = self
        while (parent := top.parentWidget()) is not None:
            top = parent
        return top


def _dress(item: QListWidgetItem, name: str, current: bool, saved: bool, undone: bool) -> None:
    """Set every mark of ``item`` (a mark it does not have is unset, as on a new item)."""
    text = name + SAVED_SUFFIX if saved else name
    item.setText(CURRENT_MARK + text if current else text)
    item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{text}, current state" if current else None)
    if saved:
        font = QFont()
        font.setBold(True)
        item.setFont(font)
    else:
        item.setData(Qt.ItemDataRole.FontRole, None)
    if undone:
        item.setForeground(UNDONE_COLOR)
    else:
        item.setData(Qt.ItemDataRole.ForegroundRole, None)

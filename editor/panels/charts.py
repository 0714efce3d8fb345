"""DifficultyPanel: the song's charts — add, duplicate, delete, and edit slot, meter, description and credit.

Every change is a command (AddChart, RemoveChart, SetChartMeta), so it can be undone like a note edit. Fields
commit on editingFinished; consecutive changes of one field merge into one undo step (chart.commands). The Meter
box holds what every format holds (``chart.formats.errors.MAX_METER``: -1000000 to 1000000; files hold meters
such as -1, 0 or 150) and commits only a value the designer changed, so looking at a chart never rewrites its
meter.

Add opens on the first difficulty the current chart's mode has free (Edit when all are taken); Duplicate names
its copy uniquely ("Easy copy", "Easy copy 2"). An added or duplicated chart, and one given another difficulty,
goes among its mode's charts in difficulty order (``chart.chart_commands.slot_position``), in the same undo step.
A difficulty may be set to one another chart of the mode has (a swap takes two steps); the status bar says it is
shared (StepMania plays one of them as an Edit; Verify lists it, ``chart.checks.slots``). Add, Duplicate, Delete
and a difficulty change each say what they did in the status bar (a line left from before read as still true).
"""

from __future__ import annotations

import copy

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from chart.chart_commands import MoveChart, slot_position
from chart.checks.slots import first_free_slot, shared_slot_note
from chart.commands import AddChart, RemoveChart, SetChartMeta
from chart.formats.errors import MAX_METER
from chart.formats.osu_mania import BEATMAP_ID
from chart.history import Command, MacroCommand
from chart.keyboard import keyboard_extra
from chart.notes import NoteKind
from chart.song import Chart, Slot
from chart.stats import placeholder_meter
from editor import messages
from editor.chart_names import chart_label, chart_name
from editor.note_counts import note_counts
from editor.session import EditorSession


class DifficultyPanel(QWidget):
    """Chart list plus the selected chart's fields."""

    def __init__(self, session: EditorSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self._updating = False
        layout = QVBoxLayout(self)
        self.list = QListWidget()
        self.list.setAccessibleName("Charts")
        self.list.currentRowChanged.connect(self._row_chosen)
        layout.addWidget(self.list)
        buttons = QHBoxLayout()
        self.add_slot = QComboBox()
        self.add_slot.setAccessibleName("Difficulty to add")
        for slot in Slot:
            self.add_slot.addItem(slot.sm_name, slot)
        self.add_button = QPushButton("Add")
        self.add_button.setToolTip("Add an empty chart of the chosen difficulty")
        self.add_button.clicked.connect(self.add_chart)
        self.dup_button = QPushButton("Duplicate")
        self.dup_button.setToolTip("Copy the selected chart (as an Edit) to start a variation")
        self.dup_button.clicked.connect(self.duplicate_chart)
        self.del_button = QPushButton("Delete")
        self.del_button.clicked.connect(self.delete_chart)
        for w in (self.add_slot, self.add_button, self.dup_button, self.del_button):
            buttons.addWidget(w)
        layout.addLayout(buttons)
        form = QFormLayout()
        self.slot = QComboBox()
        for slot in Slot:
            self.slot.addItem(slot.sm_name, slot)
        self.slot.activated.connect(lambda _i: self._set_slot(self.slot.currentData()))
        self.meter = QSpinBox()
        self.meter.setRange(-MAX_METER, MAX_METER)
        self.meter.editingFinished.connect(self._meter_edited)
        self._shown_meter = 0  # what refresh put in the box: leaving it unchanged is no edit
        self.description = QLineEdit()
        self.description.editingFinished.connect(lambda: self._set(description=self.description.text()))
        self.credit = QLineEdit()
        self.credit.editingFinished.connect(lambda: self._set(credit=self.credit.text()))
        form.addRow("Difficulty", self.slot)
        form.addRow("Meter", self.meter)
        form.addRow("Description", self.description)
        form.addRow("Credit", self.credit)
        layout.addLayout(form)
        note_counts(session).recount.connect(self._refresh_counts)  # once a drag or a take pauses
        session.document_replaced.connect(self._attach)
        session.chart_switched.connect(self.refresh)
        self._attach()

    def _attach(self) -> None:
        self.session.bridge.charts_changed.connect(self.refresh)
        self.refresh()

    # ------------------------------------------------------------------ view
    def refresh(self) -> None:
        self._updating = True
        charts = self.session.doc.song.charts
        self.list.clear()
        for shown in charts:
            self.list.addItem(self._label(shown))
        row = next((i for i, c in enumerate(charts) if c is self.session.chart), -1)
        self.list.setCurrentRow(row)
        chart = self.session.chart
        mode = chart.mode if chart is not None else Chart().mode
        self.add_slot.setCurrentIndex(self.add_slot.findData(first_free_slot(self.session.doc.song, mode)))
        for w in (self.slot, self.meter, self.description, self.credit, self.dup_button, self.del_button):
            w.setEnabled(chart is not None)
        if chart is not None:
            self.slot.setCurrentIndex(self.slot.findData(chart.slot))
            self.meter.setValue(chart.meter)
            self._shown_meter = self.meter.value()
            self.description.setText(chart.description)
            self.credit.setText(chart.credit)
        self._updating = False

    def _refresh_counts(self, ids: set[str]) -> None:
        """The lines of the charts whose notes changed, only."""
        doc = self.session.doc
        for i, chart in enumerate(doc.song.charts):
            item = self.list.item(i)
            if item is not None and doc.chart_id(chart) in ids:
                item.setText(self._label(chart))

    def _notes(self, chart: Chart) -> int:
        """The chart's notes as the toolbar's list, ``info`` and the Stats panel count them (mines left out)."""
        return note_counts(self.session).count(chart)  # shared with the toolbar's list: one walk per change

    def _label(self, chart: Chart) -> str:
        desc = f" — {chart.description}" if chart.description else ""
        return f"{chart.slot.sm_name} {chart.meter}{desc}  ({self._notes(chart)} notes, {chart.mode})"

    def _row_chosen(self, row: int) -> None:
        charts = self.session.doc.song.charts
        if not self._updating and 0 <= row < len(charts):
            self.session.set_chart(charts[row])

    # ------------------------------------------------------------------ edits
    def _set(self, **fields) -> None:
        chart = self.session.chart
        if self._updating or chart is None:
            return
        changed = {k: v for k, v in fields.items() if getattr(chart, k) != v}
        if changed:
            self.session.push(SetChartMeta(chart, **changed))

    def _set_slot(self, slot: Slot) -> None:
        """A new difficulty for the current chart, which moves among its mode's charts to keep them in difficulty
        order (the order F5/F6 walk and Save writes), in the same undo step."""
        chart = self.session.chart
        if self._updating or chart is None or chart.slot == slot:
            return
        song = self.session.doc.song
        before = chart_label(chart)
        others = [c for c in song.charts if c is not chart]
        probe = copy.copy(chart)  # slot_position reads its mode and slot
        probe.slot = slot
        index = slot_position(others, probe)
        step: Command = SetChartMeta(chart, slot=slot)
        if index != next(i for i, c in enumerate(song.charts) if c is chart):  # by identity: Chart compares notes
            step = MacroCommand(step.name, [step, MoveChart(chart, index)])
        if self.session.push(step):
            self._say(chart, f"{before} is now {slot.sm_name}")

    def _say(self, chart: Chart, line: str) -> None:
        """``line`` in the status bar, and what it means that ``chart`` now shares its difficulty with another chart
        of its mode, when it does."""
        path = self.session.doc.path
        note = shared_slot_note(self.session.doc.song, chart, path.suffix.lstrip(".").lower() if path else None)
        self.session.status.emit(f"{line}; {note}" if note else line)

    def _meter_edited(self) -> None:
        if self.meter.value() != self._shown_meter:
            self._shown_meter = self.meter.value()
            self._set(meter=self._shown_meter)

    def add_chart(self, slot: Slot | None = None) -> Chart:
        """An empty chart of ``slot`` in the current chart's mode and key count (an osu! 9K or a dance-routine
        chart has no lane count of its own name)."""
        slot = slot if isinstance(slot, Slot) else self.add_slot.currentData()
        current = self.session.chart
        chart = Chart(mode=current.mode, lanes=current.lanes) if current is not None else Chart()
        chart.slot, chart.meter = slot, placeholder_meter(slot)
        chart.extra = keyboard_extra(self.session.doc.song, chart.mode, current)  # an osu! map's: played with fingers
        if self.session.push(AddChart(chart, slot_position(self.session.doc.song.charts, chart))):
            self.session.set_chart(chart)
            self._say(chart, f"Added {chart_name(self.session.doc.song, chart)} (empty)")
        return chart

    def duplicate_chart(self) -> Chart | None:
        source = self.session.chart
        if source is None:
            return None
        chart = copy.deepcopy(source)
        chart.extra = [item for item in chart.extra if item[0] != BEATMAP_ID]  # osu! names one difficulty by it
        chart.slot = Slot.EDIT
        base = f"{source.description or source.slot.sm_name} copy"
        taken = {c.description.lower() for c in self.session.doc.song.charts}
        chart.description = next(name for k in range(1, len(taken) + 2)
                                 if (name := base if k == 1 else f"{base} {k}").lower() not in taken)
        # among its mode's charts, as Add puts one (F5/F6 and the saved file walk the song's order)
        if self.session.push(AddChart(chart, slot_position(self.session.doc.song.charts, chart),
                                      name="Duplicate chart")):
            self.session.set_chart(chart)
            self.session.status.emit(f"Duplicated {chart_name(self.session.doc.song, source)} as {chart_label(chart)}")
        return chart

    def delete_chart(self) -> None:
        chart = self.session.chart
        if chart is None:
            return
        mines = sum(1 for n in chart.notes if n.kind == NoteKind.MINE)
        held = f"{self._notes(chart)} notes" + (f" and {mines} mine{'s' * (mines != 1)}" if mines else "")
        if chart.notes and not messages.confirm(self, "Delete chart", f"Delete {chart.slot.sm_name} {chart.meter} "
                                                f"with {held}? (Undo brings it back.)", default=True):
            return
        name = chart_name(self.session.doc.song, chart)
        if self.session.push(RemoveChart(chart)):
            shown = self.session.chart
            now = f"showing {chart_name(self.session.doc.song, shown)}" if shown else "no chart left (Add makes one)"
            self.session.status.emit(f"Deleted {name} ({held}); {now}")


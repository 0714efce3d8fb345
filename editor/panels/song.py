"""Song panels: PropertiesPanel (title, artist, credit, offset, preview) and TimingPanel (BPM changes, stops,
delays, warps and time signatures).

Fields commit when editing finishes; every change is a SetSongMeta or SetTiming command (one undo step, merged
with the next change of the same field). The offset is StepMania's ``#OFFSET`` (chart data, exported) — device
latency and visual offset are settings in the Playback menu and never touch it.
"""

from __future__ import annotations

from fractions import Fraction

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chart.commands import SetSongMeta, SetTiming
from chart.notes import as_fraction
from editor.session import EditorSession


def _spin(lo: float, hi: float, decimals: int, suffix: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(lo, hi)
    spin.setDecimals(decimals)
    spin.setSuffix(suffix)
    spin.setKeyboardTracking(False)
    return spin


class PropertiesPanel(QWidget):
    """Song metadata and the preview range."""

    TEXT_FIELDS = ("title", "subtitle", "artist", "credit")

    def __init__(self, session: EditorSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self._updating = False
        form = QFormLayout(self)
        self.edits: dict[str, QLineEdit] = {}
        for name in self.TEXT_FIELDS:
            edit = QLineEdit()
            edit.editingFinished.connect(lambda n=name: self._set_text(n))
            form.addRow(name.capitalize(), edit)
            self.edits[name] = edit
        self.offset = _spin(-60.0, 60.0, 4, " s")
        self.offset.setToolTip("#OFFSET: beat 0 sounds at -offset seconds (chart data, exported)")
        self.offset.valueChanged.connect(self._set_offset)
        self.sample_start = _spin(0.0, 36000.0, 3, " s")
        self.sample_start.valueChanged.connect(lambda v: self._set_meta(sample_start=as_fraction(f"{v:.3f}")))
        self.sample_length = _spin(0.0, 600.0, 3, " s")
        self.sample_length.valueChanged.connect(lambda v: self._set_meta(sample_length=as_fraction(f"{v:.3f}")))
        form.addRow("Offset", self.offset)
        form.addRow("Preview start", self.sample_start)
        form.addRow("Preview length", self.sample_length)
        session.document_replaced.connect(self._attach)
        self._attach()

    def _attach(self) -> None:
        self.session.bridge.meta_changed.connect(self.refresh)
        self.session.bridge.timing_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self._updating = True
        song = self.session.doc.song
        for name, edit in self.edits.items():
            if edit.text() != getattr(song, name):
                edit.setText(getattr(song, name))
        self.offset.setValue(float(song.timing.offset))
        self.sample_start.setValue(float(song.sample_start))
        self.sample_length.setValue(float(song.sample_length))
        self._updating = False

    def _set_text(self, name: str) -> None:
        self._set_meta(**{name: self.edits[name].text()})

    def _set_meta(self, **fields) -> None:
        if self._updating:
            return
        song = self.session.doc.song
        changed = {k: v for k, v in fields.items() if getattr(song, k) != v}
        if changed:
            self.session.push(SetSongMeta(**changed))

    def _set_offset(self, value: float) -> None:
        if self._updating:
            return
        timing = self.session.doc.song.timing
        offset = as_fraction(f"{value:.4f}")
        if offset != timing.offset:
            self.session.push(SetTiming(timing.with_changes(offset=offset), name="Change offset"))


KIND_NAMES = {"bpms": "BPM", "stops": "Stop (s)", "delays": "Delay (s)", "warps": "Warp (beats)",
              "time_signatures": "Time signature"}
ADD_NAMES = {"bpms": "Add BPM change", "stops": "Add stop", "delays": "Add delay", "warps": "Add warp",
             "time_signatures": "Add time signature"}


def _value_text(kind: str, entry: tuple) -> str:
    return f"{entry[1]}/{entry[2]}" if kind == "time_signatures" else f"{float(entry[1]):g}"


def _parse_value(kind: str, text: str) -> tuple:
    """The values after the beat of a row of ``kind`` from its cell text (ValueError with a message)."""
    if kind == "time_signatures":
        num, sep, den = text.partition("/")
        if not sep or not num.strip().isdigit() or not den.strip().isdigit() or int(num) < 1 or int(den) < 1:
            raise ValueError(f"{text!r} is not a time signature like 3/4")
        return int(num), int(den)
    try:
        value = as_fraction(text)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{text!r} is not a number") from None
    if kind == "warps" and value <= 0:
        raise ValueError("a warp skips more than 0 beats")
    return (value,)


class TimingPanel(QWidget):
    """Table of the timing's BPM changes, stops, delays, warps and time signatures: add at the cursor, edit cells
    (a time signature's value is written 3/4), delete rows. Each change is one SetTiming undo step."""

    COLUMNS = ("Beat", "Kind", "Value")
    KINDS = tuple(KIND_NAMES)

    def __init__(self, session: EditorSession, cursor_beat, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.cursor_beat = cursor_beat  # callable -> Fraction (the timeline's snapped cursor)
        self._updating = False
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.cellChanged.connect(self._cell_changed)
        layout.addWidget(self.table)
        rows = (("+ BPM at cursor", "bpms"), ("+ Stop at cursor", "stops"), ("+ Delay at cursor", "delays")), \
            (("+ Warp at cursor", "warps"), ("+ Time signature at cursor", "time_signatures"))
        for i, buttons in enumerate(rows):
            row = QHBoxLayout()
            for label, kind in buttons:
                button = QPushButton(label)
                button.setToolTip({"warps": "Skip beats: the notes inside are passed over (SSC #WARPS)",
                                   "time_signatures": "Measure length from here (measure lines); edit the value "
                                                      "as 3/4, 7/8..."}.get(kind, ""))
                button.clicked.connect(lambda _=False, k=kind: self.add_at_cursor(k))
                row.addWidget(button)
            if i == 1:
                remove = QPushButton("Remove row")
                remove.clicked.connect(self.remove_selected)
                row.addWidget(remove)
            layout.addLayout(row)
        session.document_replaced.connect(self._attach)
        self._attach()

    def _attach(self) -> None:
        self.session.bridge.timing_changed.connect(self.refresh)
        self.session.chart_switched.connect(self.refresh)
        self.refresh()

    def _target(self):
        """(timing, chart) being edited: the current chart's own timing when it has one, else the song's."""
        chart = self.session.chart
        if chart is not None and chart.timing is not None:
            return chart.timing, chart
        return self.session.doc.song.timing, None

    def _rows(self) -> list[tuple[str, tuple]]:
        """(kind, entry) per row, by beat: ``entry`` is the timing's tuple (beat, value) or (beat, num, den)."""
        t = self._target()[0]
        rows = [(kind, tuple(entry)) for kind in self.KINDS for entry in getattr(t, kind)]
        return sorted(rows, key=lambda r: (r[1][0], self.KINDS.index(r[0])))

    def refresh(self) -> None:
        self._updating = True
        rows = self._rows()
        self.table.setRowCount(len(rows))
        for r, (kind, entry) in enumerate(rows):
            beat_item = QTableWidgetItem(f"{float(entry[0]):g}")
            kind_item = QTableWidgetItem(KIND_NAMES[kind])
            kind_item.setFlags(kind_item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            value_item = QTableWidgetItem(_value_text(kind, entry))
            for c, item in enumerate((beat_item, kind_item, value_item)):
                item.setData(Qt.ItemDataRole.UserRole, (kind, entry))  # the row's exact values
                self.table.setItem(r, c, item)
        self._updating = False

    def _replace(self, kind: str, old: tuple | None, new: tuple | None, name: str) -> bool:
        timing, chart = self._target()
        entries = list(getattr(timing, kind))
        if old is not None:
            entries.remove(old)
        if new is not None:
            entries = [e for e in entries if e[0] != new[0]] + [new]
        if kind == "bpms" and not entries:
            self.session.status.emit("The song needs at least one BPM")
            self.refresh()
            return False
        try:
            changed = timing.with_changes(**{kind: tuple(entries)})
        except ValueError as exc:
            self.session.status.emit(f"{name}: {exc}")
            self.refresh()
            return False
        ok = self.session.push(SetTiming(changed, chart=chart, name=name))
        if not ok:
            self.refresh()
        return ok

    def _cell_changed(self, row: int, column: int) -> None:
        if self._updating or column == 1:
            return
        kind, entry = self.table.item(row, column).data(Qt.ItemDataRole.UserRole)
        text = self.table.item(row, column).text().strip()
        try:
            if column == 0:
                new = (_parse_value("bpms", text)[0], *entry[1:])
            else:
                new = (entry[0], *_parse_value(kind, text))
        except ValueError as exc:
            self.session.status.emit(f"Timing: {exc}")
            self.refresh()
            return
        self._replace(kind, entry, new, "Change timing")

    def add_at_cursor(self, kind: str) -> bool:
        beat = self.cursor_beat()
        timing = self._target()[0]
        if kind == "bpms":
            new: tuple = (beat, timing.bpm_at(beat))
        elif kind == "time_signatures":
            current = [s for s in timing.time_signatures if s[0] <= beat]
            new = (beat, *(current[-1][1:] if current else (4, 4)))
        else:
            new = (beat, Fraction(1) if kind == "warps" else Fraction(1, 2))
        return self._replace(kind, None, new, ADD_NAMES[kind])

    def remove_selected(self) -> bool:
        row = self.table.currentRow()
        if row < 0:
            return False
        kind, entry = self.table.item(row, 0).data(Qt.ItemDataRole.UserRole)
        return self._replace(kind, entry, None, "Remove timing change")

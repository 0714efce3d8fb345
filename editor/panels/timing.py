"""The Timing panel: one table of every timing change of the song (or of the current chart's own timing).

Rows are by beat: BPM changes, stops, delays, warps and time signatures (``TimingData`` fields, which move notes
in time), and StepMania 5's display and scoring segments (labels, scrolls, speeds, fake segments, tick counts,
combos; ``chart.formats.display_segments``), which do not. Add at the cursor, edit the beat or the value in place,
remove a row; each change is one SetTiming undo step, and a refused value is reported and the table restored.
Detect Tempo... and Tap Tempo... ask for the tempo dialog (``editor.controllers.timing_tools``).
Double-clicking a row's kind, or Return/Enter on a row not being edited, moves the cursor to its beat. A display tag whose text does not read is listed as
it is (kept verbatim on save) and can only be removed.

**Keep notes in time** (a check box, off by default): a change then also gives every note of the charts that use
this timing the beat at which it sounds at the same time as before (``chart.retime``), in the same undo step -
for notes placed by ear when the tempo turns out wrong (a routine chart's player 2 too). Off, notes keep their
beats and move with the grid.
"""

from __future__ import annotations

import re
from fractions import Fraction

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chart.formats import display_segments as ds
from chart.formats.errors import MAX_ABS_VALUE
from chart.formats.values import MIN_BPM, snap_row
from chart.notes import as_fraction
from chart.timing import TimingData
from editor.key_hints import follow_keys, key_text
from editor.panels.timing_push import push_timing as push_timing  # (re-exported: callers import it here)
from editor.panels.timing_rows import entry_problem, on_row, said, shown
from editor.session import EditorSession

FIELD_NAMES = {"bpms": "BPM", "stops": "Stop (s)", "delays": "Delay (s)", "warps": "Warp (beats)",
               "time_signatures": "Time signature"}
SEGMENT_NAMES = {"LABELS": "Label", "SCROLLS": "Scroll (x)", "SPEEDS": "Speed (x over)", "FAKES": "Fake (beats)",
                 "TICKCOUNTS": "Tick count", "COMBOS": "Combo (hit/miss)"}
KIND_NAMES = FIELD_NAMES | SEGMENT_NAMES
ADD_NAMES = {"bpms": "Add BPM change", "stops": "Add stop", "delays": "Add delay", "warps": "Add warp",
             "time_signatures": "Add time signature"} | {k: f"Add {ds.SPECS[k].name.lower()}" for k in SEGMENT_NAMES}
SEGMENT_TIPS = {
    "LABELS": "A named place in the song (Chorus, Break...): shown on the timeline",  # + its keys: segment_tip
    "SCROLLS": "Scroll speed from here, as a multiple of the player's (SSC #SCROLLS; 0.5 is half speed)",
    "SPEEDS": "Speed mod from here, eased in: '2' at once, '2 over 1 beats' or '2 over 0.5 s' (SSC #SPEEDS)",
    "FAKES": "Notes in the next N beats are drawn but never judged (SSC #FAKES)",
    "TICKCOUNTS": "Hold ticks per beat from here, 0 to 48 (SSC #TICKCOUNTS)",
    "COMBOS": "Combo per hit from here, and per miss: '2' or '2/1' (SSC #COMBOS)",
}
UNREADABLE = "unreadable"  # kind of a row listing a display tag whose text does not read
_SPEED = re.compile(r"^\s*([^\s]+)\s*(?:over\s+([^\s]+)\s*(beats?|b|s|sec|secs|seconds?)?)?\s*$", re.IGNORECASE)
_HIDDEN_BEAT = Fraction(-(10**9))  # unreadable rows sort first


def segment_tip(where, tag: str) -> str:
    """The tooltip of a display segment ``tag``; a label's names the Previous/Next Label keys of the window
    ``where`` is in, as the keymap gives them."""
    keys = key_text(where, "nav.prev_label", "nav.next_label") if tag == "LABELS" else ""
    return SEGMENT_TIPS[tag] + (f", {keys} go to it" if keys else "")


def _number(text: str) -> Fraction:
    try:
        value = as_fraction(text.strip())
    except (ValueError, ZeroDivisionError, OverflowError):
        raise ValueError(f"{text.strip()!r} is not a number") from None
    if abs(value) > MAX_ABS_VALUE:  # what the chart readers refuse too (1e400 overflowed every redraw)
        raise ValueError(f"{text.strip()!r} is out of range (at most {int(MAX_ABS_VALUE):,} either way)")
    return value


def _whole(text: str) -> int:
    value = _number(text)
    if value != int(value):
        raise ValueError(f"{text.strip()!r} is not a whole number")
    return int(value)


def value_text(kind: str, entry: tuple) -> str:
    """What the Value cell shows for a row of ``kind`` (``entry`` is beat first)."""
    if kind == "time_signatures":
        return f"{entry[1]}/{entry[2]}"
    if kind == "LABELS" or kind == UNREADABLE:
        return str(entry[1])
    if kind == "SPEEDS":
        ratio, length, unit = entry[1:]
        return shown(ratio) if length == 0 else f"{shown(ratio)} over {shown(length)} {'s' if unit else 'beats'}"
    if kind in ("TICKCOUNTS",):
        return str(entry[1])
    if kind == "COMBOS":
        return str(entry[1]) if entry[1] == entry[2] else f"{entry[1]}/{entry[2]}"
    return shown(entry[1])


def parse_value(kind: str, text: str) -> tuple:
    """The values after the beat of a row of ``kind`` from its cell text (ValueError with a message)."""
    if kind == "time_signatures":
        num, sep, den = text.partition("/")
        if not sep or not num.strip().isdigit() or not den.strip().isdigit() or int(num) < 1 or int(den) < 1:
            raise ValueError(f"{text!r} is not a time signature like 3/4")
        return int(num), int(den)
    if kind == "LABELS":
        return (text.strip(),)
    if kind == "SPEEDS":
        m = _SPEED.match(text)
        if m is None:
            raise ValueError(f"{text!r} is not a speed like 2, '2 over 1 beats' or '2 over 0.5 s'")
        unit = 1 if (m.group(3) or "b").lower().startswith("s") else 0
        return _number(m.group(1)), _number(m.group(2)) if m.group(2) else Fraction(0), unit
    if kind == "TICKCOUNTS":
        return (_whole(text),)
    if kind == "COMBOS":
        hit, sep, miss = text.partition("/")
        return _whole(hit), _whole(miss) if sep else _whole(hit)
    value = _number(text)
    if kind == "warps" and value <= 0:
        raise ValueError("a warp skips more than 0 beats")
    if kind == "bpms" and value < MIN_BPM:  # (a BPM of 1e-10 was saved as 0 and the file no longer opened)
        raise ValueError(f"a BPM of at least {shown(MIN_BPM)}, please ({text.strip()!r} is smaller)")
    if kind in ("stops", "delays") and value < 0:  # (TimingData refuses it too, but not quoting the text typed)
        raise ValueError(f"a {kind[:-1]} of at least 0 s, please ({text.strip()!r} is negative)")
    return (value,)


def entries_of(timing: TimingData, kind: str) -> list[tuple]:
    return list(getattr(timing, kind)) if kind in FIELD_NAMES else ds.read(timing, kind)


def with_kind(timing: TimingData, kind: str, entries: list[tuple]) -> TimingData:
    """``timing`` with the entries of ``kind`` replaced (ValueError with a message when they are refused)."""
    if kind in FIELD_NAMES:
        return timing.with_changes(**{kind: tuple(entries)})
    return ds.with_entries(timing, kind, entries)


class TimingPanel(QWidget):
    """The timing table with its add/remove buttons (module docstring)."""

    COLUMNS = ("Beat", "Kind", "Value")
    KINDS = tuple(KIND_NAMES)
    detect_requested = Signal()  # Detect Tempo... (editor.controllers.timing_tools answers both)
    tap_requested = Signal()  # Tap Tempo...

    def __init__(self, session: EditorSession, cursor_beat, go_to=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.cursor_beat = cursor_beat  # callable -> Fraction (the timeline's snapped cursor)
        self.go_to = go_to  # callable (chart, beat) -> None, or None
        self._updating = False
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 3)
        self.table.setAccessibleName("Timing segments")
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # A cell edits on F2, a double-click or a click on the selected cell, never on a typed key: "1" or Space
        # pressed after a click that only read a BPM typed over it. Tab leaves the table (to the buttons).
        triggers = QAbstractItemView.EditTrigger
        self.table.setEditTriggers(triggers.DoubleClicked | triggers.EditKeyPressed | triggers.SelectedClicked)
        self.table.setTabKeyNavigation(False)
        self.table.cellChanged.connect(self._cell_changed)
        self.table.cellDoubleClicked.connect(self._double_clicked)
        self.table.installEventFilter(self)  # Return/Enter: go to the row, as a double-click on its kind does
        layout.addWidget(self.table)
        rows = (("+ BPM at cursor", "bpms"), ("+ Stop at cursor", "stops"), ("+ Delay at cursor", "delays")), \
            (("+ Warp at cursor", "warps"), ("+ Time signature at cursor", "time_signatures"))
        for buttons in rows:
            row = QHBoxLayout()
            for label, kind in buttons:
                button = QPushButton(label)
                button.setToolTip({"warps": "Skip beats: the notes inside are passed over (SSC #WARPS)",
                                   "time_signatures": "Measure length from here (measure lines); edit the value "
                                                      "as 3/4, 7/8..."}.get(kind, ""))
                button.clicked.connect(lambda _=False, k=kind: self.add_at_cursor(k))
                row.addWidget(button)
            layout.addLayout(row)
        row = QHBoxLayout()
        self.segment_combo = QComboBox()
        self.segment_combo.setAccessibleName("Display segment to add")
        for i, tag in enumerate(SEGMENT_NAMES):
            self.segment_combo.addItem(ds.SPECS[tag].name, tag)
            self.segment_combo.setItemData(i, segment_tip(self, tag), Qt.ItemDataRole.ToolTipRole)
        self.segment_combo.setToolTip("StepMania 5 display segments: they do not move notes in time")
        add = QPushButton("+ at cursor")
        add.clicked.connect(lambda: self.add_at_cursor(self.segment_combo.currentData()))
        remove = QPushButton("Remove row")
        remove.clicked.connect(self.remove_selected)
        for widget in (self.segment_combo, add, remove):
            row.addWidget(widget)
        layout.addLayout(row)
        row = QHBoxLayout()
        for label, signal, tip in (("Detect Tempo...", self.detect_requested, "Detect the BPM and first beat of the "
                                    "audio and set this timing to one (Timing menu)"),
                                   ("Tap Tempo...", self.tap_requested, "Tap along with the song for its BPM and "
                                    "first beat (Timing menu)")):
            button = QPushButton(label)
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, sig=signal: sig.emit())
            row.addWidget(button)
        layout.addLayout(row)
        self.keep_in_time = QCheckBox("Keep notes in time")
        self.keep_in_time.toggled.connect(lambda on: setattr(session, "keep_notes_in_time", on))
        self.keep_in_time.setToolTip("On: a timing change keeps every note where it sounds (its beat changes, "
                                     "snapped within 1 ms), also for the Song panel's offset; off: notes keep "
                                     "their beats and move with the grid")
        layout.addWidget(self.keep_in_time)
        session.document_replaced.connect(self._attach)
        self._attach()
        self._keys_followed = False  # the label tooltips follow the window's keymap once in one (event)

    def event(self, event: QEvent) -> bool:
        """Once in a window, the label tooltips follow its label keys (the panel is made before it is docked)."""
        if event.type() == QEvent.Type.ParentChange and not getattr(self, "_keys_followed", True):
            self._keys_followed = follow_keys(self, ("nav.prev_label", "nav.next_label"), self._show_keys)
        return super().event(event)

    def _show_keys(self) -> None:
        self.segment_combo.setItemData(self.segment_combo.findData("LABELS"), segment_tip(self, "LABELS"),
                                       Qt.ItemDataRole.ToolTipRole)
        self.refresh()  # the label rows' tooltips

    def _attach(self) -> None:
        self.session.bridge.timing_changed.connect(self.refresh)
        self.session.chart_switched.connect(self.refresh)
        self.refresh()


    def _rows(self) -> list[tuple[str, tuple]]:
        """(kind, entry) per row, by beat: ``entry`` is beat first, then the kind's values."""
        timing = self.session.timing_target()[0]
        rows = [(kind, tuple(entry)) for kind in FIELD_NAMES for entry in getattr(timing, kind)]
        good, bad = ds.readable(timing)
        rows += [(kind, tuple(entry)) for kind, entries in good.items() for entry in entries]
        rows += [(UNREADABLE, (_HIDDEN_BEAT, tag, message)) for tag, message in bad.items()]
        order = {k: i for i, k in enumerate((*self.KINDS, UNREADABLE))}
        return sorted(rows, key=lambda r: (r[1][0], order[r[0]]))

    def refresh(self) -> None:
        self._updating = True
        rows = self._rows()
        self.table.setRowCount(len(rows))
        for r, (kind, entry) in enumerate(rows):
            if kind == UNREADABLE:
                cells = ("", f"#{entry[1]} (unreadable, kept)", entry[2])
            else:
                cells = (shown(entry[0], 6), KIND_NAMES[kind], value_text(kind, entry))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 1 or kind == UNREADABLE:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if kind in SEGMENT_TIPS:
                    item.setToolTip(segment_tip(self, kind))
                item.setData(Qt.ItemDataRole.UserRole, (kind, entry))  # the row's exact values
                self.table.setItem(r, c, item)
        self._updating = False

    def _push(self, changed: TimingData, chart, name: str) -> bool:
        ok = push_timing(self.session, changed, chart, name, merge=False)
        if not ok:
            self.refresh()
        return ok

    def _replace(self, kind: str, old: tuple | None, new: tuple | None, name: str) -> bool:
        timing, chart = self.session.timing_target()
        entries = entries_of(timing, kind)
        if old is not None:
            entries.remove(old)
        moved = ""
        if new is not None:
            new, moved = on_row(new, old)
            # one entry of a kind per row: never replace another unasked (display segments are kept one per 1/48
            # row: a label moved to 8.01 beside one at 8 deleted it)
            same = (lambda e: snap_row(e[0]) == snap_row(new[0])) if kind in SEGMENT_NAMES or moved or \
                old is None or old[0] != new[0] else (lambda e: e[0] == new[0])
            problem = entry_problem(kind, new)
            if problem is None and any(same(e) for e in entries):
                problem = f"there is already a {KIND_NAMES[kind].split(' (')[0].lower()} at beat {shown(new[0], 6)}; " \
                          f"edit or remove that row"
            if problem is not None:
                self.session.status.emit(f"{name}: {problem}")
                self.refresh()
                return False
            entries.append(new)
        if kind == "bpms" and not entries:
            self.session.status.emit("The song needs at least one BPM")
            self.refresh()
            return False
        try:
            changed = with_kind(timing, kind, sorted(entries, key=lambda e: e[0]))
        except ValueError as exc:
            self.session.status.emit(f"{name}: {exc}")
            self.refresh()
            return False
        if changed == timing:  # 128.0 retyped, 0.005 back on row 0: no undo step, the song not made modified
            self.session.status.emit(f"{name}: unchanged" + (f" ({moved})" if moved else ""))
            self.refresh()  # the cell as the file holds it again (128.000000000)
            return False
        ok = self._push(changed, chart, name)
        if ok and (moved or not self.session.keep_notes_in_time):  # (else push_timing's line says what it did)
            entry = new if new is not None else old
            assert entry is not None  # (an add or an edit has a new entry, a removal an old one)
            done = said(KIND_NAMES[kind], entry[0], None if new is None else value_text(kind, new))
            self.session.status.emit(f"{name}: {moved or done}")  # (a refusal's line must not stay up)
        return ok

    def _cell_changed(self, row: int, column: int) -> None:
        if self._updating or column == 1:
            return
        kind, entry = self._cell(row, column).data(Qt.ItemDataRole.UserRole)
        text = self._cell(row, column).text().strip()
        try:
            if column == 0:
                new = (_number(text), *entry[1:])
            else:
                new = (entry[0], *parse_value(kind, text))
        except ValueError as exc:
            self.session.status.emit(f"Timing: {exc}")
            self.refresh()
            return
        self._replace(kind, entry, new, "Change timing")

    def _cell(self, row: int, column: int) -> QTableWidgetItem:
        item = self.table.item(row, column)
        assert item is not None  # refresh() gives every cell of every row an item
        return item

    def _double_clicked(self, row: int, column: int) -> None:
        if column == 1:
            self.go_to_row(row)

    def go_to_row(self, row: int) -> None:
        """Move the cursor to the beat of ``row`` (an unreadable tag's row has none)."""
        kind, entry = self._cell(row, 0).data(Qt.ItemDataRole.UserRole)
        if kind != UNREADABLE and self.go_to is not None:
            self.go_to(self.session.chart, max(entry[0], Fraction(0)))

    def eventFilter(self, watched, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Return or the keypad's Enter on the table (a cell being edited has its own editor, which takes them)."""
        if watched is self.table and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier \
                and self.table.state() != QAbstractItemView.State.EditingState and self.table.currentRow() >= 0:
            self.go_to_row(self.table.currentRow())
            return True
        return super().eventFilter(watched, event)

    def _default(self, kind: str, beat: Fraction, timing: TimingData) -> tuple:
        """The entry ``add_at_cursor`` makes: what is in force at ``beat`` where that means something."""
        before = [e for e in entries_of(timing, kind) if e[0] <= beat] if kind != "bpms" else []
        if kind == "bpms":
            return beat, timing.bpm_at(beat)
        if kind == "time_signatures":
            return (beat, *(before[-1][1:] if before else (4, 4)))
        if kind == "LABELS":
            return beat, f"Section {len(entries_of(timing, kind)) + 1}"
        if kind in ("SCROLLS", "SPEEDS", "TICKCOUNTS", "COMBOS"):
            first = {"SCROLLS": (Fraction(1),), "SPEEDS": (Fraction(1), Fraction(0), 0), "TICKCOUNTS": (4,),
                     "COMBOS": (1, 1)}[kind]
            return (beat, *(before[-1][1:] if before else first))
        return beat, Fraction(1) if kind in ("warps", "FAKES") else Fraction(1, 2)

    def add_at_cursor(self, kind: str) -> bool:
        beat = self.cursor_beat()
        timing = self.session.timing_target()[0]
        try:
            new = self._default(kind, beat, timing)
        except ValueError as exc:  # the tag's current text does not read
            self.session.status.emit(f"{ADD_NAMES[kind]}: {exc}")
            return False
        return self._replace(kind, None, new, ADD_NAMES[kind])

    def remove_selected(self) -> bool:
        row = self.table.currentRow()
        if row < 0:
            return False
        kind, entry = self._cell(row, 0).data(Qt.ItemDataRole.UserRole)
        if kind == UNREADABLE:
            timing, chart = self.session.timing_target()
            kept = tuple((tag, text) for tag, text in timing.extra if tag != entry[1])
            return self._push(timing.with_changes(extra=kept), chart, f"Remove #{entry[1]}")
        return self._replace(kind, entry, None, "Remove timing change")

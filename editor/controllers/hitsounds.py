"""HitsoundTool: Edit > Hitsounds — the osu! editor's hitsound controls for the notes of an osu!mania map.

Keys are osu!'s where this editor leaves them free: W / E / R toggle whistle / finish / clap (osu!'s compose keys),
Shift+Q / W / E / R set the normal sample set to Auto / Normal / Soft / Drum and Shift+Alt+Q / W / E / R the
addition sample set (osu!lazer's Alt+Q and Alt+R are this editor's Quantize and Convert to Rolls, hence the
Shift). As in osu!, a toggle decides once for all the notes it acts on: whistle goes off when every one has it,
else on for all of them. Each action is one undo step (:class:`chart.hitsound_edit.SetHitsounds`) named for what it
did ("Whistle on 12 notes"), and the status line says the same.

The notes acted on are the selection, else the notes on the cursor's row: the notes at the cursor's exact
beat (one '.' Next Note put it on, a 1/3-beat note under a 1/16 snap included), else, when the cursor lies on no
row of the 1/192 and snap grids (stopped mid-row by playback), those of the snap row nearest it, where the number
keys place notes (:meth:`HitsoundTool.cursor_notes`). Charts that take sounds: :func:`chart.hitsound_edit.takes_sounds` (osu!
maps); on a StepMania chart the action says why it does nothing. The menu shows the state of those notes when it
opens: an addition or a sample set is ticked when every note has it, and "(3 of 12)" follows it when some do.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from chart.hitsound_edit import (
    CLAP,
    FINISH,
    SAMPLE_SETS,
    WHISTLE,
    HitSound,
    HitsoundChange,
    SetHitsounds,
    addition_state,
    changes_for,
    common,
    sounded,
    sounds_of,
    takes_sounds,
)
from chart.note_keys import in_order
from chart.notes import Note
from chart.snap import snap_beat
from editor.controllers.hitsound_marks import HitsoundMarks

ADDITION_IDS = {WHISTLE: "edit.hitsound_whistle", FINISH: "edit.hitsound_finish", CLAP: "edit.hitsound_clap"}
SET_FIELDS = ("normal_set", "addition_set")
_ON_ROW = Fraction(1, 1 << 20)  # beats: a cursor this near a note or row is on it (the float seconds' noise)


def set_id(field: str, value: int) -> str:
    """``edit.normal_set_soft``: the action id of one sample set choice."""
    return f"edit.{field}_{SAMPLE_SETS[value].lower()}"


class HitsoundTool(QObject):
    """Edit > Hitsounds for one window (made by :func:`editor.menus.build_menus`, which calls :meth:`attach`)."""

    def __init__(self, win):
        super().__init__(win)
        self.win, self.session = win, win.session
        self.marks = HitsoundMarks(self.session, win.timeline.hitsound_item, self)
        self.menu: QMenu | None = None
        self.header: QAction | None = None
        a = win.actions
        # triggered, not toggled: Qt flips a checkable action's tick on its key, and the tick must say what the
        # notes have, which show_state sets again after every action (refused ones too)
        for bit, action_id in ADDITION_IDS.items():
            a[action_id].triggered.connect(lambda _on=False, bit=bit: self._then_show(self.toggle(bit)))
        for field in SET_FIELDS:
            for value in range(len(SAMPLE_SETS)):
                a[set_id(field, value)].triggered.connect(
                    lambda _on=False, f=field, v=value: self._then_show(self.set_sample_set(f, v)))
        a["edit.hitsound_custom"].triggered.connect(lambda: self._then_show(self.ask_custom()))
        a["edit.hitsound_reset"].triggered.connect(lambda: self._then_show(self.reset()))

    def _then_show(self, _done: bool) -> None:
        self.show_state()
        self._plain_texts()

    def _ids(self) -> list[str]:
        return [*ADDITION_IDS.values(), *(set_id(f, v) for f in SET_FIELDS for v in range(len(SAMPLE_SETS)))]

    def attach(self, menu: QMenu) -> None:
        """Add the Hitsounds submenu to ``menu``; its ticks are brought up to date each time it opens."""
        self.menu = sub = menu.addMenu("Hits&ounds")
        self.header = sub.addAction("")
        self.header.setEnabled(False)  # what the actions act on: "12 selected notes"
        sub.addSeparator()
        a = self.win.actions
        for action_id in ADDITION_IDS.values():
            sub.addAction(a[action_id])
        for field in SET_FIELDS:
            sub.addSeparator()
            for value in range(len(SAMPLE_SETS)):
                sub.addAction(a[set_id(field, value)])
        sub.addSeparator()
        sub.addAction(a["edit.hitsound_custom"])
        sub.addAction(a["edit.hitsound_reset"])
        sub.aboutToShow.connect(self.show_state)
        sub.aboutToHide.connect(self._plain_texts)
        self.show_state()
        self._plain_texts()

    # ------------------------------------------------------------------ what the tool acts on
    def targets(self, quiet: bool = False) -> tuple[list[Note], int, str] | None:
        """(the notes that can keep a sound, how many others were left out, what they are in words), or None with
        a status line (unless ``quiet``) when there is nothing to act on."""
        s = self.session
        chart = s.chart
        why = None
        if chart is None:
            why = "no chart"
        elif not takes_sounds(chart):
            why = (f"this {chart.mode} chart is not an osu!mania map (hitsounds are osu!'s: open the .osu, or export "
                   "this chart to .osu and open that)")
        if why is not None or chart is None:
            if not quiet:
                s.status.emit(f"Hitsounds: {why}")
            return None
        if s.selection:
            notes = in_order(s.selection)
        else:
            notes = self.cursor_notes()
        kept = sounded(notes)
        if not kept:
            if not quiet:
                s.status.emit("Hitsounds: no note selected or at the cursor" if not notes else
                              "Hitsounds: mines, fakes and lifts keep no sound (the .osu file drops them)")
            return None
        noun = f"note{'s' * (len(kept) != 1)}"
        what = f"{len(kept)} selected {noun}" if s.selection else f"{len(kept)} {noun} at the cursor"
        return kept, len(notes) - len(kept), what

    def cursor_notes(self) -> list[Note]:
        """The notes of the cursor's row (module docstring), at its exact beat where it has one
        (:meth:`~editor.timeline.view.TimelineWidget.exact_beat`). The snap row alone missed a note off the snap
        (W on a 1/3-beat note under a 1/16 snap: "no note at the cursor") or took a neighbour's (the 1/4 one)."""
        s, timeline = self.session, self.win.timeline
        exact = timeline.exact_beat()  # a jump onto a note inside a warp: that note's beat, not the warp's last
        if exact is None:
            exact = Fraction(float(timeline.timing.seconds_to_beats_array([timeline.cursor_s])[0]))
        near = s.doc.notes_in_range(s.chart, exact - _ON_ROW, exact + _ON_ROW)
        if near:
            return near
        if abs(exact - snap_beat(exact, math.lcm(192, timeline.divisor))) <= _ON_ROW:
            return []  # on an empty row: not the notes of the snap row nearest it
        beat = timeline.cursor_beat()
        return s.doc.notes_in_range(s.chart, beat, beat + _ON_ROW)

    # ------------------------------------------------------------------ actions
    def toggle(self, bit: int) -> bool:
        """W / E / R: whistle, finish or clap off for all the notes when all have it, else on for all."""
        got = self.targets()
        if got is None:
            return False
        notes = got[0]
        on = addition_state(sounds_of(self.session.chart, _cells(notes)), bit) is not True
        return self._apply(HitsoundChange(addition=(bit, on)), got)

    def set_sample_set(self, field: str, value: int) -> bool:
        """Shift(+Alt)+Q/W/E/R: the normal (addition) sample set of the notes."""
        got = self.targets()
        change: dict[str, Any] = {field: value}  # normal_set or addition_set (SET_FIELDS)
        return got is not None and self._apply(HitsoundChange(**change), got)

    def set_custom(self, index: int | None, volume: int | None) -> bool:
        """The custom sample index and volume (None: each note keeps its own)."""
        got = self.targets()
        if got is None:
            return False
        if index is None and volume is None:
            self.session.status.emit("Sample index and volume: both kept as each note has them")
            return False
        return self._apply(HitsoundChange(index=index, volume=volume), got)

    def ask_custom(self) -> bool:
        """Edit > Hitsounds > Sample Index and Volume...: the dialog, then :meth:`set_custom`."""
        got = self.targets()
        if got is None:
            return False
        from editor.dialogs.hitsound_custom import HitsoundCustomDialog

        sounds = sounds_of(self.session.chart, _cells(got[0]))
        dialog = HitsoundCustomDialog(self.win, got[2], common(sounds, "index"), common(sounds, "volume"))
        return bool(dialog.exec()) and self.set_custom(*dialog.values())

    def reset(self) -> bool:
        """Default sounds (no additions, Auto sets, no custom sample) on the notes."""
        got = self.targets()
        return got is not None and self._apply(HitsoundChange(reset=True), got)

    def _apply(self, change: HitsoundChange, got: tuple[list[Note], int, str]) -> bool:
        notes, left_out, what = got
        chart = self.session.chart
        cells = _cells(notes)
        if not changes_for(chart, cells, change):
            self.session.status.emit(f"{change.what()}: the {what} {'has' if len(notes) == 1 else 'have'} it already")
            return False
        command = SetHitsounds(chart, cells, change)
        if not self.session.push(command):
            return False
        extra = f"; {left_out} mine(s)/fake(s)/lift(s) left out (the .osu file drops them)" if left_out else ""
        self.session.status.emit(command.name + extra)
        return True

    # ------------------------------------------------------------------ menu state
    def _sounds(self) -> tuple[tuple[list[Note], int, str] | None, list[HitSound]]:
        got = self.targets(quiet=True)
        return got, sounds_of(self.session.chart, _cells(got[0])) if got is not None else []

    def state(self) -> dict[str, bool | None]:
        """Per action id: True when every note acted on has it, None when some do, False when none (or nothing to
        act on)."""
        return menu_state(self._sounds()[1])

    def show_state(self) -> None:
        """Tick what every note acted on has; "(3 of 12)" after what only some have; the header says which."""
        got, sounds = self._sounds()
        a = self.win.actions
        for action_id, on in menu_state(sounds).items():
            a[action_id].setChecked(on is True)
            a[action_id].setText(_plain(a[action_id].text()) + (_share(sounds, action_id) if on is None else ""))
        if self.header is not None:
            self.header.setText(self._header(got))

    def _header(self, got) -> str:
        chart = self.session.chart
        if got is not None:
            return f"{got[2][0].upper()}{got[2][1:]}"
        if chart is not None and not takes_sounds(chart):
            return "Not an osu!mania map"
        return "No note selected or at the cursor"

    def _plain_texts(self) -> None:
        """The actions' own names again (the Keyboard Shortcuts list shows them)."""
        for action_id in self._ids():
            action = self.win.actions[action_id]
            action.setText(_plain(action.text()))


def menu_state(sounds: list[HitSound]) -> dict[str, bool | None]:
    """:meth:`HitsoundTool.state` of notes with ``sounds``."""
    out: dict[str, bool | None] = {}
    for bit, action_id in ADDITION_IDS.items():
        out[action_id] = addition_state(sounds, bit) if sounds else False
    for field in SET_FIELDS:
        for value in range(len(SAMPLE_SETS)):
            have = sum(getattr(sound, field) == value for sound in sounds)
            out[set_id(field, value)] = None if 0 < have < len(sounds) else have > 0
    return out


def _cells(notes: list[Note]) -> list[tuple[Fraction, int]]:
    return [(n.beat, n.lane) for n in notes]


def _plain(text: str) -> str:
    return text.split("  (", 1)[0]


def _share(sounds: list[HitSound], action_id: str) -> str:
    """"  (3 of 12)": how many of the notes have what ``action_id`` sets."""
    bit = next((b for b, i in ADDITION_IDS.items() if i == action_id), None)
    if bit is not None:
        have = sum(bool(s.bits & bit) for s in sounds)
    else:
        field, value = next((f, v) for f in SET_FIELDS for v in range(len(SAMPLE_SETS)) if set_id(f, v) == action_id)
        have = sum(getattr(s, field) == value for s in sounds)
    return f"  ({have} of {len(sounds)})"

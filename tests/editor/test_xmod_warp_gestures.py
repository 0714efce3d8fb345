"""Beat-Spaced view (X-mod): a box selection or a drag that stays inside a warp's room goes by the beats under the
pointer. Every beat of a warp shares one instant, so measured by time such a drag never moved far enough to start
(the box was a line and selected nothing, a dragged note stayed put)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from chart.document import Document
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from editor.timeline.view import Hit

pytestmark = pytest.mark.qt

TIMING = TimingData(offset=Fraction(-1, 2), bpms=((Fraction(0), Fraction(120)),), warps=((Fraction(16), Fraction(4)),))


def open_warp_song(win) -> list[Note]:
    notes = [Note(Fraction(b), lane) for b in (16, 17, 18, 19, 20) for lane in (0, 2)]
    win.files.adopt(Document(Song(title="Warp", timing=TIMING, charts=[Chart(slot=Slot.HARD, notes=notes)])))
    win.timeline.set_beat_spaced(True)
    QApplication.processEvents()
    return win.session.chart.notes


def hit(win, beat: float, x: float, note: int | None = None, shift: bool = False) -> Hit:
    lane = int(x) if not shift else None
    mods = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
    return Hit(float(TIMING.beat_to_seconds(Fraction(beat))), beat, Fraction(round(beat * 4), 4), x, lane, note,
               Qt.MouseButton.LeftButton, mods)


def test_a_box_inside_a_warps_room_selects_the_notes_it_covers(window):
    open_warp_song(window)
    editing = window.editing
    editing.press(hit(window, 16.8, 0.2, shift=True))
    editing.drag(hit(window, 17.5, 2.8, shift=True))
    editing.drag(hit(window, 18.2, 2.8, shift=True))
    editing.release(hit(window, 18.2, 2.8, shift=True))
    assert sorted((n.beat, n.lane) for n in window.session.selection) == [(17, 0), (17, 2), (18, 0), (18, 2)]


def test_a_drag_inside_a_warps_room_moves_the_note(window):
    notes = open_warp_song(window)
    grabbed = next(n for n in notes if n.beat == 17 and n.lane == 0)
    editing = window.editing
    editing.press(hit(window, 17, 0.5, note=window.timeline.index.notes.index(grabbed)))
    editing.drag(hit(window, 17.5, 0.5))
    editing.drag(hit(window, 17.5, 0.5))
    editing.release(hit(window, 17.5, 0.5))
    assert window.session.doc.undo_stack_names()[-1] == "Move notes"
    assert sorted(n.beat for n in window.session.chart.notes if n.lane == 0) == [16, Fraction(35, 2), 18, 19, 20]

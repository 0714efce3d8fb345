"""Mouse and key gestures stop at beat 0 (docs/editor.md, Mouse): dragging a note up past it, drawing a hold up
from a cell near it with the mouse, or with a lane key held down and Up pressed, put notes at beats -1 to -3, and
Save then refused the chart ("note before beat 0"). Now the move stops with its first note on beat 0 and the holds
start there, and the status line says why."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import QPoint, Qt

from chart.notes import Note, NoteKind

pytestmark = pytest.mark.qt


def _seek(win, beat) -> None:
    win.seek(float(win.session.timing().beat_to_seconds(Fraction(beat))))


def _pos(win, beat, lane: int) -> QPoint:
    t = float(win.session.timing().beat_to_seconds(Fraction(beat)))
    return win.timeline.widget_pos(t, lane + 0.5).toPoint()


def _drag(win, qtbot, lane: int, beats) -> None:
    vp = win.timeline.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=_pos(win, beats[0], lane))
    for beat in beats[1:]:
        qtbot.mouseMove(vp, pos=_pos(win, beat, lane))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=_pos(win, beats[-1], lane))


def _before_0(win) -> list[Note]:
    return [n for n in win.session.chart.notes if n.beat < 0]


def test_dragging_notes_up_past_beat_0_stops_the_move_there(opened, qtbot):
    win = opened  # Beginner: 0/0 1/1 2/2 3/3, ...
    s = win.session
    s.set_divisor(4)
    _seek(win, 0)
    s.select([Note(Fraction(1), 1), Note(Fraction(2), 2)])
    _drag(win, qtbot, 1, [1, 0, -1, -2])  # three beats up: the first note would go to beat -2
    assert not _before_0(win)
    assert {Note(Fraction(0), 1), Note(Fraction(1), 2)} <= set(s.chart.notes)  # stopped a beat up, together
    assert s.doc.history.undo_stack_names()[-1] == "Move notes"
    assert "stopped at beat 0" in win.statusBar().currentMessage()
    assert win.files.save()


def test_a_hold_drawn_up_with_the_mouse_starts_at_beat_0(opened, qtbot):
    win = opened
    s = win.session
    s.set_divisor(4)
    _seek(win, 0)
    _drag(win, qtbot, 3, [1, 0, -1, -2])  # an empty cell at beat 1 in lane 4, up into the intro
    assert not _before_0(win)
    assert Note(Fraction(0), 3, NoteKind.HOLD, Fraction(1)) in s.chart.notes
    assert s.doc.history.undo_stack_names()[-1] == "Add hold"
    assert "stops at beat 0" in win.statusBar().currentMessage()
    _drag(win, qtbot, 2, [-2, -1, 2])  # pressed in the intro and drawn down: it starts at beat 0 too (and ends a
    assert not _before_0(win)  # step before lane 3's note at beat 2)
    assert Note(Fraction(0), 2, NoteKind.HOLD, Fraction(1)) in s.chart.notes
    assert s.doc.history.undo_stack_names()[-1] == "Add hold"
    assert win.files.save()


def test_a_lane_key_held_while_the_cursor_goes_up_past_beat_0_draws_from_beat_0(opened, qtbot):
    win = opened
    s = win.session
    tl = win.timeline
    s.set_divisor(4)
    _seek(win, 1)
    qtbot.keyPress(tl, Qt.Key.Key_4)  # lane 4 is free from 0 to 3
    for _ in range(4):
        qtbot.keyClick(tl, Qt.Key.Key_Up)  # the cursor to beat -3
    assert "stops at beat 0" in win.statusBar().currentMessage()
    qtbot.keyRelease(tl, Qt.Key.Key_4)
    assert not _before_0(win)
    assert Note(Fraction(0), 3, NoteKind.HOLD, Fraction(1)) in s.chart.notes
    assert s.doc.history.undo_stack_names()[-1] == "Add hold"
    assert win.files.save()

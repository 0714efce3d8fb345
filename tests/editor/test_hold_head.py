"""Alt + left drag on the head of a hold or roll moves its start (the end stays): at least one snap step long,
stopping one snap step after the lane's previous note or hold end, never before beat 0, one undo step, nothing
when dragged back; the pointer shows it over the head while Alt is down; a plain drag on a head still moves."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from chart.commands import AddNotes, RemoveNotes
from chart.notes import Note, NoteKind
from editor.controllers.hold_head import dragged_start
from tests.editor.test_editing import drag_mouse, notes, pos_of, seek_beat

pytestmark = pytest.mark.qt
ALT = Qt.KeyboardModifier.AltModifier
HOLD = Note(Fraction(4), 0, NoteKind.HOLD, Fraction(2))  # the Beginner chart's hold (lane 0 has a tap at beat 0)
ROLL = Note(Fraction(8), 3, NoteKind.ROLL, Fraction(1))


def steps(win) -> list[str]:
    return win.session.doc.history.undo_stack_names()


def test_the_head_of_a_hold_is_told_from_its_end_and_body(opened):
    win = opened
    win.session.set_divisor(4)
    seek_beat(win, 5)
    tl = win.timeline
    head = tl.hit_at(QPointF(pos_of(win, 4, 0)))
    assert head.head
    assert not head.tail
    assert tl.index.notes[head.note] == HOLD
    assert not tl.hit_at(QPointF(pos_of(win, 5, 0))).head  # the body
    end = tl.hit_at(QPointF(pos_of(win, 6, 0)))
    assert end.tail
    assert not end.head
    assert not tl.hit_at(QPointF(pos_of(win, 1, 1))).head  # a tap has no head to drag
    assert tl.resizes_at(head, alt=True)
    assert not tl.resizes_at(head, alt=False)
    assert tl.resizes_at(end, alt=False)


def test_the_pointer_shows_a_draggable_head_while_alt_is_down(opened, qtbot):
    win = opened
    seek_beat(win, 5)
    tl = win.timeline
    vp = tl.viewport()
    # Qt drops a move to where the pointer already is (an earlier test may have left it there): move off it first
    qtbot.mouseMove(vp, pos=pos_of(win, 4, 0) + QPoint(3, 3))
    qtbot.mouseMove(vp, pos=pos_of(win, 4, 0))
    assert tl.cursor().shape() == Qt.CursorShape.ArrowCursor  # without Alt a drag there moves the hold
    qtbot.keyPress(tl, Qt.Key.Key_Alt, ALT)
    assert tl.cursor().shape() == Qt.CursorShape.SizeVerCursor
    qtbot.keyRelease(tl, Qt.Key.Key_Alt)
    assert tl.cursor().shape() == Qt.CursorShape.ArrowCursor
    qtbot.mouseMove(vp, pos=pos_of(win, 6, 1))  # a tap, with Alt: it can be drawn out into a hold
    qtbot.keyPress(tl, Qt.Key.Key_Alt, ALT)
    assert tl.cursor().shape() == Qt.CursorShape.SizeVerCursor
    qtbot.keyRelease(tl, Qt.Key.Key_Alt)
    qtbot.mouseMove(vp, pos=pos_of(win, 5, 2.5))
    assert tl.cursor().shape() == Qt.CursorShape.ArrowCursor


def test_alt_drag_moves_the_start_and_keeps_the_end(opened, qtbot):
    win = opened
    s = win.session
    s.set_divisor(4)
    seek_beat(win, 5)
    before = steps(win)
    drag_mouse(win, qtbot, 0, [4, 3.5, 3, 2.6], ALT)  # earlier: longer, ending where it did
    moved = Note(Fraction(3), 0, NoteKind.HOLD, Fraction(3))
    assert moved in notes(win)
    assert HOLD not in notes(win)
    assert steps(win) == [*before, "Move hold start"]
    assert s.selection == {moved}
    drag_mouse(win, qtbot, 0, [3, 5, 7, 9], ALT)  # past its end: one snap step long at least
    assert Note(Fraction(5), 0, NoteKind.HOLD, Fraction(1)) in notes(win)
    s.doc.undo()
    s.doc.undo()
    assert HOLD in notes(win)
    assert steps(win) == before


def test_the_head_stops_a_snap_step_after_the_lane_s_previous_note_or_hold_end(opened, qtbot):
    win = opened
    s = win.session
    s.set_divisor(4)
    seek_beat(win, 4)
    drag_mouse(win, qtbot, 0, [4, 3, 2, 1, 0], ALT)  # a tap at beat 0 in lane 0
    assert Note(Fraction(1), 0, NoteKind.HOLD, Fraction(5)) in notes(win)
    later = Note(Fraction(12), 3, NoteKind.HOLD, Fraction(2))  # after the roll 8-9 in lane 3
    s.push(AddNotes(s.chart, [later]))
    seek_beat(win, 11)
    drag_mouse(win, qtbot, 3, [12, 10, 9, 8], ALT)
    assert Note(Fraction(10), 3, NoteKind.HOLD, Fraction(4)) in notes(win)
    s.set_divisor(8)  # a finer snap: closer
    drag_mouse(win, qtbot, 3, [10, 9.5, 9], ALT)
    assert Note(Fraction(19, 2), 3, NoteKind.HOLD, Fraction(9, 2)) in notes(win)


def test_a_roll_stays_a_roll_and_dragging_back_changes_nothing(opened, qtbot):
    win = opened
    s = win.session
    s.set_divisor(4)
    seek_beat(win, 8)
    before = steps(win)
    drag_mouse(win, qtbot, 3, [8, 7, 6, 8], ALT)  # away and back
    assert ROLL in notes(win)
    assert steps(win) == before
    assert not s.doc.history.in_stroke
    drag_mouse(win, qtbot, 3, [8, 7, 6], ALT)
    assert Note(Fraction(6), 3, NoteKind.ROLL, Fraction(3)) in notes(win)
    assert steps(win)[-1] == "Move hold start"


def test_escape_cancels_a_head_drag_and_a_plain_drag_moves_the_hold(opened, qtbot):
    win = opened
    s = win.session
    s.set_divisor(4)
    seek_beat(win, 5)
    vp = win.timeline.viewport()
    before = steps(win)
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, ALT, pos=pos_of(win, 4, 0))
    qtbot.mouseMove(vp, pos=pos_of(win, 2, 0))
    assert Note(Fraction(2), 0, NoteKind.HOLD, Fraction(4)) in notes(win)  # the live preview
    win.actions["edit.select_none"].trigger()  # Escape
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, ALT, pos=pos_of(win, 2, 0))
    assert HOLD in notes(win)
    assert steps(win) == before
    assert not s.doc.history.in_stroke
    drag_mouse(win, qtbot, 0, [4, 4.5, 5])  # no Alt: the hold moves whole
    assert Note(Fraction(5), 0, NoteKind.HOLD, Fraction(2)) in notes(win)
    assert steps(win)[-1] == "Move notes"


def test_head_drag_in_reverse_scroll(opened, qtbot):
    win = opened
    win.session.set_divisor(4)
    win.actions["view.reverse"].setChecked(True)
    seek_beat(win, 5)
    assert pos_of(win, 3, 0).y() > pos_of(win, 4, 0).y()  # earlier is lower now
    drag_mouse(win, qtbot, 0, [4, 3.5, 3], ALT)  # down the screen: earlier
    assert Note(Fraction(3), 0, NoteKind.HOLD, Fraction(3)) in notes(win)


def test_dragged_start_never_goes_before_beat_0(opened):
    s = opened.session
    s.push(RemoveNotes(s.chart, [Note(Fraction(0), 0)]))
    doc, gap = s.doc, Fraction(1)
    assert dragged_start(doc, s.chart, HOLD, Fraction(-3), gap) == 0
    assert dragged_start(doc, s.chart, HOLD, Fraction(9), gap) == 5  # one step before the end
    assert dragged_start(doc, s.chart, HOLD, Fraction(4), gap) == 4
    s.push(AddNotes(s.chart, [Note(Fraction(7, 2), 0)]))  # off the snap, half a beat before the head: no room
    assert dragged_start(doc, s.chart, HOLD, Fraction(2), gap) == 4

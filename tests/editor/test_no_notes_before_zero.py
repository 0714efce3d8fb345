"""No edit puts a note before beat 0, where no .sm/.ssc/.osu file keeps notes (docs/editor.md): Shift Earlier by
Snap (Alt+Up) moved the notes at beat 0 to beat -1/4, and a take recorded from the intro kept its early keys; Save
then refused the chart."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import Qt

from chart.notes import Note

pytestmark = pytest.mark.qt


def test_shift_earlier_that_would_cross_beat_0_changes_nothing_and_says_why(opened, qtbot):
    win = opened
    s = win.session
    before = sorted(s.chart.notes)
    undo_depth = len(s.doc.history.undo_stack_names())
    qtbot.keyClick(win.timeline, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # the first note is at beat 0
    qtbot.keyClick(win.timeline, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert sorted(s.chart.notes) == before
    assert len(s.doc.history.undo_stack_names()) == undo_depth
    assert "before beat 0" in win.statusBar().currentMessage()
    s.select([Note(Fraction(1), 1)])  # a note that has room still moves
    qtbot.keyClick(win.timeline, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert Note(Fraction(3, 4), 1) in s.chart.notes
    assert win.files.save()


def test_a_take_from_the_intro_records_no_note_before_beat_0_and_says_so(fake, qtbot):
    win, clock = fake
    s = win.session
    s.set_divisor(16)
    win.seek(float(s.timing().beat_to_seconds(Fraction(-1))))  # the cursor in the intro, one beat before beat 0
    before = sorted(s.chart.notes)
    win.actions["play.record"].trigger()
    assert win.record.active
    clock.advance(1.0 + 0.25)  # the second of lead-in, then half a beat: still before beat 0
    qtbot.keyClick(win.timeline, Qt.Key.Key_D)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Escape)
    assert not win.record.active
    assert sorted(s.chart.notes) == before
    assert "before beat 0 not recorded" in win.statusBar().currentMessage()
    assert win.files.save()

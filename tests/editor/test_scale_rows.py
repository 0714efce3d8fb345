"""Expand/Compress keeps notes on StepMania's 48 rows per beat (docs/editor.md, Keys): Compress 2:3 twice on 8ths
put notes on 2/9, 4/9... beats without a word, and Save then refused the chart ("note off StepMania's grid"). Now
such an edit changes nothing and the status line names how many notes and the snap they would need; with that
(custom) snap chosen they go there exactly, and notes already between the rows scale exactly."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.commands import AddNotes
from chart.notes import Note, NoteKind
from editor.controllers.reshape import off_rows
from editor.toolbar import set_custom_snap

pytestmark = pytest.mark.qt


def test_a_scale_that_would_leave_stepmania_s_rows_changes_nothing_and_says_which_snap(opened):
    win = opened
    s = win.session
    s.set_chart(s.doc.song.charts[1])  # Easy: taps on every 8th (beats 0, 1/2, 1, ...)
    win.editing.select_all()
    win.actions["edit.compress_2_3"].trigger()  # 8ths -> 12ths: on the rows
    assert [n.beat for n in s.chart.notes[:4]] == [0, F(1, 3), F(2, 3), 1]
    steps = s.doc.undo_stack_names()
    before = list(s.chart.notes)
    win.editing.select_all()
    win.actions["edit.compress_2_3"].trigger()  # 12ths -> 18ths: between the rows
    assert s.chart.notes == before
    assert s.doc.undo_stack_names() == steps
    message = win.statusBar().currentMessage()
    assert message.startswith("Compress 2:3: nothing changed: 10 note(s) would fall between StepMania's 48 rows")
    assert "1/36 snap, 9 per beat" in message
    assert win.files.save()

    set_custom_snap(win, 9)  # the snap those notes need, chosen (the Snap list's Custom...): they go there exactly
    win.editing.select_all()
    win.actions["edit.compress_2_3"].trigger()
    assert [n.beat for n in s.chart.notes[:3]] == [0, F(2, 9), F(4, 9)]
    assert s.doc.undo_stack_names()[-1] == "Compress 2:3"
    assert "10 now between StepMania's rows, on the 1/36 snap" in win.statusBar().currentMessage()


def test_hold_ends_count_and_notes_already_between_the_rows_scale_exactly(opened):
    win = opened
    s = win.session
    s.push(AddNotes(s.chart, [Note(F(21, 5), 1)]))  # an osu!-style 1/5-beat note, between the rows already
    hold = Note(F(4), 0, NoteKind.HOLD, F(2))
    s.select([hold, Note(F(21, 5), 1)])
    win.transforms.scale(F(3, 4))  # the hold's end 6 -> 11/2, the 1/5 note -> 83/20: both fine
    assert {Note(F(4), 0, NoteKind.HOLD, F(3, 2)), Note(F(83, 20), 1)} <= set(s.chart.notes)
    short = Note(F(10), 0, NoteKind.HOLD, F(1, 48))  # a hold of one row: its head stays, its end leaves the rows
    s.push(AddNotes(s.chart, [short]))
    s.select([short])
    win.transforms.scale(F(3, 4))
    assert short in s.chart.notes
    assert "1 note(s) would fall between" in win.statusBar().currentMessage()
    assert "1/256 snap, 64 per beat" in win.statusBar().currentMessage()
    assert off_rows([Note(F(1, 5), 0)], [Note(F(2, 15), 0)]) == ([], 192)  # already between them: not counted

"""A recording frame that replaces a note it showed (a hold drawn out) tells the views once: the step was done
outside the Document's batch, so its removal and its insertion each sent ``notes_changed`` (each a redraw of the
notefield, the minimap and the panels, 60 times a second)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from PySide6.QtCore import Qt

from chart.commands import ReplaceNotes
from chart.document import Document
from chart.history import MacroCommand
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song

pytestmark = pytest.mark.qt


def test_a_frame_that_draws_a_hold_out_sends_one_notes_changed(fake, qtbot):
    win, clock = fake
    easy = next(c for c in win.session.doc.song.charts if c.slot == Slot.EASY)  # notes every half beat to 7.5
    win.session.set_chart(easy)
    win.session.set_divisor(16)
    win.seek(0.1 + 7 * 0.5)
    assert win.record.start()
    win.record.timer.stop()  # frames driven by hand
    doc = win.session.doc
    clock.advance(0.1 + 7.25 * 0.5 - win.playback.player.position_s())
    qtbot.keyPress(win.timeline, Qt.Key.Key_F)
    win.record.frame()  # the first frame shows the take (the stroke's command)
    sent: list[tuple] = []
    doc.notes_changed.connect(lambda *args: sent.append(args))
    counts = []
    for _ in range(8):  # the hold drawn out: a frame replaces the note it showed
        sent.clear()
        clock.advance(0.1)
        win.record.frame()
        counts.append(len(sent))
    assert max(counts) == 1, counts  # was 2: the removal's and the insertion's
    qtbot.keyRelease(win.timeline, Qt.Key.Key_F)
    take = win.record.stop()
    assert take.holds == 1


def test_apply_in_stroke_is_one_batch_of_signals():
    chart = Chart(notes=[Note(F(1), 0)])
    doc = Document(Song(charts=[chart]))
    sent: list[tuple] = []
    doc.notes_changed.connect(lambda *args: sent.append(args))
    doc.begin_stroke("Record")
    take = MacroCommand("Record", [ReplaceNotes(chart, [], [Note(F(2), 1)], name="Record")])
    doc.update_stroke(take)
    sent.clear()
    step = ReplaceNotes(chart, [Note(F(2), 1)], [Note(F(2), 1, NoteKind.HOLD, F(1))], name="Record")
    doc.apply_in_stroke(step)
    take.children.append(step)
    assert len(sent) == 1
    assert chart.notes == [Note(F(1), 0), Note(F(2), 1, NoteKind.HOLD, F(1))]
    doc.abort_stroke()  # the stroke's command undoes the step with the rest
    assert chart.notes == [Note(F(1), 0)]

"""History.withdraw drops the redo steps that followed the withdrawn ones (they were made on a state no step
reaches after it: Redo raised KeyError for a chart no longer in the song)."""

from __future__ import annotations

from chart.commands import AddChart, AddNotes
from chart.document import Document
from chart.song import Chart, Slot
from tests.chart.helpers import FakeClock, make_song, tap


def _doc() -> Document:
    return Document(make_song(), clock=FakeClock(), merge_window_s=1.0)


def test_withdraw_drops_redo_steps_made_in_the_withdrawn_chart() -> None:
    doc = _doc()
    held = doc.history._held_total
    added = AddChart(Chart(slot=Slot.CHALLENGE))  # the empty chart an AI draft request adds
    doc.push(added)
    doc.push(AddNotes(added.chart, [tap(1, 0), tap(2, 1)]))  # placed while the draft runs ...
    doc.undo()  # ... and undone: the redo step edits the draft's chart
    assert doc.history.can_redo
    doc.withdraw([added])  # the draft is cancelled
    assert not doc.history.can_redo
    assert doc.history.redo_stack_names() == []
    assert doc.redo() is False  # was: KeyError 'chart dance-single/Challenge is not part of this song'
    assert doc.history._held_total == held  # the dropped redo step's notes are no longer counted
    assert set(doc.history._held) == {id(c) for c in doc.history.undo_commands()}
    assert doc.is_clean  # the state the song was loaded in


def test_withdraw_forgets_a_saved_state_that_was_a_redo_step() -> None:
    doc = _doc()
    added = AddChart(Chart(slot=Slot.CHALLENGE))
    doc.push(added)
    doc.push(AddNotes(added.chart, [tap(1, 0)]))
    doc.mark_clean()  # saved with the note
    doc.undo()
    doc.withdraw([added])
    assert not doc.is_clean
    doc.push(AddNotes(doc.chart("dance-single/Hard"), [tap(40, 2)]))
    doc.undo()
    assert not doc.is_clean  # no step reaches the saved state any more

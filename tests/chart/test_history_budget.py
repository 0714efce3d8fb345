"""The undo history is capped by the notes its steps hold, not only by their count: a step keeps the notes it took
out and put in, so 1,000 whole-chart edits of a 22k-note chart held 1.8 GB. The oldest steps go first, the newest
always stays, the saved state follows the steps that are left, and a merged step is counted again."""

from __future__ import annotations

import copy
from fractions import Fraction

from chart.commands import AddNotes, MoveNotes, ReplaceNotes, SetTiming
from chart.document import Document
from chart.history import DEFAULT_LIMIT, DEFAULT_NOTE_BUDGET, held_notes
from chart.timing import TimingData
from tests.chart.helpers import FakeClock, make_song, tap


def hard(doc: Document):
    return doc.chart("dance-single/Hard")


def whole_chart_step(doc: Document, name: str = "Shift") -> ReplaceNotes:
    """Select All + Shift by a 1/16 step: every note out, every note in."""
    chart = hard(doc)
    old = list(chart.notes)
    return ReplaceNotes(chart, old, [n.replace(beat=n.beat + Fraction(1, 4)) for n in old], name=name)


def budgeted(notes: int, budget: int) -> tuple[Document, FakeClock]:
    clock = FakeClock()
    doc = Document(make_song(notes_per_chart=notes), clock=clock)
    doc.history.note_budget = budget
    return doc, clock


def test_the_defaults():
    assert DEFAULT_LIMIT == 1000
    assert DEFAULT_NOTE_BUDGET == 2_000_000  # docs/editor.md (Undo) gives both
    assert Document(make_song()).history.note_budget == DEFAULT_NOTE_BUDGET


def test_steps_count_the_notes_they_hold():
    doc = Document(make_song(notes_per_chart=16))
    assert held_notes(whole_chart_step(doc)) == 32
    assert held_notes(AddNotes(hard(doc), [tap(40, 0)])) == 1
    assert held_notes(SetTiming(TimingData.constant(150))) == 1
    with doc.transaction("Both") as macro:
        doc.push(whole_chart_step(doc))
        doc.push(AddNotes(hard(doc), [tap(40, 0)]))
    assert held_notes(macro) == 33


def test_the_oldest_steps_go_once_the_steps_hold_more_than_the_budget():
    doc, clock = budgeted(16, 100)
    start = copy.deepcopy(doc.song)
    for _ in range(5):  # 32 notes held each: three fit in 100
        doc.push(whole_chart_step(doc))
        clock.advance(5)
    assert doc.undo_stack_names() == ["Shift"] * 3
    assert doc.history._held_total == 96
    while doc.undo():
        pass
    assert not doc.is_clean  # the saved state fell off the stack
    assert hard(doc).notes == [n.replace(beat=n.beat + Fraction(2, 4)) for n in start.charts[1].notes]


def test_the_newest_step_stays_even_alone_over_the_budget():
    doc, clock = budgeted(16, 10)
    doc.push(AddNotes(hard(doc), [tap(40, 0)]))
    clock.advance(5)
    doc.push(whole_chart_step(doc))
    assert doc.undo_stack_names() == ["Shift"]
    assert doc.undo()
    assert not doc.history.can_undo


def test_the_saved_state_follows_the_steps_left():
    doc, clock = budgeted(16, 102)
    doc.push(AddNotes(hard(doc), [tap(40, 0)]))
    clock.advance(5)
    doc.history.set_clean()  # saved after the first step
    doc.push(whole_chart_step(doc))
    clock.advance(5)
    assert doc.history.clean_index == 1
    doc.push(whole_chart_step(doc))  # 17 notes now: 1 + 34 + 34 = 69, all kept
    clock.advance(5)
    assert doc.history.clean_index == 1
    doc.push(whole_chart_step(doc))  # 103: the first step goes, the saved state is the opened row now
    assert doc.undo_stack_names() == ["Shift"] * 3
    assert doc.history.clean_index == 0
    while doc.undo():
        pass
    assert doc.is_clean


def test_redo_steps_dropped_by_a_new_edit_free_their_notes():
    doc, clock = budgeted(16, 101)
    for _ in range(3):
        doc.push(whole_chart_step(doc))
        clock.advance(5)
    doc.undo()
    doc.undo()
    doc.push(AddNotes(hard(doc), [tap(40, 0)]))
    assert doc.history._held_total == 33
    for _ in range(2):  # 17 notes now: 34 a step
        clock.advance(5)
        doc.push(whole_chart_step(doc))
    assert doc.undo_stack_names() == ["Shift", "Add notes", "Shift", "Shift"]
    clock.advance(5)
    doc.push(whole_chart_step(doc))  # 135: the oldest go until 68 is left
    assert doc.undo_stack_names() == ["Shift", "Shift"]
    assert doc.history._held_total == 68


def test_a_merged_step_is_counted_again():
    doc, clock = budgeted(16, 1000)
    chart = hard(doc)
    moving = list(chart.notes[:4])
    doc.push(MoveNotes(chart, moving, Fraction(1, 4)))
    first = doc.history._held_total
    moved = [n.replace(beat=n.beat + Fraction(1, 4)) for n in moving]
    doc.push(MoveNotes(chart, moved, Fraction(1, 4)))  # a nudge within the merge window: one step
    assert doc.undo_stack_names() == ["Move notes"]
    assert doc.history._held_total == held_notes(doc.history.undo_commands()[-1]) >= first
    doc.history.clear()
    assert doc.history._held_total == 0


def test_chart_steps_count_the_whole_chart_they_keep():
    """Duplicate (AddChart of a deep copy) and Delete chart (RemoveChart) keep a whole chart each: they counted 1,
    so 20 Duplicate + Delete cycles of a 13k-note chart held 37 MB while the budget saw 40 notes."""
    from chart.commands import AddChart, RemoveChart

    doc, clock = budgeted(16, 100)
    for _ in range(5):
        twin = copy.deepcopy(hard(doc))
        twin.description = "copy"
        add = AddChart(twin, name="Duplicate chart")
        doc.push(add)
        assert held_notes(add) == 16
        remove = RemoveChart(twin)
        doc.push(remove)
        assert held_notes(remove) == 16
        clock.advance(5)
    assert held_notes(RemoveChart("dance-single/Hard")) == 1  # not done yet: a chart id holds nothing
    assert len(doc.undo_stack_names()) == 6  # 6 x 16 = 96 notes fit in 100; the older steps went
    assert doc.history._held_total == 96


def test_dropped_counts_the_steps_the_limits_took_off():
    """The History panel says how many steps are gone before its first row (it read "(opened)" after 1,100 steps,
    undo reaching back only 1,000): the history counts them, by the step limit and the note budget alike."""
    doc, _clock = budgeted(notes=40, budget=10**9)
    doc.history.limit = 3
    for k in range(5):
        doc.history._last_push_s = None
        doc.push(AddNotes(hard(doc), [tap(Fraction(500 + k), k % 4)]))
    assert doc.history.dropped == 2
    doc.history.limit = 1000
    doc.history.note_budget = 50  # one whole-chart step (80 notes) pushes out all but the newest
    doc.push(whole_chart_step(doc))
    assert (doc.history.dropped, len(doc.history.undo_stack_names())) == (5, 1)
    doc.history.clear()
    assert doc.history.dropped == 0

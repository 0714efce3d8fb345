"""History: push/undo/redo, merge window, transactions, drag strokes, clean marker (driven through Document)."""

from __future__ import annotations

import copy
from fractions import Fraction

import pytest

from chart.commands import (
    AddNotes,
    MoveNotes,
    RemoveNotes,
    ReplaceRegion,
    SetHoldLength,
    SetSongMeta,
    SetTiming,
)
from chart.document import Document
from chart.history import Command, HistoryError, MacroCommand
from chart.timing import TimingData
from tests.chart.helpers import FakeClock, hold, make_song, tap


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def doc(clock: FakeClock) -> Document:
    return Document(make_song(), clock=clock, merge_window_s=1.0)


def hard(doc: Document):
    return doc.chart("dance-single/Hard")


def test_push_undo_redo_restore_exact_states(doc: Document, clock: FakeClock) -> None:
    start = copy.deepcopy(doc.song)
    doc.push(AddNotes(hard(doc), [tap(20, 1)]))
    clock.advance(5)
    doc.push(RemoveNotes(hard(doc), [tap(0, 0)]))
    end = copy.deepcopy(doc.song)
    assert doc.undo_stack_names() == ["Add notes", "Remove notes"]
    assert doc.undo()
    assert doc.undo()
    assert not doc.undo()
    assert doc.song == start
    assert doc.redo()
    assert doc.redo()
    assert not doc.redo()
    assert doc.song == end


def test_push_clears_redo(doc: Document, clock: FakeClock) -> None:
    doc.push(AddNotes(hard(doc), [tap(20, 1)]))
    doc.undo()
    assert doc.history.redo_stack_names() == ["Add notes"]
    doc.push(AddNotes(hard(doc), [tap(21, 2)]))
    assert doc.history.redo_stack_names() == []
    assert not doc.redo()


def test_invalid_command_changes_nothing_and_is_not_recorded(doc: Document) -> None:
    before = copy.deepcopy(doc.song)
    with pytest.raises(KeyError):  # the second note does not exist: the first must not be removed either
        doc.push(RemoveNotes(hard(doc), [tap(0, 0), tap(99, 3)]))
    with pytest.raises(ValueError, match="lane"):
        doc.push(MoveNotes(hard(doc), [tap(0, 0)], lane_delta=7))
    assert doc.song == before
    assert doc.undo_stack_names() == []


def test_moves_within_window_merge_into_one_step(doc: Document, clock: FakeClock) -> None:
    start = copy.deepcopy(doc.song)
    notes = [tap(0, 0), tap(Fraction(1, 2), 1)]
    for _ in range(3):  # three keyboard nudges 0.3 s apart
        doc.push(MoveNotes(hard(doc), notes, Fraction(1, 4)))
        notes = [n.replace(beat=n.beat + Fraction(1, 4)) for n in notes]
        clock.advance(0.3)
    assert doc.undo_stack_names() == ["Move notes"]
    assert doc.contains(hard(doc), tap(Fraction(3, 4), 0))
    doc.undo()
    assert doc.song == start


def test_moves_outside_window_stay_separate(doc: Document, clock: FakeClock) -> None:
    doc.push(MoveNotes(hard(doc), [tap(0, 0)], 1))
    clock.advance(1.5)
    doc.push(MoveNotes(hard(doc), [tap(1, 0)], 1))
    assert doc.undo_stack_names() == ["Move notes", "Move notes"]


def test_moves_of_other_notes_do_not_merge(doc: Document) -> None:
    doc.push(MoveNotes(hard(doc), [tap(0, 0)], 1))
    doc.push(MoveNotes(hard(doc), [tap(Fraction(1, 2), 1)], 1))
    assert len(doc.undo_stack_names()) == 2


def test_song_meta_typing_merges_and_undoes_to_original(doc: Document, clock: FakeClock) -> None:
    for text in ("T", "Ti", "Tit", "Title"):
        doc.push(SetSongMeta(title=text))
        clock.advance(0.2)
    assert doc.song.title == "Title"
    assert doc.undo_stack_names() == ["Change song properties"]
    doc.undo()
    assert doc.song.title == "Test"


def test_hold_length_changes_merge(doc: Document) -> None:
    h = hold(8, 2, 1)
    doc.push(AddNotes(hard(doc), [h]))
    doc.push(SetHoldLength(hard(doc), h, 2))
    doc.push(SetHoldLength(hard(doc), h.replace(length=Fraction(2)), 3))
    assert doc.undo_stack_names() == ["Add notes", "Change hold length"]
    doc.undo()
    assert doc.contains(hard(doc), h)


def test_timing_changes_merge_per_target(doc: Document) -> None:
    original = doc.song.timing
    for bpm in (121, 122, 123):
        doc.push(SetTiming(TimingData.constant(bpm)))
    assert doc.undo_stack_names() == ["Change timing"]
    doc.undo()
    assert doc.song.timing == original


def test_no_merge_into_saved_state(doc: Document, clock: FakeClock) -> None:
    doc.push(SetSongMeta(title="A"))
    doc.mark_clean()
    doc.push(SetSongMeta(title="AB"))  # within the window, but the saved state must stay reachable
    assert doc.undo_stack_names() == ["Change song properties", "Change song properties"]
    assert not doc.is_clean
    doc.undo()
    assert doc.is_clean
    assert doc.song.title == "A"


def test_transaction_is_one_step_and_nests(doc: Document) -> None:
    start = copy.deepcopy(doc.song)
    with doc.transaction("Mirror"):
        doc.push(RemoveNotes(hard(doc), [tap(0, 0)]))
        with doc.transaction("inner"):
            doc.push(AddNotes(hard(doc), [tap(0, 3)]))
            doc.push(SetSongMeta(title="Mirrored"))
        assert doc.history.in_transaction
    assert doc.undo_stack_names() == ["Mirror"]
    end = copy.deepcopy(doc.song)
    doc.undo()
    assert doc.song == start
    doc.redo()
    assert doc.song == end


def test_transaction_rolls_back_on_error(doc: Document) -> None:
    start = copy.deepcopy(doc.song)
    def broken_edit() -> None:
        with doc.transaction("Broken"):
            doc.push(RemoveNotes(hard(doc), [tap(0, 0)]))
            doc.push(SetSongMeta(title="half done"))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        broken_edit()
    assert doc.song == start
    assert doc.undo_stack_names() == []
    assert doc.is_clean


def test_inner_transaction_error_rolls_back_only_inner(doc: Document) -> None:
    with doc.transaction("Outer"):
        doc.push(AddNotes(hard(doc), [tap(30, 0)]))
        def cancelled() -> None:
            with doc.transaction("Inner"):
                doc.push(AddNotes(hard(doc), [tap(31, 1)]))
                raise ValueError("user cancelled")

        with pytest.raises(ValueError, match="cancelled"):
            cancelled()
    assert doc.contains(hard(doc), tap(30, 0))
    assert not doc.contains(hard(doc), tap(31, 1))
    assert doc.undo_stack_names() == ["Outer"]


def test_empty_transaction_records_nothing(doc: Document) -> None:
    with doc.transaction("Nothing"):
        pass
    assert doc.undo_stack_names() == []


def test_undo_inside_transaction_is_refused(doc: Document) -> None:
    doc.push(AddNotes(hard(doc), [tap(30, 0)]))
    with doc.transaction("T"), pytest.raises(HistoryError):
        doc.undo()


def test_stroke_updates_replace_each_other_and_commit_once(doc: Document) -> None:
    start = copy.deepcopy(doc.song)
    notes = [tap(0, 0)]
    doc.begin_stroke("Move notes")
    for delta in (Fraction(1, 4), Fraction(1, 2), Fraction(3, 4)):
        doc.update_stroke(MoveNotes(hard(doc), notes, delta))
        assert doc.contains(hard(doc), tap(delta, 0))
        assert not doc.is_clean
    assert doc.undo_stack_names() == []  # nothing recorded while dragging
    assert doc.commit_stroke()
    assert doc.undo_stack_names() == ["Move notes"]
    assert doc.contains(hard(doc), tap(Fraction(3, 4), 0))
    doc.undo()
    assert doc.song == start


def test_stroke_renamed_before_commit_records_the_new_name(doc: Document) -> None:
    doc.begin_stroke("Add tap")
    doc.update_stroke(AddNotes(hard(doc), [hold(40, 1, 2)], name="Add notes"))
    doc.rename_stroke("Add hold")
    assert doc.commit_stroke()
    assert doc.undo_stack_names() == ["Add hold"]
    with pytest.raises(HistoryError):
        doc.rename_stroke("no stroke open")


def test_stroke_abort_restores_start(doc: Document) -> None:
    start = copy.deepcopy(doc.song)
    doc.begin_stroke("Move notes")
    doc.update_stroke(MoveNotes(hard(doc), [tap(0, 0)], 2, 1))
    doc.abort_stroke()
    assert doc.song == start
    assert doc.undo_stack_names() == []
    assert doc.is_clean


def test_invalid_stroke_update_keeps_last_valid_position(doc: Document) -> None:
    doc.begin_stroke("Move notes")
    doc.update_stroke(MoveNotes(hard(doc), [tap(0, 0)], 0, 3))
    with pytest.raises(ValueError, match="lane 5"):
        doc.update_stroke(MoveNotes(hard(doc), [tap(0, 0)], 0, 5))  # past the last lane
    assert doc.contains(hard(doc), tap(0, 3))
    doc.commit_stroke()
    assert doc.undo_stack_names() == ["Move notes"]


def test_stroke_with_no_update_records_nothing(doc: Document) -> None:
    doc.begin_stroke("Drag")
    assert not doc.commit_stroke()
    assert doc.undo_stack_names() == []


def test_edits_during_stroke_are_refused(doc: Document) -> None:
    doc.begin_stroke("Drag")
    with pytest.raises(HistoryError):
        doc.push(AddNotes(hard(doc), [tap(40, 0)]))
    with pytest.raises(HistoryError):
        doc.undo()
    doc.abort_stroke()


def test_stroke_named_differently_is_wrapped(doc: Document) -> None:
    doc.begin_stroke("Drag hold end")
    doc.update_stroke(AddNotes(hard(doc), [hold(40, 0, 2)]))
    doc.commit_stroke()
    assert doc.undo_stack_names() == ["Drag hold end"]
    assert isinstance(doc.history.undo_commands()[0], MacroCommand)


def test_clean_marker_and_signal(doc: Document) -> None:
    events: list[bool] = []
    doc.clean_changed.connect(events.append)
    assert doc.is_clean
    doc.push(AddNotes(hard(doc), [tap(30, 0)]))
    doc.mark_clean()
    doc.push(AddNotes(hard(doc), [tap(31, 0)]))
    doc.undo()
    assert doc.is_clean
    doc.undo()
    assert not doc.is_clean
    doc.redo()
    assert events == [False, True, False, True, False, True]


def test_clean_state_lost_when_redo_branch_is_dropped(doc: Document) -> None:
    doc.push(AddNotes(hard(doc), [tap(30, 0)]))
    doc.mark_clean()
    doc.undo()
    doc.push(AddNotes(hard(doc), [tap(31, 0)]))  # the saved state can no longer be reached
    doc.undo()
    assert not doc.is_clean


def test_transaction_reports_dirty_once(doc: Document) -> None:
    events: list[bool] = []
    doc.clean_changed.connect(events.append)
    with doc.transaction("Two"):
        doc.push(AddNotes(hard(doc), [tap(30, 0)]))
        doc.push(AddNotes(hard(doc), [tap(31, 0)]))
    assert events == [False]


def test_limit_drops_oldest_steps(clock: FakeClock) -> None:
    doc = Document(make_song(), clock=clock, history_limit=3)
    for i in range(5):
        doc.push(AddNotes(hard(doc), [tap(40 + i, 0)]))
        clock.advance(5)
    assert len(doc.undo_stack_names()) == 3
    while doc.undo():
        pass
    assert doc.contains(hard(doc), tap(41, 0))
    assert not doc.contains(hard(doc), tap(42, 0))
    assert not doc.is_clean  # the saved (empty) state fell off the stack


def test_replace_region_is_one_step_with_provenance(doc: Document) -> None:
    start = copy.deepcopy(doc.song)
    provenance = {"model_id": "onset-v1", "manifest_version": 1, "sha256": "0" * 64, "lane_model": "rule",
                  "backend": "onnx-cpu", "seed": 7, "parameters": {"threshold": 0.4}}  # Provenance.as_dict()
    draft = [tap(2, 3), tap(Fraction(5, 2), 0), hold(3, 1, Fraction(1, 2))]
    doc.push(ReplaceRegion(hard(doc), 2, 4, draft, provenance=provenance))
    in_region = doc.notes_in_range(hard(doc), Fraction(2), Fraction(4))
    assert in_region == sorted(draft)
    assert doc.notes_in_range(hard(doc), Fraction(0), Fraction(2)) == start.charts[1].notes[:4]
    command = doc.history.undo_commands()[-1]
    assert command.provenance == provenance
    assert isinstance(command, Command)
    doc.undo()
    assert doc.song == start


def test_replace_region_rejects_notes_outside() -> None:
    with pytest.raises(ValueError, match="outside"):
        ReplaceRegion("dance-single/Hard", 2, 4, [tap(4, 0)])


def test_a_save_in_the_middle_of_a_drag_claims_no_state_undo_reaches(doc: Document) -> None:
    """A Save during a record take marked the state before the take as saved: once the take was undone the editor
    said clean while the file held the take's first notes."""
    doc.begin_stroke("Record")
    doc.update_stroke(AddNotes(hard(doc), [tap(20, 1), tap(21, 2)]))  # half a take, shown
    doc.mark_clean()  # what was written: the half take
    doc.update_stroke(AddNotes(hard(doc), [tap(20, 1), tap(21, 2), tap(22, 3)]))
    assert doc.commit_stroke()
    assert not doc.is_clean
    doc.undo()  # back to before the take: not what the file holds
    assert not doc.is_clean
    doc.redo()  # the whole take: not what the file holds either
    assert not doc.is_clean
    doc.begin_stroke("Move notes")  # a drag that has changed nothing yet: the state is the undo stack's
    doc.mark_clean()
    doc.abort_stroke()
    assert doc.is_clean


def test_withdraw_undoes_the_last_steps_without_redo_entries(doc: Document, clock: FakeClock) -> None:
    """A cancelled AI draft took its empty charts back with Undo, so Redo brought them back (empty, no draft)."""
    from chart.commands import AddChart
    from chart.song import Chart, Slot

    doc.push(AddNotes(hard(doc), [tap(20, 1)]))
    before = copy.deepcopy(doc.song)
    doc.mark_clean()
    added = [AddChart(Chart(slot=Slot.BEGINNER)), AddChart(Chart(slot=Slot.CHALLENGE))]
    for step in added:
        doc.push(step)
    assert not doc.is_clean
    with pytest.raises(HistoryError, match="not the last"):
        doc.withdraw(added[:1])  # not on top
    doc.withdraw(added)
    assert doc.song == before
    assert doc.undo_stack_names() == ["Add notes"]
    assert doc.history.redo_stack_names() == []
    assert doc.is_clean  # back at the saved state
    assert doc.history._held_total == 1
    doc.push(AddChart(added[0].chart))
    doc.mark_clean()  # saved with the chart: withdrawn, no step reaches that state
    doc.withdraw(doc.history.undo_commands()[-1:])
    assert not doc.is_clean

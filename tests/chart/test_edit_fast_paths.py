"""Edits of many notes give exactly what the old note-list code gave (``edit_reference``), on random charts with
holds, rolls, mines, two notes on a cell, notes inside holds, holds of no length, equal notes that are other
objects and beats whose floats meet: make_room, a move (a drag's update, a nudge, merged nudges), the sorted
insert and delete, the range a change signals, and a drag with undo and redo. The op-count tests in
``test_edit_cost.py`` pin down that their cost follows the edit, not the chart."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from chart import note_keys, sorted_notes
from chart.commands import MoveNotes, move_onto
from chart.document import Document
from chart.note_keys import NoteSet, greatest, in_order, least
from chart.notes import Note, sort_notes
from chart.song import Chart, Slot, Song
from tests.chart import edit_reference as ref

SEEDS = range(40)
GAPS = (Fraction(1, 4), Fraction(1, 16), Fraction(1, 3))


def random_selection(rng: random.Random, notes: list[Note]) -> list[Note]:
    """A block of the chart (a box), scattered notes (Ctrl+clicks), or equal copies of some (a stale Verify
    issue's notes are other objects)."""
    if not notes:
        return []
    how = rng.random()
    if how < 0.5:
        i = rng.randrange(len(notes))
        chosen = notes[i:i + rng.randrange(1, 80)]
    else:
        chosen = rng.sample(notes, rng.randrange(1, min(len(notes), 60) + 1))
    if how > 0.8:
        chosen = [ref.copy_of(n) if rng.random() < 0.5 else n for n in chosen]
    return sort_notes(set(chosen))


def random_delta(rng: random.Random, selection: list[Note], lanes: int) -> tuple[Fraction, int]:
    beat = Fraction(rng.randrange(-24, 25), rng.choice((1, 2, 4, 3, 16, 48)))
    if rng.random() < 0.05:
        beat += Fraction(1, 2 ** 80)
    low = min(n.lane for n in selection)
    high = max(n.lane for n in selection)
    return beat, rng.randint(-low, lanes - 1 - high)


@pytest.mark.parametrize("seed", SEEDS)
def test_make_room_and_landed_on_equal_the_old_code(seed):
    rng = random.Random(seed)
    notes = ref.random_notes(rng, rng.randrange(0, 300))
    for _ in range(20):
        new = sort_notes(ref.random_note(rng) for _ in range(rng.randrange(0, 40)))
        leaving = random_selection(rng, notes) if rng.random() < 0.7 else []
        gap = rng.choice(GAPS)
        expected = ref.make_room(notes, new, leaving, gap)
        assert sorted_notes.make_room(notes, new, leaving, gap) == expected
        # a drag reads the longest hold once; any bound at least as long gives the same
        longest = sorted_notes.longest(notes)
        assert sorted_notes.make_room(notes, new, leaving, gap, longest) == expected
        assert sorted_notes.make_room(notes, new, leaving, gap, longest + 5) == expected
        shuffled = new[:]
        rng.shuffle(shuffled)  # the order of the new notes decides which hold is cut first
        assert sorted_notes.make_room(notes, shuffled, leaving, gap) == ref.make_room(notes, shuffled, leaving, gap)
        assert sorted_notes.landed_on(notes, new, leaving) == ref.landed_on(notes, new, leaving)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_move_equals_the_old_one(seed):
    rng = random.Random(seed)
    base = ref.random_notes(rng, rng.randrange(1, 300))
    longest = sorted_notes.longest(base)
    for _ in range(15):
        selection = random_selection(rng, base)
        beat, lanes = random_delta(rng, selection, 4)
        gap = rng.choice(GAPS)
        expected = ref.move(base, selection, beat, lanes, gap)
        for bound in (None, longest):
            move = move_onto("x", base, selection, beat, lanes, gap=gap, longest=bound)
            assert (move.old, move.new, move.moving, move.moved, move.replaced, move.cut) == expected
            assert (move.beat_delta, move.lane_delta) == (beat, lanes)


@pytest.mark.parametrize("seed", SEEDS)
def test_merged_nudges_equal_the_old_merge(seed):
    rng = random.Random(seed)
    base = ref.random_notes(rng, rng.randrange(1, 200))
    selection = random_selection(rng, base)
    step = Fraction(1, rng.choice((4, 8, 3)))
    first = move_onto("x", base, selection, step, 0)
    after = sorted(ref_apply(base, first.old, first.new))
    second = move_onto("x", after, first.moved, step, 0)
    expected = ref.merged(ref.move(base, selection, step, 0, Fraction(1, 4)),
                          ref.move(after, first.moved, step, 0, Fraction(1, 4)))
    assert first.merge_with(second)
    assert (first.old, first.new, first.replaced, first.cut) == expected
    assert first.moved == second.moved
    assert first.beat_delta == 2 * step


def ref_apply(notes: list[Note], old, new) -> list[Note]:
    out = list(notes)
    ref.delete(out, list(old), "x")
    ref.insert(out, list(new))
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_sorted_insert_and_delete_equal_the_old_ones(seed):
    rng = random.Random(seed)
    notes = ref.random_notes(rng, rng.randrange(0, 400))
    for _ in range(10):
        new = [ref.random_note(rng) for _ in range(rng.randrange(0, 120))]
        new += [ref.copy_of(n) for n in rng.sample(notes, min(len(notes), rng.randrange(0, 5)))]  # equal ones
        mine, theirs = list(notes), list(notes)
        sorted_notes.insert(mine, list(new))
        ref.insert(theirs, list(new))
        assert mine == theirs
        notes = mine
        gone = rng.sample(notes, rng.randrange(0, min(len(notes), 150) + 1))
        gone = [ref.copy_of(n) if rng.random() < 0.3 else n for n in gone]  # by value: other objects too
        if rng.random() < 0.3:
            gone.append(ref.random_note(rng))  # most likely missing: KeyError, and nothing changes
        mine, theirs = list(notes), list(notes)
        errors = []
        for fn, target in ((sorted_notes.delete, mine), (ref.delete, theirs)):
            try:
                fn(target, list(gone), "dance-single/Hard")
            except KeyError as exc:
                errors.append(str(exc))
        assert len(errors) in (0, 2)
        assert errors[:1] == errors[1:]
        assert mine == theirs
        assert errors or sorted(mine + gone) == notes
        notes = mine


@pytest.mark.parametrize("seed", SEEDS)
def test_keys_order_and_match_notes_as_notes_do(seed):
    rng = random.Random(seed)
    notes = ref.random_notes(rng, 200) + [Note(Fraction(10 ** 400), 1), Note(-Fraction(10 ** 400), 2),
                                          Note(Fraction(10 ** 400) + Fraction(1, 3), 1)]
    rng.shuffle(notes)
    assert in_order(notes) == sorted(notes)
    beats = [n.beat for n in notes]
    assert (least(beats), greatest(beats)) == (min(beats), max(beats))
    assert sorted_notes.beat_span(notes) == (min(beats), max(n.end_beat for n in notes))
    lo, hi = sorted(rng.sample(beats, 2))
    assert sorted_notes.heads_within(notes, lo, hi) == [lo <= b <= hi for b in beats]
    chosen = rng.sample(notes, 50)
    members = NoteSet(ref.copy_of(n) if rng.random() < 0.5 else n for n in chosen)
    probes = notes + [ref.copy_of(n) for n in notes] + [ref.random_note(rng) for _ in range(50)]
    assert [n in members for n in probes] == [n in set(chosen) for n in probes]
    chart = sorted(chosen)
    for count in (3, 60, len(probes)):  # a bisection each, or one pass over the stretch
        candidates = rng.sample(probes, count)
        assert sorted_notes.missing(chart, candidates) == [n for n in candidates if n not in set(chart)]


def test_a_note_set_tells_notes_apart_whose_keys_hash_alike(monkeypatch):
    monkeypatch.setattr(note_keys, "value_key", lambda note: 0)  # every note in one bucket
    notes = [Note(Fraction(k, 3), k % 4) for k in range(20)]
    members = NoteSet(notes[::2])
    members.update([ref.copy_of(notes[1])])
    assert [ref.copy_of(n) in members for n in notes] == [k % 2 == 0 or k == 1 for k in range(20)]


def test_beats_whose_floats_meet_are_told_apart_exactly():
    tiny = Fraction(1, 2 ** 80)
    one = Fraction(1)
    for beats in ([one + tiny, one, one - tiny], [one - tiny, one + tiny, one], [one, one - tiny, one + tiny]):
        notes = [Note(b, 0, "hold", tiny) for b in beats]
        assert (least(beats), greatest(beats)) == (one - tiny, one + tiny)
        assert sorted_notes.beat_span(notes) == (one - tiny, one + 2 * tiny)
        assert sorted_notes.heads_within(notes, one, one) == [b == one for b in beats]
        assert in_order(notes) == sorted(notes)


@pytest.mark.parametrize("seed", range(15))
def test_a_drag_leaves_the_chart_as_the_old_code_did_and_undo_redo_are_exact(seed):
    """Mouse moves of one drag (each replacing the previous), one undo step, undo back to the chart as it was,
    redo to the result."""
    rng = random.Random(seed)
    chart = Chart(slot=Slot.HARD, notes=ref.random_notes(rng, rng.randrange(50, 400)))
    doc = Document(Song(charts=[chart]))
    before = list(chart.notes)
    selection = [n for n in random_selection(rng, before) if n in set(before)]
    selection = [next(m for m in before if m == n) for n in selection]  # the chart's own objects, as a click
    doc.begin_stroke("Move notes")
    base, longest = list(chart.notes), sorted_notes.longest(before)
    for _ in range(rng.randrange(1, 6)):
        beat, lanes = random_delta(rng, selection, chart.lanes)
        move = move_onto(chart, base, selection, beat, lanes, gap=Fraction(1, 4), longest=longest)
        doc.update_stroke(move)
        expected = ref.move(before, selection, beat, lanes, Fraction(1, 4))
        assert chart.notes == sorted(ref_apply(before, expected[0], expected[1]))
    assert doc.commit_stroke()
    after = list(chart.notes)
    assert doc.undo()
    assert chart.notes == before
    assert doc.redo()
    assert chart.notes == after
    assert doc.undo_stack_names() == ["Move notes"]


def test_a_move_command_keeps_its_public_shape():
    """MoveNotes built directly (a plugin, an old caller) still takes what it lands on and the holds it cuts."""
    hold = Note(Fraction(4), 1, "hold", Fraction(4))
    move = MoveNotes("x", [Note(Fraction(2), 1)], 4, 0, replaced=[hold], cut=[hold.replace(length=Fraction(7, 4))])
    assert move.old == (Note(Fraction(2), 1), hold)
    assert move.new == (hold.replace(length=Fraction(7, 4)), Note(Fraction(6), 1))
    with pytest.raises(ValueError, match="left of the first lane"):
        MoveNotes("x", [Note(Fraction(2), 0)], 0, -1)

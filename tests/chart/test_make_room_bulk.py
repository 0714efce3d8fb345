"""Room made for edits of many notes at the cost of the edit (:mod:`chart.make_room`): a pasted passage settled
in one pass, and make_room / landed_on reading only the notes an edit leaves where it writes. Each gives what the
note-by-note code gives, on random charts holding what files opened as they were may hold (two notes on a cell,
notes inside holds, holds of no length, equal notes that are other objects, beats whose floats meet), and
settling costs what the passage costs (calls into fractions.py counted), not its square."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from chart import sorted_notes
from chart.make_room import landed_on_leaving, make_room_leaving, settle
from chart.notes import Note, sort_notes
from tests.chart import edit_reference as ref
from tests.chart.helpers import fraction_work
from tests.chart.test_edit_cost import dense_notes

GAPS = (Fraction(1, 4), Fraction(1, 12), Fraction(1, 48), Fraction(2))


def settled_note_by_note(notes: list[Note], gap: Fraction) -> list[Note]:
    """What the editor's paste did (``editor.controllers.transforms._playable``): each note added in turn, the
    kept notes settled again around it."""
    kept: list[Note] = []
    for note in sort_notes(notes):
        kept = sort_notes([*sorted_notes.room_made(kept, [note], gap), note])
    return kept


@pytest.mark.parametrize("seed", range(60))
def test_settle_gives_what_settling_note_by_note_gave(seed):
    rng = random.Random(seed)
    notes = ref.random_notes(rng, rng.randrange(0, 120), span=rng.choice((2, 6, 24, 48)))
    rng.shuffle(notes)  # a clipboard in any order
    gap = rng.choice(GAPS)
    got, want = settle(notes, gap), settled_note_by_note(notes, gap)
    assert got == want
    assert [n.kind for n in got] == [n.kind for n in want]
    assert not sorted_notes.inside_holds(n for n in got if n.length)


def test_settling_costs_what_the_passage_costs_not_its_square():
    """Four times the notes, about four times the Fraction work (each note met the whole kept passage again: 16
    times, and 2,000 notes took 3.7 s)."""
    def work(count: int) -> int:
        notes = dense_notes(count)
        return fraction_work(lambda: settle(notes, Fraction(1, 4)))

    small, large = work(300), work(1_200)
    assert large < 5 * small, (small, large)


def random_edit(rng: random.Random) -> tuple[list[Note], list[Note], list[Note], Fraction]:
    """A chart, what an edit writes into it and what it takes out (the chart's own notes, some equal copies, some
    notes the chart does not hold), and a gap."""
    chart = ref.random_notes(rng, rng.randrange(1, 150), span=rng.choice((6, 24, 48)))
    share = rng.choice((0.0, 0.1, 0.5, 0.9, 1.0))
    leaving = [n for n in chart if rng.random() < share]
    leaving += [ref.copy_of(rng.choice(chart)) for _ in range(rng.randrange(3))]
    leaving += [ref.random_note(rng) for _ in range(rng.randrange(2))]
    if rng.random() < 0.5:  # a transform of what leaves (Mirror, Shift), else new notes (a paste)
        new = [n.replace(lane=3 - n.lane, beat=n.beat + Fraction(rng.randrange(-2, 3), 4)) for n in leaving
               if n.beat + Fraction(2, 4) >= 0]
    else:
        new = [ref.random_note(rng, span=12) for _ in range(rng.randrange(0, 40))]
    return chart, new, leaving, rng.choice(GAPS)


@pytest.mark.parametrize("seed", range(80))
def test_make_room_leaving_gives_what_make_room_gives(seed):
    rng = random.Random(seed)
    chart, new, leaving, gap = random_edit(rng)
    longest = rng.choice((None, sorted_notes.longest(chart), sorted_notes.longest(chart) + 3))
    got = make_room_leaving(chart, new, iter(leaving), gap, longest)
    assert got == sorted_notes.make_room(chart, new, leaving, gap, longest)
    assert landed_on_leaving(chart, new, iter(leaving)) == sorted_notes.landed_on(chart, new, leaving)


def test_a_whole_passage_rewritten_reads_none_of_its_old_notes(monkeypatch):
    """Select All + Mirror: no note stays, so no make_room runs (it built a cell key for every new note and looked
    every old note up among the leaving ones), and Fraction work is half of it."""
    chart = dense_notes(2_000)
    new = [n.replace(lane=3 - n.lane) for n in chart]
    full = fraction_work(lambda: sorted_notes.make_room(chart, new, chart, Fraction(1, 4), Fraction(2)))
    assert fraction_work(lambda: make_room_leaving(chart, new, chart, Fraction(1, 4), Fraction(2))) < full / 2
    calls: list[object] = []
    monkeypatch.setattr(sorted_notes, "make_room", lambda *args: calls.append(args))
    assert make_room_leaving(chart, new, chart, Fraction(1, 4)) == ([], [])
    assert not calls

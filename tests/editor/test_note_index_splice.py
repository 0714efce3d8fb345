"""An edit splices the notefield's index (``NoteIndex.spliced``) instead of rebuilding it, and the result is the
full build's, array for array: random charts (holds, rolls, mines, fakes, lifts, notes inside holds, two notes on
a cell, equal notes that are other objects, beats whose floats meet) under random timing (tempo changes, stops,
delays, warps, fake segments) through random edit sequences on a Document (adds, removes, moves, hold lengths,
kind changes, transactions, undo and redo, timing changes). ViewSync's wiring is in ``test_view_sync_splice.py``.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chart.commands import AddNotes, MoveNotes, RemoveNotes, SetHoldLength, SetTiming
from chart.document import Document
from chart.notes import Note, NoteKind, sort_notes
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from editor.timeline import note_index
from editor.timeline.note_index import NoteIndex
from tests.chart import edit_reference, slow_reference
from tests.chart.edit_reference import copy_of
from tests.chart.helpers import converted

ARRAYS = ("beats", "quant", "lanes", "kinds", "start_s", "end_s", "end_beats", "confidence", "unsure", "selected")
OPS = ("add", "add", "remove", "move", "move", "hold", "kind", "twin", "batch", "undo", "redo", "timing", "big")


def assert_same(got: NoteIndex, want: NoteIndex, rng: random.Random) -> None:
    """Every array (dtype and bits), the notes, the longest note, the judged onsets and the queries agree; and a
    random selection marks the same rows in both."""
    assert got.notes == want.notes
    for name in ARRAYS:
        a, b = getattr(got, name), getattr(want, name)
        assert a.dtype == b.dtype, name
        assert np.array_equal(a, b), name
    assert got.max_len_s == want.max_len_s
    assert np.array_equal(got.onset_times_s(), want.onset_times_s())
    if len(want):
        chosen = rng.sample(want.notes, min(len(want), rng.randrange(1, 12)))
        chosen += [copy_of(n) for n in chosen[:2]] + [Note(Fraction(999), 0)]  # equal copies, a note not there
        got.set_selection(chosen)
        want.set_selection(chosen)
        assert np.array_equal(got.selected, want.selected)
        t0, t1 = float(want.start_s[0]) - 1.0, float(want.end_s.max()) + 1.0
        for t in np.linspace(t0, t1, 7):
            assert np.array_equal(got.visible(t, t + 0.7), want.visible(t, t + 0.7))
            assert got.in_box(t, t + 0.9, 0, 2) == want.in_box(t, t + 0.9, 0, 2)
            for lane in range(4):
                assert got.hit(t, lane, 0.05) == want.hit(t, lane, 0.05)


class Follower:
    """What ViewSync does: collect the ranges ``notes_changed`` names, splice when the timing is the same, build
    from scratch otherwise; every step is checked against a full build."""

    def __init__(self, doc: Document, chart: Chart, rng: random.Random):
        self.doc, self.chart, self.rng = doc, chart, rng
        self.ranges: list[tuple[Fraction, Fraction]] = []
        doc.notes_changed.connect(lambda _cid, b0, b1: self.ranges.append((b0, b1)))
        self.index = NoteIndex(chart.notes, self.timing())
        self.spliced = self.full = 0

    def timing(self) -> TimingData:
        return self.doc.song.timing_for(self.chart)

    def step(self) -> None:
        timing, new = self.timing(), None
        if self.ranges:
            b0, b1 = min(r[0] for r in self.ranges), max(r[1] for r in self.ranges)
            new = self.index.spliced(self.chart.notes, timing, b0, b1)
        self.ranges = []
        full = NoteIndex(self.chart.notes, timing)
        if new is None:
            self.full += 1
            new = full
        else:
            self.spliced += 1
        assert_same(new, full, self.rng)
        self.index = new


def apply(op: str, doc: Document, chart: Chart, rng: random.Random) -> None:
    """One random edit (refused ones, a move off the lanes, change nothing)."""
    notes = chart.notes

    def pick(k: int) -> list[Note]:  # a box of neighbours mostly, else notes scattered over the chart (Ctrl+clicks)
        if rng.random() < 0.7:
            i = rng.randrange(len(notes))
            return notes[i:i + k]
        return rng.sample(notes, min(k, len(notes)))

    try:
        if op == "add":
            doc.push(AddNotes(chart, [edit_reference.random_note(rng) for _ in range(rng.randrange(1, 4))]))
        elif op == "big":
            doc.push(AddNotes(chart, edit_reference.random_notes(rng, len(notes) + 5)))
        elif op == "twin" and notes:
            doc.push(AddNotes(chart, [copy_of(rng.choice(notes))]))  # two equal notes on one cell
        elif op == "remove" and notes:
            doc.push(RemoveNotes(chart, pick(rng.randrange(1, 4))))
        elif op == "move" and notes:
            doc.push(MoveNotes(chart, pick(rng.randrange(1, 6)), Fraction(rng.randrange(-8, 9), rng.choice((4, 3, 48))),
                               rng.choice((0, 0, 1, -1))))
        elif op == "hold" and notes:
            holds = [n for n in notes if n.kind.has_length]
            if holds:
                doc.push(SetHoldLength(chart, rng.choice(holds), Fraction(rng.randrange(1, 40), 4)))
        elif op == "kind" and notes:
            doc.push(converted(chart, pick(3), rng.choice(list(NoteKind)), Fraction(rng.randrange(1, 9), 2)))
        elif op == "batch":
            with doc.transaction("Batch"):
                for sub in rng.choices(("add", "remove", "move", "twin"), k=3):
                    apply(sub, doc, chart, rng)
        elif op == "undo":
            doc.undo()
        elif op == "redo":
            doc.redo()
        elif op == "timing":
            own = chart.timing is not None and rng.random() < 0.7
            doc.push(SetTiming(slow_reference.random_timing(rng), chart if own else None, merge=False))
    except ValueError:  # lane off the chart, a length refused
        pass


def random_document(rng: random.Random, n: int) -> tuple[Document, Chart]:
    """A song opened as it was: notes inside holds, duplicates, negative beats; the chart's own timing or not."""
    notes = slow_reference.random_notes(rng, n) if rng.random() < 0.5 else edit_reference.random_notes(rng, n)
    chart = Chart(slot=Slot.HARD, meter=7, notes=notes,
                  timing=slow_reference.random_timing(rng) if rng.random() < 0.3 else None)
    doc = Document(Song(title="random", timing=slow_reference.random_timing(rng), charts=[chart]))
    return doc, chart


def run_sequence(seed: int, ops: list[str], n: int) -> Follower:
    rng = random.Random(seed)
    doc, chart = random_document(rng, n)
    follower = Follower(doc, chart, rng)
    for op in ops:
        apply(op, doc, chart, rng)
        follower.step()
    return follower


@pytest.mark.parametrize("seed", range(24))
def test_spliced_index_is_the_full_build_through_random_edits(seed):
    rng = random.Random(1000 + seed)
    follower = run_sequence(seed, rng.choices(OPS, k=30), rng.choice((0, 3, 60, 300)))
    assert follower.spliced > 0 or len(follower.index) < 4  # the splice ran, not only the fallback


def test_local_edits_are_all_spliced():
    """A note placed, a box moved or deleted, a hold stretched, undo and redo: each touches a few beats of a
    2,000-note chart and none needs a full build."""
    rng = random.Random(5)
    notes = [Note(Fraction(k, 4), k % 4, NoteKind.HOLD if k % 16 == 0 else NoteKind.TAP,
                  Fraction(3, 4) if k % 16 == 0 else Fraction(0)) for k in range(2000)]
    chart = Chart(slot=Slot.HARD, meter=9, notes=notes)
    doc = Document(Song(title="stream", timing=slow_reference.random_timing(rng, span=500), charts=[chart]))
    follower = Follower(doc, chart, rng)
    for _ in range(15):
        i = rng.randrange(len(chart.notes) - 8)
        box = chart.notes[i:i + 6]
        doc.push(AddNotes(chart, [Note(box[0].beat + Fraction(1, 8), 2)]))
        follower.step()
        doc.push(MoveNotes(chart, box, Fraction(1, 16)))
        follower.step()
        doc.undo()
        follower.step()
        doc.redo()
        follower.step()
        holds = [n for n in chart.notes[i:i + 40] if n.kind == NoteKind.HOLD]
        doc.push(SetHoldLength(chart, holds[0], Fraction(5, 4)))
        follower.step()
        doc.push(RemoveNotes(chart, chart.notes[i + 10:i + 14]))
        follower.step()
    assert follower.spliced == 90
    assert follower.full == 0


@settings(max_examples=40, deadline=None, database=None)
@given(seed=st.integers(0, 2 ** 32 - 1), ops=st.lists(st.sampled_from(OPS), min_size=1, max_size=20),
       n=st.sampled_from((0, 1, 5, 40, 150)))
def test_spliced_index_is_the_full_build_hypothesis(seed, ops, n):
    run_sequence(seed, ops, n)


def test_a_range_that_misses_a_change_gives_a_full_build():
    """The range only says where to cut: notes changed outside it are caught by the check of the kept notes."""
    timing = TimingData.constant(120)
    notes = [Note(Fraction(k, 2), k % 4) for k in range(100)]
    index = NoteIndex(notes, timing)
    edited = sort_notes([*notes[:10], Note(Fraction(41, 8), 1), *notes[11:]])  # beat 5 replaced, off the range
    assert index.spliced(edited, timing, Fraction(30), Fraction(31)) is None
    assert index.spliced(notes[:-1], timing, Fraction(0), Fraction(1)) is None  # the last note went, unsaid
    right = index.spliced(edited, timing, Fraction(5), Fraction(41, 8))
    assert right is not None
    assert_same(right, NoteIndex(edited, timing), random.Random(0))


def test_other_timing_drafts_and_big_edits_are_not_spliced():
    timing = TimingData.constant(120)
    notes = [Note(Fraction(k, 2), k % 4) for k in range(40)]
    index = NoteIndex(notes, timing)
    added = sort_notes([*notes, Note(Fraction(1, 4), 0)])
    assert index.spliced(added, TimingData.constant(121), Fraction(1, 4), Fraction(1, 4)) is None
    assert index.spliced(added, TimingData.constant(120), Fraction(1, 4), Fraction(1, 4)) is not None  # equal
    draft = NoteIndex(notes, timing, [0.5] * len(notes))
    assert draft.spliced(added, timing, Fraction(1, 4), Fraction(1, 4)) is None  # confidences it cannot know
    many = sort_notes([*notes, *(Note(Fraction(k, 2) + Fraction(1, 4), 1) for k in range(30))])
    assert index.spliced(many, timing, Fraction(0), Fraction(20)) is None  # more than half the notes: full build


def test_selection_marks_the_last_of_equal_notes_by_value():
    """As the note -> position dict did: equal notes select the last of them, other objects select by value."""
    a, b = Note(Fraction(1), 0), Note(Fraction(1), 1)
    twin = copy_of(a)
    index = NoteIndex(sort_notes([a, twin, b, Note(Fraction(1) + Fraction(1, 2 ** 80), 0)]), TimingData.constant(60))
    index.set_selection([a])
    assert index.selected.tolist() == [False, True, False, False]
    index.set_selection([copy_of(b), Note(Fraction(1) + Fraction(1, 2 ** 80), 0), Note(Fraction(2), 0)])
    assert index.selected.tolist() == [False, False, True, True]
    index.set_selection([])
    assert not index.selected.any()


# ---------------------------------------------------------------------------------------------- cost
def stream_document(count: int) -> tuple[Document, Chart]:
    """A 16th stream with a hold every 4 beats, the edited stretch alike in every size."""
    notes = [Note(Fraction(k, 4), k % 4, NoteKind.HOLD if k % 16 == 0 else NoteKind.TAP,
                  Fraction(3, 4) if k % 16 == 0 else Fraction(0)) for k in range(count)]
    chart = Chart(slot=Slot.HARD, meter=9, notes=notes)
    timing = TimingData(bpms=((Fraction(0), Fraction(150)), (Fraction(300), Fraction(170))),
                        stops=((Fraction(200), Fraction(1, 2)),), warps=((Fraction(250), Fraction(2)),))
    return Document(Song(title="stream", timing=timing, charts=[chart])), chart


@contextmanager
def counting(work: dict[str, int]):
    """Count per-note derivations, beats converted to seconds and Note hashes into ``work`` while inside."""
    derive, to_seconds, note_hash = note_index.derive, TimingData.beats_to_seconds_array, Note.__hash__

    def counted_derive(notes):
        work["derive"] += len(notes)
        return derive(notes)

    def counted_seconds(self, beats):
        work["seconds"] += len(beats)
        return to_seconds(self, beats)

    def counted_hash(note):
        work["hash"] += 1
        return note_hash(note)

    note_index.derive = counted_derive
    TimingData.beats_to_seconds_array = counted_seconds  # type: ignore[method-assign]
    Note.__hash__ = counted_hash  # type: ignore[method-assign,assignment]
    try:
        yield work
    finally:
        note_index.derive = derive
        TimingData.beats_to_seconds_array = to_seconds  # type: ignore[method-assign]
        Note.__hash__ = note_hash  # type: ignore[method-assign]


def edit_work(count: int) -> dict[str, int]:
    """Work of the index updates after placing a note and moving a box of 20 notes in the middle of a chart of
    ``count`` notes, the selection of what moved included (calls into fractions.py too)."""
    from tests.chart.helpers import fraction_work

    doc, chart = stream_document(count)
    ranges: list[tuple[Fraction, Fraction]] = []
    doc.notes_changed.connect(lambda _cid, b0, b1: ranges.append((b0, b1)))
    timing = doc.song.timing_for(chart)
    index = NoteIndex(chart.notes, timing)
    middle = Fraction(count // 8)
    placed = Note(middle + Fraction(1, 8), 2)
    box = doc.notes_in_range(chart, middle + 1, middle + 6)
    moved = [n.replace(beat=n.beat + Fraction(1, 8)) for n in box]
    work = {"derive": 0, "seconds": 0, "hash": 0, "fractions": 0}
    for edit, selection in ((AddNotes(chart, [placed]), [placed]), (MoveNotes(chart, box, Fraction(1, 8)), moved)):
        doc.push(edit)
        (b0, b1), = ranges
        ranges.clear()
        out: list[NoteIndex] = []

        def update(old=index, b0=b0, b1=b1, selection=selection, out=out):
            new = old.spliced(chart.notes, timing, b0, b1)
            assert new is not None
            new.set_selection(selection)
            out.append(new)

        with counting(work):
            work["fractions"] += fraction_work(update)
        index = out[0]
        assert index.selected.sum() == len(selection)
    return work


def test_an_edit_costs_what_it_touches_not_the_chart():
    """Placing a note and moving 20 derive those notes (and their rows' neighbours in the range) again, convert
    only their beats to seconds and hash no note: the same work in a chart of 2,000 notes and one of 16,000. A
    full build derived every note, and the selection hashed every note (two Fractions each) after every edit."""
    small, large = edit_work(2_000), edit_work(16_000)
    assert small == large, (small, large)
    assert small["derive"] <= 30
    assert small["seconds"] <= 60  # heads and ends of those notes
    assert small["hash"] == 0


def test_the_cost_counters_see_a_full_build():
    """The counters above count: a full build of 2,000 notes derives each one and converts 4,000 beats."""
    doc, chart = stream_document(2_000)
    with counting({"derive": 0, "seconds": 0, "hash": 0}) as work:
        NoteIndex(chart.notes, doc.song.timing)
    assert work == {"derive": 2_000, "seconds": 4_000, "hash": 0}

"""The notefield's index derives its per-note columns a column at a time and keeps no note of its own: a class-level
cache by note identity held every Note it had seen (opening a 22k-note song six times kept 111k dead notes, ~70 MB,
alive until 200,000 entries). A big selection of the index's own notes is marked by identity in one pass. Both give
what the note-by-note code gave, on random charts holding what files opened as they were may hold."""

from __future__ import annotations

import fractions
import gc
import random
import sys
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest

from chart.notes import Note
from chart.snap import quantization
from chart.timing import TimingData
from editor.timeline.note_index import QUANT_CAP, NoteIndex, derive
from tests.chart import edit_reference as ref

TIMING = TimingData.constant(150)


def test_an_index_keeps_no_note_alive_once_dropped():
    notes = [Note(Fraction(k, 3), k % 4) for k in range(50)]
    before = [sys.getrefcount(n) for n in notes]
    index = NoteIndex(notes, TIMING)
    index.spliced([*notes[:10], Note(Fraction(10, 3) + Fraction(1, 7), 1), *notes[10:]], TIMING, Fraction(10, 3),
                  Fraction(11, 3))
    del index
    gc.collect()
    assert [sys.getrefcount(n) for n in notes] == before


@pytest.mark.parametrize("seed", range(20))
def test_derive_gives_what_each_note_gives(seed):
    rng = random.Random(seed)
    notes = ref.random_notes(rng, rng.randrange(0, 200))  # huge denominators, beats whose floats meet, holds
    beats, ends, quant = derive(notes)
    assert beats.dtype == ends.dtype == np.float64
    assert quant.dtype == np.int16
    assert beats.tolist() == [float(n.beat) for n in notes]
    assert ends.tolist() == [float(n.end_beat) for n in notes]
    assert quant.tolist() == [min(quantization(n.beat), QUANT_CAP) for n in notes]


def marked_note_by_note(notes: list[Note], selection) -> list[bool]:
    """The old rule: each selected note marks the last note of the index equal to it (itself, or a later twin)."""
    marks = [False] * len(notes)
    for wanted in selection:
        equal = [i for i, n in enumerate(notes) if n == wanted]
        if equal:
            marks[equal[-1]] = True
    return marks


@pytest.mark.parametrize("seed", range(40))
def test_a_selection_marks_what_looking_each_note_up_marked(seed):
    rng = random.Random(seed)
    notes = ref.random_notes(rng, rng.randrange(1, 150))
    if rng.random() < 0.5:  # a settled chart: no two notes on a cell, so the one-pass marking applies
        cells: dict[tuple[Fraction, int], Note] = {}
        for n in notes:
            cells[(n.beat, n.lane)] = n
        notes = sorted(cells.values())
    index = NoteIndex(notes, TIMING)
    share = rng.choice((0.05, 0.2, 0.6, 1.0))
    selection = [n for n in notes if rng.random() < share]
    selection += [ref.copy_of(rng.choice(notes)) for _ in range(rng.randrange(3))]  # equal, other objects
    selection += [ref.random_note(rng) for _ in range(rng.randrange(2))]  # not in the chart
    rng.shuffle(selection)
    index.set_selection(selection)
    assert index.selected.tolist() == marked_note_by_note(notes, selection)


def test_marking_a_select_all_reads_no_beat():
    """Every note was bisected by its float beat (its numerator and denominator read); the index's own notes are
    now found by identity."""
    notes = [Note(Fraction(k, 4), k % 4) for k in range(2_000)]
    index = NoteIndex(notes, TIMING)
    selection = set(notes)
    calls: Counter[str] = Counter()

    def profile(frame, event, _arg):
        if event == "call" and frame.f_code.co_filename == fractions.__file__:
            calls[frame.f_code.co_name] += 1

    sys.setprofile(profile)
    try:
        index.set_selection(selection)
    finally:
        sys.setprofile(None)
    assert index.selected.all()
    assert not calls

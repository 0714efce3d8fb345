"""inference.simplify: which of a harder chart's rows an easier chart keeps, how many, and with which arrows."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from chart.notes import Note, NoteKind
from inference.manifest import SlotDecode
from inference.simplify import row_scores, rows_to_keep, simplified_notes, target_count


def test_row_scores_take_the_curves_peak_near_each_row():
    curve = np.zeros(100)
    curve[52] = 0.9  # two frames after the row at 0.5 s (100 frames/s)
    curve[80] = 0.4
    assert list(row_scores(curve, 100.0, np.array([0.5, 0.8, 0.2]))) == [0.9, 0.4, 0.0]


def test_rows_to_keep_takes_the_best_first_and_keeps_the_gap():
    seconds = np.array([0.0, 0.1, 0.2, 0.3, 0.4])
    scores = np.array([0.5, 0.9, 0.8, 0.1, 0.7])
    assert list(rows_to_keep(seconds, scores, 3, 0.0)) == [1, 2, 4]
    assert list(rows_to_keep(seconds, scores, 3, 0.15)) == [1, 4]  # 0.2 and 0.0 are too close to 0.1 kept first


def test_target_count_from_the_slot_ratio_else_the_threshold():
    hard = SlotDecode(refine_ratio={"Easy": 2.0})
    easy = SlotDecode(threshold=0.5)
    scores = np.array([0.9, 0.6, 0.4, 0.2])
    assert target_count(30, easy, hard, "Easy", scores) == 15
    assert target_count(30, easy, SlotDecode(), "Easy", scores) == 2  # no ratio: rows at or above the threshold


def test_simplified_notes_thin_jumps_and_keep_holds():
    notes = [Note(Fraction(0), 0), Note(Fraction(1), 1), Note(Fraction(1), 3),
             Note(Fraction(2), 0, NoteKind.HOLD, Fraction(1)), Note(Fraction(2), 2),
             Note(Fraction(3), 1), Note(Fraction(3), 2), Note(Fraction(4), 0, NoteKind.MINE)]
    keep = {Fraction(b) for b in range(5)}
    scores = {Fraction(1): 0.9, Fraction(2): 0.5, Fraction(3): 0.8}
    beginner = simplified_notes(notes, keep, scores, 0, None)
    assert beginner == [Note(Fraction(0), 0), Note(Fraction(1), 1), Note(Fraction(2), 0, NoteKind.HOLD, Fraction(1)),
                        Note(Fraction(3), 1)]  # one arrow a row, the hold first, never a mine
    medium = simplified_notes(notes, keep, scores, 2, 0.25)  # one jump of the four rows: the most probable keeps it
    assert [n for n in medium if n.beat == 1] == [Note(Fraction(1), 1), Note(Fraction(1), 3)]
    assert len([n for n in medium if n.beat == 3]) == 1
    assert len([n for n in medium if n.beat == 2]) == 1
    everything = simplified_notes(notes, keep, scores, 2, None)  # no lane model: jumps stay
    assert len(everything) == 7

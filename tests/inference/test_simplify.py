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


def test_simplified_notes_never_need_three_panels_and_beginner_gets_no_rolls():
    """A Challenge bracket under two long holds (a shared song's) kept its taps in the simplified Easy: three
    panels at once. The later hold now ends before such a row, as the lane decoder ends holds."""
    notes = [Note(Fraction(0), 1, NoteKind.HOLD, Fraction(8)), Note(Fraction(2), 3, NoteKind.HOLD, Fraction(6)),
             Note(Fraction(4), 0), Note(Fraction(6), 2, NoteKind.ROLL, Fraction(1)), Note(Fraction(9), 0)]
    keep = {n.beat for n in notes}
    easy = simplified_notes(notes, keep, {}, 1, None)
    assert Note(Fraction(2), 3, NoteKind.HOLD, Fraction(7, 4)) in easy  # cut on the sixteenth before beat 4
    assert Note(Fraction(0), 1, NoteKind.HOLD, Fraction(8)) in easy  # the first hold stays whole
    assert {n.beat for n in easy} == keep  # every kept row keeps its arrow
    for beat in keep:
        down = [n for n in easy if n.kind.has_length and n.beat < beat <= n.end_beat]
        assert len(down) + len([n for n in easy if n.beat == beat]) <= 2, beat
    beginner = simplified_notes(notes, keep, {}, 0, None)
    assert not [n for n in beginner if n.kind == NoteKind.ROLL]
    assert Note(Fraction(6), 2, NoteKind.HOLD, Fraction(1)) in beginner


def test_a_beginner_row_that_would_cross_the_feet_takes_another_panel():
    """Left, Down, Right one after another, quickly: stepped left-right-left, the third crosses the feet (left foot
    on Right). Human Beginner charts almost never do (97 % have no crossover); the row moves to the left foot's
    side and no other row changes."""
    from chart.parity import parse_feet
    from chart.timing import TimingData
    from inference.simplify import uncrossed

    timing = TimingData.constant(150)
    notes = [Note(Fraction(k, 2), lane) for k, lane in enumerate([0, 1, 3, 1, 0, 1, 3])]
    assert parse_feet(notes, timing).crossovers > 0
    fixed, changed = uncrossed(notes, timing)
    assert parse_feet(fixed, timing).crossovers == 0
    assert changed == sum(a.lane != b.lane for a, b in zip(notes, fixed))
    assert 0 < changed <= 2
    assert [n.beat for n in fixed] == [n.beat for n in notes]  # the rhythm stays
    calm = [Note(Fraction(k, 2), lane) for k, lane in enumerate([0, 3, 0, 3])]  # alternating sides: nothing to do
    assert uncrossed(calm, timing) == (calm, 0)

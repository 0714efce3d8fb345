"""Judge: a test play started with the cursor on a note judges that note.

The editor's cursor is ``float(timing.beat_to_seconds(beat))`` (exact), the Judge's note times come from the
vectorised ``beats_to_seconds_array``; the two differ by an ulp on most tempos, and a strict ``note < start``
left out the note the cursor sat on (17 of 39 starts at 137.5 BPM, offset 0.123).
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.judge import Judge
from chart.notes import Note
from chart.timing import TimingData


@pytest.mark.parametrize(("bpm", "offset"), [("137.5", "0.123"), ("123.45", "-0.037"), ("200", "0")])
def test_a_note_at_the_cursor_is_judged(bpm, offset):
    timing = TimingData.constant(bpm, offset)
    notes = [Note(Fraction(k, 2), k % 4) for k in range(80)]
    for k in range(1, 60):
        beat = Fraction(k, 2)
        cursor_s = float(timing.beat_to_seconds(beat))  # what a Verify or trouble-spot click puts the cursor on
        judge = Judge(notes, timing, cursor_s, lanes=4)
        assert judge.total_taps == 80 - k, f"cursor on beat {beat}"


def test_a_note_just_before_the_cursor_is_still_left_out():
    timing = TimingData.constant(120)
    notes = [Note(Fraction(0), 0), Note(Fraction(1), 1)]
    judge = Judge(notes, timing, float(timing.beat_to_seconds(Fraction(1))) - 0.001, lanes=4)
    assert judge.total_taps == 1  # the note 1 ms before the start is not the player's to hit

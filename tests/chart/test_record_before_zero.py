"""chart.record: a take started in the intro (the cursor before beat 0) records no note before beat 0, where no
chart file keeps notes (Save refused the chart after such a take); the presses are counted for the status line."""

from __future__ import annotations

from fractions import Fraction

from chart.record import Recorder
from chart.timing import TimingData
from tests.chart.helpers import tap

T120 = TimingData.constant(120)  # one beat = 0.5 s, beat 0 at 0 s


def test_presses_before_beat_0_make_no_note_and_are_counted_apart():
    rec = Recorder((), T120, 16, -2.0, lanes=4)  # the cursor at beat -4
    assert rec.press(0, -0.25) is None  # beat -1/2
    rec.release(0, -0.2)
    assert rec.press(1, 0.0) == tap(0, 1)  # beat 0 is on the chart
    rec.release(1, 0.05)
    take = rec.finish(0.5)
    assert take.added == (tap(0, 1),)
    assert all(n.beat >= 0 for n in take.added)
    assert take.before_zero == 1
    assert take.dropped == 0  # "fell on notes kept or before the cursor" would be the wrong reason
    assert take.start_beat == Fraction(-4)

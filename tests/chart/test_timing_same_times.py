"""TimingData.seconds_after_stop (when the scroll moves on from a row: the section's grid after a stop starts
there) and chart.timing_form.same_times (audit 21: a BPM row that repeats the BPM in force cleared the AI ghosts,
as the lists were compared as written, not the times they give)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.timing import TimingData
from chart.timing_form import same_times

BASE = TimingData(offset=F("-0.1"), bpms=((F(0), F(120)), (F(40), F(150))), stops=((F(40), F("0.3")),),
                  delays=((F(60), F("0.2")),), warps=((F(70), F(2)),))


def test_seconds_after_stop_adds_the_stop_on_the_row_and_nothing_else():
    t = BASE
    assert t.beat_to_seconds(40) == F("20.1")  # judged before the stop
    assert t.seconds_after_stop(40) == F("20.4")  # the beats after it run from here
    assert t.beat_to_seconds(41) == t.seconds_after_stop(40) + F("0.4")
    assert t.seconds_after_stop(60) == t.beat_to_seconds(60)  # a delay comes before the judgement: already in it
    assert t.seconds_after_stop(F(81, 2)) == t.beat_to_seconds(F(81, 2))  # no knot
    assert t.seconds_after_stop(-3) == t.beat_to_seconds(-3)  # before the first knot
    both = TimingData(stops=((F(4), F(1)),), delays=((F(4), F("0.5")),))
    assert both.beat_to_seconds(4) == 2 + F("0.5")
    assert both.seconds_after_stop(4) == 2 + F("1.5")


@pytest.mark.parametrize("written", [
    BASE.with_changes(bpms=((F(0), F(120)), (F(20), F(120)), (F(40), F(150)), (F(50), F(150)))),  # repeats
    BASE.with_changes(bpms=((F(8), F(120)), (F(40), F(150)))),  # the first BPM runs from the start anyway
    BASE.with_changes(bpms=((F(0), F(120)), (F(40), F(100)), (F(40), F(150)))),  # two at one beat: the later
    BASE.with_changes(stops=((F(40), F("0.1")), (F(40), F("0.2")), (F(50), F(0)))),  # summed; 0 s is nothing
    BASE.with_changes(delays=((F(60), F("0.2")), (F(61), F(0)))),
    BASE.with_changes(warps=((F(70), F(1)), (F(71), F(1)), (F(70), F("0.5")), (F(90), F(0)))),  # one range
    BASE.with_changes(time_signatures=((F(0), 3, 4),), extra=(("LABELS", "8=Chorus"),)),  # not times
])
def test_timings_written_differently_that_give_the_same_times_are_the_same(written):
    assert written != BASE
    assert same_times(written, BASE)
    assert same_times(BASE, written)
    beats = [F(b, 4) for b in range(-8, 400)]
    assert [written.beat_to_seconds(b) for b in beats] == [BASE.beat_to_seconds(b) for b in beats]


@pytest.mark.parametrize("changed", [
    BASE.with_changes(offset=F("-0.101")),
    BASE.with_changes(bpms=((F(0), F(120)), (F(40), F("150.01")))),
    BASE.with_changes(bpms=((F(0), F(120)), (F(40), F(150)), (F(50), F(140)))),
    BASE.with_changes(bpms=((F(0), F(120)), (F(41), F(150)))),
    BASE.with_changes(stops=((F(40), F("0.31")),)),
    BASE.with_changes(stops=(), delays=((F(40), F("0.3")), (F(60), F("0.2")))),  # a stop made a delay
    BASE.with_changes(warps=((F(70), F(3)),)),
    BASE.with_changes(warps=((F(70), F(1)), (F(71) + F(1, 48), F(1)))),  # a gap between two warps
])
def test_a_timing_that_moves_a_beat_is_not_the_same(changed):
    assert not same_times(changed, BASE)
    assert not same_times(BASE, changed)

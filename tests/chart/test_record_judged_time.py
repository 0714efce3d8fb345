"""chart.record: a press lands on the line judged nearest in time (stops and delays hold the beat still, so the
nearest line in beats could be judged a second from the press), and a replacing take removes nothing before the
song reaches its first beat."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.notes import Note, NoteKind
from chart.record import Recorder
from chart.timing import TimingData
from tests.chart.helpers import hold, tap

T120 = TimingData.constant(120)  # one beat = 0.5 s, beat 0 at 0 s
STOP = TimingData(bpms=((0, 120),), stops=((8, 1),))  # beat 8 judged at 4.0 s, the song moves on at 5.0 s
DELAY = TimingData(bpms=((0, 120),), delays=((8, 1),))  # the song waits at beat 8 from 4.0 s, judged at 5.0 s


def test_a_press_just_after_a_stop_lands_on_the_next_line():
    rec = Recorder((), STOP, 8, 3.0, lanes=4)  # 1/8: lines every half beat; 8.5 at 5.25 s
    assert rec.press(0, 5.10) == tap(Fraction(17, 2), 0)  # was beat 8, judged 1.1 s before the press
    assert [round(x) for x in rec.offsets_ms] == [-150]


def test_a_press_during_the_stop_near_its_row_keeps_it():
    rec = Recorder((), STOP, 8, 3.0, lanes=4)
    assert rec.press(0, 4.05) == tap(8, 0)
    assert rec.press(1, 4.70) == tap(Fraction(17, 2), 1)  # 0.70 s after beat 8 was judged, 0.55 s before 8.5
    assert rec.offsets_ms[-1] == pytest.approx(-550)


def test_a_press_just_before_a_delay_lands_on_the_line_before():
    rec = Recorder((), DELAY, 8, 3.0, lanes=4)
    assert rec.press(0, 3.98) == tap(Fraction(15, 2), 0)  # was beat 8, judged 1.02 s after the press
    assert rec.press(1, 4.90) == tap(8, 1)  # in the delay, near the judged row


def test_a_hold_released_just_after_a_stop_ends_on_the_next_line():
    rec = Recorder((), STOP, 8, 3.0, lanes=4)
    rec.press(2, 3.0)
    take = rec.finish(5.10)
    assert take.added == (hold(6, 2, Fraction(5, 2)),)  # to beat 8.5 (5.25 s), not to the stop's row (4.0 s)


def test_plain_timing_snaps_as_before_ties_included():
    rec = Recorder((), T120, 4, 0.0, lanes=4)  # 1/4: a line per beat
    assert rec.press(0, 0.25) == tap(0, 0)  # half way: the beat-space snap rounds half to even
    assert rec.press(1, 0.75) == tap(2, 1)
    assert rec.press(2, 1.24) == tap(2, 2)
    rec2 = Recorder((), T120, 16, 0.0, lanes=4, kind=NoteKind.ROLL)
    assert rec2.press(3, 0.30) == Note(Fraction(1, 2), 3, NoteKind.ROLL)  # 0.6 beat: nearer 1/2 than 3/4


def test_replace_removes_nothing_during_the_lead_in():
    chart = [tap(4, 0), tap(5, 1)]
    rec = Recorder(chart, T120, 16, 2.0, lanes=4, replace=True)  # the take starts at beat 4 (2.0 s)
    assert not rec.advance(1.0)  # a second of lead-in: the song is at beat 2
    assert rec.removed == []
    take = rec.finish(1.4)  # ended before the song reached the cursor
    assert take.removed == ()
    assert take.added == ()
    assert take.end_beat == take.start_beat == 4


def test_replace_removes_the_first_row_when_the_song_reaches_it():
    chart = [tap(4, 0), tap(5, 1)]
    rec = Recorder(chart, T120, 16, 2.0, lanes=4, replace=True)
    assert not rec.advance(1.99)
    assert rec.advance(2.0)
    assert rec.removed == [tap(4, 0)]


def test_changes_reports_what_each_step_did():
    chart = [tap(4, 0), tap(5, 1)]
    rec = Recorder(chart, T120, 16, 2.0, lanes=4, replace=True)
    rec.advance(2.0)
    rec.press(2, 2.0)
    assert rec.changes() == ([tap(4, 0)], [(Fraction(4), 2)])
    assert rec.changes() == ([], [])
    rec.advance(2.6)  # lane 2 held past the hold threshold: drawn out; beat 5 reached
    removed, cells = rec.changes()
    assert removed == [tap(5, 1)]
    assert cells == [(Fraction(4), 2)]
    assert rec.added[cells[0]].kind == NoteKind.HOLD

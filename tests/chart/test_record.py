"""chart.record: key presses and releases in song seconds become snapped notes (record mode)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chart.notes import Note, NoteKind
from chart.record import HOLD_MIN_S, Recorder
from chart.timing import TimingData
from tests.chart.helpers import hold, tap

T120 = TimingData.constant(120)  # one beat = 0.5 s, beat 0 at 0 s


def record(presses, *, notes=(), divisor=16, start_s=0.0, kind=NoteKind.TAP, replace=False, end_s=None,
           timing=T120):
    """Run a take: presses are (lane, down_s, up_s); returns the Take."""
    rec = Recorder(notes, timing, divisor, start_s, lanes=4, kind=kind, replace=replace)
    events = sorted([(d, 0, lane) for lane, d, _ in presses] + [(u, 1, lane) for lane, _, u in presses])
    for t, up, lane in events:
        rec.advance(t)
        (rec.release if up else rec.press)(lane, t)
    last = max((t for t, _, _ in events), default=start_s)
    return rec.finish(last if end_s is None else end_s)


def test_presses_snap_to_the_nearest_line_and_keep_their_offsets():
    # 16ths at 120 BPM are 0.125 s apart: 0.02 s late, 0.05 s early, 0.3 s (between 1/2 and 3/4 beat: nearer 1/2)
    take = record([(0, 0.02, 0.07), (1, 0.45, 0.5), (2, 0.30, 0.35)])
    assert take.added == (tap(0, 0), tap(Fraction(1, 2), 2), tap(1, 1))
    assert [round(x) for x in take.offsets_ms] == [20, 50, -50]
    assert take.median_offset_ms == pytest.approx(20)
    assert take.dropped == 0
    assert take.holds == 0


def test_coarser_snap_rounds_further():
    take = record([(0, 0.30, 0.35)], divisor=4)  # 0.6 beat: nearest quarter is beat 1
    assert take.added == (tap(1, 0),)
    assert round(take.offsets_ms[0]) == -200


def test_a_long_press_draws_a_hold_to_the_snapped_release():
    take = record([(0, 0.0, 1.02), (1, 0.5, 0.5 + HOLD_MIN_S - 0.01)])
    assert take.added == (hold(0, 0, 2), tap(1, 1))
    assert take.holds == 1


def test_roll_type_draws_rolls_and_mines_never_grow():
    assert record([(3, 0.0, 1.0)], kind=NoteKind.ROLL).added == (hold(0, 3, 2, NoteKind.ROLL),)
    assert record([(3, 0.0, 1.0)], kind=NoteKind.MINE).added == (Note(Fraction(0), 3, NoteKind.MINE),)


def test_a_hold_grows_while_the_key_is_down():
    rec = Recorder((), T120, 16, 0.0, lanes=4)
    rec.press(0, 0.0)
    assert not rec.advance(0.1)  # still a tap
    assert rec.advance(0.5)  # now a hold to beat 1
    assert rec.notes == [hold(0, 0, 1)]
    assert rec.advance(0.75)
    assert rec.notes == [hold(0, 0, Fraction(3, 2))]
    assert not rec.advance(0.76)


def test_merge_keeps_the_charts_notes_and_drops_presses_on_them():
    chart = [tap(1, 0), hold(2, 1, 2)]
    # lane 0 on the chart's beat-1 note (dropped); lane 1 inside the chart's hold (dropped); lane 2 free
    take = record([(0, 0.51, 0.55), (1, 1.25, 1.3), (2, 1.25, 1.3)], notes=chart)
    assert take.added == (tap(Fraction(5, 2), 2),)
    assert take.removed == ()
    assert take.dropped == 2


def test_merge_stops_a_hold_one_step_before_the_lanes_next_note():
    take = record([(0, 0.0, 2.0)], notes=[tap(2, 0)])  # held to beat 4, but the lane has a note at beat 2
    assert take.added == (hold(0, 0, Fraction(7, 4)),)


def test_replace_clears_the_passage_as_the_song_reaches_it():
    chart = [tap(0, 0), tap(1, 1), tap(2, 2), tap(6, 3), hold(-1, 2, 4)]  # the hold starts before the take
    rec = Recorder(chart, T120, 16, 0.5, lanes=4, replace=True)  # take from beat 1
    rec.advance(0.6)
    assert rec.removed == [tap(1, 1)]
    rec.press(3, 0.75)  # beat 1.5
    rec.release(3, 0.8)
    take = rec.finish(1.6)  # beat 3.2
    assert take.removed == (tap(1, 1), tap(2, 2))  # beat 0 is before the take, beat 6 after it; the hold stays
    assert take.added == (tap(Fraction(3, 2), 3),)
    assert take.end_beat == Fraction(16, 5)


def test_replace_removes_a_note_an_early_press_lands_on():
    rec = Recorder([tap(2, 0)], T120, 16, 0.0, lanes=4, replace=True)
    rec.advance(0.98)  # the song has not reached beat 2 yet
    assert rec.press(0, 0.98) == tap(2, 0)  # 20 ms early: lands on the chart's note, which the take replaces
    assert rec.removed == [tap(2, 0)]


def test_presses_before_the_take_and_repeats_are_ignored():
    rec = Recorder((), T120, 16, 1.0, lanes=4)  # take from beat 2
    assert rec.press(0, 0.5) is None  # lead-in, before the cursor
    assert rec.press(0, 1.0) == tap(2, 0)
    assert rec.press(0, 1.01) is None  # the lane is already down (its other key), on the same line: the same note
    assert rec.press(7, 1.1) is None  # no such lane
    take = rec.finish(1.2)
    assert take.added == (tap(2, 0),)
    assert take.dropped == 1


def test_a_press_on_the_end_of_a_recorded_hold_is_dropped():
    take = record([(0, 0.0, 1.0), (0, 1.01, 1.05)])
    assert take.added == (hold(0, 0, 2),)
    assert take.dropped == 1


def test_keys_down_at_the_end_come_up_there():
    rec = Recorder((), T120, 8, 0.0, lanes=4)
    rec.press(2, 0.0)
    take = rec.finish(1.5)
    assert take.added == (hold(0, 2, 3),)


def test_stops_and_tempo_changes_snap_in_beats():
    timing = TimingData(bpms=((0, 120), (4, 60)), stops=((2, 0.5),))  # beat 2 at 1.0 s, paused to 1.5 s
    rec = Recorder((), timing, 16, 0.0, lanes=4)
    assert rec.press(0, 1.3) == tap(2, 0)  # during the stop: the paused beat
    assert rec.press(1, 2.5 + 0.26) == tap(Fraction(17, 4), 1)  # beat 4 at 2.5 s, then 1 s per beat


def test_a_press_at_a_warps_moment_lands_on_its_end():
    """A warp takes no time: its first beat and its end sound at once, and StepMania only judges the end."""
    timing = TimingData(bpms=((0, 120),), warps=((4, 8),))  # beats 4..12 at 2.0 s
    rec = Recorder((), timing, 16, 0.0, lanes=4)
    assert rec.press(0, 1.99) == tap(12, 0)  # snaps to beat 4, the warp's start: moved to its end
    assert rec.press(1, 2.26) == tap(Fraction(25, 2), 1)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.floats(0.0, 6.0), st.floats(0.01, 1.5)), max_size=25),
       st.lists(st.tuples(st.integers(0, 24), st.integers(0, 3), st.integers(0, 4)), max_size=12),
       st.sampled_from([4, 8, 12, 16]), st.booleans(), st.sampled_from([NoteKind.TAP, NoteKind.ROLL, NoteKind.MINE]))
def test_any_take_leaves_a_valid_chart(presses, chart_cells, divisor, replace, kind):
    """Whatever the keys do, the chart after the take has one note per cell, nothing inside a hold of its lane,
    nothing recorded before the take's first beat, and only the chart's own notes removed."""
    existing = {}
    for q, lane, length in chart_cells:  # a chart with taps and holds that do not overlap in a lane
        beat = Fraction(q, 2)
        note = hold(beat, lane, Fraction(length, 2)) if length else tap(beat, lane)
        if all(not (n.lane == lane and n.beat <= note.end_beat and beat <= n.end_beat) for n in existing.values()):
            existing[(beat, lane)] = note
    chart = list(existing.values())
    start_s = 0.5
    take = record([(lane, t, t + d) for lane, t, d in presses], notes=chart, divisor=divisor, start_s=start_s,
                  kind=kind, replace=replace, end_s=max([t + d for _, t, d in presses], default=start_s) + 0.1)
    assert set(take.removed) <= set(chart)
    assert all(n.beat >= take.start_beat for n in take.added)
    result = sorted([n for n in chart if n not in set(take.removed)] + list(take.added))
    cells = [(n.beat, n.lane) for n in result]
    assert len(cells) == len(set(cells))
    for a in result:
        for b in result:
            if a is not b and a.lane == b.lane and a.kind.has_length:
                assert not a.beat < b.beat <= a.end_beat, (a, b)

"""chart.timing: exact beat <-> seconds on generated timing, vectorised versions against the exact ones."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chart.timing import TimingData

grid_beats = st.integers(-96, 48 * 64).map(lambda r: Fraction(r, 48))  # StepMania rows, some before beat 0
positive_beats = st.integers(0, 48 * 64).map(lambda r: Fraction(r, 48))
decimals = st.integers(1, 300_000).map(lambda v: Fraction(v, 1000))  # 0.001 .. 300.000, as files write them
pauses = st.integers(0, 3000).map(lambda v: Fraction(v, 1000))


@st.composite
def timings(draw, warps: bool = True) -> TimingData:
    bpms = [(Fraction(0), draw(decimals))] + draw(st.lists(st.tuples(positive_beats, decimals), max_size=5))
    return TimingData(
        offset=draw(st.integers(-5000, 5000).map(lambda v: Fraction(v, 1000))),
        bpms=tuple({b: bpm for b, bpm in bpms}.items()),
        stops=tuple(draw(st.lists(st.tuples(grid_beats, pauses), max_size=4))),
        delays=tuple(draw(st.lists(st.tuples(grid_beats, pauses), max_size=4))),
        warps=tuple(draw(st.lists(st.tuples(grid_beats, st.integers(0, 8 * 48).map(lambda r: Fraction(r, 48))),
                                  max_size=3))) if warps else (),
    )


def inside_warp(timing: TimingData, beat: Fraction) -> bool:
    return any(w <= beat < w + length for w, length in timing.warps if length > 0)


@settings(max_examples=400, deadline=None)
@given(timings(), grid_beats)
def test_round_trip_is_exact_outside_warps(timing: TimingData, beat: Fraction) -> None:
    assume(not inside_warp(timing, beat))
    seconds = timing.beat_to_seconds(beat)
    assert isinstance(seconds, Fraction)
    assert timing.seconds_to_beat(seconds) == beat


@settings(max_examples=300, deadline=None)
@given(timings(), st.lists(grid_beats, min_size=2, max_size=20))
def test_beat_to_seconds_is_monotone(timing: TimingData, beats: list[Fraction]) -> None:
    beats = sorted(beats)
    seconds = [timing.beat_to_seconds(b) for b in beats]
    assert seconds == sorted(seconds)


@settings(max_examples=300, deadline=None)
@given(timings(), st.lists(grid_beats, min_size=1, max_size=30))
def test_vectorised_beats_to_seconds_matches_exact(timing: TimingData, beats: list[Fraction]) -> None:
    exact = np.array([float(timing.beat_to_seconds(b)) for b in beats])
    fast = timing.beats_to_seconds_array(np.array([float(b) for b in beats]))
    np.testing.assert_allclose(fast, exact, rtol=0, atol=1e-9)


@settings(max_examples=300, deadline=None)
@given(timings(), st.lists(st.integers(-10_000, 400_000).map(lambda v: Fraction(v, 997)), min_size=1, max_size=30))
def test_vectorised_seconds_to_beats_matches_exact(timing: TimingData, times: list[Fraction]) -> None:
    k = timing._knots
    edges = [float(a) for a in k.arrive] + [float(k.leave(j)) for j in range(len(k.beats))]
    # Float rounding may put a time on the other side of a warp's jump; keep clear of those edges.
    times = [t for t in times if min(abs(float(t) - e) for e in edges) > 1e-6]
    assume(times)
    exact = np.array([float(timing.seconds_to_beat(t)) for t in times])
    fast = timing.seconds_to_beats_array(np.array([float(t) for t in times]))
    np.testing.assert_allclose(fast, exact, rtol=0, atol=1e-9)


def test_stop_and_delay_semantics() -> None:
    timing = TimingData(bpms=((0, 60),), stops=((1, Fraction(1, 2)),), delays=((3, Fraction(1, 4)),))
    assert timing.beat_to_seconds(1) == 1  # judged when the stop starts
    assert timing.beat_to_seconds(2) == Fraction(5, 2)
    assert timing.beat_to_seconds(3) == Fraction(15, 4)  # judged after the delay
    assert timing.seconds_to_beat(Fraction(5, 4)) == 1  # during the stop
    assert timing.seconds_to_beat(Fraction(7, 2)) == 3  # during the delay


def test_warp_skips_beats() -> None:
    timing = TimingData(bpms=((0, 60),), warps=((2, 2),))
    assert timing.beat_to_seconds(2) == timing.beat_to_seconds(4) == 2
    assert timing.beat_to_seconds(5) == 3
    assert timing.seconds_to_beat(2) == 4  # at a warp: the beat after it


def test_beats_before_a_warp_at_zero_use_the_first_tempo() -> None:
    timing = TimingData(bpms=((0, 120),), warps=((0, 4),))
    assert timing.beat_to_seconds(-2) == -1
    assert timing.seconds_to_beat(-1) == -2
    np.testing.assert_allclose(timing.beats_to_seconds_array([-2.0, 5.0]), [-1.0, 0.5])
    np.testing.assert_allclose(timing.seconds_to_beats_array([-1.0, 0.5]), [-2.0, 5.0])


def test_offset_sets_beat_zero() -> None:
    timing = TimingData.constant(120, offset="-0.250")
    assert timing.beat_to_seconds(0) == Fraction(1, 4)
    assert timing.seconds_to_beat(0) == Fraction(-1, 2)


@settings(max_examples=200, deadline=None)
@given(timings())
def test_beat_zero_is_reached_at_minus_offset(timing: TimingData) -> None:
    assume(not inside_warp(timing, Fraction(0)))
    at_zero = sum((s for b, s in timing.delays if b == 0), Fraction(0))  # a delay at 0 comes after reaching it
    assert timing.beat_to_seconds(0) == -timing.offset + at_zero


def test_pause_at_negative_beat_does_not_move_beat_zero() -> None:
    timing = TimingData(offset=Fraction(1, 10), bpms=((0, 60),), stops=((-1, 2),))
    assert timing.beat_to_seconds(0) == Fraction(-1, 10)
    assert timing.beat_to_seconds(-1) == Fraction(-1, 10) - 3  # judged before its 2 s stop


@pytest.mark.parametrize("bad", [{"bpms": ((0, 0),)}, {"bpms": ()}, {"stops": ((1, -1),)},
                                 {"time_signatures": ((0, 0, 4),)}, {"time_signatures": ((4, 3, 0),)}])
def test_invalid_timing_is_refused(bad) -> None:
    with pytest.raises(ValueError, match="BPM|bpm|stop|time signature"):
        TimingData(**bad)


def test_measure_position_follows_time_signatures() -> None:
    plain = TimingData.constant(120)
    assert plain.measure_position(9.5) == (2, 1.5)
    assert plain.measure_position(-1.0) == (-1, 3.0)
    sigs = TimingData(time_signatures=((0, 7, 8), (16, 4, 4)))  # 3.5-beat measures, a short one at 14, 4/4 at 16
    assert sigs.measure_position(3.0) == (0, 3.0)
    assert sigs.measure_position(15.0) == (4, 1.0)
    assert sigs.measure_position(21.0) == (6, 1.0)


def test_measure_lines_step_to_the_grid_s_measure_starts() -> None:
    """PgUp/PgDn walk the same measure lines the grid draws, time signatures followed (a song in 3/4 stepped by
    4 beats before, away from every line after the first)."""
    for sigs in [(), ((0, 3, 4),), ((0, 7, 8), (16, 4, 4)), ((4, 3, 4), (10, 5, 8))]:
        timing = TimingData(time_signatures=sigs)
        lines = [Fraction(-8)]
        while lines[-1] < 40:
            lines.append(timing.measure_line(lines[-1], 1))
        starts = [b for b in lines if b >= 0]
        assert [float(b) for b in starts] == list(timing.measure_starts(float(starts[-1]))), sigs
        assert all(timing.measure_line(b, -1) == a for a, b in zip(lines, lines[1:])), sigs
        assert timing.measure_line(lines[2], 3) == lines[5]
        assert timing.measure_line(lines[5], -3) == lines[2]
        for a, b in zip(lines, lines[1:]):  # a beat inside a measure: its lines, and the measure it lies in
            inside = a + (b - a) / 3
            assert timing.measure_line(inside, 1) == b
            assert timing.measure_line(inside, -1) == a
            assert timing.measure_span(inside) == (a, b)
            assert timing.measure_span(a) == (a, b)
    three = TimingData(time_signatures=((0, 3, 4),))
    assert [three.measure_line(Fraction(0), k) for k in (1, 2, 3, -1)] == [3, 6, 9, -4]


def test_measure_lines_after_fractional_signatures_are_listed_once():
    """3/16 at beat 19/3 and 7/8 at 28/3: adding float steps drifted a hair below 28/3 and listed that line twice,
    so measure numbers were one too high from there on."""
    t = TimingData(time_signatures=((Fraction(19, 3), 3, 16), (Fraction(28, 3), 7, 8)))
    starts = t.measure_starts(20.0)
    lines, beat = [Fraction(0)], Fraction(0)
    while (beat := t.measure_line(beat, 1)) <= 20:
        lines.append(beat)
    assert len(starts) == len(lines)
    assert np.allclose(starts, [float(b) for b in lines])
    assert t.measure_position(15.0)[0] == sum(1 for b in lines if b <= 15) - 1

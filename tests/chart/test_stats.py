"""chart.stats: counts, row kinds, NPS curve and peak (against brute force), measures, difficulty estimate."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from chart.notes import Note, NoteKind
from chart.song import Chart, Slot
from chart.stats import (
    NPS_WINDOW_S,
    SLOT_NPS_RANGES,
    WINDOW_EDGE_S,
    chart_stats,
    density_per_measure,
    estimate_difficulty,
    kind_counts,
    nps_curve,
    onset_times_s,
    peak_nps,
    row_counts,
    typical_slot,
)
from chart.timing import TimingData
from tests.chart.helpers import hold, tap

sorted_times = st.lists(st.floats(0, 120, allow_nan=False), max_size=200).map(lambda xs: np.sort(np.array(xs)))


def test_kind_counts_cover_every_kind() -> None:
    notes = [tap(0, 0), tap(1, 1), hold(2, 2, 1), Note(Fraction(3), 3, NoteKind.MINE)]
    counts = kind_counts(notes)
    assert counts == {"tap": 2, "hold": 1, "roll": 0, "mine": 1, "fake": 0, "lift": 0}


def test_row_counts_jumps_hands_quads() -> None:
    notes = [
        tap(0, 0),                                   # single
        tap(1, 0), tap(1, 3),                        # jump
        tap(2, 0), tap(2, 1), tap(2, 2),             # hand (3 onsets), also a jump
        hold(3, 0, 4), tap(4, 1), tap(4, 2),         # hand: 2 onsets + lane 0 held
        tap(7, 1), tap(7, 2),                        # lane 0 hold ends at 7: still held there, a hand
        tap(8, 0), tap(8, 1), tap(8, 2), tap(8, 3),  # quad
        Note(Fraction(9), 0, NoteKind.MINE), Note(Fraction(9), 1, NoteKind.MINE),  # mines: no row
    ]
    assert row_counts(notes) == (7, 5, 4, 1)
    assert row_counts([]) == (0, 0, 0, 0)


def test_hands_and_quads_count_as_stepmania_does() -> None:
    """NoteData::RowNeedsAtLeastSimultaneousPresses: a lift is no press, a hold ending on the row holds its lane
    there ("Do count adjacent holds"), and a row needs one press to count at all."""
    lift = NoteKind.LIFT
    assert row_counts([hold(0, 0, 1), tap(1, 1), tap(1, 2)])[2] == 1  # a jump where a hold ends: a hand
    assert row_counts([tap(1, 0), tap(1, 1), Note(Fraction(1), 2, lift)])[1:3] == (1, 0)  # a jump, no hand
    assert row_counts([hold(0, 0, 2), hold(0, 1, 2), Note(Fraction(1), 2, lift)])[2] == 0  # a lift: no press
    both_held = [hold(0, 0, 2), hold(0, 1, 2), tap(1, 2), tap(2, 2), tap(2, 3)]
    assert row_counts(both_held) == (3, 2, 2, 1)  # 2 held + 1 press: a hand; 2 ending + 2 presses: a quad
    assert row_counts([hold(0, 0, 1), tap(Fraction(3, 2), 1), tap(Fraction(3, 2), 2)])[2] == 0  # hold over: a jump


@settings(max_examples=200, deadline=None)
@given(sorted_times, st.sampled_from([1.0, 2.0]))
def test_the_nps_curve_tops_at_the_peak_nps(times, window_s) -> None:
    """The minimap's scale is the top of this curve: sampled only every hop it read up to 1 NPS below the Stats
    panel's Peak NPS (a burst between two samples)."""
    _centres, nps = nps_curve(times, window_s=window_s, start_s=0.0, end_s=130.0)
    assert (nps.max() if nps.size else 0.0) == peak_nps(times, window_s)


def test_a_note_just_before_a_sample_window_end_is_outside_as_for_peak_nps() -> None:
    """Found by the property above: a note 1e-7 s before a sampled window's end counted in the curve (0.5 NPS
    higher than Peak NPS), while the densest-window search treats a note within WINDOW_EDGE_S of the end as at it."""
    times = np.array([118.0, 120.0 - 1e-7])
    _centres, nps = nps_curve(times, window_s=2.0, start_s=0.0, end_s=130.0)
    assert peak_nps(times, 2.0) == 0.5
    assert nps.max() == 0.5


def test_a_burst_between_samples_reaches_the_curve() -> None:
    burst = np.array([10.2, 10.4, 10.6, 10.8, 11.0, 11.2, 11.4, 11.6, 11.8, 12.0])  # no window at k/4 +- 1 s holds all
    assert peak_nps(burst) == 5.0
    centres, nps = nps_curve(burst, start_s=0.0, end_s=20.0)
    assert nps[centres != 11.2].max() == 4.5  # the samples every 0.25 s
    assert nps.max() == 5.0


def test_onset_times_skip_mines_and_follow_timing() -> None:
    timing = TimingData(offset=Fraction(-1, 2), bpms=((0, 120),), stops=((1, 1),))
    notes = [tap(0, 0), Note(Fraction(1), 1, NoteKind.MINE), tap(2, 0), tap(2, 1)]
    np.testing.assert_allclose(onset_times_s(notes, timing), [0.5, 2.5, 2.5])


@settings(max_examples=200, deadline=None)
@given(sorted_times, st.sampled_from([0.5, 1.0, 2.0, 3.7]))
@example(np.array([120 - 1e-7]), 2.0)  # within WINDOW_EDGE_S of the window [118, 120)'s end: outside (found by CI)
def test_nps_curve_matches_brute_force(times, window_s) -> None:
    centres, nps = nps_curve(times, window_s=window_s, hop_s=0.5, start_s=0.0, end_s=121.0)
    grid = 0.5 * np.arange(243)
    assert centres.size == nps.size
    assert centres.size - 243 in ((0, 1) if times.size else (0,))
    if centres.size > 243:  # the densest window's own sample (inserted after a grid sample at the same time)
        k = next((i for i in range(243) if centres[i] != grid[i]), 243)
        assert nps[k] == peak_nps(times, window_s)
        assert np.any(times == centres[k] - window_s / 2) or np.any(np.isclose(times, centres[k] - window_s / 2))
        centres, nps = np.delete(centres, k), np.delete(nps, k)
    np.testing.assert_array_equal(centres, grid)
    for c, value in zip(centres[::7], nps[::7]):  # windows end WINDOW_EDGE_S early, as peak_nps's (test below)
        inside = np.sum((times >= c - window_s / 2) & (times < c + window_s / 2 - WINDOW_EDGE_S))
        assert value == pytest.approx(inside / window_s)


@settings(max_examples=200, deadline=None)
@given(sorted_times, st.floats(-2, 122), st.sampled_from([1.0, 2.0]))
def test_peak_nps_is_the_maximum_over_any_window(times, start_s, window_s) -> None:
    """Windows end WINDOW_EDGE_S early, as peak_nps's do (a note within 1 us of a window's end is at its end,
    outside: float rounding of exact beats); without that here, two notes 0.9999999 s apart made a 1-s window
    hold both in the brute force and one in peak_nps."""
    peak = peak_nps(times, window_s)
    end = window_s - WINDOW_EDGE_S
    anywhere = np.sum((times >= start_s) & (times < start_s + end)) / window_s
    assert anywhere <= peak + 1e-12
    if times.size:  # and some window really holds that many
        best = max(np.sum((times >= t) & (times < t + end)) for t in times)
        assert peak == pytest.approx(best / window_s)
    else:
        assert peak == 0.0


def test_density_per_measure_constant_and_three_four() -> None:
    timing = TimingData.constant(120)  # a 4-beat measure lasts 2 s
    notes = [tap(Fraction(i, 2), i % 4) for i in range(8)] + [tap(4, 0), tap(9, 1)]
    d = density_per_measure(notes, timing)
    np.testing.assert_array_equal(d.start_beats, [0, 4, 8])
    np.testing.assert_array_equal(d.counts, [8, 1, 1])
    np.testing.assert_allclose(d.nps, [4.0, 0.5, 0.5])
    three = TimingData(bpms=((0, 60),), time_signatures=((0, 3, 4),))
    d3 = density_per_measure([tap(0, 0), tap(2, 0), tap(3, 0), tap(7, 0)], three)
    np.testing.assert_array_equal(d3.start_beats, [0, 3, 6])
    np.testing.assert_array_equal(d3.counts, [2, 1, 1])
    np.testing.assert_allclose(d3.nps, [2 / 3, 1 / 3, 1 / 3])


def test_density_counts_notes_before_beat_zero_in_first_measure() -> None:
    d = density_per_measure([tap(-1, 0), tap(1, 0)], TimingData.constant(120))
    assert d.counts.tolist() == [2]


def test_difficulty_is_monotone_and_clipped() -> None:
    means = np.linspace(0.2, 15, 60)
    values = [estimate_difficulty(m, 1.5 * m, 0.1) for m in means]
    assert all(b >= a for a, b in zip(values, values[1:]))
    assert values[0] == 1.0
    assert values[-1] == 20.0
    assert estimate_difficulty(0.0, 0.0, 0.0) == 1.0
    assert estimate_difficulty(4, 6, 0.3) < estimate_difficulty(4, 6, 0.0)  # jumps inflate NPS, not steps


@pytest.mark.parametrize(("mean", "peak", "jump_ratio", "expected"), [
    # clip(-6.95 + 6.07 sqrt(mean) + 2.52 sqrt(peak) - 3.72 jump_ratio, 1, 20), by hand:
    (4.0, 9.0, 0.0, 12.75),  # -6.95 + 6.07*2 + 2.52*3
    (1.0, 4.0, 0.5, 2.30),  # -6.95 + 6.07*1 + 2.52*2 - 3.72/2
    (4.0, 4.0, 1.0, 6.51),  # -6.95 + 6.07*2 + 2.52*2 - 3.72
    (9.0, 9.0, 0.0, 18.82),  # -6.95 + 6.07*3 + 2.52*3: just under the top
    (0.81, 0.81, 0.0, 1.0),  # -6.95 + 6.07*0.9 + 2.52*0.9 = 0.781: clipped up to 1
    (0.25, 1.0, 0.0, 1.0),  # -6.95 + 6.07*0.5 + 2.52*1 = -1.395: clipped up to 1
    (9.0, 12.25, 0.0, 20.0),  # -6.95 + 6.07*3 + 2.52*3.5 = 20.08: clipped down to 20
    (16.0, 25.0, 0.0, 20.0),  # -6.95 + 6.07*4 + 2.52*5 = 29.93: clipped down to 20
])
def test_difficulty_is_the_documented_formula(mean, peak, jump_ratio, expected) -> None:
    """The fitted coefficients themselves (module docstring), not only the shape of the curve."""
    assert estimate_difficulty(mean, peak, jump_ratio) == pytest.approx(expected, abs=1e-9)


def test_typical_slot_follows_slot_ranges() -> None:
    assert [typical_slot(d) for d in (1, 4.8, 5, 9, 11, 13, 20)] == [
        Slot.BEGINNER, Slot.BEGINNER, Slot.EASY, Slot.MEDIUM, Slot.HARD, Slot.CHALLENGE, Slot.CHALLENGE]
    for slot, (low, high) in SLOT_NPS_RANGES.items():  # a chart in the middle of a slot's range lands near it
        mid = (low + high) / 2
        guess = typical_slot(estimate_difficulty(mid, 1.6 * mid, 0.07))
        assert abs(int(guess) - int(slot)) <= 1


def test_chart_stats_of_quarter_notes() -> None:
    # 121 quarter notes at 120 BPM: 2 notes/s for 60 s.
    chart = Chart(slot=Slot.EASY, notes=[tap(i, i % 4) for i in range(121)])
    s = chart_stats(chart, TimingData.constant(120, offset="-1"))
    assert s.onsets == 121
    assert s.rows == 121
    assert s.jumps == 0
    assert (s.first_s, s.last_s, s.drain_s) == (1.0, 61.0, 60.0)
    assert s.mean_nps == pytest.approx(2.0)  # 121 onsets over 120 gaps (121/60) capped at the peak
    assert s.peak_nps == pytest.approx(2.0)
    assert s.typical_slot == Slot.EASY
    assert s.as_dict()["typical_slot"] == "Easy"


def test_mean_nps_of_a_chart_shorter_than_the_peak_window() -> None:
    """A jump then a tap half a second later: notes / (last - first) made a mean of 6 NPS beside a peak of 1.5, and
    a difficulty of 12 ("Hard"). Within one peak window the mean is what the window measures."""
    chart = Chart(slot=Slot.MEDIUM, notes=[tap(0, 0), tap(0, 3), tap(1, 1)])
    s = chart_stats(chart, TimingData.constant(120))
    assert s.mean_nps == s.peak_nps == pytest.approx(3 / NPS_WINDOW_S)
    assert s.difficulty < 3
    assert s.typical_slot == Slot.BEGINNER
    one = chart_stats(Chart(notes=[tap(0, 0)]), TimingData.constant(120))
    assert one.mean_nps == one.peak_nps == pytest.approx(1 / NPS_WINDOW_S)
    # from the window's length on, the span is first to last onset as before, the mean capped at the peak: 3 taps
    # 2 s apart are 3 / 4 s, yet no 2 s window holds more than one
    s = chart_stats(Chart(notes=[tap(0, 0), tap(4, 1), tap(8, 2)]), TimingData.constant(120))
    assert s.mean_nps == s.peak_nps == pytest.approx(1 / NPS_WINDOW_S)
    s = chart_stats(Chart(notes=[tap(0, 0), tap(1, 1), tap(8, 2)]), TimingData.constant(120))
    assert s.mean_nps == pytest.approx(3 / 4.0)


def test_chart_stats_of_empty_chart() -> None:
    s = chart_stats(Chart(), TimingData())
    assert (s.onsets, s.mean_nps, s.peak_nps, s.difficulty) == (0, 0.0, 0.0, 1.0)


def test_row_overlap_pairs_rows_in_time_across_timings():
    from chart.stats import row_overlap

    easy = Chart(slot=Slot.EASY, meter=3, notes=[Note(Fraction(b), b % 4) for b in range(8)]
                 + [Note(Fraction(2), 1), Note(Fraction(9), 0, NoteKind.MINE)])  # a jump is one row; mines none
    hard = Chart(slot=Slot.HARD, meter=8, notes=[Note(Fraction(b, 2), 0) for b in range(0, 16, 2) if b != 6]
                 + [Note(Fraction(1, 2), 2), Note(Fraction(3, 2), 3, NoteKind.HOLD, Fraction(1))])
    same = TimingData.constant(120)
    ov = row_overlap(hard, same, easy, same)
    assert (ov.rows, ov.reference_rows, ov.shared) == (9, 8, 7)  # beat 3 dropped, 0.5 and 1.5 added
    assert ov.kept_share == pytest.approx(7 / 8)
    # the same rows 1 ms apart still pair; a chart whose timing puts them 10 ms off shares none
    assert row_overlap(hard, TimingData.constant(120, "-0.001"), easy, same).shared == 7
    assert row_overlap(hard, TimingData.constant(120, "-0.010"), easy, same).shared == 0
    empty = Chart(slot=Slot.BEGINNER, meter=1)
    assert row_overlap(hard, same, empty, same).kept_share is None
    assert row_overlap(empty, same, easy, same).shared == 0


def test_statistics_count_the_notes_stepmania_judges():
    """A warp's notes share one instant: counting them gave a meter-9 chart 94 peak NPS and difficulty 20."""
    from chart.formats.display_segments import with_entries
    from chart.parity import parse_feet

    timing = TimingData.constant(120).with_changes(warps=((Fraction(16), Fraction(16)),))
    notes = [Note(Fraction(b, 2), b % 4) for b in range(0, 96)]  # 8ths over 48 beats, 16 of them warped
    chart = Chart(slot=Slot.HARD, notes=notes)
    stats = chart_stats(chart, timing)
    plain = chart_stats(Chart(slot=Slot.HARD, notes=[n for n in notes if not 16 <= n.beat < 32]), timing)
    assert (stats.onsets, stats.rows, stats.peak_nps) == (plain.onsets, plain.rows, plain.peak_nps)
    assert stats.peak_nps == 4.0
    assert stats.counts["tap"] == 96  # the chart's notes are all listed
    assert all(not 16 <= r.beat < 32 for r in parse_feet(notes, timing).rows)
    faked = with_entries(TimingData.constant(120), "FAKES", [(Fraction(16), Fraction(16))])
    assert chart_stats(chart, faked).onsets == plain.onsets


def test_peak_nps_does_not_depend_on_the_offset():
    """A steady stream of 8ths: a note exactly 2 s after another fell inside the window or not by float rounding,
    so #OFFSET 0.000 and 0.001 gave 4.0 and 4.5 peak NPS."""
    notes = [Note(Fraction(b, 2), b % 4) for b in range(64)]
    peaks = {chart_stats(Chart(slot=Slot.MEDIUM, notes=notes), TimingData.constant(120, offset)).peak_nps
             for offset in ("0", "0.001", "-0.013", "0.1234", "0.7")}
    assert peaks == {4.0}

"""Tap tempo (audio.tap_tempo): least squares over the taps, jitter averaged out, stumbles and double taps dropped,
a run reset by a pause or a clock going back."""

from __future__ import annotations

import numpy as np
import pytest

from audio.tap_tempo import RESET_AFTER_S, TapTempo, estimate_taps, nearest_beat


def taps(bpm: float, n: int, first_s: float = 0.3, jitter_s: float = 0.0, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return first_s + 60.0 / bpm * np.arange(n) + rng.normal(0.0, jitter_s, n)


def test_exact_taps_give_the_bpm_and_a_beat_of_the_grid():
    e = estimate_taps(taps(128.0, 9, first_s=1.0))
    assert e.bpm == pytest.approx(128.0, abs=1e-9)
    assert e.taps == 9
    assert e.dropped == 0
    assert e.spread_s < 1e-9
    beats = (e.anchor_s - 1.0) / (60.0 / 128.0)
    assert beats == pytest.approx(round(beats), abs=1e-9)  # a beat of the tapped grid (the middle one)
    assert 0 < beats < 8


def test_two_taps_are_enough_for_a_bpm_but_not_for_its_error():
    e = estimate_taps([1.0, 1.5])
    assert e.bpm == pytest.approx(120.0)
    assert e.bpm_error is None
    assert estimate_taps([1.0]) is None
    assert estimate_taps([]) is None


@pytest.mark.parametrize("seed", range(5))
def test_jitter_averages_out_over_the_taps(seed):
    """Careful tapping spreads 10-20 ms; over 24 taps the least-squares BPM is far closer than one interval."""
    e = estimate_taps(taps(150.0, 24, jitter_s=0.015, seed=seed))
    assert e.bpm == pytest.approx(150.0, abs=0.5)
    assert e.bpm_error is not None
    assert abs(e.bpm - 150.0) < 4 * e.bpm_error
    assert e.dropped <= 1  # jitter is no stumble (a tap 3 sigma out, 2.6 % of runs like this, may go: harmless)
    assert 0.005 < e.spread_s < 0.03


def test_a_stumble_is_dropped_and_does_not_move_the_bpm():
    clean = taps(100.0, 16, jitter_s=0.008, seed=3)
    stumbled = clean.copy()
    stumbled[9] += 0.17  # one tap 170 ms late
    with_it = np.polyfit(np.arange(16), stumbled, 1)[0]  # what a fit keeping every tap says
    e = estimate_taps(stumbled)
    assert e.dropped == 1
    assert e.taps == 15
    assert abs(e.bpm - 100.0) < abs(60.0 / with_it - 100.0)
    assert e.bpm == pytest.approx(estimate_taps(np.delete(clean, 9)).bpm, abs=1e-6)
    assert e.spread_s < 0.02


def test_a_double_tap_and_a_missed_beat():
    t = taps(120.0, 12, jitter_s=0.005, seed=4)
    doubled = np.insert(t, 5, t[4] + 0.04)  # a bounce 40 ms after a tap
    e = estimate_taps(doubled)
    assert e.dropped == 1
    assert e.bpm == pytest.approx(120.0, abs=0.5)
    missed = np.delete(t, 6)  # a beat not tapped counts two beats, not one long one
    assert estimate_taps(missed).bpm == pytest.approx(120.0, abs=0.5)


def test_nearest_beat_keeps_beat_zero_where_it_was():
    assert nearest_beat(10.25, 0.5, 0.1) == pytest.approx(0.25)
    assert nearest_beat(10.25, 0.5, 0.0) == pytest.approx(0.25)
    assert nearest_beat(0.2, 0.5, 5.3) == pytest.approx(5.2)
    assert nearest_beat(0.2, 0.5, -0.2) == pytest.approx(-0.3)


def test_a_pause_or_a_clock_going_back_starts_a_new_run():
    run = TapTempo()
    for t in taps(120.0, 6):
        e = run.tap(float(t))
    assert run.count == 6
    assert e.bpm == pytest.approx(120.0)
    e = run.tap(float(t) + RESET_AFTER_S + 0.1)  # a pause: a new run of one tap
    assert run.count == 1
    assert e is None
    run.tap(20.0)
    run.tap(20.4)
    run.tap(5.0)  # a loop or a seek sent the song clock back
    assert run.count == 1
    # a slowed song: song seconds a second apart, wall clock two: the pause counts on the wall clock
    run.reset()
    run.tap(0.0, real_s=0.0)
    run.tap(1.0, real_s=1.9)
    assert run.count == 2
    run.tap(2.0, real_s=4.0)
    assert run.count == 1

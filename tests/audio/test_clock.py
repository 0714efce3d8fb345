"""PlaybackClock: pure unit tests on synthetic ring entries (no thread, no device)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from audio.clock import LatencyEstimate, PlaybackClock, effective_dac_time, estimate_latency

SR = 44100
BLOCK = 512


def feed(clock: PlaybackClock, n_blocks: int, *, t0: float = 10.0, src0: float = 0.0, rate: float = 1.0,
         request: int = 1, segment: int = 1, jitter: np.ndarray | None = None, frame0: int = 0) -> None:
    """Record ``n_blocks`` consecutive blocks; ``jitter`` (s, per block) is added to the reported DAC times."""
    for i in range(n_blocks):
        dac = t0 + i * BLOCK / SR + (0.0 if jitter is None else jitter[i])
        clock.record(dac, frame0 + i * BLOCK, src0 + i * BLOCK * rate, rate, segment, request)


def playing_clock(**kw: float) -> PlaybackClock:
    clock = PlaybackClock(SR, **kw)
    clock.hold(0.0, request=1, playing=True)
    return clock


def test_interpolates_between_entries_exactly() -> None:
    clock = playing_clock()
    feed(clock, 20, t0=10.0, src0=SR * 2.0)  # block 0 sounds at t=10 s from song second 2
    for dt in (0.0, 0.001, 0.0123, 0.1, 0.2):
        assert clock.song_seconds(10.0 + dt) == pytest.approx(2.0 + dt, abs=1e-9)


def test_rate_scales_the_slope_and_rate_changes_join_up() -> None:
    clock = playing_clock()
    feed(clock, 10, t0=5.0, src0=0.0, rate=0.5)
    t_switch = 5.0 + 10 * BLOCK / SR
    src_switch = 10 * BLOCK * 0.5
    feed(clock, 10, t0=t_switch, src0=src_switch, rate=1.0, frame0=10 * BLOCK)
    assert clock.song_seconds(5.0 + 0.05) == pytest.approx(0.025, abs=1e-9)
    assert clock.song_seconds(t_switch - 1e-6) == pytest.approx(src_switch / SR - 0.5e-6, abs=1e-9)
    assert clock.song_seconds(t_switch + 0.01) == pytest.approx(src_switch / SR + 0.01, abs=1e-9)


def test_held_before_the_first_block_reaches_the_dac() -> None:
    clock = PlaybackClock(SR)
    clock.hold(3.0, request=1, playing=True)
    feed(clock, 5, t0=10.0, src0=3.0 * SR)
    assert clock.song_seconds(9.99) == 3.0  # audio not audible yet: the playhead waits at the seek target
    assert clock.song_seconds(10.01) == pytest.approx(3.01, abs=1e-9)


def test_frozen_while_paused() -> None:
    clock = playing_clock()
    feed(clock, 20)
    clock.hold(0.1234, request=2, playing=False)
    assert clock.song_seconds(10.05) == 0.1234
    assert clock.song_seconds(11.0) == 0.1234


def test_seek_ignores_audio_of_the_previous_request_still_in_flight() -> None:
    clock = playing_clock()
    feed(clock, 20, t0=10.0, src0=0.0, request=1)
    clock.hold(30.0, request=2, playing=True)  # seek while playing
    feed(clock, 5, t0=10.0 + 20 * BLOCK / SR, src0=30.0 * SR, request=2, segment=2, frame0=20 * BLOCK)
    assert clock.song_seconds(10.1) == 30.0  # old request's audio still sounds: show the target, not 0.1 s
    t_new = 10.0 + 20 * BLOCK / SR
    assert clock.song_seconds(t_new + 0.005) == pytest.approx(30.005, abs=1e-9)


def test_monotonic_within_a_segment_even_with_jittered_raw_times() -> None:
    clock = playing_clock()
    clock.smoothing = False  # raw host times: positions would step back without the guard
    rng = np.random.default_rng(0)
    feed(clock, 60, jitter=rng.uniform(0.0, 0.004, 60))
    times = np.linspace(10.0, 10.0 + 59 * BLOCK / SR, 2000)
    pos = np.array([clock.song_seconds(t) for t in times])
    assert np.all(np.diff(pos) >= 0.0)
    assert pos[-1] > pos[0] + 0.6


def test_jumps_back_at_a_new_segment() -> None:
    clock = playing_clock()
    feed(clock, 10, t0=10.0, src0=5.0 * SR, segment=1)
    t_wrap = 10.0 + 10 * BLOCK / SR
    clock.record(t_wrap, 10 * BLOCK, 4.0 * SR, 1.0, 2, 1)  # loop wrap back to 4 s
    before = clock.song_seconds(t_wrap - 0.001)
    after = clock.song_seconds(t_wrap + 0.001)
    assert before > 5.1
    assert after == pytest.approx(4.001, abs=1e-9)


def test_jitter_filter_recovers_the_device_timeline() -> None:
    """Fallback hosts report currentTime + latency: always late by the wake-up delay. The filter removes it."""
    rng = np.random.default_rng(1)
    jitter = rng.exponential(0.002, 64)
    raw, filtered = playing_clock(), playing_clock()
    raw.smoothing = False
    feed(raw, 64, jitter=jitter)
    feed(filtered, 64, jitter=jitter)
    times = 10.0 + 40 * BLOCK / SR + np.linspace(0.0, 20 * BLOCK / SR, 300)
    truth = times - 10.0
    err_raw = np.array([raw.audible_seconds(t) for t in times]) - truth
    err_filtered = np.array([filtered.audible_seconds(t) for t in times]) - truth
    assert np.abs(err_raw).max() > 0.002
    assert np.abs(err_filtered).max() < 0.0005


def test_underrun_starts_a_new_timebase() -> None:
    clock = playing_clock()
    feed(clock, 10, t0=10.0)
    # After an underrun the device timeline is 30 ms later for the same device frames.
    for i in range(10, 20):
        clock.record(10.030 + i * BLOCK / SR, i * BLOCK, i * BLOCK, 1.0, 1, 1, timebase=1)
    t = 10.030 + 15 * BLOCK / SR
    assert clock.audible_seconds(t) == pytest.approx(15 * BLOCK / SR, abs=1e-9)


def test_song_end_entry_stops_the_playhead() -> None:
    clock = playing_clock()
    feed(clock, 4)
    t_end = 10.0 + 4 * BLOCK / SR
    clock.record(t_end, 4 * BLOCK, 4 * BLOCK, 0.0, 1, 1)
    assert clock.song_seconds(t_end + 1.0) == pytest.approx(4 * BLOCK / SR, abs=1e-9)


def test_latency_and_visual_offset_are_real_time_and_apart() -> None:
    clock = playing_clock()
    feed(clock, 100, rate=0.5)
    base = clock.audible_seconds(10.5)
    clock.output_latency_s = 0.040
    assert clock.audible_seconds(10.5) == pytest.approx(base - 0.020, abs=1e-9)  # 40 ms real = 20 ms of song
    clock.visual_offset_s = 0.010
    assert clock.song_seconds(10.5) == pytest.approx(base - 0.015, abs=1e-9)
    assert clock.audible_seconds(10.5) == pytest.approx(base - 0.020, abs=1e-9)  # visual offset: display only


def test_ring_wraps_and_keeps_the_newest_entries() -> None:
    clock = playing_clock(capacity=8, window=4)
    feed(clock, 1000)
    t = 10.0 + 995.5 * BLOCK / SR
    assert clock.entries_recorded == 1000
    assert clock.song_seconds(t) == pytest.approx(995.5 * BLOCK / SR, abs=1e-9)


def test_concurrent_writer_never_gives_a_torn_read() -> None:
    """Entries satisfy src/sr == dac exactly, so any consistent read gives position == query time."""
    clock = playing_clock(capacity=8, window=4)
    stop = threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set():
            clock.record(i * BLOCK / SR, i * BLOCK, i * BLOCK, 1.0, 1, 1)
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        worst = 0.0
        for _ in range(3000):
            n = clock.entries_recorded
            if n < 2:
                continue
            t = (n - 2) * BLOCK / SR + 0.001
            pos = clock.audible_seconds(t)
            if pos != 0.0:  # 0.0 = held (the entry for t was already overwritten); anything else must be exact
                worst = max(worst, abs(pos - t))
    finally:
        stop.set()
        thread.join()
    assert worst < 1e-9


def test_effective_dac_time_fallbacks() -> None:
    assert effective_dac_time(5.0, 4.9, 0.02, 1.0) == 5.0
    assert effective_dac_time(0.0, 4.9, 0.02, 1.0) == pytest.approx(4.92)
    assert effective_dac_time(0.0, 0.0, 0.02, 1.0) == pytest.approx(1.02)


def test_estimate_latency_median_with_outliers() -> None:
    rng = np.random.default_rng(3)
    clicks = np.arange(1.0, 21.0, 0.75)
    taps = clicks + 0.087 + rng.normal(0.0, 0.008, clicks.size)
    taps[[3, 9]] += 0.30  # two taps near the half-way point are ambiguous or plain wrong
    est = estimate_latency(taps, clicks)
    assert isinstance(est, LatencyEstimate)
    assert est.latency_s == pytest.approx(0.087, abs=0.004)
    assert est.n_rejected == 2
    assert est.spread_s < 0.01
    slow = estimate_latency(clicks + 0.05, clicks, rate=0.5)  # 50 ms of song at half speed is 100 ms real
    assert slow.latency_s == pytest.approx(0.1)
    # 300 ms of real latency at half speed, 120 BPM (clicks 0.5 song-s, 1 s real apart): 0.15 song-s from each
    # click, inside half a spacing; it was compared with the spacing in song seconds and every tap was refused
    beats = np.arange(1.0, 21.0, 0.5)
    bluetooth = estimate_latency(beats + 0.15, beats, rate=0.5)
    assert bluetooth.latency_s == pytest.approx(0.3)
    assert bluetooth.n_rejected == 0


def test_estimate_latency_rejects_too_few_taps() -> None:
    with pytest.raises(ValueError, match="at least 4 taps"):
        estimate_latency(np.array([1.0, 2.0]), np.arange(10.0))
    with pytest.raises(ValueError, match="two clicks"):
        estimate_latency(np.arange(5.0), np.array([1.0]))


@pytest.mark.parametrize("drift_ppm", [-150.0, 0.0, 150.0])
def test_jitter_filter_follows_a_drifting_device_clock(drift_ppm: float) -> None:
    """The stream clock and the DAC may disagree by ~100 ppm; the filtered offset must follow, not stick."""
    clock = playing_clock()
    rng = np.random.default_rng(4)
    worst = 0.0
    for i in range(6000):  # 70 s of blocks
        true_dac = 10.0 + i * BLOCK / SR * (1.0 + drift_ppm * 1e-6)
        clock.record(true_dac + rng.exponential(0.001), i * BLOCK, i * BLOCK, 1.0, 1, 1)
        if i > 100 and i % 5 == 0:
            t = true_dac + 0.25 * BLOCK / SR
            truth = (i + 0.25 / (1.0 + drift_ppm * 1e-6)) * BLOCK / SR
            worst = max(worst, abs(clock.audible_seconds(t) - truth))
    assert worst < 0.0005

"""The output's soft limiter: ticks that stack past full scale are bent, not cut flat, and land where they did.

At the editor's default volumes (music 0.8, tick 0.6) a note tick and a beat tock on one frame sum to 1.2 over
silence, and ticks over a loud passage go further; the renderer cut everything at +-1.0 (8422 flat samples in the
first minute of a loud song). Driven block by block (no thread, no device).
"""

from __future__ import annotations

import numpy as np
import pytest

from audio.clock import PlaybackClock
from audio.mixer import LIMIT_KNEE, Renderer, SourceMix, Transport, soft_limit
from audio.ticks import BEAT, NOTE, TickTrack, click_sample, mix_ticks
from tests.audio.signals import peak_allocated

SR = 44100
BLOCK = 512
MUSIC_VOLUME, TICK_VOLUME = 0.8, 0.6  # the editor's defaults (editor/settings.py)


def render(music: np.ndarray, tracks: tuple[TickTrack, ...], music_gain: float, tick_gain: float) -> np.ndarray:
    r = Renderer(SourceMix.create([music], SR, 2), SR, 2, PlaybackClock(SR))
    r.music_gain, r.tick_gain, r.ticks = music_gain, tick_gain, tracks
    r.clock.hold(0.0, 1, True)
    r.transport = Transport(1, True, 0.0)
    out = np.zeros((music.size // BLOCK * BLOCK, 2), np.float32)
    for i in range(out.shape[0] // BLOCK):
        r.render(out[i * BLOCK:(i + 1) * BLOCK], 100.0 + r.device_frame / SR)
    return out


def limited(x: np.ndarray) -> np.ndarray:
    y = np.array(x, np.float32)
    soft_limit(y, np.zeros_like(y), np.zeros(y.shape, bool))
    return y


def tick_tracks() -> tuple[TickTrack, ...]:
    beats = np.arange(0.05, 2.0, 0.25)
    notes = np.concatenate([beats[::2], beats[1::2] + 0.125])  # half on the beat (same frame), half between
    return (TickTrack.from_seconds(beats, click_sample(BEAT, SR), SR),
            TickTrack.from_seconds(notes, click_sample(NOTE, SR), SR))


def raw_ticks(tracks: tuple[TickTrack, ...], n: int, gain: float) -> np.ndarray:
    raw = np.zeros((n, 2), np.float32)
    for track in tracks:
        mix_ticks(raw, track, 0.0, 1.0, gain)
    return raw


def test_coinciding_ticks_at_default_volumes_are_bent_not_cut() -> None:
    tracks = tick_tracks()
    out = render(np.zeros(2 * SR, np.float32), tracks, MUSIC_VOLUME, TICK_VOLUME)
    raw = raw_ticks(tracks, out.shape[0], TICK_VOLUME)
    assert np.abs(raw).max() > 1.15  # the stacked ticks do go past full scale
    assert np.abs(out).max() < 1.0  # bent toward 1.0: no flat run at the clip level
    np.testing.assert_allclose(out, limited(raw), atol=1e-6)
    # onsets unchanged: the same frames start each tick, with the same sign, everywhere
    np.testing.assert_array_equal(np.sign(out), np.sign(raw))
    for track in tracks:
        frames = track.frames.astype(int)
        assert not out[frames - 1].any()
        np.testing.assert_array_equal(out[frames, 0], limited(raw[frames, 0]))


def test_loud_music_with_ticks_never_passes_full_scale() -> None:
    t = np.arange(2 * SR) / SR
    music = np.sin(2 * np.pi * 220.0 * t).astype(np.float32)  # a master at 0 dBFS
    tracks = tick_tracks()
    out = render(music, tracks, 1.0, 1.0)
    unlimited = music[:out.shape[0], None] + raw_ticks(tracks, out.shape[0], 1.0)
    assert np.abs(unlimited).max() > 1.8
    assert np.abs(out).max() <= 1.0
    order = np.argsort(unlimited[:, 0], kind="stable")
    assert (np.diff(out[order, 0]) >= 0).all()  # one monotonic curve: louder in, never quieter out


def test_music_under_the_knee_is_untouched() -> None:
    music = np.random.default_rng(3).uniform(-1.0, 1.0, SR).astype(np.float32)
    out = render(music, (), LIMIT_KNEE, 0.0)
    np.testing.assert_array_equal(out[:, 0], music[:out.shape[0]] * np.float32(LIMIT_KNEE))


def test_the_curve_joins_the_identity_at_the_knee() -> None:
    x = np.array([[0.0], [0.5], [LIMIT_KNEE], [LIMIT_KNEE + 1e-4], [1.0], [1.2], [3.0], [-1.2]], np.float32)
    y = limited(x)[:, 0]
    np.testing.assert_array_equal(y[:3], x[:3, 0])
    assert y[3] == pytest.approx(LIMIT_KNEE + 1e-4, abs=1e-7)  # slope 1 at the knee: no kink
    assert y[4] == pytest.approx(LIMIT_KNEE + (1 - LIMIT_KNEE) * np.tanh(1.0), abs=1e-6)
    assert y[4] < y[5] < 1.0
    assert y[6] == pytest.approx(1.0)
    assert y[7] == -y[5]


def test_limiting_allocates_no_arrays() -> None:
    """Every block goes through the limiter (loud music): still no arrays made in the callback."""
    r = Renderer(SourceMix.create([np.full((2, SR * 5), 0.99, np.float32)], SR, 2), SR, 2, PlaybackClock(SR))
    r.ticks = (TickTrack.from_seconds(np.arange(0.0, 5.0, 0.05), click_sample(BEAT, SR), SR),)
    r.tick_gain = 0.7
    r.clock.hold(0.0, 1, True)
    r.transport = Transport(1, True, 0.0)
    out = np.zeros((2048, 2), np.float32)  # one block = 16 kB
    for _ in range(20):
        r.render(out, 0.0)
    assert np.abs(out).max() > LIMIT_KNEE
    peak = peak_allocated(lambda: r.render(out, 0.0))
    assert peak < 8192, f"callback allocated {peak} bytes at peak"

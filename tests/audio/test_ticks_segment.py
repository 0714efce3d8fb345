"""Each segment of playback (a play, a seek, a loop pass) starts with the ticks at or after its start.

``mix_ticks`` looks back one tick length before every span so that a tick started in the previous block goes on
sounding. After a loop wrap (or a play or seek start) the span starts somewhere else in the song, and the look-back
pulled in the tail of a tick just before that point: at 200 BPM with a loop starting 50 ms after a beat, every pass
began with 10 ms of a tock, mid-decay, that the loop does not contain. Driven block by block (no thread, no device).
"""

from __future__ import annotations

import numpy as np
import pytest

from audio.clock import PlaybackClock
from audio.mixer import Renderer, SourceMix, Transport
from audio.ticks import BEAT, TickTrack, click_sample

SR = 44100
BLOCK = 512
TOCK = click_sample(BEAT, SR)
GAIN = 0.5  # below the output limiter's knee: the tick's samples come out as they are
BEATS_S = np.arange(0.0, 10.0, 0.3)  # 200 BPM


def renderer(rate: float = 1.0) -> Renderer:
    r = Renderer(SourceMix.create([np.zeros(10 * SR, np.float32)], SR, 1), SR, 1, PlaybackClock(SR))
    r.ticks = (TickTrack.from_seconds(BEATS_S, TOCK, SR),)
    r.tick_gain, r.rate = GAIN, rate
    return r


def play(r: Renderer, from_s: float, n_blocks: int, request: int = 1) -> np.ndarray:
    r.clock.hold(from_s, request, True)
    r.transport = Transport(request, True, from_s * SR)
    out = np.zeros((n_blocks * BLOCK, 1), np.float32)
    for i in range(n_blocks):
        r.render(out[i * BLOCK:(i + 1) * BLOCK], 100.0 + r.device_frame / SR)
    return out[:, 0]


@pytest.mark.parametrize("rate", [1.0, 0.5])
def test_a_tick_just_before_the_loop_start_is_not_heard_at_the_wraps(rate: float) -> None:
    r = renderer(rate)
    # 50 ms of output after the beat at 3.0 s, inside its 60 ms tock; holds the beats at 3.3 and 3.6 s
    a, b = round((3.0 + 0.05 * rate) * SR), round(3.65 * SR)
    r.loop = (a, b)
    pass_frames = round((b - a) / rate)
    out = play(r, a / SR, (3 * pass_frames) // BLOCK + 1)
    expected_pass = np.zeros(pass_frames, np.float32)
    for t in (3.3, 3.6):
        k = round((round(t * SR) - a) / rate)
        n = min(TOCK.size, pass_frames - k)  # the tock at 3.6 s is cut at the wrap (documented)
        expected_pass[k:k + n] = GAIN * TOCK[:n]
    for p in range(3):
        got = out[p * pass_frames:(p + 1) * pass_frames]
        assert not got[:round(0.010 * SR)].any(), f"pass {p} starts with the tail of the tick at 3.0 s"
        np.testing.assert_allclose(got, expected_pass, atol=1e-6)


def test_a_tick_before_the_play_or_seek_position_is_not_heard() -> None:
    r = renderer()
    out = play(r, 3.05, 30)
    assert not out[:round(0.2 * SR)].any()  # the tock at 3.0 s would still sound for 10 ms
    k = round(3.3 * SR) - round(3.05 * SR)
    np.testing.assert_allclose(out[k:k + TOCK.size], GAIN * TOCK, atol=1e-6)
    out = play(r, 6.01, 4, request=2)  # a seek while playing: 10 ms after the beat at 6.0 s
    assert not out.any()


@pytest.mark.parametrize("from_s", [3.0, 3.0 + 0.4 / SR, 3.0 - 0.4 / SR])
def test_the_tick_at_the_play_position_sounds_whole(from_s: float) -> None:
    """A tick's frame is rounded, so playing from the tick's own time (the cursor on a note) starts with it."""
    out = play(renderer(), from_s, 8)
    np.testing.assert_allclose(out[:TOCK.size], GAIN * TOCK, atol=1e-6)


def test_a_tick_at_the_loop_start_sounds_at_every_wrap() -> None:
    r = renderer()
    a, b = round(3.0 * SR), round(3.2 * SR)
    r.loop = (a, b)
    out = play(r, 3.0, (3 * (b - a)) // BLOCK + 1)
    for p in range(3):
        np.testing.assert_allclose(out[p * (b - a):p * (b - a) + TOCK.size], GAIN * TOCK, atol=1e-6)


def test_entering_a_loop_from_before_keeps_a_tick_that_is_sounding() -> None:
    """Only a discontinuity starts a segment: playing into the loop is one stretch of song, the tock goes on."""
    r = renderer()
    a, b = round(3.02 * SR), round(3.4 * SR)
    r.loop = (a, b)
    out = play(r, 2.99, 20)
    k = round(3.0 * SR) - round(2.99 * SR)
    np.testing.assert_allclose(out[k:k + TOCK.size], GAIN * TOCK, atol=1e-6)

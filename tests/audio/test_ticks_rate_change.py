"""A tick or keysound still sounding when the rate changes goes on from the sample it had reached.

Ticks and hitsounds play at their own pitch, never stretched, so a rate change (Shift+Left/Right while playing,
effective at the next block) must not move the part of a sound already started. The renderer used to place every
sounding tick as if the new rate had run since its onset: the tail of a tock jumped to another sample (a click), and
a long keysound skipped ahead (slower) or replayed (faster) a large part of itself. Driven block by block.
"""

from __future__ import annotations

import numpy as np
import pytest

from audio.clock import PlaybackClock
from audio.mixer import Renderer, SourceMix, Transport
from audio.ticks import BEAT, TickTrack, click_sample

SR = 44100
BLOCK = 512
GAIN = 0.5  # below the output limiter's knee: the samples come out as they are
STEP = 1.0 / (4 * SR)
RAMP = (np.arange(2 * SR) * STEP).astype(np.float32)  # keysound whose value tells which of its samples is heard


def render(track: TickTrack, from_s: float, rates: dict[int, float], n_blocks: int, gain: float = GAIN,
           loop: tuple[int, int] | None = None) -> np.ndarray:
    """Play from ``from_s``; ``rates[i]`` is set before block ``i`` (block 0 must be there)."""
    r = Renderer(SourceMix.create([np.zeros(6 * SR, np.float32)], SR, 1), SR, 1, PlaybackClock(SR))
    r.ticks, r.tick_gain, r.loop = (track,), gain, loop
    r.transport = Transport(1, True, from_s * SR)
    out = np.zeros((n_blocks * BLOCK, 1), np.float32)
    for i in range(n_blocks):
        r.rate = rates.get(i, r.rate)
        r.render(out[i * BLOCK:(i + 1) * BLOCK], 100.0 + i * BLOCK / SR)
    return out[:, 0]


@pytest.mark.parametrize(("before", "after"), [(1.0, 0.5), (0.5, 1.0), (1.0, 0.25), (0.25, 1.0), (0.5, 0.75)])
def test_a_sounding_tock_continues_sample_by_sample(before: float, after: float) -> None:
    tock = click_sample(BEAT, SR)
    onset = 3 * BLOCK + 100  # output frame of the tock: block 4 changes the rate mid-tock
    from_s = (1.0 * SR - onset * before) / SR
    out = render(TickTrack.from_seconds(np.array([1.0]), tock, SR), from_s, {0: before, 4: after}, 12)
    got_onset = int(np.flatnonzero(out)[0])
    assert abs(got_onset - onset) <= 1
    np.testing.assert_allclose(out[got_onset:got_onset + tock.size], GAIN * tock, atol=1e-6)
    assert not out[got_onset + tock.size:].any()  # not replayed


@pytest.mark.parametrize("rates", [{0: 1.0, 90: 0.5}, {0: 0.5, 90: 1.0},
                                   {0: 1.0, 30: 0.5, 60: 0.25, 61: 0.75, 100: 1.0, 130: 0.5}])
def test_a_long_keysound_neither_skips_nor_replays(rates: dict[int, float]) -> None:
    track = TickTrack.from_seconds(np.array([0.5]), RAMP, SR)
    n_blocks = 200  # 2.3 s of output: at least 1.2 s of the keysound, across every change
    out = render(track, 0.5 - 10 / SR, rates, n_blocks, gain=1.0)
    start = int(np.flatnonzero(out > 0)[0]) - 1  # its sample 0 is 0.0
    heard = np.rint(out[start:].astype(np.float64) / STEP)[:RAMP.size]
    n = heard.size
    np.testing.assert_array_equal(heard, np.arange(n), err_msg="the keysound jumped at a rate change")
    assert n > 1.2 * SR


def test_ticks_after_a_rate_change_land_at_the_new_rate_and_a_loop_wrap_still_cuts() -> None:
    """Rate changes are not discontinuities; a loop wrap is one, after a rate change too (documented)."""
    tock = click_sample(BEAT, SR)
    beats = np.array([1.0, 1.1, 1.2])
    a, b = round(1.0 * SR), round(1.23 * SR)
    out = render(TickTrack.from_seconds(beats, tock, SR), 1.0, {0: 1.0, 5: 0.5}, 80, loop=(a, b))
    change_src = a + 5 * BLOCK
    first_pass = 5 * BLOCK + round((b - change_src) / 0.5)
    for t in beats[1:]:
        k = 5 * BLOCK + round((round(t * SR) - change_src) / 0.5)
        n = min(tock.size, first_pass - k)  # the tock at 1.2 s is cut at the wrap
        np.testing.assert_allclose(out[k:k + n], GAIN * tock[:n], atol=1e-6)
    second = out[first_pass:first_pass + round((b - a) / 0.5)]
    np.testing.assert_allclose(second[:tock.size], GAIN * tock, atol=1e-6)  # the loop-start tick, whole

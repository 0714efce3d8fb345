"""Stems through the renderer's interpolating path: every source of a block is read at the same frames."""

from __future__ import annotations

import numpy as np
import pytest

from audio.clock import PlaybackClock
from audio.mixer import Renderer, SourceMix, Transport

SR = 48000
BLOCK = 512


def _stems() -> list[np.ndarray]:
    t = np.arange(2 * SR) / SR
    return [np.vstack([0.2 * np.sin(2 * np.pi * f * t)] * 2).astype(np.float32) for f in (220.0, 440.0, 880.0)]


def _play(sources: list[np.ndarray], gains: list[float] | None, rate: float, start_frame: float) -> np.ndarray:
    renderer = Renderer(SourceMix.create(sources, SR, 2, gains), SR, 2, PlaybackClock(SR))
    renderer.rate = rate
    renderer.transport = Transport(1, True, start_frame)
    out = np.zeros((40 * BLOCK, 2), np.float32)
    for i in range(40):
        renderer.render(out[i * BLOCK:(i + 1) * BLOCK], i * BLOCK / SR)
    return out


@pytest.mark.parametrize(("rate", "start_frame"), [(0.75, 24000.0), (0.75, 0.3 * SR + 0.37), (1.0, 59259.2544)])
def test_three_stems_with_gains_one_play_as_their_mix(rate: float, start_frame: float) -> None:
    """A fractional start or a rate below 1 interpolates; the 2nd and 3rd stems were read at shifted frames
    (the shared index buffer was moved in place by the first), a +2 dB error instead of float rounding."""
    stems = _stems()
    mix = _play([stems[0] + stems[1] + stems[2]], None, rate, start_frame)
    got = _play(stems, [1.0, 1.0, 1.0], rate, start_frame)
    assert np.abs(mix).max() > 0.3
    np.testing.assert_allclose(got, mix, atol=1e-5)


def test_two_audible_stems_at_a_slowed_rate_equal_their_sum() -> None:
    stems = _stems()
    want = _play([stems[0] + stems[2]], None, 0.5, 1000.5)
    got = _play(stems, [1.0, 0.0, 1.0], 0.5, 1000.5)
    np.testing.assert_allclose(got, want, atol=1e-5)

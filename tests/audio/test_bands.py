"""audio.bands: zero-phase low/high-pass blocks for the filtered waveforms."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import butter, sosfiltfilt

from audio.bands import BANDS, ORDER, band_blocks

SR = 8000


def blocks_of(x: np.ndarray, size: int):
    for i in range(0, len(x), size):
        yield x[i:i + size]


def test_blockwise_equals_whole_signal_filtering():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(SR * 47).astype(np.float32)  # 47 s: two full 20-s blocks and a tail
    out = np.concatenate(list(band_blocks(blocks_of(x, 12345), SR, "low-pass")))
    assert out.shape == x.shape
    kind, cutoff = BANDS["low-pass"]
    whole = sosfiltfilt(butter(ORDER, cutoff, btype=kind, fs=SR, output="sos"), x.astype(np.float64))
    assert np.max(np.abs(out - whole)) < 1e-3 * np.max(np.abs(whole))


def test_bands_separate_low_and_high_tones():
    t = np.arange(SR * 5) / SR
    low, high = np.sin(2 * np.pi * 60 * t), 0.5 * np.sin(2 * np.pi * 3500 * t)
    x = (low + high).astype(np.float32)
    lo = np.concatenate(list(band_blocks([x], SR, "low-pass")))
    hi = np.concatenate(list(band_blocks([x], SR, "high-pass")))
    mid = slice(SR, 4 * SR)
    assert np.std(lo[mid] - low[mid]) < 0.02
    assert np.std(hi[mid] - high[mid]) < 0.02


def test_attack_stays_at_its_sample():
    x = np.zeros(SR * 3, dtype=np.float32)
    onset = SR + 123
    n = np.arange(SR // 4)
    x[onset:onset + len(n)] = np.sin(2 * np.pi * 80 * n / SR) * np.exp(-n / (0.05 * SR))  # a kick-like burst
    lo = np.concatenate(list(band_blocks([x], SR, "low-pass")))
    envelope = np.abs(lo)
    first = int(np.argmax(envelope > 0.1 * envelope.max()))
    assert abs(first - onset) < 0.003 * SR  # within 3 ms (a causal filter puts it later)


def test_short_input_and_bad_band():
    assert np.concatenate(list(band_blocks([np.ones(5, dtype=np.float32)], SR, "high-pass"))).shape == (5,)
    with pytest.raises(ValueError, match="unknown band"):
        list(band_blocks([np.zeros(10, dtype=np.float32)], SR, "mid"))

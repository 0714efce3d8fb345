"""The low-pass / high-pass waveform zoomed in past the pyramid's 64-sample bins reads the visible span of the
filtered mix, as the mix waveform reads its samples: the band pyramid (scaled, and of a signal nobody keeps) fell
back to its level-0 bins, and an attack 60 samples into a bin was drawn 2.7 ms (11 px at 4000 px/s) early."""

from __future__ import annotations

import numpy as np
import pytest

from audio.bands import band_blocks
from audio.peaks import PeakPyramid
from editor.controllers.stems import BandSpan, band_peaks_job

SR = 22050


class Ctx:
    def check(self) -> None:
        pass

    def report(self, *_args) -> None:
        pass


def song(stereo: bool) -> np.ndarray:
    y = np.zeros(SR * 3, np.float32)
    n = int(0.004 * SR)
    burst = np.random.default_rng(0).uniform(-1, 1, n) * np.exp(-np.arange(n) / (0.001 * SR))
    y[64 * 700 + 60:64 * 700 + 60 + n] = 0.8 * burst / np.abs(burst).max()  # 60 samples into a level-0 bin
    return np.stack([y, 0.5 * y]) if stereo else y


@pytest.mark.parametrize("band", ["high-pass", "low-pass"])
@pytest.mark.parametrize("stereo", [False, True])
def test_zoomed_in_band_peaks_are_the_filtered_samples(band, stereo):
    samples = song(stereo)
    mono = samples.mean(axis=0, dtype=np.float32) if stereo else samples
    filtered = np.concatenate(list(band_blocks([mono], SR, band)))
    peaks = band_peaks_job(Ctx(), samples, SR, band, target_peak=0.8)
    gain = peaks.peak / max(float(np.abs(filtered).max()), 1e-12)
    start, n = 64 * 700 / SR - 0.01, 120  # 4000 px/s around the attack: 5.5 samples a pixel
    lo, hi = peaks.query(start, start + n / 4000, n)
    fpp = (n / 4000) * SR / n
    for k in range(n):
        a, b = int(np.floor(start * SR + k * fpp)), int(np.ceil(start * SR + (k + 1) * fpp))
        own = filtered[a:b] * gain
        assert lo[k] == pytest.approx(own.min(), abs=1e-5), k
        assert hi[k] == pytest.approx(own.max(), abs=1e-5), k
    # zoomed out it is the pyramid's levels, as before
    coarse = PeakPyramid.from_samples(filtered, SR).scaled(gain).query(0.0, 3.0, 300)
    assert np.allclose(peaks.query(0.0, 3.0, 300), coarse, atol=1e-6)


def test_band_span_keeps_no_copy_and_handles_the_edges():
    samples = song(True)
    span = BandSpan(samples, SR, "high-pass")
    assert span.samples is samples
    assert span(0, 0).shape == (1, 0)
    end = samples.shape[-1]
    filtered = np.concatenate(list(band_blocks([samples.mean(axis=0, dtype=np.float32)], SR, "high-pass")))
    for first, stop in ((0, 500), (end - 300, end), (20_000, 50_000)):
        assert np.allclose(span(first, stop)[0], filtered[first:stop], atol=1e-6)
    # a scaled pyramid of the mix's own samples reads them scaled (it used to drop them)
    mix = PeakPyramid.from_samples(samples.mean(axis=0), SR).with_samples(samples)
    lo, hi = mix.scaled(2.0).query(2.025, 2.035, 40)  # around the attack
    lo1, hi1 = mix.query(2.025, 2.035, 40)
    assert np.allclose(lo, 2 * lo1)
    assert np.allclose(hi, 2 * hi1)

"""audio.peaks zoomed in past level 0: a pyramid given its samples answers each pixel from its own samples, so an
attack late in a 64-sample bin is not drawn up to a bin early (12 px at 4000 px/s on a 22.05 kHz file)."""

from __future__ import annotations

import numpy as np
import pytest

from audio.peaks import PeakPyramid

SR = 22050
CLICK = 64 * 1500 + 63  # the last sample of a level-0 bin


def click_song(channels: int = 1) -> np.ndarray:
    x = np.zeros((channels, SR * 10), np.float32)
    x[:, CLICK:CLICK + 22] = 0.9
    return x


def lit_from(p: PeakPyramid, pps: float) -> float:
    """Time (s) of the start of the first loud pixel around the click at ``pps`` pixels per second."""
    start, n = CLICK / SR - 0.05, int(0.1 * pps)
    lo, hi = p.query(start, start + n / pps, n)
    return start + int(np.flatnonzero(np.maximum(np.abs(lo), np.abs(hi)) > 0.1)[0]) / pps


@pytest.mark.parametrize("pps", [1000.0, 4000.0])
def test_an_attack_is_drawn_on_its_sample_not_at_its_bin(pps):
    x = click_song()
    p = PeakPyramid.from_samples(x, SR).with_samples(x)
    t = lit_from(p, pps)
    assert CLICK / SR - 1.0 / pps <= t <= CLICK / SR  # the pixel holding the click's first sample
    coarse = PeakPyramid.from_samples(x, SR)  # level 0 only: the whole bin lights up, 63 samples early
    assert lit_from(coarse, pps) < CLICK / SR - 60 / SR


def test_each_pixel_gets_the_min_and_max_of_its_own_samples():
    rng = np.random.default_rng(4)
    stereo = (0.5 * rng.standard_normal((2, SR))).astype(np.float32)
    mono = stereo.mean(axis=0, dtype=np.float32)
    p = PeakPyramid.from_samples(mono, SR).with_samples(stereo)  # a mono pyramid mixes the span it reads
    for start_s, n_pixels, fpp in ((0.2, 300, 7.3), (-0.001, 50, 0.4), (0.99, 40, 20.0)):
        end_s = start_s + n_pixels * fpp / SR
        lo, hi = p.query(start_s, end_s, n_pixels)
        edges = start_s * SR + np.arange(n_pixels + 1) * fpp
        for k in range(n_pixels):
            a, b = int(np.floor(edges[k])), max(int(np.ceil(edges[k + 1])), int(np.floor(edges[k])) + 1)
            own = mono[max(a, 0):min(max(b, 0), mono.size)]
            if own.size == 0:  # before or after the audio: silence
                assert lo[k] == hi[k] == 0.0
            else:
                assert lo[k] == own.min()
                assert hi[k] == own.max()
    coarse_lo, coarse_hi = p.query(0.0, 1.0, 100)  # zoomed out: the pyramid's levels, as before
    plain = PeakPyramid.from_samples(mono, SR)
    assert np.array_equal(coarse_lo, plain.query(0.0, 1.0, 100)[0])
    assert np.array_equal(coarse_hi, plain.query(0.0, 1.0, 100)[1])


def test_samples_are_kept_by_reference_and_checked():
    x = click_song(2)
    p = PeakPyramid.from_samples(x.mean(axis=0), SR)
    assert p.with_samples(x) is p
    assert p.samples is not None
    assert np.shares_memory(p.samples, x)  # no copy of the song
    assert p.nbytes == PeakPyramid.from_samples(x.mean(axis=0), SR).nbytes
    assert p.scaled(2.0).samples is None  # a scaled pyramid is not of these samples
    with pytest.raises(ValueError, match="not the"):
        p.with_samples(x[:, :-1])

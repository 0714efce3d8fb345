"""The spectrogram's mel bands without a BLAS matrix product (audio.spectrogram.to_bands).

``power @ bands.T`` went through multi-threaded OpenBLAS, whose threads spin between calls: on a 2-core machine a
5-s tile of the editor's lane cost 276 ms CPU instead of 30, against the GUI thread. The bands come from their
few non-zero weights in plain numpy now: the same values, one thread.
"""

from __future__ import annotations

import numpy as np
import pytest

from audio import spectrogram
from audio.spectrogram import SpectrogramParams, SpectrogramTiler, mel_filterbank


class NoProduct(np.ndarray):
    """A filterbank that refuses to take part in a matrix product."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if ufunc is np.matmul:
            raise AssertionError("the bands went through a BLAS matrix product")
        inputs = tuple(np.asarray(x) if isinstance(x, NoProduct) else x for x in inputs)
        return getattr(ufunc, method)(*inputs, **kwargs)


@pytest.mark.parametrize("sr", [8000, 22050, 44100, 96000])
def test_the_bands_are_the_filterbank_product_without_one(sr, monkeypatch):
    noise = (0.3 * np.random.default_rng(sr).standard_normal(sr * 3)).astype(np.float32)
    params = SpectrogramParams(hop_s=0.01, fmax_hz=20_000.0, keep_range=True)  # at 8 kHz: empty top bands
    tiler = SpectrogramTiler(noise, sr, params, tile_s=1.0)
    real = spectrogram.to_bands

    def guarded(power, n_bands, sparse):  # the power spectrum refuses a BLAS product (a review found wrapping the
        return real(power.view(NoProduct), n_bands, sparse)  # dense bands checked nothing once they went unused)

    monkeypatch.setattr(spectrogram, "to_bands", guarded)
    db = tiler.tile(1).db
    # the reference: the dense product of the same frames
    window, n_fft = params.frame_lengths(sr)
    hop = tiler.hop
    start = tiler.frames_per_tile * hop - window // 2
    frames = np.stack([noise[start + k * hop:start + k * hop + window] for k in range(db.shape[1])])
    power = np.abs(np.fft.rfft(frames * np.hanning(window + 1)[:-1], n=n_fft, axis=1)) ** 2
    bands = mel_filterbank(sr, n_fft, params.n_mels, params.fmin_hz, params.fmax_for(sr))
    ref = 10 * np.log10(np.maximum((power @ bands.T) / tiler._ref_power, 1e-10)).T
    assert db.shape == ref.shape
    assert np.max(np.abs(db - ref)) < 1e-3


def test_tiles_computed_apart_still_join_exactly():
    """Every frame's bands are summed the same way whatever its tile or block: a tile recomputed alone is equal."""
    sr = 22050
    noise = (0.3 * np.random.default_rng(1).standard_normal(sr * 4)).astype(np.float32)
    a = SpectrogramTiler(noise, sr, tile_s=1.0)
    b = SpectrogramTiler(noise, sr, tile_s=0.37)
    joined = a.full()
    assert np.array_equal(joined, b.full())

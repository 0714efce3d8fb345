"""audio.spectrogram: tiles join without seams, calibrated dB, mel bands, cancellation."""

from __future__ import annotations

import numpy as np
import pytest

from audio.progress import Cancelled
from audio.spectrogram import SpectrogramParams, SpectrogramTiler, mel_filterbank, to_uint8
from tests.audio.signals import sine


def _reference_stft_power(x: np.ndarray, n_fft: int, hop: int, n_frames: int) -> np.ndarray:
    """Straightforward centred STFT power, frame by frame: the oracle the tiles must match."""
    padded = np.concatenate([np.zeros(n_fft // 2), x, np.zeros(n_fft + n_frames * hop)])
    window = np.hanning(n_fft + 1)[:-1]
    return np.stack([np.abs(np.fft.rfft(padded[k * hop:k * hop + n_fft] * window)) ** 2 for k in range(n_frames)])


def test_tiles_join_into_the_whole_song_spectrogram():
    sr = 8000
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(sr * 7) * 0.1).astype(np.float32)
    tiler = SpectrogramTiler(x, sr, SpectrogramParams(n_fft=256, hop_s=0.01, scale="linear"), tile_s=1.3)
    joined = tiler.full()
    ref = _reference_stft_power(x.astype(np.float64), 256, 80, tiler.n_frames)
    ref_db = 10 * np.log10(np.maximum(ref / tiler._ref_power, 1e-10)).T
    assert joined.shape == ref_db.shape == (129, tiler.n_frames)
    assert np.max(np.abs(joined - ref_db)) < 0.05
    # Any tile alone equals its slice of the whole.
    t = tiler.tile(3)
    assert np.array_equal(t.db, joined[:, t.first_frame:t.first_frame + t.db.shape[1]])
    assert t.start_s == pytest.approx(t.first_frame * 0.01)


def test_full_scale_sine_is_near_0_db_at_its_frequency():
    sr = 22050
    tiler = SpectrogramTiler(sine(1000.0, 2.0, sr, amplitude=1.0), sr, SpectrogramParams(scale="linear"))
    db = tiler.tile(0).db[:, 50]
    k = int(np.argmax(db))
    assert tiler.frequencies_hz[k] == pytest.approx(1000.0, abs=sr / 2048)
    assert -1.5 < db[k] < 0.5
    mel = SpectrogramTiler(sine(1000.0, 2.0, sr), sr, SpectrogramParams(scale="mel", n_mels=64))
    band = int(np.argmax(mel.tile(0).db[:, 50]))
    assert 800 < mel.frequencies_hz[band] < 1250


def test_mel_filterbank_has_no_empty_band():
    fb = mel_filterbank(22050, 512, 128, 20.0, 11025.0)
    assert fb.shape == (128, 257)
    assert fb.max(axis=1).min() > 0


def test_tiles_for_a_view_and_cancellation():
    sr = 8000
    tiler = SpectrogramTiler(np.zeros(sr * 20, np.float32), sr, SpectrogramParams(n_fft=256, hop_s=0.01), tile_s=5.0)
    assert tiler.n_tiles == 5  # 2001 frames of 500
    assert list(tiler.tiles_for(4.0, 11.0)) == [0, 1, 2]
    assert list(tiler.tiles_for(-3.0, 100.0)) == [0, 1, 2, 3, 4]
    assert tiler.tile_range_s(4) == (20.0, 20.0)
    seen: list[int] = []
    tiles = tiler.tiles(cancel=lambda: len(seen) >= 2)
    seen.extend(next(tiles).index for _ in range(2))
    with pytest.raises(Cancelled):
        next(tiles)
    assert seen == [0, 1]
    with pytest.raises(IndexError):
        tiler.tile(5)


def test_to_uint8_maps_the_db_range():
    assert to_uint8(np.array([-120.0, -80.0, -40.0, 0.0, 6.0])).tolist() == [0, 0, 128, 255, 255]
    with pytest.raises(ValueError, match="ceil_db"):
        to_uint8(np.zeros(2), floor_db=0.0, ceil_db=0.0)


@pytest.mark.parametrize("sr", [8000, 11025, 22050, 44100, 48000, 96000, 192000])
def test_window_is_a_time_and_mel_bands_stay_audible(sr):
    """The window was 2048 samples at every rate: a click smeared over 200 ms at 8 kHz, and at 192 kHz 40 of
    the 128 mel bands lay above 20 kHz."""
    x = np.zeros(3 * sr, np.float32)
    x[2 * sr:2 * sr + int(0.003 * sr)] = 0.8  # a 3 ms click at 2 s
    tiler = SpectrogramTiler(x, sr)
    assert 0.046 * 0.8 < tiler.window_len / sr < 0.047 * 1.2
    assert tiler.n_fft >= tiler.window_len
    assert tiler.n_fft & (tiler.n_fft - 1) == 0
    loudest = tiler.full().max(axis=0)
    lit = np.flatnonzero(loudest > loudest.max() - 20)
    assert (lit[-1] - lit[0] + 1) * tiler.hop_s < 0.05
    assert tiler.frequencies_hz.max() < 20_000
    assert tiler.frequencies_hz.max() > min(sr / 2, 20_000) * 0.9  # the bands still reach the top


def test_explicit_n_fft_keeps_a_window_in_samples():
    p = SpectrogramParams(n_fft=256)
    assert p.frame_lengths(8000) == p.frame_lengths(96000) == (256, 256)
    assert SpectrogramParams().frame_lengths(44100) == (2048, 2048)  # the old default, where it was tuned
    assert SpectrogramParams().frame_lengths(48000) == (2229, 4096)
    with pytest.raises(ValueError, match="n_fft"):
        SpectrogramParams(n_fft=1000)

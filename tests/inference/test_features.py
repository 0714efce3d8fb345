"""inference.features: shapes, timing of frames, resampling, normalisation, one function for training."""

from __future__ import annotations

import numpy as np
import pytest

from inference.features import (
    FeatureError,
    compute_features,
    frame_times,
    n_frames_for,
    normalisation_stats,
    normalise,
)
from inference.manifest import FeatureParams

SMALL = FeatureParams(n_mels=40, n_ffts=[512, 1024])


def _click(sr: int, seconds: float, at_s: float) -> np.ndarray:
    x = np.zeros(int(sr * seconds), dtype=np.float32)
    i = int(at_s * sr)
    x[i:i + 64] = np.hanning(64) * 0.8
    return x


def test_shape_and_frame_count() -> None:
    x = np.random.default_rng(0).standard_normal(22050 * 2).astype(np.float32) * 0.1
    f = compute_features(x, 22050, SMALL)
    assert f.dtype == np.float32
    assert f.shape == (n_frames_for(len(x), SMALL), SMALL.n_channels)
    assert np.all(np.isfinite(f))


def test_frames_are_centred_at_hop_times() -> None:
    params = FeatureParams(n_mels=40, n_ffts=[512])
    f = compute_features(_click(22050, 3.0, 1.5), 22050, params)
    t = frame_times(len(f), params)
    loudest = int(np.argmax(f.sum(axis=1)))
    assert abs(t[loudest] - 1.5) <= 1.5 / params.frame_rate
    assert t[1] - t[0] == pytest.approx(params.hop_length / params.sample_rate)


def test_other_sample_rates_are_resampled_to_the_same_timeline() -> None:
    params = FeatureParams(n_mels=40, n_ffts=[512])
    a = compute_features(_click(22050, 3.0, 1.0), 22050, params)
    b = compute_features(_click(44100, 3.0, 1.0), 44100, params)
    assert abs(len(a) - len(b)) <= 1
    assert abs(int(np.argmax(a.sum(1))) - int(np.argmax(b.sum(1)))) <= 1


def test_normalise_with_stats_gives_zero_mean_unit_std() -> None:
    rng = np.random.default_rng(1)
    songs = [compute_features(rng.standard_normal(22050).astype(np.float32) * s, 22050, SMALL)
             for s in (0.05, 0.3)]
    mean, std = normalisation_stats(songs)
    params = FeatureParams(n_mels=40, n_ffts=[512, 1024], norm_mean=mean, norm_std=std)
    z = normalise(np.concatenate(songs), params)
    informative = np.asarray(std) > 1e-2  # empty low mel filters of the 512 FFT are constant
    assert np.allclose(z.mean(axis=0)[informative], 0.0, atol=1e-3)
    assert np.allclose(z.std(axis=0)[informative], 1.0, atol=1e-2)


def test_normalise_refuses_mismatched_stats() -> None:
    f = np.zeros((10, SMALL.n_channels), np.float32)
    with pytest.raises(FeatureError):
        normalise(f, FeatureParams(n_mels=40, n_ffts=[512, 1024], norm_mean=[0.0], norm_std=[1.0]))


@pytest.mark.parametrize("bad", [np.zeros(0, np.float32), np.zeros((2, 100), np.float32)])
def test_bad_audio_is_a_feature_error(bad: np.ndarray) -> None:
    with pytest.raises(FeatureError):
        compute_features(bad, 22050, SMALL)


def test_training_uses_the_inference_feature_function() -> None:
    import inference.features
    import training.data
    import training.train

    assert training.data.compute_features is inference.features.compute_features
    assert training.train.normalisation_stats is inference.features.normalisation_stats

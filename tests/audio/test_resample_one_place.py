"""One resampler (``audio.decode.resample``): the model features preferred ``audio.decode.resample`` through an
import that always failed (there was none) and fell back to their own soxr call, as the onset envelope, the
player's output rate and ``load_audio`` each did. Every one now calls it, and it is bit for bit the soxr HQ call
they made (the shipped models' features were computed with it)."""

from __future__ import annotations

import numpy as np
import pytest
import soxr

from audio import decode


def _noise(*shape: int) -> np.ndarray:
    return np.random.default_rng(3).uniform(-0.5, 0.5, shape).astype(np.float32)


@pytest.mark.parametrize(("from_hz", "to_hz"), [(44100, 22050), (48000, 22050), (22050, 44100), (8000, 48000)])
def test_resample_is_the_soxr_hq_call_bit_for_bit(from_hz, to_hz):
    mono = _noise(9_000)
    expected = soxr.resample(mono, from_hz, to_hz, quality="HQ").astype(np.float32)
    got = decode.resample(mono, from_hz, to_hz)
    assert got.dtype == np.float32
    assert np.array_equal(got, expected)
    stereo = _noise(2, 9_000)
    expected = np.ascontiguousarray(soxr.resample(stereo.T, from_hz, to_hz, quality="HQ").T)
    got = decode.resample(stereo, from_hz, to_hz)
    assert got.shape == expected.shape
    assert got.flags.c_contiguous
    assert np.array_equal(got, expected)


def test_same_rate_is_the_samples():
    x = _noise(100)
    assert np.array_equal(decode.resample(x, 22050, 22050), x)


def test_features_at_another_rate_are_those_of_the_soxr_resampled_samples():
    from inference.features import compute_features
    from inference.manifest import FeatureParams

    params = FeatureParams()
    x = _noise(44100)
    direct = soxr.resample(x, 44100, params.sample_rate, quality="HQ").astype(np.float32)
    assert np.array_equal(compute_features(x, 44100, params), compute_features(direct, params.sample_rate, params))


def test_every_resampling_caller_goes_through_it(monkeypatch, tmp_path):
    import soundfile as sf

    from audio.mixer import resample_source
    from audio.onset import onset_envelope
    from inference.features import compute_features
    from inference.manifest import FeatureParams

    real = decode.resample
    calls: list[tuple[int, int]] = []

    def spy(samples, from_hz, to_hz):
        calls.append((int(from_hz), int(to_hz)))
        return real(samples, from_hz, to_hz)

    monkeypatch.setattr(decode, "resample", spy)
    x = _noise(8_000)
    compute_features(x, 16000, FeatureParams())
    assert calls.pop() == (16000, 22050)
    onset_envelope(x, 16000)
    assert calls.pop() == (16000, 22050)
    resample_source(x, 16000, 48000)
    assert calls.pop() == (16000, 48000)
    sf.write(str(tmp_path / "a.wav"), x, 16000)
    decode.load_audio(tmp_path / "a.wav", sr=22050)
    assert calls.pop() == (16000, 22050)


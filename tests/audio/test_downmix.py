"""audio.downmix: one stereo downmix for playback and separation (5.1: ITU-R BS.775, LFE left out, no clipping)."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from audio.mixer import SourceMix, as_frames

C = 0.7071


def _bs775(x: np.ndarray) -> np.ndarray:
    """The expected 5.1 downmix, written out: FL FR FC LFE BL BR -> L R, divided by 1 + 2 x 0.7071."""
    left = x[0] + C * x[2] + C * x[4]
    right = x[1] + C * x[2] + C * x[5]
    return np.stack([left, right]) / (1 + 2 * C)


def test_five_one_is_bs775_scaled_to_avoid_clipping():
    from audio.downmix import downmix_matrix, to_stereo

    m = downmix_matrix(6)  # FL FR FC LFE BL BR
    expected = np.array([[1, 0, C, 0, C, 0], [0, 1, C, 0, 0, C]]) / (1 + 2 * C)
    assert m.shape == (2, 6)
    assert np.allclose(m, expected, atol=1e-4)
    full_scale = np.ones((6, 100), np.float32)
    assert np.abs(to_stereo(full_scale)).max() <= 1.0 + 1e-6
    assert np.abs(to_stereo(-full_scale)).max() <= 1.0 + 1e-6


@pytest.mark.parametrize("channels", [3, 4, 5, 6, 7, 8, 10, 11])
def test_every_count_has_a_rule_that_keeps_front_sides_and_centre(channels):
    from audio.downmix import downmix_matrix

    m = downmix_matrix(channels)
    assert m.shape == (2, channels)
    assert np.allclose(m.sum(axis=1), 1.0)  # each side's gains sum to 1: full scale in, at most full scale out
    assert m[0, 0] > 0  # front left and right stay on their sides
    assert m[1, 0] == 0
    assert m[1, 1] > 0
    assert m[0, 1] == 0
    if 3 <= channels <= 8 and channels != 4:  # every standard layout but quad has a front centre, to both sides
        assert m[0, 2] == m[1, 2] > 0
    if channels in (6, 7, 8):
        assert not m[:, 3].any()  # LFE


def test_mono_and_stereo_stay_as_they_are():
    from audio.downmix import downmix_matrix, to_stereo

    x = np.random.default_rng(0).standard_normal((2, 50)).astype(np.float32)
    assert to_stereo(x) is x
    assert to_stereo(x[:1]).shape == (1, 50)
    assert np.array_equal(downmix_matrix(2), np.eye(2))


def test_player_plays_surround_on_stereo_and_mono_outputs():
    """The player refused anything but 1 or 2 channels: 'cannot play 6-channel audio on 2 channels'."""
    x = np.random.default_rng(1).uniform(-1, 1, (6, 1000)).astype(np.float32)
    x[3] = 0.9  # LFE: left out
    stereo = as_frames(x, 2)
    assert stereo.shape == (1000, 2)
    assert np.allclose(stereo.T, _bs775(x), atol=1e-4)  # the same rule as separation
    mono = as_frames(x, 1)
    assert mono.shape == (1000, 1)
    assert np.allclose(mono[:, 0], stereo.mean(axis=1))
    mix = SourceMix.create([x], 44100.0, 2)
    assert mix.arrays[0].shape == (1000, 2)


def test_a_surround_song_opens_a_player():
    from audio.player import Player

    x = np.zeros((6, 22050), np.float32)
    with Player.open(x, 22050, output="null") as player:
        player.play(0.0)
        assert player.channels == 2


def test_separate_file_keeps_the_centre_channel(tmp_path):
    """Separation kept channels 0-1 of a 5.1 file, so the centre (the voice) was in no stem at all."""
    from audio.separation import SeparationParams, separate_file

    sr = 8000
    t = np.arange(6 * sr) / sr
    x = np.zeros((6, t.size), np.float32)
    x[2] = 0.5 * np.sin(2 * np.pi * 440 * t)  # the "voice"
    x[0, ::2000] = x[1, ::2000] = 0.8
    path = tmp_path / "surround.wav"
    sf.write(path, x.T, sr, subtype="FLOAT")
    stems = separate_file(path, SeparationParams(chunk_s=2.0), cache_dir=tmp_path / "cache")
    assert (stems.channels, stems.frames) == (2, t.size)
    together = stems.load("vocals") + stems.load("accompaniment")
    assert np.allclose(together, _bs775(x), atol=1e-4)
    assert np.abs(np.fft.rfft(together[0]))[440 * 6] > 1000  # the centre's tone reached the stems

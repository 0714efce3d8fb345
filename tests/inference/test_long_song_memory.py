"""A long song (an hour-long file) drafts in memory that does not grow with it (audit: over 9 GB for 60 minutes).

On CPU the onset model runs a song longer than ``time_chunks.LONG_SONG_FRAMES`` in windows of
``WINDOW_FRAMES`` (songs of normal length keep the one pass and its results); the features are written into
one array and normalised with one new array, not several whole-song copies.
"""

from __future__ import annotations

import tracemalloc

import numpy as np

from inference import features, time_chunks
from inference.backends import OnnxBackend
from inference.manifest import FeatureParams
from tests.inference.tiny_models import build_onset_model, onset_inputs


def _calls(backend: OnnxBackend, monkeypatch) -> list[tuple[int, ...]]:
    seen: list[tuple[int, ...]] = []
    once = backend._run_once
    monkeypatch.setattr(backend, "_run_once", lambda m, s, n, f: seen.append(f["features"].shape) or once(m, s, n, f))
    return seen


def test_songs_of_normal_length_keep_one_pass_on_cpu():
    five_minutes = 5 * 60 * FeatureParams().frame_rate
    assert five_minutes < time_chunks.LONG_SONG_FRAMES
    assert time_chunks.WINDOW_FRAMES > 2 * time_chunks.DEFAULT_CONTEXT_FRAMES


def test_a_long_song_runs_on_cpu_in_windows_of_bounded_size(tmp_path, monkeypatch):
    tiny = build_onset_model(tmp_path)
    feeds = onset_inputs(tiny, batch=2, frames=5000)
    plain = OnnxBackend(providers=["CPUExecutionProvider"])
    one_pass = _calls(plain, monkeypatch)
    whole = plain.run(tiny, feeds)["onset_prob"]
    assert one_pass == [(2, 5000, feeds["features"].shape[2])]  # under LONG_SONG_FRAMES: as before

    monkeypatch.setattr(time_chunks, "LONG_SONG_FRAMES", 3000, raising=False)  # 5,000 frames now count as a long song
    monkeypatch.setattr(time_chunks, "WINDOW_FRAMES", 1200)
    monkeypatch.setattr(time_chunks, "CPU_WINDOW_ROWS", 2, raising=False)
    backend = OnnxBackend(providers=["CPUExecutionProvider"])
    seen = _calls(backend, monkeypatch)
    got = backend.run(tiny, feeds)["onset_prob"]
    windows = time_chunks.plan(5000, 1200, time_chunks.context_frames(tiny))
    assert len(windows) > 2
    assert seen == [(2, 1200, feeds["features"].shape[2])] * len(windows)  # each call: one window of 2 rows
    # the tiny model's receptive field fits inside the context: windows reproduce the one-pass result
    np.testing.assert_allclose(got, whole, atol=1e-5)


def _peak(work) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = work()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_features_are_written_into_one_array(monkeypatch):
    params = FeatureParams(hop_length=64, n_mels=128, n_ffts=[256, 512, 1024])  # features larger than the signal
    x = np.random.default_rng(0).standard_normal(30 * params.sample_rate).astype(np.float32) * 0.1
    monkeypatch.setattr(features, "_BLOCK_FRAMES", 256)  # small blocks: the whole-song arrays dominate the peak
    features.compute_features(x[:4096], params.sample_rate, params)  # librosa imported, mel bases cached
    feats, peak = _peak(lambda: features.compute_features(x, params.sample_rate, params))
    assert isinstance(feats, np.ndarray)
    assert feats.flags.c_contiguous
    parts = [features._log_mel(x, n, params, len(feats)) for n in params.n_ffts]
    np.testing.assert_array_equal(feats, np.concatenate(parts, axis=1))
    # The result and one padded copy of the signal; before, the per-FFT parts (as large as the result again) were
    # held beside their concatenation, and each part's logarithm made a copy of it.
    assert peak < 1.25 * feats.nbytes + x.nbytes + 3e6, (peak, feats.nbytes, x.nbytes)


def test_normalise_makes_one_new_array():
    params = FeatureParams(n_mels=40, n_ffts=[256, 512, 1024])
    rng = np.random.default_rng(1)
    feats = rng.standard_normal((20_000, params.n_channels)).astype(np.float32)
    params = FeatureParams(n_mels=40, n_ffts=[256, 512, 1024], norm_mean=[0.5] * params.n_channels,
                           norm_std=[2.0] * params.n_channels)
    out, peak = _peak(lambda: features.normalise(feats, params))
    np.testing.assert_array_equal(out, ((feats - np.float32(0.5)) / np.float32(2.0)).astype(np.float32))
    assert out.dtype == np.float32
    assert peak < 1.2 * feats.nbytes, (peak, feats.nbytes)  # before: three arrays of this size


def test_silence_levels_are_computed_in_bounded_blocks(monkeypatch):
    from inference import draft_silence

    sr = 22050
    x = np.random.default_rng(2).standard_normal(120 * sr).astype(np.float32)
    x[sr * 50:sr * 60] *= 1e-4
    whole = draft_silence.frame_levels(x, sr)
    monkeypatch.setattr(draft_silence, "_CHUNK_FRAMES", 500, raising=False)
    levels, peak = _peak(lambda: draft_silence.frame_levels(x, sr))
    np.testing.assert_array_equal(levels, whole)
    assert levels.shape == (len(x) // draft_silence._hop(sr),)
    # a few blocks and the levels; before, the song in float64 and its square (4 x the float32 song here)
    assert peak < 0.5 * x.nbytes, (peak, x.nbytes)

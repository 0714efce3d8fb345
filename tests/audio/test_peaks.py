"""audio.peaks: pyramid levels, per-pixel queries, block-wise building, cache, bounded memory."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import soundfile as sf

from audio.peaks import PeakPyramid
from audio.progress import Cancelled


@pytest.fixture
def signal():
    rng = np.random.default_rng(0)
    return (rng.standard_normal(100_003) * np.linspace(0.1, 1, 100_003)).astype(np.float32)


def test_levels_halve_and_bound_the_samples(signal):
    p = PeakPyramid.from_samples(signal, 1000, base_frames=64)
    assert p.mins[0].shape == (1, -(-signal.size // 64))
    for lvl in range(1, p.n_levels):
        assert p.mins[lvl].shape[1] == -(-p.mins[lvl - 1].shape[1] // 2)
    assert p.mins[-1].shape[1] == 1
    assert p.mins[-1][0, 0] == signal.min()
    assert p.maxs[-1][0, 0] == signal.max()
    assert p.mins[0][0, 1] == signal[64:128].min()
    assert p.maxs[0][0, -1] == signal[(signal.size // 64) * 64:].max()  # short last bin


def test_block_wise_build_equals_one_shot(signal):
    whole = PeakPyramid.from_samples(signal, 1000)
    blocks = [signal[i:i + 777] for i in range(0, signal.size, 777)]
    streamed = PeakPyramid.from_blocks(iter(blocks), 1000)
    assert streamed.n_frames == signal.size
    for a, b in zip(whole.mins + whole.maxs, streamed.mins + streamed.maxs):
        assert np.array_equal(a, b)


@pytest.mark.parametrize(("start_s", "end_s", "n_pixels"), [(0.0, 100.0, 500), (12.3, 14.1, 333), (50.0, 50.5, 1000),
                                                            (0.0, 100.003, 7)])
def test_query_covers_the_true_range_of_each_pixel(signal, start_s, end_s, n_pixels):
    sr = 1000
    p = PeakPyramid.from_samples(signal, sr)
    lo, hi = p.query(start_s, end_s, n_pixels)
    assert lo.shape == hi.shape == (n_pixels,)
    edges = start_s * sr + np.arange(n_pixels + 1) * (end_s - start_s) * sr / n_pixels
    level = p.level_for((end_s - start_s) * sr / n_pixels)
    slack = p.base_frames << level  # a pixel may also see the bins its edges fall in
    for k in range(n_pixels):
        a, b = int(np.floor(edges[k])), int(np.ceil(edges[k + 1]))
        true = signal[max(a, 0):max(b, a + 1)]
        wide = signal[max(a - slack, 0):b + slack]
        assert lo[k] <= true.min()
        assert hi[k] >= true.max()
        assert lo[k] >= wide.min()
        assert hi[k] <= wide.max()


def test_query_picks_the_coarsest_level_with_a_bin_per_pixel(signal):
    p = PeakPyramid.from_samples(signal, 1000, base_frames=64)
    assert p.level_for(10) == 0
    assert p.level_for(64) == 0
    assert p.level_for(130) == 1
    assert p.level_for(64 * 2**5 + 1) == 5
    assert p.level_for(1e12) == p.n_levels - 1


def test_query_outside_the_audio_is_silence(signal):
    p = PeakPyramid.from_samples(signal, 1000)
    lo, hi = p.query(-50.0, 0.0, 10)
    assert not lo.any()
    assert not hi.any()
    lo, hi = p.query(90.0, 110.0, 20)
    assert not hi[12:].any()
    assert hi[:10].all()
    with pytest.raises(ValueError, match="n_pixels"):
        p.query(5.0, 5.0, 10)


def test_stereo_peaks_keep_channels():
    left = np.sin(np.linspace(0, 100, 10_000)).astype(np.float32)
    p = PeakPyramid.from_samples(np.stack([left, 0.5 * left]), 1000)
    lo, hi = p.query(0.0, 10.0, 10)
    assert lo.shape == (2, 10)
    assert np.allclose(hi[1], 0.5 * hi[0])


def test_cache_round_trip_and_damaged_cache(tmp_path, signal, monkeypatch):
    path = tmp_path / "song.flac"
    sf.write(str(path), signal * 0.5, 8000, subtype="PCM_24")
    cache = tmp_path / "cache"
    first = PeakPyramid.from_file(path, cache_dir=cache)
    files = list(cache.iterdir())
    assert len(files) == 1
    import audio.decode as decode

    def no_decoding(*args, **kwargs):
        raise AssertionError("a cached pyramid must not decode the audio again")

    monkeypatch.setattr(decode, "iter_blocks", no_decoding)
    again = PeakPyramid.from_file(path, cache_dir=cache)
    assert again.n_levels == first.n_levels
    assert np.array_equal(again.maxs[3], first.maxs[3])
    files[0].write_bytes(b"not an npz")
    assert PeakPyramid.load(files[0]) is None


def test_cancel_stops_the_build(signal):
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(Cancelled):
        PeakPyramid.from_blocks((signal[i:i + 1000] for i in range(0, signal.size, 1000)), 1000, cancel=cancel)


def test_ten_minute_file_builds_in_bounded_memory(tmp_path):
    sr = 22050
    path = tmp_path / "long.flac"
    with sf.SoundFile(str(path), "w", sr, 2, subtype="PCM_16") as f:
        t = np.arange(sr * 10) / sr
        block = (0.3 * np.sin(2 * np.pi * 110 * t)).astype(np.float32)
        for _ in range(60):  # 10 minutes of stereo audio: 106 MB as float32
            f.write(np.stack([block, block]).T)
    progress = []
    tracemalloc.start()
    p = PeakPyramid.from_file(path, progress=progress.append)
    peak_bytes = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert p.n_frames == sr * 600
    assert peak_bytes < 12e6, peak_bytes  # the pyramid (~1.7 MB) plus a few blocks, never the whole song
    assert progress[-1] == 1.0
    assert progress == sorted(progress)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_one_hour_file_builds_in_bounded_memory(tmp_path):
    sr = 22050
    path = tmp_path / "hour.flac"
    t = np.arange(sr * 60) / sr
    minute = (0.3 * np.sin(2 * np.pi * 110 * t) * (1 + 0.5 * np.sin(2 * np.pi * 0.5 * t))).astype(np.float32)
    with sf.SoundFile(str(path), "w", sr, 1, subtype="PCM_16") as f:
        for _ in range(60):
            f.write(minute)
    tracemalloc.start()
    p = PeakPyramid.from_file(path)
    peak_bytes = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert p.n_frames == sr * 3600
    # Decoded whole, the hour would take 318 MB as float32; the pyramid is ~20 MB (float32 min and max, all levels).
    assert peak_bytes < 40e6, peak_bytes
    lo, hi = p.query(1800.0, 1860.0, 600)
    assert hi.max() == pytest.approx(0.45, abs=0.01)
    assert lo.min() == pytest.approx(-0.45, abs=0.01)

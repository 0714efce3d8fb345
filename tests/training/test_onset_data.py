"""Onset training data: chart reading rules, onset targets, feature cache, split, crops and augmentation."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from inference.manifest import FeatureParams
from training.crops import CropConfig, impulse_train, sample_batch, soft_targets
from training.data import (
    SPLIT_FILE,
    ChartTarget,
    SongData,
    chart_onset_times,
    default_validation_keys,
    load_song_data,
    pack_of,
    read_validation_list,
    usable_charts,
)

PARAMS = FeatureParams(n_mels=16, n_ffts=[512, 1024])


def _taps(n: int, start: int = 0) -> list[Note]:
    return [Note(Fraction(start + i), i % 4) for i in range(n)]


def test_onsets_one_per_row_hold_heads_no_mines() -> None:
    notes = [Note(Fraction(1), 0), Note(Fraction(1), 3),  # a jump: one onset
             Note(Fraction(2), 1, NoteKind.HOLD, Fraction(2)),  # hold: onset at its head only
             Note(Fraction(3), 2, NoteKind.MINE),  # mine: not an onset
             Note(Fraction(5, 2), 2)]
    song = Song(timing=TimingData.constant(120), charts=[Chart(slot=Slot.EASY, notes=notes)])
    assert list(chart_onset_times(song, song.charts[0])) == [0.5, 1.0, 1.25]


def test_per_chart_timing_is_used() -> None:
    chart = Chart(slot=Slot.HARD, notes=[Note(Fraction(2), 0)], timing=TimingData.constant(60))
    song = Song(timing=TimingData.constant(120), charts=[chart])
    assert list(chart_onset_times(song, chart)) == [2.0]


def test_usable_charts_skip_edit_doubles_and_placeholders() -> None:
    song = Song(charts=[
        Chart(slot=Slot.BEGINNER, notes=_taps(20)),  # <= 20 notes: placeholder
        Chart(slot=Slot.EASY, notes=_taps(21)),
        Chart(slot=Slot.EDIT, notes=_taps(40)),
        Chart(mode="dance-double", slot=Slot.HARD, notes=_taps(40)),
        Chart(slot=Slot.CHALLENGE, notes=_taps(30) + [Note(Fraction(100 + i), 0, NoteKind.MINE) for i in range(5)]),
    ])
    assert sorted(usable_charts(song)) == [1, 4]


def _write_song(folder: Path, bpm: float = 120.0) -> None:
    import soundfile as sf

    from chart.formats.registry import save

    folder.mkdir(parents=True)
    sr = 22050
    x = np.zeros(sr * 20, np.float32)
    for beat_s in np.arange(0.0, 19.5, 60.0 / bpm):
        i = int(beat_s * sr)
        x[i:i + 200] = np.random.default_rng(0).standard_normal(200) * np.exp(-np.arange(200) / 40) * 0.5
    sf.write(folder / "song.wav", x, sr)
    song = Song(title="t", music="song.wav", timing=TimingData.constant(bpm),
                charts=[Chart(slot=Slot.EASY, notes=_taps(30)), Chart(slot=Slot.HARD, notes=_taps(38))])
    save(song, folder / "song.ssc")


def test_song_folder_loads_with_cached_features(tmp_path: Path) -> None:
    _write_song(tmp_path / "pk__Song")
    cache = tmp_path / "cache"
    data = load_song_data(tmp_path / "pk__Song", PARAMS, cache)
    assert data.pack == "pk"
    assert sorted(data.charts) == [1, 3]
    assert data.features.shape == (1 + 20 * 22050 // PARAMS.hop_length, PARAMS.n_channels)
    assert np.allclose(data.charts[1].onset_s, np.arange(30) * 0.5)
    assert len(list(cache.glob("*.npy"))) == 1
    again = load_song_data(tmp_path / "pk__Song", PARAMS, cache)
    assert np.array_equal(again.features, data.features)


def test_validation_split_is_deterministic_and_stratified() -> None:
    keys = [f"a__{i}" for i in range(40)] + [f"b__{i}" for i in range(20)] + ["c__x"]
    val = default_validation_keys(keys)
    assert val == default_validation_keys(list(reversed(keys)))
    assert {pack_of(k) for k in val} == {"a", "b", "c"}
    assert sum(k.startswith("a__") for k in val) == 7


def test_committed_validation_list_is_sane() -> None:
    names = read_validation_list(SPLIT_FILE)
    assert 12 <= len(names) <= 16
    assert len(set(names)) == len(names)
    assert {pack_of(n) for n in names} == {"hodobox", "mfg", "thumbsy"}


def test_soft_targets_peak_on_the_onset() -> None:
    t = soft_targets(np.array([10.0, 30.4]), 50, sigma=1.0, radius=2)
    assert t[10] == pytest.approx(1.0)
    assert t[9] == pytest.approx(np.exp(-0.5))
    assert t[13] == 0.0
    assert int(np.argmax(t[25:35])) + 25 == 30
    assert list(np.flatnonzero(impulse_train(np.array([3.4, 7.6, 99.0]), 10))) == [3, 8]


def _synthetic_song(rng: np.random.Generator) -> SongData:
    """Clicks in feature space every 50 frames; Easy on every click, Hard on clicks and off-beats."""
    n = 3000
    feats = rng.standard_normal((n, PARAMS.n_channels)).astype(np.float16)
    click_frames = np.arange(20, n, 50)
    feats[click_frames] += 8
    timing = TimingData.constant(120, offset="-0.2")
    easy = ChartTarget(1, click_frames / PARAMS.frame_rate, timing)
    hard = ChartTarget(3, np.sort(np.concatenate([click_frames, click_frames + 25])) / PARAMS.frame_rate, timing)
    return SongData("p__s", "p", Path("x.wav"), feats, {1: easy, 3: hard})


@pytest.mark.parametrize("augment", [False, True])
def test_batches_align_targets_with_audio(augment: bool) -> None:
    rng = np.random.default_rng(0)
    song = _synthetic_song(rng)
    cfg = CropConfig(crop_frames=400, n_crops=6, augment=augment, cond_prob=1.0, stretch_prob=1.0)
    mean = np.zeros(PARAMS.n_channels, np.float32)
    std = np.ones(PARAMS.n_channels, np.float32)
    b = sample_batch([song], mean, std, PARAMS.frame_rate, PARAMS.n_mels, cfg, rng)
    assert b.features.shape == (6, 400, PARAMS.n_channels)
    assert len(b.crop) == 12
    assert b.target.shape == (12, 400)
    assert b.beat_guide.shape == (12, 400, 6)
    # Refine conditioning only ever comes from a lower slot: Hard rows get Easy, Easy rows get nothing.
    assert np.all(b.cond_present[b.difficulty == 1] == 0)
    assert np.all(b.cond_difficulty[b.difficulty == 3] == 1)
    for row in np.flatnonzero(b.difficulty == 1):
        t = b.target[row]
        peaks = np.flatnonzero((t > 0.6) & (t >= np.roll(t, 1)) & (t >= np.roll(t, -1)))
        loud = b.features[b.crop[row]].mean(axis=1)
        assert len(peaks) >= 6
        assert np.all(loud[peaks] > 1.0)  # every target sits on a click (background ~0 +- 0.2)
        if not augment:
            assert np.all(t[peaks] == 1.0)


def test_learning_curve_subset_takes_every_nth_song_of_each_pack() -> None:
    """scripts/learning_curve.py: the subsets are stratified by pack and nested (every 4th is among every 2nd)."""
    from scripts.learning_curve import subset

    keys = [f"b__{i:02d}" for i in range(7)] + [f"a__{t}" for t in "zyxw"] + ["c__only"]
    assert subset(keys, 1) == sorted(keys)
    half = subset(keys, 2)
    assert half == ["a__w", "a__y", "b__00", "b__02", "b__04", "b__06", "c__only"]
    assert set(subset(keys, 4)) <= set(half)
    assert subset(keys, 4) == ["a__w", "b__00", "b__04", "c__only"]

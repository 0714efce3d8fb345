"""The trainers' library functions cache where :func:`training.caches.default_cache_dir` says, decided at call time:
with ``$GENELIVE_CACHE_DIR`` set, the default arguments of ``cached_features``, ``load_song_data``,
``song_lane_charts`` and ``load_lane_charts`` used to write ``runs/cache`` and ``runs/lane_cache`` into the code
folder (module constants fixed at import). None still means "not cached"."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from inference.manifest import FeatureParams
from training.data import cached_features, load_song_data
from training.lane_data import load_lane_charts, song_lane_charts

PARAMS = FeatureParams(n_mels=16, n_ffts=[512])


def _song(folder: Path) -> Path:
    import soundfile as sf

    from chart.formats.registry import save

    folder.mkdir(parents=True)
    sr = 22050
    x = (np.random.default_rng(0).standard_normal(sr * 3) * 0.05).astype(np.float32)
    sf.write(folder / "a.wav", x, sr)
    notes = [Note(Fraction(i, 4), i % 4) for i in range(24)]
    save(Song(title="s", music="a.wav", timing=TimingData.constant(120),
              charts=[Chart(slot=Slot.MEDIUM, notes=notes)]), folder / "a.ssc")
    return folder


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


def test_default_caches_follow_genelive_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    song = _song(tmp_path / "songs" / "pk__s0")
    monkeypatch.setenv("GENELIVE_CACHE_DIR", str(tmp_path / "g"))  # set after the modules were imported
    cache, lane_cache = tmp_path / "g" / "training" / "cache", tmp_path / "g" / "training" / "lane_cache"

    assert song_lane_charts(song, PARAMS, True, None, feature_cache=None)  # None: not cached
    assert not (tmp_path / "g").exists()

    charts = load_lane_charts([song], PARAMS, True)  # the documented defaults
    assert len(charts) == 1
    assert [n.endswith(".npy") for n in _files(cache)] == [True]  # was: runs/cache of the code folder
    assert [n.endswith(".npz") for n in _files(lane_cache)] == [True]  # was: runs/lane_cache

    monkeypatch.setenv("GENELIVE_CACHE_DIR", str(tmp_path / "h"))
    assert song_lane_charts(song, PARAMS, True)[0].key == "pk__s0"
    assert len(_files(tmp_path / "h" / "training" / "lane_cache")) == 1
    feats = cached_features(song / "a.wav", PARAMS)
    assert np.array_equal(load_song_data(song, PARAMS).features, feats)
    assert len(_files(tmp_path / "h" / "training" / "cache")) == 1

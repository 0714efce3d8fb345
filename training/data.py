"""Training data: songs of a chart folder -> cached features, onset targets per slot, split, random crops.

Reading rules (docs/evaluation.md): dance-single charts of the slots Beginner..Challenge (Edit skipped), ``.ssc``
preferred where a folder has both, charts with <= 20 notes skipped (placeholders). Onset targets are one per
note row (a jump is one onset, a hold counts at its head, mines are not onsets), at the times the chart's own
timing gives (``.ssc`` per-chart timing where present). Features are :func:`inference.features.compute_features`
-- the production function -- cached per song as float16 ``.npy`` (folder: :mod:`training.caches`; ``runs/cache/``
of a source checkout).

Split: whole songs, stratified by pack (the folder prefix before ``__``), from a deterministic hash of the folder
name; the committed list ``training/splits/validation.txt`` is the source of truth once it exists.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from chart.notes import onset_beats
from chart.song import MODEL_SLOTS, Chart, Song
from chart.timing import TimingData
from inference.features import compute_features
from inference.manifest import FeatureParams
from training.caches import DEFAULT, CacheDir, cache_folder

MIN_NOTES = 21  # charts with <= 20 notes are placeholders (SOURCES.md)
CHART_SUFFIXES = (".ssc", ".sm")
SPLIT_FILE = Path(__file__).resolve().parent / "splits" / "validation.txt"


class DataError(ValueError):
    """A song folder that cannot be used for training (no chart, no audio, unreadable)."""


@dataclass
class ChartTarget:
    """Onset rows of one chart: ``onset_s`` float64 [N] seconds, sorted, and the timing that placed them."""

    slot: int
    onset_s: np.ndarray
    timing: TimingData


@dataclass
class SongData:
    """One song: its (unnormalised) features [T, C] float16 and one :class:`ChartTarget` per model slot."""

    key: str
    pack: str
    audio_path: Path
    features: np.ndarray
    charts: dict[int, ChartTarget] = field(default_factory=dict)

    @property
    def n_frames(self) -> int:
        return int(self.features.shape[0])


def pack_of(key: str) -> str:
    """Pack of a song folder name ``<pack>__<title>`` (the whole name when there is no prefix)."""
    return key.split("__", 1)[0] if "__" in key else key


def find_chart_file(folder: Path) -> Path | None:
    """The chart file of a song folder, ``.ssc`` preferred over ``.sm``."""
    for suffix in CHART_SUFFIXES:
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() == suffix)
        if files:
            return files[0]
    return None


def chart_file(folder: Path) -> Path:
    """:func:`find_chart_file` of a folder that must have one (each of :func:`song_folders` has)."""
    found = find_chart_file(folder)
    if found is None:
        raise DataError(f"no .ssc or .sm chart in {folder}")
    return found


def song_folders(root: str | Path) -> list[Path]:
    """Song folders under ``root`` (each holding a chart file), sorted by name."""
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"song folder not found: {root}")
    return [p for p in sorted(root.iterdir()) if p.is_dir() and find_chart_file(p) is not None]


def chart_onset_times(song: Song, chart: Chart) -> np.ndarray:
    """Seconds of the chart's onset rows (one per row; holds at the head; mines excluded), float64 [N]."""
    beats = np.array([float(b) for b in onset_beats(chart.notes)], dtype=np.float64)
    return song.timing_for(chart).beats_to_seconds_array(beats)


def usable_charts(song: Song) -> dict[int, Chart]:
    """Dance-single charts of the model slots with more than 20 notes, first chart per slot."""
    out: dict[int, Chart] = {}
    for chart in song.charts:
        if chart.mode != "dance-single" or chart.slot not in MODEL_SLOTS or int(chart.slot) in out:
            continue
        if sum(1 for n in chart.notes if n.kind.is_onset) >= MIN_NOTES:
            out[int(chart.slot)] = chart
    return out


def load_song(path: str | Path) -> Song:
    """Read a chart file through the project's format registry (raises DataError on failure)."""
    from chart.formats.registry import load

    try:
        return load(Path(path))
    except Exception as exc:  # any parse failure makes the song unusable, with the reason kept
        raise DataError(f"cannot read {Path(path).name}: {exc}".splitlines()[0]) from exc


def _cache_key(audio: Path, params: FeatureParams) -> str:
    st = audio.stat()
    spec = json.dumps([str(audio.resolve()), st.st_size, int(st.st_mtime),
                       params.sample_rate, params.hop_length, params.n_mels, list(params.n_ffts),
                       params.fmin, params.fmax])
    return hashlib.sha1(spec.encode()).hexdigest()[:16]


def cached_features(audio: Path, params: FeatureParams, cache_dir: CacheDir = DEFAULT) -> np.ndarray:
    """Unnormalised features [T, C] (float16) of an audio file, computed once and cached as ``.npy`` in
    ``cache_dir`` (default: :func:`training.caches.default_cache_dir` ``("cache")``; None: not cached)."""
    from audio.decode import load_audio
    from chart.fileio import atomic_write_bytes

    target = None
    cache_dir = cache_folder(cache_dir, "cache")
    if cache_dir is not None:
        target = Path(cache_dir) / f"{audio.stem[:40]}-{_cache_key(audio, params)}.npy"
        if target.is_file():
            return np.load(target)
    samples, sr = load_audio(audio, sr=params.sample_rate)
    feats = compute_features(samples, sr, params).astype(np.float16)
    if target is not None:
        import io

        buf = io.BytesIO()
        np.save(buf, feats)
        with contextlib.suppress(OSError):  # a cache that cannot be written (full, read-only) costs time only
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(target, buf.getvalue())
    return feats


def load_song_data(folder: Path, params: FeatureParams, cache_dir: CacheDir = DEFAULT) -> SongData:
    """Chart targets and cached features (:func:`cached_features`) of one song folder (DataError when unusable)."""
    chart_file = find_chart_file(folder)
    if chart_file is None:
        raise DataError(f"no .ssc/.sm chart in {folder.name}")
    song = load_song(chart_file)
    charts = usable_charts(song)
    if not charts:
        raise DataError(f"no usable dance-single chart in {folder.name}")
    audio = song.audio_path()
    if audio is None or not audio.is_file():
        raise DataError(f"no audio file for {folder.name}")
    feats = cached_features(audio, params, cache_dir)
    targets = {
        slot: ChartTarget(slot, chart_onset_times(song, chart), song.timing_for(chart))
        for slot, chart in charts.items()
    }
    return SongData(folder.name, pack_of(folder.name), audio, feats, targets)


def default_validation_keys(keys: list[str], share: float = 0.175) -> list[str]:
    """Deterministic song-level validation pick stratified by pack (about ``share`` of each pack)."""
    by_pack: dict[str, list[str]] = {}
    for key in keys:
        by_pack.setdefault(pack_of(key), []).append(key)
    chosen: list[str] = []
    for pack in sorted(by_pack):
        ranked = sorted(by_pack[pack], key=lambda k: hashlib.sha1(k.encode()).hexdigest())
        chosen += ranked[:max(1, round(share * len(ranked)))]
    return sorted(chosen)


def read_validation_list(path: Path = SPLIT_FILE) -> list[str]:
    """Song folder names of the committed validation list (comments and blanks ignored)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def split_keys(keys: list[str], path: Path = SPLIT_FILE) -> tuple[list[str], list[str]]:
    """(train, validation) song keys: the committed list when present, else the deterministic default."""
    val = set(read_validation_list(path)) if path.is_file() else set(default_validation_keys(keys))
    return [k for k in keys if k not in val], [k for k in keys if k in val]

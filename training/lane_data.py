"""Lane-model data: the arrow rows of every usable dance-single chart, with row features, history and targets.

Two sources: song folders with audio (``../shared/data/charts``, audio features pooled at each row) and text-only
charts (``../shared/data/charts-only``, audio part zero with its "audio present" flag 0). Chart reading rules are
the onset model's (:mod:`training.data`: dance-single, Beginner..Challenge, ``.ssc`` preferred, > 20 notes).
Per-song results are cached (``runs/lane_cache/`` of a source checkout, :mod:`training.caches`) keyed by the chart
file, audio file and feature version; the audio features themselves in the onset trainer's cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from inference.lane_features import (
    HOLD_LENGTHS_BEAT,
    N_LANES,
    PREV_ROWS,
    TIMING_DIM,
    length_class,
    row_features,
    rows_from_notes,
    teacher_history,
)
from inference.lane_memory import COUNT_BLOCK, DEFAULT_LAYOUT, HINT, HINT_OFFSET, HistoryLayout
from inference.manifest import FeatureParams
from training.caches import DEFAULT, CacheDir, cache_folder

FEATURE_VERSION = 2  # bump when row_features or the targets change: invalidates the cache
_FIELDS = ("rows", "history", "arrows", "holds", "length_cls")


@dataclass
class LaneChart:
    """One chart as lane-model examples.

    ``rows`` (N, ROW_DIM) and ``history`` (N, HISTORY_DIM) float32 are the model inputs (history from the
    reference: teacher forcing); ``arrows``/``holds`` (N,) int64 lane bit masks; ``length_cls`` (N,) int64
    index into :data:`HOLD_LENGTHS_BEAT` of the row's first hold, -1 where the row has none.
    """

    key: str
    slot: int
    has_audio: bool
    rows: np.ndarray
    history: np.ndarray
    arrows: np.ndarray
    holds: np.ndarray
    length_cls: np.ndarray
    ngram: np.ndarray | None = None  # (N, 15) n-gram log-probabilities, attached per run (not cached)

    def __len__(self) -> int:
        return len(self.arrows)


def chart_examples(key: str, song, chart, feats: np.ndarray | None, params: FeatureParams,
                   layout: HistoryLayout = DEFAULT_LAYOUT) -> LaneChart:
    """Examples of one chart (``song``/``chart`` from the format registry, ``feats`` unnormalised or None),
    the history built in ``layout``."""
    rows = rows_from_notes(chart.notes)
    seconds = song.timing_for(chart).beats_to_seconds_array(np.array([float(b) for b in rows.beats]))
    features = row_features(rows.beats, seconds, int(chart.slot),
                            None if feats is None else np.asarray(feats, dtype=np.float32),
                            params.frame_rate, params.n_mels)
    length_cls = np.full(len(rows), -1, dtype=np.int64)
    for i in np.flatnonzero(rows.holds):
        lane = next(lane for lane in range(N_LANES) if (int(rows.holds[i]) >> lane) & 1)
        length_cls[i] = length_class(rows.lengths[i][lane])
    return LaneChart(key, int(chart.slot), feats is not None, features, teacher_history(rows, layout),
                     rows.arrows.astype(np.int64), rows.holds.astype(np.int64), length_cls)


def _cache_path(chart_file: Path, audio: Path | None, params: FeatureParams, cache_dir: Path,
                layout: HistoryLayout = DEFAULT_LAYOUT) -> Path:
    parts: list[object] = [FEATURE_VERSION, str(chart_file.resolve()), chart_file.stat().st_size,
                           int(chart_file.stat().st_mtime), [str(x) for x in HOLD_LENGTHS_BEAT]]
    if layout != DEFAULT_LAYOUT:  # lane-v1's layout keeps its cache keys
        parts.append(layout.to_dict())
    if audio is not None:
        parts += [str(audio.resolve()), audio.stat().st_size, params.sample_rate, params.hop_length,
                  params.n_mels, list(params.n_ffts), params.fmin, params.fmax]
    digest = hashlib.sha1(json.dumps(parts).encode()).hexdigest()[:16]
    return cache_dir / f"{chart_file.stem[:40]}-{digest}.npz"


def _save(path: Path, charts: list[LaneChart]) -> None:
    from chart.fileio import atomic_write_bytes

    arrays: dict[str, Any] = {"meta": np.array(json.dumps(
        [{"key": c.key, "slot": c.slot, "has_audio": c.has_audio} for c in charts]))}
    for i, c in enumerate(charts):
        arrays.update({f"{i}_{name}": getattr(c, name) for name in _FIELDS})
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, buf.getvalue())


def _load(path: Path) -> list[LaneChart]:
    with np.load(path) as data:
        meta = json.loads(str(data["meta"]))
        return [LaneChart(m["key"], m["slot"], m["has_audio"], *(data[f"{i}_{name}"] for name in _FIELDS))
                for i, m in enumerate(meta)]


def song_lane_charts(folder: Path, params: FeatureParams, with_audio: bool,
                     cache_dir: CacheDir = DEFAULT, layout: HistoryLayout = DEFAULT_LAYOUT,
                     feature_cache: CacheDir = DEFAULT) -> list[LaneChart]:
    """Lane examples of every usable chart of one song folder (cached in ``cache_dir``, its audio features in
    ``feature_cache``; default: :func:`training.caches.default_cache_dir` ``("lane_cache")``/``("cache")``;
    None: not cached). Raises ``DataError`` when unusable."""
    from training.data import DataError, cached_features, find_chart_file, load_song, usable_charts

    cache_dir, feature_cache = cache_folder(cache_dir, "lane_cache"), cache_folder(feature_cache, "cache")

    chart_file = find_chart_file(folder)
    if chart_file is None:
        raise DataError(f"no .ssc/.sm chart in {folder.name}")
    song = None
    audio: Path | None = None
    if with_audio:
        song = load_song(chart_file)
        audio = song.audio_path()
        if audio is None or not audio.is_file():
            raise DataError(f"no audio file for {folder.name}")
    target = _cache_path(chart_file, audio, params, cache_dir, layout) if cache_dir is not None else None
    if target is not None and target.is_file():
        return _load(target)
    song = song or load_song(chart_file)
    feats = cached_features(audio, params, feature_cache) if audio is not None else None
    charts = [chart_examples(folder.name, song, chart, feats, params, layout)
              for _, chart in sorted(usable_charts(song).items())]
    if target is not None:
        with contextlib.suppress(OSError):  # a cache that cannot be written (full, read-only) costs time only
            _save(target, charts)
    return charts


def load_lane_charts(folders: Iterable[Path], params: FeatureParams, with_audio: bool,
                     cache_dir: CacheDir = DEFAULT, desc: str = "lane data",
                     layout: HistoryLayout = DEFAULT_LAYOUT,
                     feature_cache: CacheDir = DEFAULT) -> list[LaneChart]:
    """Examples of many song folders; unusable folders are skipped with one line on stderr each. A cache folder
    that cannot be written is replaced (:func:`training.caches.usable_cache_dir`, one note line)."""
    from cli.common import progress
    from training.caches import usable_cache_dir
    from training.data import DataError

    folders = list(folders)
    cache_dir = usable_cache_dir(cache_folder(cache_dir, "lane_cache")) if folders else None  # nothing to cache
    feature_cache = usable_cache_dir(cache_folder(feature_cache, "cache")) if with_audio and folders else None
    out: list[LaneChart] = []
    for folder in progress(folders, desc=desc):
        try:
            out += song_lane_charts(folder, params, with_audio, cache_dir, layout, feature_cache)
        except DataError as exc:
            print(f"skipped: {exc}", file=sys.stderr)
    return out


# ---------------------------------------------------------------------------------------------------- batches
#: Lane permutations that keep a chart playable: identity, Left<->Right, Down<->Up, both (DDR's Mirror).
SYMMETRIES = ((0, 1, 2, 3), (3, 1, 2, 0), (0, 2, 1, 3), (3, 2, 1, 0))


def permute_masks(masks: np.ndarray, perm: Sequence[int]) -> np.ndarray:
    """Lane bit masks with lane ``l`` moved to ``perm[l]``."""
    out = np.zeros_like(masks)
    for lane, target in enumerate(perm):
        out |= ((masks >> lane) & 1) << target
    return out


def _inverse(perm: Sequence[int]) -> list[int]:
    out = [0] * len(perm)
    for lane, target in enumerate(perm):
        out[target] = lane
    return out


def _permute_history(history: np.ndarray, perm: Sequence[int],
                     layout: HistoryLayout = DEFAULT_LAYOUT) -> np.ndarray:
    """History features with lanes permuted: every 4-bit lane group moves, hint found flags stay, in-chart
    count shares move with their arrow sets. Exact for lane-v1's layout; permuted-copy hints name lanes by
    first appearance (lanes of a jump in lane order), so for them it is the same up to jumps."""
    out = history.copy()
    starts = [N_LANES * j for j in range(PREV_ROWS + 2)]
    starts += [HINT_OFFSET + HINT * j for j in range(layout.hint_groups)]
    for start in starts:
        for lane, target in enumerate(perm):
            out[:, start + target] = history[:, start + lane]
    moved = permute_masks(np.arange(1, 16), perm) - 1  # class c goes to class moved[c]
    for j in range(len(layout.count_depths)):
        start = layout.counts_offset + COUNT_BLOCK * j
        out[:, start + moved] = history[:, start:start + 15]
    return out


@dataclass
class Batch:
    """Padded windows: inputs (B, W, ...) float32, targets (B, W) int64, ``valid`` (B, W) bool."""

    rows: np.ndarray
    history: np.ndarray
    arrows: np.ndarray
    holds: np.ndarray
    length_cls: np.ndarray
    valid: np.ndarray
    slots: np.ndarray
    ngram: np.ndarray


def make_batch(charts: Sequence[LaneChart], spans: Sequence[tuple[int, int]], window: int,
               rng: np.random.Generator, audio_drop: float = 0.0, symmetry: bool = False) -> Batch:
    """Rows ``start:stop`` (at most ``window``) of each chart, padded; optional audio dropout and symmetry."""
    b = len(charts)
    dim_r, dim_h = charts[0].rows.shape[1], charts[0].history.shape[1]
    out = Batch(np.zeros((b, window, dim_r), np.float32), np.zeros((b, window, dim_h), np.float32),
                np.ones((b, window), np.int64), np.zeros((b, window), np.int64),
                np.full((b, window), -1, np.int64), np.zeros((b, window), bool),
                np.array([c.slot for c in charts], np.int64), np.zeros((b, window, 15), np.float32))
    for j, (chart, (start, stop)) in enumerate(zip(charts, spans)):
        sl = slice(start, min(stop, start + window, len(chart)))
        n = sl.stop - sl.start
        rows, hist = chart.rows[sl].copy(), chart.history[sl]
        arrows, holds = chart.arrows[sl], chart.holds[sl]
        if audio_drop and chart.has_audio and rng.random() < audio_drop:
            rows[:, TIMING_DIM:] = 0.0  # the whole audio part, flag included
        ngram = chart.ngram[sl] if chart.ngram is not None else np.zeros((n, 15), np.float32)
        if symmetry:
            if hist.shape[1] != DEFAULT_LAYOUT.dim:
                raise ValueError("lane symmetry augmentation supports lane-v1's history layout only")
            perm = SYMMETRIES[rng.integers(len(SYMMETRIES))]
            arrows, holds, hist = permute_masks(arrows, perm), permute_masks(holds, perm), _permute_history(hist, perm)
            ngram = ngram[:, permute_masks(np.arange(1, 16), _inverse(perm)) - 1]
        out.rows[j, :n], out.history[j, :n] = rows, hist
        out.arrows[j, :n], out.holds[j, :n] = arrows, holds
        out.length_cls[j, :n], out.valid[j, :n] = chart.length_cls[sl], True
        out.ngram[j, :n] = ngram
    return out


def epoch_windows(charts: Sequence[LaneChart], window: int, rng: np.random.Generator) -> list[tuple[int, int, int]]:
    """(chart index, start row, stop row) spans tiling every chart once with a random phase, shuffled.

    The phase moves window borders from epoch to epoch, so every row is sometimes far from a window start
    (where the recurrent state begins at zero, as at the start of a chart).
    """
    out: list[tuple[int, int, int]] = []
    for ci, chart in enumerate(charts):
        phase = int(rng.integers(window)) if len(chart) > window else 0
        edges = sorted({0, len(chart), *range(window - phase if phase else window, len(chart), window)})
        out += [(ci, a, b) for a, b in zip(edges, edges[1:]) if b > a]
    order = rng.permutation(len(out))
    return [out[i] for i in order]

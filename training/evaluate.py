"""``main.py eval``: the protocol and JSON of docs/evaluation.md, through the production drafting path.

Onsets: every usable chart (dance-single, Beginner..Challenge, > 20 notes) is drafted by
:class:`inference.drafter.Drafter` -- ``inference.features``, the ONNX onset model on ``OnnxBackend``,
``inference.decode`` with the manifest's per-slot defaults, lanes -- using the chart's authored timing as the
beat guide and never its notes or note count. Refine: for each pair low < high (high Medium..Challenge) the high
slot is drafted again with the reference low chart as conditioning. Lanes: the reference onset rows get arrows
from the lane model given the reference history (teacher forcing), against the best rule baseline on the same
rows. ``--baseline librosa`` swaps the onset model for :mod:`training.baseline` (scored by the same code).
"""

from __future__ import annotations

import dataclasses
import sys
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from chart.notes import Note
from chart.song import Slot
from chart.stats import onset_row_times_s
from chart.timing import TimingData
from training.metrics import SLOT_KEYS, Counts, OnsetTally, chart_counts

REFINE_HIGH = (Slot.MEDIUM, Slot.HARD, Slot.CHALLENGE)


class EvalError(ValueError):
    """Bad evaluation input (no songs, missing model); reported as one line."""


@dataclass
class EvalOptions:
    """What ``main.py eval`` was asked; ``backend``/``lane_backend`` let tests plug in an oracle model."""

    songs: Path
    model: Path | None = None
    lane_model: Path | None = None
    baseline: str | None = None
    split: str = "all"
    songs_list: Path | None = None
    refine: bool = True
    backend: Any = None
    onset_manifest: Any = None


@dataclass
class _Song:
    key: str
    song: Any
    charts: dict[int, Any]
    audio: Path


def select_folders(options: EvalOptions, log=sys.stderr) -> list[Path]:
    """Song folders of ``options.songs`` restricted by ``--split`` and ``--songs-list`` (names of the list that
    match no folder are reported on ``log``)."""
    from training.data import DataError, read_validation_list, song_folders

    try:
        folders = song_folders(options.songs)
    except DataError as exc:
        raise EvalError(str(exc)) from exc
    if options.songs_list is not None:
        wanted = set(read_validation_list(options.songs_list))
        missing = sorted(wanted - {f.name for f in folders})
        if missing:
            print(f"warning: {len(missing)} song(s) of {options.songs_list} not in {options.songs}: "
                  f"{', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}", file=log)
        folders = [f for f in folders if f.name in wanted]
    if options.split != "all":
        validation = set(read_validation_list())
        folders = [f for f in folders if (f.name in validation) == (options.split == "validation")]
    if not folders:
        raise EvalError(f"no song folders to evaluate in {options.songs} (split {options.split})")
    return folders


def load_manifests(options: EvalOptions) -> tuple[Any, Any]:
    """(onset manifest or None for the librosa baseline, lane manifest or None)."""
    from inference.manifest import Manifest, ManifestError, default_models_dir

    def in_folder(path: Any, kind: str) -> Any:  # a run folder (train --out, train-lanes --out) names its model
        return Path(path) / f"{kind}.manifest.json" if path is not None and Path(path).is_dir() else path

    try:
        onset = options.onset_manifest
        if onset is None and options.baseline is None:
            onset = Manifest.load(in_folder(options.model, "onset") or default_models_dir() / "onset.manifest.json")
        lane_path = in_folder(options.lane_model, "lane") or default_models_dir() / "lane.manifest.json"
        lane = Manifest.load(lane_path) if options.lane_model or lane_path.is_file() else None
    except ManifestError as exc:
        raise EvalError(str(exc)) from exc
    return onset, lane


def _load_song(folder: Path) -> _Song:
    from training.data import DataError, find_chart_file, load_song, usable_charts

    chart_file = find_chart_file(folder)
    if chart_file is None:
        raise DataError(f"no chart in {folder.name}")
    song = load_song(chart_file)
    charts = usable_charts(song)
    audio = song.audio_path()
    if not charts or audio is None or not audio.is_file():
        raise DataError(f"no usable chart with audio in {folder.name}")
    return _Song(folder.name, song, charts, audio)


def _by_timing(song: _Song, slots) -> list[tuple[TimingData, list[int]]]:
    groups: list[tuple[TimingData, list[int]]] = []
    for slot in slots:
        timing = song.song.timing_for(song.charts[slot])
        for t, members in groups:
            if t == timing:
                members.append(slot)
                break
        else:
            groups.append((timing, [slot]))
    return groups


def draft_onsets(drafter: Any, analysis: Any, song: _Song) -> dict[int, np.ndarray]:
    """Production drafts of every chart's slot, with that chart's timing; onset seconds per slot."""
    out: dict[int, np.ndarray] = {}
    for timing, slots in _by_timing(song, sorted(song.charts)):
        for draft in drafter.draft(analysis, timing, slots=[Slot(s) for s in slots]):
            out[int(draft.slot)] = onset_row_times_s(draft.notes, timing)
    return out


def _notes_in_timing(notes: list[Note], source: TimingData, target: TimingData) -> list[Note]:
    """The same moments expressed in another timing's beats (charts of one song may carry their own timing)."""
    if source == target:
        return notes
    seconds = source.beats_to_seconds_array(np.array([float(n.beat) for n in notes]))
    beats = target.seconds_to_beats_array(seconds)
    return [n.replace(beat=Fraction(float(b)).limit_denominator(1 << 12)) for n, b in zip(notes, beats)]


def refine_counts(drafter: Any, analysis: Any, song: _Song, plain: dict[int, np.ndarray]
                  ) -> tuple[int, Counts, Counts]:
    """(pairs, conditioned counts, unconditioned counts) at ±50 ms over the song's (low, high) pairs."""
    pairs, cond, uncond = 0, Counts(), Counts()
    for low in sorted(song.charts):
        highs = [h for h in sorted(song.charts) if h > low and Slot(h) in REFINE_HIGH]
        low_chart = song.charts[low]
        for timing, members in _by_timing(song, highs):
            lower = _notes_in_timing(low_chart.notes, song.song.timing_for(low_chart), timing)
            drafts = drafter.refine(analysis, timing, lower, Slot(low), [Slot(h) for h in members])
            for draft in drafts:
                high = int(draft.slot)
                ref = onset_row_times_s(song.charts[high].notes, timing)
                cond = cond + chart_counts(ref, onset_row_times_s(draft.notes, timing), 0.05)
                uncond = uncond + chart_counts(ref, plain[high], 0.05)
                pairs += 1
    return pairs, cond, uncond


def evaluate(options: EvalOptions, log=sys.stderr) -> dict:
    """Run the whole evaluation; returns the JSON object of docs/evaluation.md."""
    from inference.backends import BackendError, InputError
    from inference.manifest import ManifestError

    try:
        return _evaluate(options, log)
    except (ManifestError, BackendError, InputError) as exc:
        raise EvalError(str(exc).splitlines()[0]) from exc


@dataclass
class _Totals:
    tally: OnsetTally
    lanes: Any
    songs: int = 0
    charts: int = 0
    pairs: int = 0
    cond: Counts = dataclasses.field(default_factory=Counts)
    uncond: Counts = dataclasses.field(default_factory=Counts)


def _score_song(song: _Song, drafter: Any, baseline: Any, onset_m: Any, options: EvalOptions,
                totals: _Totals) -> None:
    if drafter is not None:
        analysis = drafter.analyse(song.audio)
        predicted = draft_onsets(drafter, analysis, song)
        raw = analysis.raw
    else:
        predicted, raw = baseline.song_onsets(song)
    for slot, chart in sorted(song.charts.items()):
        ref = onset_row_times_s(chart.notes, song.song.timing_for(chart))
        totals.tally.add_chart(SLOT_KEYS[slot], ref, predicted[slot])
        totals.charts += 1
    if drafter is not None and options.refine and onset_m.conditioning:
        pairs, cond, uncond = refine_counts(drafter, analysis, song, predicted)
        totals.pairs, totals.cond, totals.uncond = totals.pairs + pairs, totals.cond + cond, totals.uncond + uncond
    totals.lanes.add_song(song, raw, onset_m.features if onset_m is not None else None)
    totals.songs += 1


def _lane_block(block: dict, non_learned: bool) -> dict:
    """docs/evaluation.md's ``lane`` object; for ``--baseline librosa`` (a pipeline with nothing learned) its
    accuracy is the best rule's, not the lane model's."""
    return {**block, "accuracy": block["baseline_accuracy"]} if non_learned else block


def _evaluate(options: EvalOptions, log) -> dict:
    from cli.common import progress
    from training.data import DataError
    from training.eval_lanes import LaneScorer

    t0 = time.perf_counter()
    folders = select_folders(options, log)
    onset_m, lane_m = load_manifests(options)
    drafter = baseline = None
    if options.baseline == "librosa":
        from training.baseline import LibrosaBaseline

        baseline = LibrosaBaseline.from_training_stats()
    else:
        from inference.drafter import Drafter

        drafter = Drafter(onset_m, lane_m, options.backend)
    totals = _Totals(OnsetTally(), LaneScorer(lane_m))
    for folder in progress(folders, desc="eval"):
        try:
            song = _load_song(folder)
        except DataError as exc:
            print(f"skipped: {exc}", file=log)
            continue
        _score_song(song, drafter, baseline, onset_m, options, totals)
    if totals.songs == 0:
        raise EvalError("no usable song (chart + audio) in the selected folders")
    model_name = onset_m.display_id() if onset_m is not None else "librosa-baseline (onset_detect, snapped, thinned)"
    print(f"lane scores: {totals.lanes.summary()}", file=log)
    # the onset figures score the rows the draft writes, after the lane model's hold rules: they depend on it (on
    # stderr: the JSON's keys are EVALUATION.md's, exactly)
    print(f"lane model: {lane_m.display_id() if lane_m is not None else 'none'}", file=log)
    return {
        "model": model_name,
        "songs": totals.songs,
        "charts": totals.charts,
        "onset": totals.tally.onset_block(),
        "density_error_median": totals.tally.density_error_median(),
        # a figure that was not measured is null, not 0.0 (no pairs: --no-refine, the baseline, one slot a song)
        "refine": {"pairs": totals.pairs,
                   "f1_50ms_conditioned": round(totals.cond.f1, 4) if totals.pairs else None,
                   "f1_50ms_unconditioned": round(totals.uncond.f1, 4) if totals.pairs else None},
        "lane": _lane_block(totals.lanes.block(), baseline is not None),
        "seconds": round(time.perf_counter() - t0, 2),
    }

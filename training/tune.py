"""Tune the per-slot decode settings on the validation songs and measure the onset model there.

Only two knobs per slot are tuned -- the threshold and the minimum gap between rows in beats (three or four
values per slot) -- plus, for the slots a refine can target, a threshold of its own for drafts conditioned on a
lower chart (their probabilities are sharper: the plain threshold made refine drafts ~1.4x too dense), on the
committed validation list only, to keep the model honest on songs nobody here has. The
report holds docs/evaluation.md's onset numbers (micro P/R/F1 at +-50 and +-20 ms per slot, chart-mean F1, median
density error) and the refine comparison (pairs with the higher slot Medium/Hard/Challenge, conditioned vs not).
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from inference.decode import (
    DEFAULT_DECODE,
    SLOT_NAMES,
    candidate_rows,
    decode_onsets,
    refine_rows_prior,
    smooth,
)
from inference.manifest import SlotDecode
from training import validate
from training.data import SongData
from training.model import OnsetEnsemble, OnsetModel

THRESHOLDS = tuple(np.round(np.arange(0.15, 0.81, 0.05), 2))
#: Candidate minimum gaps between rows in beats, per slot (Beginner rarely steps twice within a beat).
GAP_BEATS = {"beginner": (0.5, 1.0, 1.5, 2.0), "easy": (0.25, 0.5, 1.0), "medium": (0.0, 0.25, 0.5),
             "hard": (0.0, 0.25, 0.5), "challenge": (0.0, 0.125, 0.25)}
REFINE_HIGH = (2, 3, 4)
#: A slot pair's refine ratio needs this many training songs with both charts.
MIN_RATIO_SONGS = 10


def _prior_rows(c: validate.ChartProbs, cfg: SlotDecode) -> float | None:
    """The refine density prior of a conditioned curve, as the drafter computes it (None for plain curves)."""
    if c.cond_slot is None:
        return None
    return refine_rows_prior(cfg, c.cond_slot, len(c.song_data.charts[c.cond_slot].onset_s))


def _slot_counts(charts: Sequence[validate.ChartProbs], cfg: SlotDecode, frame_rate: float,
                 window_s: float, conditioned: bool = False) -> tuple[int, int, int]:
    tp = n_est = n_ref = 0
    for c in charts:
        est = decode_onsets(c.prob, frame_rate, c.song_data.charts[c.slot].timing, cfg, conditioned=conditioned,
                            prior_rows=_prior_rows(c, cfg) if conditioned else None).seconds
        tp += validate.count_matches(c.ref_s, est, window_s)
        n_est += len(est)
        n_ref += len(c.ref_s)
    return tp, n_est, n_ref


def tune_slot(charts: Sequence[validate.ChartProbs], base: SlotDecode, frame_rate: float,
              gaps_beats: Sequence[float]) -> SlotDecode:
    """Threshold and min gap (beats) maximising micro F1 at +-50 ms over the given charts of one slot."""
    best, best_f1 = base, -1.0
    floor = float(min(THRESHOLDS))
    for gap in gaps_beats:
        cfg = dataclasses.replace(base, min_gap_beats=float(gap))
        cands = []
        for c in charts:  # one decode per chart and gap; each threshold is a filter of its candidates
            timing = c.song_data.charts[c.slot].timing
            rows, probs = candidate_rows(smooth(c.prob, cfg.smooth_frames), frame_rate, timing, cfg, floor)
            cands.append((timing.beats_to_seconds_array(np.array([float(b) for b in rows])), probs, c.ref_s))
        for thr in THRESHOLDS:
            tp = n_est = n_ref = 0
            for sec, probs, ref in cands:
                est = sec[probs >= thr]
                tp += validate.count_matches(ref, est, 0.05)
                n_est, n_ref = n_est + len(est), n_ref + len(ref)
            f1 = validate.f1_from_counts(tp, n_est, n_ref)[2]
            if f1 > best_f1:
                best, best_f1 = dataclasses.replace(cfg, threshold=float(thr)), f1
    return best


def tune(charts: Sequence[validate.ChartProbs], frame_rate: float) -> dict[str, SlotDecode]:
    """Tuned settings for every slot (defaults for a slot without validation charts)."""
    out = {}
    for i, name in enumerate(SLOT_NAMES):
        mine = [c for c in charts if c.slot == i]
        base = dataclasses.replace(DEFAULT_DECODE[name])
        out[name] = tune_slot(mine, base, frame_rate, GAP_BEATS[name]) if mine else base
    return out


def measure(charts: Sequence[validate.ChartProbs], settings: dict[str, SlotDecode],
            frame_rate: float) -> dict:
    """docs/evaluation.md onset block: micro P/R/F1 (+-50, +-20 ms) per slot and all, chart-mean F1, density."""
    acc = {w: {k: [0, 0, 0] for k in ("all", *SLOT_NAMES)} for w in (0.05, 0.02)}
    chart_f1, density = [], []
    for c in charts:
        name = SLOT_NAMES[c.slot]
        est = decode_onsets(c.prob, frame_rate, c.song_data.charts[c.slot].timing, settings[name]).seconds
        for w in acc:
            tp = validate.count_matches(c.ref_s, est, w)
            for key in ("all", name):
                a = acc[w][key]
                a[0], a[1], a[2] = a[0] + tp, a[1] + len(est), a[2] + len(c.ref_s)
            if w == 0.05:
                chart_f1.append(validate.f1_from_counts(tp, len(est), len(c.ref_s))[2])
        density.append(abs(len(est) / max(len(c.ref_s), 1) - 1.0))
    out: dict = {"charts": len(charts)}
    for w, tag in ((0.05, "50ms"), (0.02, "20ms")):
        prf = {k: validate.f1_from_counts(*v) for k, v in acc[w].items() if v[2] or k == "all"}
        out[f"precision_{tag}"] = {k: round(v[0], 4) for k, v in prf.items()}
        out[f"recall_{tag}"] = {k: round(v[1], 4) for k, v in prf.items()}
        out[f"f1_{tag}"] = {k: round(v[2], 4) for k, v in prf.items()}
    out["chart_mean_f1_50ms"] = round(float(np.mean(chart_f1)), 4) if chart_f1 else 0.0
    out["density_error_median"] = round(float(np.median(density)), 4) if density else 0.0
    return out


def tune_refine(refined: Sequence[validate.ChartProbs], settings: dict[str, SlotDecode],
                frame_rate: float) -> dict[str, SlotDecode]:
    """``settings`` with ``refine_threshold`` tuned (micro F1 at +-50 ms) on the conditioned curves of each slot.

    The slot's min gap stays the plain one, so a refine differs from a plain draft only by its threshold.
    """
    out = dict(settings)
    for i, name in enumerate(SLOT_NAMES):
        mine = [c for c in refined if c.slot == i]
        if mine:
            best = tune_slot(mine, settings[name], frame_rate, [settings[name].min_gap_beats])
            out[name] = dataclasses.replace(settings[name], refine_threshold=best.threshold)
    return out


def refine_ratios(row_counts: Sequence[dict[int, int]]) -> dict[str, dict[str, float]]:
    """Per higher slot name, per lower slot name: the median ratio of onset rows (higher / lower) over songs.

    ``row_counts`` holds one ``{slot index: onset rows}`` per song (training songs only: the prior must not
    come from the songs it is measured on). Pairs seen in fewer than :data:`MIN_RATIO_SONGS` songs are left out.
    """
    logs: dict[tuple[int, int], list[float]] = {}
    for counts in row_counts:
        for lo, n_lo in counts.items():
            for hi, n_hi in counts.items():
                if hi > lo and n_lo > 0 and n_hi > 0:
                    logs.setdefault((lo, hi), []).append(math.log(n_hi / n_lo))
    out: dict[str, dict[str, float]] = {}
    for (lo, hi), values in sorted(logs.items()):
        if len(values) >= MIN_RATIO_SONGS:
            out.setdefault(SLOT_NAMES[hi], {})[SLOT_NAMES[lo]] = round(math.exp(float(np.median(values))), 4)
    return out


def with_refine_ratios(settings: dict[str, SlotDecode], ratios: dict[str, dict[str, float]]) -> dict[str, SlotDecode]:
    """``settings`` with each slot's ``refine_ratio`` set from :func:`refine_ratios` (None where no pair)."""
    return {name: dataclasses.replace(cfg, refine_ratio=ratios.get(name) or None) for name, cfg in settings.items()}


def training_row_counts(folders: Sequence[Path], log=print) -> list[dict[int, int]]:
    """``{slot: onset rows}`` of every song folder's usable charts (unreadable charts are skipped with a line)."""
    from chart.notes import onset_beats
    from training.data import DataError, chart_file, load_song, usable_charts

    out = []
    for folder in folders:
        try:
            song = load_song(chart_file(folder))
        except (DataError, OSError, ValueError) as exc:
            log(f"skip {folder.name}: {exc}")
            continue
        out.append({slot: len(onset_beats(chart.notes)) for slot, chart in usable_charts(song).items()})
    return out


def refine_probs(model: OnsetModel | OnsetEnsemble, songs: Sequence[SongData], mean, std,
                 frame_rate: float) -> list[validate.ChartProbs]:
    """Conditioned curves of every (low, high) pair whose high slot is Medium..Challenge."""
    return [c for song in songs for c in validate.song_probs(model, song, mean, std, frame_rate, refine=True)
            if c.slot in REFINE_HIGH]


def refine_scores(refined: Sequence[validate.ChartProbs], plain: Sequence[validate.ChartProbs],
                  settings: dict[str, SlotDecode], frame_rate: float) -> dict:
    """Micro F1 at +-50 ms over (low, high) pairs with high in Medium..Challenge, conditioned and plain."""
    plain_by = {(c.song, c.slot): c for c in plain}
    cond_counts, plain_counts = [0, 0, 0], [0, 0, 0]
    for c in refined:
        cfg = settings[SLOT_NAMES[c.slot]]
        for counts, probs, conditioned in ((cond_counts, c, True), (plain_counts, plain_by[(c.song, c.slot)], False)):
            tp, n_est, n_ref = _slot_counts([probs], cfg, frame_rate, 0.05, conditioned)
            counts[0], counts[1], counts[2] = counts[0] + tp, counts[1] + n_est, counts[2] + n_ref
    return {"pairs": len(refined),
            "f1_50ms_conditioned": round(validate.f1_from_counts(*cond_counts)[2], 4),
            "f1_50ms_unconditioned": round(validate.f1_from_counts(*plain_counts)[2], 4)}


def tune_and_measure(model: OnsetModel | OnsetEnsemble, songs: Sequence[SongData], mean: np.ndarray, std: np.ndarray,
                     frame_rate: float, out_json: Path | None = None,
                     ratios: dict[str, dict[str, float]] | None = None) -> tuple[dict[str, SlotDecode], dict]:
    """Tune decode settings on ``songs`` (validation) and return them with the measured report.

    ``ratios`` (:func:`refine_ratios` of the training songs) set the refine density prior. The refine thresholds
    are tuned as if decoding by threshold alone; the prior then pulls each refine's count towards the lower
    chart's (measured that way on the validation songs: MODEL_CARD.md).
    """
    t0 = time.time()
    plain = [c for s in songs for c in validate.song_probs(model, s, mean, std, frame_rate)]
    settings = with_refine_ratios(tune(plain, frame_rate), ratios or {})
    refined = refine_probs(model, songs, mean, std, frame_rate)
    settings = tune_refine(refined, settings, frame_rate)
    report = {"songs": len(songs), "onset": measure(plain, settings, frame_rate),
              "refine": refine_scores(refined, plain, settings, frame_rate),
              "decode": {k: dataclasses.asdict(v) for k, v in settings.items()},
              "seconds": round(time.time() - t0, 1)}
    if out_json is not None:
        from chart.fileio import atomic_write_text

        atomic_write_text(out_json, json.dumps(report, indent=2) + "\n")
    return settings, report


def _list_name(path: Path) -> str:
    """A validation list as the manifest names it: relative to the code folder when inside it."""
    from training.caches import CODE_ROOT

    try:
        return path.resolve().relative_to(CODE_ROOT).as_posix()
    except ValueError:
        return str(path)


def finish_run(checkpoint: Path | Sequence[Path], songs_root: str | Path, onnx_paths: Sequence[Path],
               model_id: str = "onset-v1", log=print, validation_file: str | Path | None = None) -> dict:
    """Tune on the validation songs, write ``tune.json`` beside the (first) checkpoint, export to each ONNX path.

    Several checkpoints are exported as one ensemble (probabilities averaged). The validation list is
    ``validation_file`` when given (``train --tune-only --validation-list``), else the one the (first) checkpoint
    was trained with; the report (and so the manifest) names it. The feature cache is the checkpoint's.
    """
    from training.caches import DEFAULT, cache_folder, usable_cache_dir
    from training.data import SPLIT_FILE, DataError, load_song_data, song_folders, split_keys
    from training.export import export_checkpoint, load_models

    checkpoints = [Path(checkpoint)] if isinstance(checkpoint, str | Path) else [Path(c) for c in checkpoint]
    model, params, ckpts = load_models(checkpoints)
    run_cfg = ckpts[0].get("train_config", {})
    folders = song_folders(songs_root)
    cache = usable_cache_dir(cache_folder(run_cfg.get("cache_dir", DEFAULT), "cache"), log) if folders else None
    val_file = Path(validation_file if validation_file is not None else run_cfg.get("validation_file", SPLIT_FILE))
    _, val_keys = split_keys([f.name for f in folders], val_file)
    ratios = refine_ratios(training_row_counts([f for f in folders if f.name not in set(val_keys)], log))
    songs = []
    for folder in folders:
        if folder.name in set(val_keys):
            try:
                songs.append(load_song_data(folder, params, cache))
            except (DataError, OSError) as exc:
                log(f"skip {folder.name}: {exc}")
    mean = np.asarray(params.norm_mean, np.float32)
    std = np.asarray(params.norm_std, np.float32)
    settings, report = tune_and_measure(model, songs, mean, std, params.frame_rate, None, ratios)
    report = {"list": _list_name(val_file) if val_file.is_file() else "default split (no list file)",
              "song_keys": sorted(s.key for s in songs), **report}
    from chart.fileio import atomic_write_text

    tune_json = checkpoints[0].with_name("tune.json" if len(checkpoints) == 1 else "tune-ensemble.json")
    atomic_write_text(tune_json, json.dumps(report, indent=2) + "\n")
    for path in onnx_paths:
        export_checkpoint(checkpoints, path, decode=settings, model_id=model_id, report=report)
        log(f"exported {path}")
    return report

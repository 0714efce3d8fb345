"""Session-4 (and later) experiments on the validation songs: decode-side ideas for the onset and lane goals (none
ships).

Each subcommand prints one small table; none writes into the project. ``CURVES`` is the file written by
``python scripts/diagnose_models.py curves CURVES``.

* ``density CURVES``: plain drafts with the row count aimed at the geometric mean of the F1-tuned threshold's
  count and the slot's median training density (weights 0..1): micro F1 @50 ms against median density error.
* ``density-per-beat CURVES`` (session 12): the same with the slot's median density in rows per *beat* of the
  song's timing instead of per second.
* ``repeat-smooth CURVES``: onset curves averaged with the same beat position in the most similar bars of the
  song (beat-synchronous log-mel, same position in the bar), thresholds re-tuned per slot for every variant.
* ``rhythm-prior CURVES``: a gap model (next row's distance in 1/48 beats given the slot and the previous row's
  grid phase) counted on every non-validation chart with or without audio, combined with the model's log-odds in
  a Viterbi decode; the weight of the gap model and a per-slot bias tuned on the validation songs.
* ``refine-keep CURVES``: how many of the lower chart's rows the refine drafts keep, and refine F1 when those
  rows get a probability bonus before the row count (the shipped geometric-mean count) is applied.
* ``snap-thresholds CURVES`` (session 9): one threshold per slot and snap class of the row (beat, 8th, 16th,
  12th/24th, finer) instead of one per slot, tuned by coordinate ascent; leave-one-song-out over the validation
  songs (tuned on 13, scored on the 14th) against one threshold per slot under the same protocol.
* ``lane-mirror``: the lane model run on the reference chart and on its mirrored copies (Left<->Right,
  Down<->Up), log-probabilities averaged after renaming the lanes back (teacher forced exact-row accuracy).

Usage: python scripts/decode_experiments.py SUBCOMMAND [CURVES] [--songs ../shared/data/charts]
"""

from __future__ import annotations

import argparse
import math
import pickle
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from diagnose_models import _candidates, _validation, non_validation_charts  # noqa: E402

from chart.notes import onset_beats  # noqa: E402
from inference.decode import threshold_for_count  # noqa: E402
from inference.drafter import Drafter  # noqa: E402
from training.metrics import count_matches  # noqa: E402

#: Median onset rows per second of audio of the training charts, Beginner..Challenge (MODEL_CARD).
TRAIN_NPS = (0.93, 1.69, 2.48, 3.19, 4.07)
#: Median onset rows per beat of audio (the authored timing's beats from 0 s to the end) of the same charts
#: (session 12; the spread of log rows/beat is 0.17/0.11/0.14/0.16/0.14 median absolute deviation against
#: 0.20/0.18/0.18/0.17/0.16 for rows per second).
TRAIN_RPB = (0.347, 0.647, 0.971, 1.287, 1.585)
THRESHOLDS = np.arange(0.05, 0.95, 0.01)


def _plain(curves_path: Path, drafter: Drafter) -> list[dict]:
    with open(curves_path, "rb") as fh:
        rows = [r for r in pickle.load(fh) if r["cond"] is None]
    for r in rows:
        r["_cands"] = _candidates(r, drafter)
    return rows


def _f1(c: np.ndarray) -> float:
    return float(2 * c[0] / max(c[1] + c[2], 1))


def _counts(r: dict, est: np.ndarray) -> np.ndarray:
    return np.array([count_matches(r["ref"], est, 0.05), len(est), len(r["ref"])], dtype=np.float64)


def _tuned(rows: list[dict], select) -> tuple[float, list[float]]:
    """Micro F1 with the best value of ``select(r, value) -> estimated seconds`` per slot (values: THRESHOLDS
    unless ``select.values``); returns the overall figure and the per-slot ones."""
    total, per = np.zeros(3), []
    for slot in range(5):
        mine = [r for r in rows if r["slot"] == slot]
        best = max((sum((_counts(r, select(r, v)) for r in mine), np.zeros(3))
                    for v in getattr(select, "values", THRESHOLDS)), key=_f1)
        total += best
        per.append(round(_f1(best), 4))
    return round(_f1(total), 4), per


def density(curves_path: Path, per_beat: bool = False) -> None:
    """With ``per_beat`` the slot prior is in rows per beat of the song's timing (TRAIN_RPB) instead of rows per
    second (session 12: worse on the validation songs, median density error 0.24 against 0.12 at weight 0)."""
    drafter = Drafter.from_models_dir(None)
    rows = _plain(curves_path, drafter)
    print("count aimed at                              micro F1 @50  median density error")
    for weight in (1.0, 0.75, 0.6, 0.5, 0.4, 0.25, 0.0):
        total, errors = np.zeros(3), []
        for r in rows:
            sec, probs, cfg = r["_cands"]
            n_thr = max(int(np.count_nonzero(probs >= cfg.threshold)), 1)
            duration_s = len(r["curve"]) / r["fr"]
            if per_beat:
                b0, b1 = r["timing"].seconds_to_beats_array([0.0, duration_s])
                n_prior = TRAIN_RPB[r["slot"]] * float(b1 - b0)
            else:
                n_prior = TRAIN_NPS[r["slot"]] * duration_s
            want = math.exp(weight * math.log(n_thr) + (1 - weight) * math.log(n_prior))
            est = sec[probs >= threshold_for_count(probs, want)]
            total += _counts(r, est)
            errors.append(abs(len(est) / max(len(r["ref"]), 1) - 1))
        name = f"threshold^{weight:.2f} x prior^{1 - weight:.2f}"
        print(f"{name:42s}  {_f1(total):.4f}       {float(np.median(errors)):.3f}")


# ------------------------------------------------------------------------------------------ repeat-smooth
def _bar_neighbours(feats: np.ndarray, beat_of_frame: np.ndarray, k: int, min_sim: float, ctx: int = 4):
    """For every beat, up to ``k`` beats a whole number of bars away whose next ``ctx`` beats sound most alike."""
    beat_idx = np.floor(beat_of_frame).astype(int)
    n = int(beat_idx.max()) + 1
    desc = np.zeros((n, feats.shape[1]), np.float32)
    for b in range(n):
        frames = beat_idx == b
        if frames.any():
            desc[b] = feats[frames].mean(0)
    context = np.concatenate([np.roll(desc, -i, axis=0) for i in range(ctx)], axis=1)
    context -= context.mean(0)
    context /= np.linalg.norm(context, axis=1, keepdims=True) + 1e-6
    sims = context @ context.T
    out = []
    for b in range(n):
        other = np.arange(b % ctx, n - ctx, ctx)
        other = other[np.abs(other - b) >= ctx]
        order = other[np.argsort(-sims[b, other])[:k]]
        out.append(order[sims[b, order] >= min_sim])
    return beat_idx, out


def _repeat_curve(r: dict, feats: np.ndarray, weight: float, k: int, min_sim: float) -> np.ndarray:
    p = r["curve"].astype(np.float64)
    beats = np.clip(r["timing"].seconds_to_beats_array(np.arange(len(p)) / r["fr"]), 0, None)
    beat_idx, nbrs = _bar_neighbours(feats[:len(p)], beats, k, min_sim)
    frac = beats - beat_idx
    acc, cnt = np.zeros_like(p), np.zeros_like(p)
    for b, others in enumerate(nbrs):
        frames = np.nonzero(beat_idx == b)[0]
        for other in others:
            at = np.round(r["timing"].beats_to_seconds_array(other + frac[frames]) * r["fr"]).astype(int)
            acc[frames] += p[np.clip(at, 0, len(p) - 1)]
            cnt[frames] += 1
    has = cnt > 0
    p[has] = (1 - weight) * p[has] + weight * acc[has] / cnt[has]
    return p


def repeat_smooth(songs: Path, curves_path: Path) -> None:
    drafter = Drafter.from_models_dir(None)
    rows = _plain(curves_path, drafter)
    feats = {song.key: drafter.analyse(song.audio).normalised for _folder, song in _validation(songs)}

    def by_threshold(r, t):
        sec, probs, _ = r["_cands"]
        return sec[probs >= t]

    print("variant (weight, bars, min similarity)  micro F1 @50 (tuned per slot)  per slot")
    print(f"{'none':40s} {_tuned(rows, by_threshold)}")
    for weight, k, min_sim in ((0.2, 4, 0.6), (0.3, 4, 0.5), (0.3, 2, 0.7), (0.3, 8, 0.3), (0.5, 4, 0.5)):
        smoothed = [dict(r, curve=_repeat_curve(r, feats[r["song"]], weight, k, min_sim)) for r in rows]
        for r in smoothed:
            r["_cands"] = _candidates(r, drafter)
        print(f"{f'{weight}, {k}, {min_sim}':40s} {_tuned(smoothed, by_threshold)}")


# ------------------------------------------------------------------------------------------- rhythm-prior
Q, CAP = 48, 8 * 48  # gap units per beat, longest gap with its own bin (8 beats); longer ones share bin CAP+1


def _phase(units: np.ndarray) -> np.ndarray:
    r = units % Q
    return np.select([r == 0, r == Q // 2, (r == Q // 4) | (r == 3 * Q // 4), (r % (Q // 3)) == 0], [0, 1, 2, 3], 4)


def _gap_log_probs(songs: Path, prior_weight: float = 20.0) -> np.ndarray:
    """log P(gap bin | slot, phase of the previous row) [5, 5, CAP + 2] from every non-validation chart."""
    counts = np.zeros((5, 5, CAP + 2))
    for charts in non_validation_charts(songs):
        for slot, chart in charts.items():
            units = np.round(np.array([float(b) for b in onset_beats(chart.notes)]) * Q).astype(int)
            gaps = np.diff(units)
            np.add.at(counts[slot], (_phase(units[:-1]), np.where(gaps > CAP, CAP + 1, gaps)), 1)
    slot_dist = counts.sum(1, keepdims=True) + 0.1
    slot_dist /= slot_dist.sum(2, keepdims=True)
    return np.log((counts + prior_weight * slot_dist) / (counts.sum(2, keepdims=True) + prior_weight))


def _viterbi(probs: np.ndarray, units: np.ndarray, log_gap: np.ndarray, weight: float, bias: float) -> np.ndarray:
    """Rows maximising sum(log-odds + bias) + weight * sum(log P(gap)) over the chosen rows (semi-Markov)."""
    n = len(units)
    own = np.log(probs / (1 - probs)) + bias
    best, back = np.full(n, -np.inf), np.full(n, -1)
    phase = _phase(units)
    lo, far_best, far_arg = 0, -np.inf, -1  # best predecessor more than CAP units back
    for j in range(n):
        while units[j] - units[lo] > CAP:
            value = best[lo] + weight * log_gap[phase[lo], CAP + 1]
            if value > far_best:
                far_best, far_arg = value, lo
            lo += 1
        pred_v, pred = (far_best, far_arg) if far_best > 0 else (0.0, -1)
        if j > lo:
            idx = np.arange(lo, j)
            values = best[idx] + weight * log_gap[phase[idx], units[j] - units[idx]]
            m = int(np.argmax(values))
            if values[m] > pred_v:
                pred_v, pred = values[m], int(idx[m])
        best[j], back[j] = own[j] + pred_v, pred
    if n == 0 or best.max() <= 0:
        return np.zeros(0, dtype=int)
    out, j = [], int(np.argmax(best))
    while j >= 0:
        out.append(j)
        j = int(back[j])
    return np.array(out[::-1])


def rhythm_prior(songs: Path, curves_path: Path) -> None:
    drafter = Drafter.from_models_dir(None)
    rows = _plain(curves_path, drafter)
    log_gap = _gap_log_probs(songs)
    for r in rows:
        sec, probs, _ = r["_cands"]
        beats = r["timing"].seconds_to_beats_array(sec)
        r["_units"], r["_probs"] = np.round(beats * Q).astype(int), np.clip(probs, 1e-4, 1 - 1e-4)
    print("gap-model weight  micro F1 @50 (weight fixed, bias tuned per slot)  per slot")
    for weight in (0.0, 0.3, 0.6, 1.0):
        def select(r, bias, weight=weight):
            keep = (_viterbi(r["_probs"], r["_units"], log_gap[r["slot"]], weight, bias) if weight
                    else np.nonzero(np.log(r["_probs"] / (1 - r["_probs"])) + bias > 0)[0])
            return r["_cands"][0][keep]
        select.values = np.arange(-2.0, 2.01, 0.25)
        print(f"{weight:<17} {_tuned(rows, select)}")


# -------------------------------------------------------------------------------------------- refine-keep
def refine_keep(songs: Path, curves_path: Path) -> None:
    from inference.decode import SLOT_NAMES
    from training.evaluate import _notes_in_timing

    drafter = Drafter.from_models_dir(None)
    with open(curves_path, "rb") as fh:
        rows = [r for r in pickle.load(fh) if r["cond"] is not None]
    by_key = {song.key: song for _folder, song in _validation(songs)}
    for r in rows:
        song = by_key[r["song"]]
        low = song.charts[r["cond"]]
        lower = {float(b) for b in onset_beats(_notes_in_timing(low.notes, song.song.timing_for(low), r["timing"]))}
        sec, probs, cfg = r["_cands"] = _candidates(r, drafter)
        r["_lower"] = np.isin(np.round(r["timing"].seconds_to_beats_array(sec), 6), np.round(list(lower), 6))
        n_thr = max(int(np.count_nonzero(probs >= (cfg.refine_threshold or cfg.threshold))), 1)
        ratio = (cfg.refine_ratio or {}).get(SLOT_NAMES[r["cond"]])
        r["_want"], r["_n_lower"] = (math.sqrt(n_thr * len(lower) * ratio) if ratio else n_thr), len(lower)
    print("bonus on the lower chart's rows  refine F1 @50  lower rows kept")
    for bonus in (0.0, 0.1, 0.3, 1.0):
        total, kept = np.zeros(3), 0
        for r in rows:
            sec, probs, _ = r["_cands"]
            score = probs + bonus * r["_lower"]
            chosen = score >= threshold_for_count(score, r["_want"])
            total += _counts(r, sec[chosen])
            kept += int(np.count_nonzero(chosen & r["_lower"]))
        print(f"{bonus:<32} {_f1(total):.4f}        {kept / sum(r['_n_lower'] for r in rows):.3f}")


# -------------------------------------------------------------------------------------------- lane-mirror
def lane_mirror(songs: Path) -> None:
    from inference.lane_decision import allowed_classes
    from inference.lane_features import LaneRows, row_features, rows_from_notes, teacher_history
    from inference.lane_memory import HistoryLayout
    from inference.lanes import OnnxLaneStepper, held_from_history
    from training.lane_data import SYMMETRIES, permute_masks

    drafter = Drafter.from_models_dir(None)
    stepper = OnnxLaneStepper(drafter.lanes, drafter.lane_backend)
    layout, params = HistoryLayout.of(stepper), drafter.lanes.features
    variants = {"reference only": [0], "+ Left<->Right": [0, 1], "+ Down<->Up": [0, 2], "all four": [0, 1, 2, 3]}
    hits, n_rows = dict.fromkeys(variants, 0), 0

    def log_probs(charts, feats):
        hists = [teacher_history(rows, layout) for _, rows in charts]
        state = stepper.initial_state(len(charts))
        out = [np.zeros((len(rows), 15)) for _, rows in charts]
        held = [np.zeros(len(rows), int) for _, rows in charts]
        for i in range(max(len(rows) for _, rows in charts)):
            idx = [min(i, len(rows) - 1) for _, rows in charts]
            hist = np.stack([h[j] for h, j in zip(hists, idx)])
            step, state = stepper.step(np.stack([f[j] for f, j in zip(feats, idx)]), hist, state)
            for b, (_, rows) in enumerate(charts):
                if i < len(rows):
                    z = step["arrow_logits"][b].astype(np.float64)
                    out[b][i], held[b][i] = z - np.logaddexp.reduce(z), held_from_history(hist)[b]
        return out, held

    for _folder, song in _validation(songs):
        raw = drafter.analyse(song.audio).raw
        charts = [(slot, rows_from_notes(c.notes)) for slot, c in sorted(song.charts.items()) if len(c.notes)]
        feats = [row_features(rows.beats, song.song.timing_for(song.charts[slot]).beats_to_seconds_array(
            np.array([float(b) for b in rows.beats])), slot, raw, params.frame_rate, params.n_mels)
            for slot, rows in charts]
        per_perm, held = [], None
        for perm in SYMMETRIES:
            mirrored = [(slot, LaneRows(rows.beats, permute_masks(rows.arrows, perm), permute_masks(rows.holds, perm),
                                        [[lengths[perm.index(lane)] for lane in range(4)] for lengths in rows.lengths]))
                        for slot, rows in charts]
            lp, h = log_probs(mirrored, feats)
            back = permute_masks(np.arange(1, 16), perm) - 1  # original class c is class back[c] when mirrored
            per_perm.append([x[:, back] for x in lp])
            held = h if held is None else held
        for name, members in variants.items():
            for b, (slot, rows) in enumerate(charts):
                z = sum(per_perm[m][b] for m in members)
                pred = [int(np.argmax(np.where(allowed_classes(int(held[b][i]), slot), z[i], -np.inf))) + 1
                        for i in range(len(rows))]
                hits[name] += int(np.sum(np.array(pred) == rows.arrows))
        n_rows += sum(len(rows) for _, rows in charts)
    for name, h in hits.items():
        print(f"{name:16s} exact-row accuracy {h / max(n_rows, 1):.4f} ({n_rows} rows)")


# ------------------------------------------------------------------------------------------ snap-thresholds
SNAP_CLASSES = {1: 0, 2: 1, 4: 2, 3: 3, 6: 3}  # beat denominator -> class; anything else is class 4 (finer)
SNAP_THRESHOLDS = np.round(np.arange(0.05, 0.95, 0.02), 3)


def _snap_tune(rows: list[dict], per_class: bool) -> np.ndarray:
    """Thresholds per snap class maximising micro F1 over ``rows`` (all equal unless ``per_class``)."""
    def total(th):
        return sum((_counts(r, r["_sec"][r["_p"] >= th[r["_cls"]]]) for r in rows), np.zeros(3))

    th = np.full(5, max(SNAP_THRESHOLDS, key=lambda t: _f1(total(np.full(5, t)))))
    best = _f1(total(th))
    for _ in range(2 if per_class else 0):
        for c in range(5):
            for t in SNAP_THRESHOLDS:
                trial = th.copy()
                trial[c] = t
                if (v := _f1(total(trial))) > best + 1e-9:
                    best, th = v, trial
    return th


def snap_thresholds(curves_path: Path) -> None:
    from inference.decode import candidate_rows, settings_for, smooth

    drafter = Drafter.from_models_dir(None)
    with open(curves_path, "rb") as fh:
        rows = [r for r in pickle.load(fh) if r["cond"] is None]
    for r in rows:
        cfg = settings_for(drafter.onset, r["slot"])
        beats, r["_p"] = candidate_rows(smooth(r["curve"], cfg.smooth_frames), r["fr"], r["timing"], cfg, 0.02)
        r["_sec"] = r["timing"].beats_to_seconds_array(np.array([float(b) for b in beats]))
        r["_cls"] = np.array([SNAP_CLASSES.get(b.denominator, 4) for b in beats], dtype=np.int64)
    acc = {False: np.zeros((5, 3)), True: np.zeros((5, 3))}
    for song in sorted({r["song"] for r in rows}):
        for slot in range(5):
            test = [r for r in rows if r["slot"] == slot and r["song"] == song]
            train = [r for r in rows if r["slot"] == slot and r["song"] != song]
            for per_class in (False, True):
                th = _snap_tune(train, per_class) if test else None
                acc[per_class][slot] += sum((_counts(r, r["_sec"][r["_p"] >= th[r["_cls"]]]) for r in test),
                                            np.zeros(3))
    for per_class, name in ((False, "one threshold per slot"), (True, "per slot and snap class")):
        print(f"{name:26s} micro F1 @50 ms (leave one song out) {_f1(acc[per_class].sum(axis=0)):.4f}  per slot "
              + " ".join(f"{_f1(c):.4f}" for c in acc[per_class]))
    for slot in range(5):
        mine = [r for r in rows if r["slot"] == slot]
        print(f"slot {slot}: thresholds on all 14 songs (beat, 8th, 16th, 12th/24th, finer) {_snap_tune(mine, True)}")


def main() -> int:
    commands = {"density": lambda a: density(a.path), "density-per-beat": lambda a: density(a.path, per_beat=True),
                "repeat-smooth": lambda a: repeat_smooth(a.songs, a.path),
                "rhythm-prior": lambda a: rhythm_prior(a.songs, a.path),
                "refine-keep": lambda a: refine_keep(a.songs, a.path), "lane-mirror": lambda a: lane_mirror(a.songs),
                "snap-thresholds": lambda a: snap_thresholds(a.path)}
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("command", choices=list(commands))
    ap.add_argument("path", nargs="?", type=Path, help="curves file of diagnose_models.py curves")
    ap.add_argument("--songs", type=Path, default=Path("../shared/data/charts"))
    args = ap.parse_args()
    if args.command != "lane-mirror" and args.path is None:
        ap.error(f"{args.command} needs the curves file")
    commands[args.command](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

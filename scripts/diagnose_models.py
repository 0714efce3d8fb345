"""Diagnosis behind the MODEL_CARD's "what limits the model" numbers (session 3), on the validation songs.

Subcommands (each prints one small table; none writes into the project):

* ``curves OUT.pkl``: onset curves of every validation chart, plain and refine-conditioned, through the
  production drafter (the input of the next two).
* ``refine-count CURVES``: refine F1 and density error for the ways of choosing a refine's row count: the refine
  threshold alone, the lower chart's rows x the training songs' slot-pair ratio, and their geometric mean with
  weights 0.3 / 0.5 / 0.7 (the shipped decoder uses 0.5).
* ``beginner CURVES``: Beginner (and Easy) chart by chart: reference and drafted rows, F1, share on beats.
* ``arrow-share``: how often a higher chart repeats the lower chart's arrow set on the rows both have (training and
  text-only charts).
* ``cascade``: Medium/Hard/Challenge drafted plainly vs refined from the model's own lower draft; and (session 13)
  Beginner..Hard drafted plainly vs simplified from the model's own draft of the slot above, or down a chain from
  the Challenge draft (the workflows from a designer's chart are diagnosed in ``diagnose_drafts.py``).

Usage: python scripts/diagnose_models.py SUBCOMMAND [ARGS] [--songs ../shared/data/charts]
"""

from __future__ import annotations

import argparse
import math
import pickle
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chart.notes import onset_beats  # noqa: E402
from chart.song import Slot  # noqa: E402
from inference.decode import SLOT_NAMES, candidate_rows, settings_for, smooth, threshold_for_count  # noqa: E402
from inference.drafter import Drafter  # noqa: E402
from training.metrics import count_matches  # noqa: E402

TEXT_ONLY = Path("../shared/data/charts-only")


def _validation(songs: Path):
    from training.evaluate import EvalOptions, _load_song, select_folders

    for folder in select_folders(EvalOptions(songs=songs, split="validation")):
        yield folder, _load_song(folder)


def curves(songs: Path, out: Path) -> None:
    from chart.stats import onset_row_times_s
    from training.evaluate import REFINE_HIGH, _by_timing, _notes_in_timing

    drafter = Drafter.from_models_dir(None)
    rows = []
    for folder, song in _validation(songs):
        analysis = drafter.analyse(song.audio)
        for timing, slots in _by_timing(song, sorted(song.charts)):
            for d in drafter.draft(analysis, timing, slots=[Slot(s) for s in slots]):
                rows.append(dict(song=song.key, slot=int(d.slot), cond=None, curve=d.curve, fr=d.frame_rate,
                                 timing=timing, ref=onset_row_times_s(song.charts[int(d.slot)].notes, timing)))
        for low in sorted(song.charts):
            highs = [h for h in sorted(song.charts) if h > low and Slot(h) in REFINE_HIGH]
            for timing, members in _by_timing(song, highs):
                lower = _notes_in_timing(song.charts[low].notes, song.song.timing_for(song.charts[low]), timing)
                for d in drafter.refine(analysis, timing, lower, Slot(low), [Slot(h) for h in members]):
                    rows.append(dict(song=song.key, slot=int(d.slot), cond=low, curve=d.curve, fr=d.frame_rate,
                                     timing=timing, ref=onset_row_times_s(song.charts[int(d.slot)].notes, timing),
                                     low_n=len(onset_beats(lower))))
        print(f"{folder.name}: {len(rows)} curves", file=sys.stderr)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as fh:
        pickle.dump(rows, fh)


def _candidates(r: dict, drafter: Drafter) -> tuple[np.ndarray, np.ndarray, object]:
    """Seconds and probabilities of every candidate row of one curve, and the slot's decode settings."""
    cfg = settings_for(drafter.onset, r["slot"])
    beats, probs = candidate_rows(smooth(r["curve"], cfg.smooth_frames), r["fr"], r["timing"], cfg, 0.02)
    return r["timing"].beats_to_seconds_array(np.array([float(b) for b in beats])), probs, cfg


def _score(rows: list[dict], pick) -> tuple[float, float]:
    """Micro F1 @50 ms and median density error when ``pick(r, seconds, probs, cfg)`` chooses each chart's rows."""
    tp = n_est = n_ref = 0
    density = []
    for r in rows:
        est = pick(r, *r["_cands"])
        tp += count_matches(r["ref"], est, 0.05)
        n_est, n_ref = n_est + len(est), n_ref + len(r["ref"])
        density.append(abs(len(est) / max(len(r["ref"]), 1) - 1))
    return 2 * tp / max(n_est + n_ref, 1), float(np.median(density))


def refine_count(songs: Path, curves_path: Path) -> None:
    from training.data import song_folders, split_keys
    from training.tune import refine_ratios, training_row_counts

    drafter = Drafter.from_models_dir(None)
    with open(curves_path, "rb") as fh:
        rows = [r for r in pickle.load(fh) if r["cond"] is not None]
    folders = song_folders(songs)
    _, val = split_keys([f.name for f in folders])
    ratios = refine_ratios(training_row_counts([f for f in folders if f.name not in set(val)], lambda m: None))
    for r in rows:
        r["_cands"] = _candidates(r, drafter)
        r["_prior"] = r["low_n"] * ratios[SLOT_NAMES[r["slot"]]][SLOT_NAMES[r["cond"]]]

    def threshold_count(r, probs, cfg) -> int:
        return max(int(np.count_nonzero(probs >= (cfg.refine_threshold or cfg.threshold))), 1)

    def by_count(count):
        return lambda r, sec, probs, cfg: sec[probs >= threshold_for_count(probs, count(r, probs, cfg))]

    print(f"{len(rows)} refine curves (high slot Medium..Challenge)")
    print("count chosen by                         refine F1@50  median density error")
    choices = {"refine threshold": lambda r, p, c: threshold_count(r, p, c),
               "lower rows x pair ratio": lambda r, p, c: r["_prior"]}
    def geometric(weight: float):
        return lambda r, p, c: math.exp(weight * math.log(threshold_count(r, p, c))
                                        + (1 - weight) * math.log(r["_prior"]))

    for a in (0.3, 0.5, 0.7):
        choices[f"geometric mean, threshold weight {a}"] = geometric(a)
    choices["oracle (the reference's count)"] = lambda r, p, c: len(r["ref"])
    for name, count in choices.items():
        f1, dens = _score(rows, by_count(count))
        print(f"{name:40s} {f1:.4f}        {dens:.3f}")


def beginner(curves_path: Path) -> None:
    drafter = Drafter.from_models_dir(None)
    with open(curves_path, "rb") as fh:
        rows = [r for r in pickle.load(fh) if r["cond"] is None and r["slot"] in (0, 1)]
    split = {True: np.zeros(3), False: np.zeros(3)}
    for slot in (0, 1):
        print(SLOT_NAMES[slot])
        for r in (r for r in rows if r["slot"] == slot):
            sec, probs, cfg = _candidates(r, drafter)
            est = sec[probs >= cfg.threshold]
            tp = count_matches(r["ref"], est, 0.05)
            beats = r["timing"].seconds_to_beats_array(r["ref"])
            on_beat = float(np.mean(np.abs(beats - np.round(beats)) < 0.02))
            nps = len(r["ref"]) / (len(r["curve"]) / r["fr"])
            print(f"  {r['song'][:44]:44s} ref {len(r['ref']):4d} drafted {len(est):4d} "
                  f"F1 {2 * tp / max(len(est) + len(r['ref']), 1):.3f} on beats {on_beat:.2f} ref {nps:.2f} notes/s")
            if slot == 0:
                split[nps <= 1.5 and on_beat >= 0.9] += [tp, len(est), len(r["ref"])]
    for like, (tp, n_est, n_ref) in split.items():
        name = "beginner-like (<= 1.5 notes/s, >= 90 % on beats)" if like else "the others"
        print(f"Beginner, {name}: micro F1 {2 * tp / max(n_est + n_ref, 1):.3f} "
              f"(P {tp / max(n_est, 1):.3f}, R {tp / max(n_ref, 1):.3f})")


def non_validation_charts(songs: Path):
    """Usable charts (``{slot: Chart}``) of every song of ``songs`` and the text-only set outside the
    validation list; unreadable songs are skipped."""
    from training.data import (
        DataError,
        find_chart_file,
        load_song,
        read_validation_list,
        song_folders,
        usable_charts,
    )

    validation = set(read_validation_list())
    for root in (songs, TEXT_ONLY):
        if not root.is_dir():
            continue
        for folder in song_folders(root):
            if folder.name in validation:
                continue
            try:
                yield usable_charts(load_song(find_chart_file(folder)))
            except DataError:
                continue


def arrow_share(songs: Path) -> None:
    from inference.lane_features import rows_from_notes

    same: dict[tuple[int, int], list[int]] = {}
    for charts in non_validation_charts(songs):
        arrows = {}
        for slot, chart in charts.items():
            lane_rows = rows_from_notes(chart.notes)
            arrows[slot] = dict(zip(lane_rows.beats, lane_rows.arrows.tolist()))
        for lo in arrows:
            for hi in arrows:
                if hi > lo:
                    shared = set(arrows[lo]) & set(arrows[hi])
                    acc = same.setdefault((lo, hi), [0, 0])
                    acc[0] += sum(arrows[lo][b] == arrows[hi][b] for b in shared)
                    acc[1] += len(shared)
    for (lo, hi), (n_same, n_shared) in sorted(same.items()):
        print(f"{SLOT_NAMES[hi]:9s} over {SLOT_NAMES[lo]:9s}: {n_shared:6d} shared rows, same arrows "
              f"{n_same / max(n_shared, 1):.3f}")


def cascade(songs: Path) -> None:
    from chart.stats import onset_row_times_s
    from training.evaluate import _by_timing

    drafter = Drafter.from_models_dir(None)
    acc = {k: np.zeros(3) for k in ("plain", "refined from the Easy draft", "refined from the draft below")}
    for _folder, song in _validation(songs):
        analysis = drafter.analyse(song.audio)
        for timing, slots in _by_timing(song, sorted(song.charts)):
            drafts = {int(d.slot): d for d in drafter.draft(analysis, timing, slots=list(Slot)[:5])}
            for s in (s for s in slots if s >= 2):
                ref = onset_row_times_s(song.charts[s].notes, timing)
                for key, notes in (
                        ("plain", drafts[s].notes),
                        ("refined from the Easy draft",
                         drafter.refine(analysis, timing, drafts[1].notes, Slot(1), [Slot(s)])[0].notes),
                        ("refined from the draft below",
                         drafter.refine(analysis, timing, drafts[s - 1].notes, Slot(s - 1), [Slot(s)])[0].notes)):
                    est = onset_row_times_s(notes, timing)
                    acc[key] += [count_matches(ref, est, 0.05), len(est), len(ref)]
    for key, (tp, n_est, n_ref) in acc.items():
        print(f"Medium..Challenge, {key:30s} micro F1 @50 ms {2 * tp / max(n_est + n_ref, 1):.4f}")
    down = {k: np.zeros(3) for k in ("plain", "simplified from the draft above", "chained down from Challenge")}
    for _folder, song in _validation(songs):
        analysis = drafter.analyse(song.audio)
        for timing, slots in _by_timing(song, sorted(song.charts)):
            drafts = {int(d.slot): d.notes for d in drafter.draft(analysis, timing, slots=list(Slot)[:5])}
            chain = {4: drafts[4]}
            for s in (3, 2, 1, 0):
                chain[s] = drafter.simplify(analysis, timing, chain[s + 1], Slot(s + 1), [Slot(s)])[0].notes
            for s in (s for s in slots if s <= 3):
                ref = onset_row_times_s(song.charts[s].notes, timing)
                above = drafter.simplify(analysis, timing, drafts[s + 1], Slot(s + 1), [Slot(s)])[0].notes
                for key, notes in (("plain", drafts[s]), ("simplified from the draft above", above),
                                   ("chained down from Challenge", chain[s])):
                    est = onset_row_times_s(notes, timing)
                    down[key] += [count_matches(ref, est, 0.05), len(est), len(ref)]
    for key, (tp, n_est, n_ref) in down.items():
        print(f"Beginner..Hard, {key:33s} micro F1 @50 ms {2 * tp / max(n_est + n_ref, 1):.4f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("command", choices=["curves", "refine-count", "beginner", "arrow-share", "cascade"])
    ap.add_argument("path", nargs="?", type=Path, help="curves file (written by curves, read by the next two)")
    ap.add_argument("--songs", type=Path, default=Path("../shared/data/charts"))
    args = ap.parse_args()
    if args.command in ("curves", "refine-count", "beginner") and args.path is None:
        ap.error(f"{args.command} needs the curves file")
    if args.command == "curves":
        curves(args.songs, args.path)
    elif args.command == "refine-count":
        refine_count(args.songs, args.path)
    elif args.command == "beginner":
        beginner(args.path)
    elif args.command == "arrow-share":
        arrow_share(args.songs)
    else:
        cascade(args.songs)
    return 0


if __name__ == "__main__":
    sys.exit(main())

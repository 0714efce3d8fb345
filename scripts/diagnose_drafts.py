"""Diagnosis behind the MODEL_CARD's session-13 numbers: drafting that starts from a chart a designer has.

Subcommands (each prints one small table; none writes into the project), on the validation songs:

* ``arrows-context``: the editor's Arrows for selection on passages of the validation charts (their own rows, the
  lane model free-running, greedy): share of rows whose arrow set equals the chart's, with and without the chart's
  rows before the passage given as context (``Drafter.arrows(context=...)``).
* ``lane-confidence``: how well the lane model's probability of its choice predicts that the choice is the
  charter's (teacher-forced, validation charts): share of rows and accuracy per probability band (session 13).
* ``simplify``: lower slots simplified from each higher chart of the same song (``Drafter.simplify``) against
  plain drafts: onset rows and arrows (session 13).
* ``refine-arrows``: refine drafts' arrows against the charter's higher chart, on the rows kept from the lower
  chart and on the added rows, with the lower chart's arrows kept (the default) and drawn afresh (session 13).

Usage: python scripts/diagnose_drafts.py SUBCOMMAND [--songs ../shared/data/charts]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chart.song import Slot  # noqa: E402
from inference.drafter import Drafter  # noqa: E402
from scripts.diagnose_models import _validation  # noqa: E402
from training.metrics import count_matches  # noqa: E402


def arrows_context(songs: Path, passage: int = 32) -> None:
    from inference.lane_context import CONTEXT_ROWS
    from inference.lane_features import rows_from_notes

    drafter = Drafter.from_models_dir(None)
    hits = {"no context": [0, 0], f"{CONTEXT_ROWS} rows of context": [0, 0]}
    per_slot: dict[int, dict[str, list[int]]] = {}
    for _folder, song in _validation(songs):
        analysis = drafter.analyse(song.audio)
        for slot, chart in sorted(song.charts.items()):
            ref = rows_from_notes(chart.notes)
            timing = song.song.timing_for(chart)
            # passages of ``passage`` rows, each after at least CONTEXT_ROWS rows of the chart
            for first in range(CONTEXT_ROWS, len(ref) - passage + 1, passage):
                rows = ref.beats[first:first + passage]
                truth = dict(zip(rows, ref.arrows[first:first + passage].tolist()))
                end = ref.beats[first + passage] if first + passage < len(ref) else rows[-1] + 1
                for key, context in (("no context", ()), (f"{CONTEXT_ROWS} rows of context", chart.notes)):
                    draft = drafter.arrows(analysis, timing, rows, Slot(slot), end_beat=end, context=context)[0]
                    got = rows_from_notes(draft.notes)
                    same = sum(int(m) == truth[b] for b, m in zip(got.beats, got.arrows.tolist()))
                    for table in (hits, per_slot.setdefault(slot, {k: [0, 0] for k in hits})):
                        table[key][0] += same
                        table[key][1] += len(rows)
    for key, (same, n) in hits.items():
        by_slot = " / ".join(f"{per_slot[s][key][0] / max(per_slot[s][key][1], 1):.3f}" for s in sorted(per_slot))
        print(f"{key:22s} exact rows {same}/{n} = {same / max(n, 1):.4f} (per slot {by_slot})")


def simplify(songs: Path) -> None:
    """Lower slots simplified from a higher chart (``Drafter.simplify``, the production path) against plain drafts:
    onset rows (micro F1 @50 ms) and, on the rows both have at the same beat, the share with the same arrow set."""
    from chart.stats import onset_row_times_s
    from inference.lane_features import rows_from_notes
    from training.evaluate import _by_timing

    drafter = Drafter.from_models_dir(None)
    acc: dict[str, dict[int, np.ndarray]] = {}

    def add(key: str, slot: int, reference, notes, timing) -> None:
        ref, est = rows_from_notes(reference), rows_from_notes(notes)
        tp = count_matches(onset_row_times_s(reference, timing), onset_row_times_s(notes, timing), 0.05)
        truth = dict(zip(ref.beats, ref.arrows.tolist()))
        shared = [(b, a) for b, a in zip(est.beats, est.arrows.tolist()) if b in truth]
        same = sum(a == truth[b] for b, a in shared)
        acc.setdefault(key, {}).setdefault(slot, np.zeros(5))
        acc[key][slot] += [tp, len(est.beats), len(ref.beats), same, len(shared)]

    for _folder, song in _validation(songs):
        analysis = drafter.analyse(song.audio)
        for timing, slots in _by_timing(song, sorted(song.charts)):
            drafts = {int(d.slot): d for d in drafter.draft(analysis, timing, slots=[Slot(s) for s in slots])}
            for lo in slots:
                reference = song.charts[lo].notes
                add("plain draft", lo, reference, drafts[lo].notes, timing)
                for hi in (h for h in slots if h > lo):
                    simple = drafter.simplify(analysis, timing, song.charts[hi].notes, Slot(hi), [Slot(lo)])[0]
                    add("from the chart one slot above" if hi == lo + 1 else "from a chart 2+ slots above",
                        lo, reference, simple.notes, timing)
    for key, per_slot in acc.items():
        v = sum(per_slot.values())
        cells = " ".join(f"{Slot(s).sm_name[:4]} {2 * x[0] / max(x[1] + x[2], 1):.3f}" for s, x in sorted(per_slot.items()))
        print(f"{key:32s} micro F1 @50 ms {2 * v[0] / max(v[1] + v[2], 1):.4f} ({cells}); same arrows on shared "
              f"rows {v[3] / max(v[4], 1):.3f} of {int(v[4])}; rows {int(v[1])} vs reference {int(v[2])}")


def refine_arrows(songs: Path) -> None:
    from inference.lane_features import rows_from_notes
    from training.evaluate import REFINE_HIGH, _by_timing

    drafter = Drafter.from_models_dir(None)
    acc = {keep: np.zeros(6) for keep in (False, True)}
    for _folder, song in _validation(songs):
        analysis = drafter.analyse(song.audio)
        for timing, slots in _by_timing(song, sorted(song.charts)):
            for lo in slots:
                for hi in (h for h in slots if h > lo and Slot(h) in REFINE_HIGH):
                    low = rows_from_notes(song.charts[lo].notes)
                    ref = rows_from_notes(song.charts[hi].notes)
                    lower, truth = set(low.beats), dict(zip(ref.beats, ref.arrows.tolist()))
                    for keep in (False, True):
                        d = drafter.refine(analysis, timing, song.charts[lo].notes, Slot(lo), [Slot(hi)],
                                           keep_arrows=keep)[0]
                        got = rows_from_notes(d.notes)
                        rows = dict(zip(got.beats, got.arrows.tolist()))
                        kept = [b for b in rows if b in lower and b in truth]
                        added = [b for b in rows if b not in lower and b in truth]
                        acc[keep] += [sum(rows[b] == truth[b] for b in kept), len(kept),
                                      sum(rows[b] == truth[b] for b in added), len(added),
                                      sum(bin(m).count("1") > 1 for m in rows.values()), len(rows)]
    for keep, a in acc.items():
        name = "lower chart's arrows kept" if keep else "arrows drawn afresh"
        print(f"{name:26s} same arrow set as the charter's: rows kept from the lower chart {a[0] / a[1]:.3f} "
              f"(of {int(a[1])}), added rows {a[2] / a[3]:.3f} (of {int(a[3])}), all {(a[0] + a[2]) / (a[1] + a[3]):.3f};"
              f" jump rows {a[4] / a[5]:.3f}")


def lane_confidence(songs: Path) -> None:
    from inference.lane_decision import UNSURE_ARROWS, allowed_classes, choice_probability
    from inference.lane_features import held_from_history, row_features, rows_from_notes, teacher_history
    from inference.lane_memory import HistoryLayout
    from inference.lane_rules import load_ngram
    from inference.lanes import OnnxLaneStepper
    from inference.manifest import Manifest, default_models_dir

    manifest = Manifest.load(default_models_dir() / "lane.manifest.json")
    stepper = OnnxLaneStepper(manifest, None, load_ngram(manifest))
    layout = HistoryLayout.of(stepper)
    assert manifest.features is not None
    probs, right = [], []
    for _folder, song in _validation(songs):
        for slot, chart in sorted(song.charts.items()):
            rows = rows_from_notes(chart.notes)
            seconds = song.song.timing_for(chart).beats_to_seconds_array(np.array([float(b) for b in rows.beats]))
            feats = row_features(rows.beats, seconds, slot, None, manifest.features.frame_rate,
                                 manifest.features.n_mels)
            history = teacher_history(rows, layout)
            held = held_from_history(history)
            state = stepper.initial_state(1)
            for i in range(len(rows)):
                out, state = stepper.step(feats[i:i + 1], history[i:i + 1], state)
                logits, allowed = out["arrow_logits"][0], allowed_classes(int(held[i]), slot)
                k = int(np.argmax(np.where(allowed, logits, -np.inf)))
                probs.append(choice_probability(logits, allowed, k))
                right.append(k + 1 == int(rows.arrows[i]))
    p, ok = np.array(probs), np.array(right)
    print(f"{len(ok)} rows, accuracy {ok.mean():.4f} (teacher-forced, no audio)")
    for lo, hi in ((0.0, 0.3), (0.3, UNSURE_ARROWS), (UNSURE_ARROWS, 0.6), (0.6, 0.8), (0.8, 1.01)):
        band = (p >= lo) & (p < hi)
        print(f"probability {lo:.2f}-{min(hi, 1.0):.2f}: {band.mean():.3f} of the rows, right {ok[band].mean():.3f}")


COMMANDS = {"arrows-context": arrows_context, "simplify": simplify, "refine-arrows": refine_arrows,
            "lane-confidence": lane_confidence}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("command", choices=list(COMMANDS))
    ap.add_argument("--songs", type=Path, default=Path("../shared/data/charts"))
    args = ap.parse_args()
    COMMANDS[args.command](args.songs)
    return 0


if __name__ == "__main__":
    sys.exit(main())

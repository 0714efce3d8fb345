"""Calibrate the shipped lane model's jump/hold decision thresholds on *production* drafts.

The lane trainer calibrates them on free-running drafts of text-only monitor charts (reference onset rows, no
audio). In the app the rows come from the onset model and the audio is there, and those thresholds gave drafts
with almost no holds at Hard/Challenge and few jumps. This script drafts training songs (never the validation
list) with the shipped onset model and runs the trainer's own bisection
(:func:`training.lane_calibrate.calibrate_to_rates`) on those drafts' onset rows, towards the reference rates
the trainer measured on human charts (manifest ``extra.decision.rates``). No notes of the drafted songs are used.

With ``--jump-range DIR`` it also sets the drafts' running jump floor and cap (manifest
``extra.decision.jump_range``) to the 25th percentile and median of the per-chart jump share of every usable chart in
DIR (the text-only corpus: no song in common with the audio set), and the repeat floor and cap (``repeat_range``)
the same way from their repeat shares, and the fast-repeat cap (``fast_repeat_range``: repeats less than 0.2 s after
the row before, per chart, from each chart's own timing), before calibrating; ``--range-only`` skips the threshold
search.

Usage: python scripts/calibrate_lane_drafts.py --songs ../shared/data/charts [--n-songs 30]
       [--jump-range ../shared/data/charts-only [--range-only]] [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chart.notes import onset_beats  # noqa: E402
from chart.song import MODEL_SLOTS  # noqa: E402
from inference.drafter import Drafter  # noqa: E402
from inference.manifest import default_models_dir  # noqa: E402
from training.evaluate import EvalOptions, _load_song, select_folders  # noqa: E402
from training.lane_calibrate import (  # noqa: E402
    calibrate_to_rates,
    corpus_rows,
    fast_repeat_share_range,
    jump_share_range,
    repeat_share_range,
)


def production_requests(drafter: Drafter, folders: list[Path]) -> tuple[object, list]:
    """The lane stepper and the decoder requests the drafter builds for all five slots of every song."""
    rows_only = Drafter(drafter.onset, None)  # onset rows only: the rule stepper places their arrows cheaply
    stepper, requests = None, []
    for folder in folders:
        song = _load_song(folder)
        analysis = rows_only.analyse(song.audio)
        timing = song.song.timing_for(next(iter(song.charts.values())))
        rows = []
        for draft in rows_only.draft(analysis, timing, slots=MODEL_SLOTS):
            beats = onset_beats(draft.notes)
            rows.append((beats, timing.beats_to_seconds_array(np.array([float(b) for b in beats])), int(draft.slot)))
        stepper, mine = drafter.lane_requests(analysis, rows)
        requests += mine
        print(f"drafted {folder.name}", file=sys.stderr)
    return stepper, requests


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--songs", type=Path, required=True)
    ap.add_argument("--n-songs", type=int, default=30)
    ap.add_argument("--models", type=Path, default=default_models_dir())
    ap.add_argument("--jump-range", type=Path, metavar="DIR",
                    help="set the jump and repeat floors/caps and the fast-repeat cap from the per-chart shares of the "
                         "charts in DIR")
    ap.add_argument("--range-only", action="store_true", help="with --jump-range: keep the thresholds")
    ap.add_argument("--write", action="store_true", help="write the thresholds into the lane manifest")
    args = ap.parse_args()
    drafter = Drafter.from_models_dir(args.models)
    if drafter.lanes is None:
        print(f"no lane model in {args.models}", file=sys.stderr)
        return 2
    decision = drafter.lanes.extra["decision"]
    if args.jump_range is not None:
        folders = sorted(p for p in args.jump_range.iterdir() if p.is_dir())
        rows, slots, seconds = corpus_rows(folders)
        decision["jump_range"] = {**jump_share_range(rows, slots), "source": args.jump_range.name}
        decision["repeat_range"] = {**repeat_share_range(rows, slots), "source": args.jump_range.name}
        decision["fast_repeat_range"] = {**fast_repeat_share_range(rows, slots, seconds),
                                         "source": args.jump_range.name}
    if args.range_only:
        print(json.dumps(decision, indent=1))
        if args.write:
            drafter.lanes.save(drafter.lanes.path)
        return 0
    folders = select_folders(EvalOptions(songs=args.songs, split="train"))
    folders = sorted(folders, key=lambda f: f.name)[:: max(1, len(folders) // args.n_songs)][: args.n_songs]
    stepper, requests = production_requests(drafter, folders)
    reference = decision["rates"]
    found = calibrate_to_rates(stepper, requests, reference["jump_reference"], reference["hold_reference"])
    decision.update(jump_threshold=found["jump_threshold"], hold_threshold=found["hold_threshold"])
    decision["rates"].update(jump=found["rates"]["jump"], hold=found["rates"]["hold"])
    decision["calibrated_on"] = (f"production drafts (shipped onset model rows, audio) of {len(folders)} "
                                 "training songs, scripts/calibrate_lane_drafts.py")
    print(json.dumps(decision, indent=1))
    if args.write:
        drafter.lanes.save(drafter.lanes.path)
        print(f"wrote {drafter.lanes.path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

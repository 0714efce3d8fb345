"""Calibrate the shipped lane model's jump/hold decision thresholds on *production* drafts.

The lane trainer calibrates them on free-running drafts of text-only monitor charts (reference onset rows, no
audio). In the app the rows come from the onset model and the audio is there, and those thresholds gave drafts
with almost no holds at Hard/Challenge (0.5 % of rows vs 12-13 %) and few jumps. This script drafts training
songs (never the validation list) with the shipped onset model, then bisects each slot's thresholds until the
drafted jump / hold-head rates meet the manifest's reference rates (measured by the trainer on human charts).
No reference notes of the drafted songs are used.

Usage: python scripts/calibrate_lane_drafts.py --songs ../shared/data/charts [--n-songs 30] [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chart.song import Slot  # noqa: E402
from inference.drafter import Drafter  # noqa: E402
from inference.manifest import default_models_dir  # noqa: E402
from training.evaluate import EvalOptions, _by_timing, _load_song, select_folders  # noqa: E402

ITERATIONS = 9


def capture(drafter: Drafter, folders: list[Path]) -> list[tuple]:
    """Onset rows of every slot of every song, drafted once; lanes are re-decoded per candidate threshold."""
    calls: list[tuple] = []
    original = Drafter._assign_lanes

    def keep(self, analysis, timing, window, jobs, drafts):
        calls.append((analysis, timing, window, jobs, drafts, [d._rows for d in drafts]))
        for d in drafts:
            del d._rows

    Drafter._assign_lanes = keep  # type: ignore[method-assign]
    try:
        for folder in folders:
            song = _load_song(folder)
            analysis = drafter.analyse(song.audio)
            for timing, _slots in _by_timing(song, sorted(song.charts))[:1]:
                drafter.draft(analysis, timing, slots=list(Slot)[:5])
            print(f"drafted {folder.name}", file=sys.stderr)
    finally:
        Drafter._assign_lanes = original  # type: ignore[method-assign]
    return calls


def rates(drafter: Drafter, calls: list[tuple]) -> np.ndarray:
    """(5, 2) drafted jump-row and hold-head-row rates per slot under the drafter's current decision rule."""
    counts = np.zeros((5, 3))
    for analysis, timing, window, jobs, drafts, rows in calls:
        for d, r in zip(drafts, rows):
            d._rows = r
        Drafter._assign_lanes(drafter, analysis, timing, window, jobs, drafts)
        for d in drafts:
            by_row: dict = {}
            for n in d.notes:
                if n.kind.is_onset:
                    by_row.setdefault(n.beat, []).append(n)
            s = int(d.slot)
            counts[s] += [len(by_row), sum(len(v) >= 2 for v in by_row.values()),
                          sum(any(x.kind.name in ("HOLD", "ROLL") for x in v) for v in by_row.values())]
    return counts[:, 1:] / np.maximum(counts[:, :1], 1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--songs", type=Path, required=True)
    ap.add_argument("--n-songs", type=int, default=30)
    ap.add_argument("--models", type=Path, default=default_models_dir())
    ap.add_argument("--write", action="store_true", help="write the thresholds into the lane manifest")
    args = ap.parse_args()
    drafter = Drafter.from_models_dir(args.models)
    decision = drafter.lanes.extra["decision"]
    target = np.array([decision["rates"]["jump_reference"], decision["rates"]["hold_reference"]]).T
    folders = select_folders(EvalOptions(songs=args.songs, split="train"))
    folders = sorted(folders, key=lambda f: f.name)[:: max(1, len(folders) // args.n_songs)][: args.n_songs]
    calls = capture(drafter, folders)
    lo, hi = np.full((5, 2), 0.01), np.full((5, 2), 0.9)  # a lower threshold gives more jumps/holds
    for it in range(ITERATIONS + 1):
        mid = np.sqrt(lo * hi)
        decision["jump_threshold"] = [None] + [round(float(v), 4) for v in mid[1:, 0]]
        decision["hold_threshold"] = [round(float(v), 4) for v in mid[:, 1]]
        got = rates(drafter, calls)
        print(f"iteration {it}: thresholds {mid.round(3).tolist()} rates {got.round(3).tolist()}", file=sys.stderr)
        if it == ITERATIONS:
            break
        too_many = got > target
        lo, hi = np.where(too_many, mid, lo), np.where(too_many, hi, mid)
    decision["rates"]["jump"] = [round(float(v), 4) for v in got[:, 0]]
    decision["rates"]["hold"] = [round(float(v), 4) for v in got[:, 1]]
    decision["calibrated_on"] = (f"production drafts (shipped onset model rows, audio) of {len(folders)} "
                                 "training songs, scripts/calibrate_lane_drafts.py")
    print(json.dumps(decision, indent=1))
    if args.write:
        drafter.lanes.save(drafter.lanes.path)
        print(f"wrote {drafter.lanes.path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

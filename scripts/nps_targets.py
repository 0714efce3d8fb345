"""How close drafts land to a density target: mean NPS (the Stats panel's measure) of drafts made for targets.

Drafts the first N validation songs (their own timing) for the given slot targets, all slots in one call as
the editor does, and prints each draft's mean NPS as ``chart.stats.chart_stats`` measures it (docs/editor.md).

Usage: python scripts/nps_targets.py --songs ../shared/data/charts [--n-songs 4] [--nps medium=3.38 challenge=5.5]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chart.song import Chart, Slot  # noqa: E402
from chart.stats import chart_stats  # noqa: E402
from inference.drafter import Drafter  # noqa: E402
from training.evaluate import EvalOptions, _load_song, select_folders  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--songs", type=Path, required=True)
    ap.add_argument("--n-songs", type=int, default=4)
    ap.add_argument("--nps", nargs="+", default=["medium=3.38", "challenge=5.5"], metavar="SLOT=X")
    args = ap.parse_args()
    targets = {Slot.parse(k): float(v) for k, v in (item.split("=", 1) for item in args.nps)}
    drafter = Drafter.from_models_dir()
    folders = sorted(select_folders(EvalOptions(songs=args.songs, split="validation")), key=lambda f: f.name)
    for folder in folders[:args.n_songs]:
        loaded = _load_song(folder)  # the chart and its audio, as main.py eval reads them
        song = loaded.song
        drafts = drafter.draft(loaded.audio, song.timing, list(targets), nps=targets)
        got = [f"{d.slot.sm_name} {chart_stats(Chart(slot=d.slot, notes=d.notes), song.timing).mean_nps:.2f} "
               f"(target {targets[d.slot]})" for d in drafts]
        print(f"{folder.name}: {', '.join(got)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

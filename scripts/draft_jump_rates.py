"""Drafts against their songs' own charts: jump and hold shares per slot, and whether note counts rise.

Drafts every slot a song's chart has (with that chart's timing, all slots in one call as the editor and
``main.py draft`` do) for the validation songs and the first N training songs (by folder name), and prints per
song the notes and jumps of each draft against the chart's, then per slot the median jump share (rows with two
arrows) of drafts and charts, the mean absolute difference, drafts with no jump, and songs where a slot has no
more notes than the one below it (MODEL_CARD, session 6); the same for hold and repeat shares (session 11) and
fast repeats, repeats less than 0.2 s after the row before (session 12).

Usage: python scripts/draft_jump_rates.py --songs ../shared/data/charts [--train-songs 16] [--models DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chart.song import Slot  # noqa: E402
from chart.stats import row_counts  # noqa: E402
from inference.drafter import Drafter  # noqa: E402
from inference.lane_decision import FAST_REPEAT_S, fast_repeat_rows, repeat_rows  # noqa: E402
from inference.lane_features import rows_from_notes  # noqa: E402
from training.evaluate import EvalOptions, _load_song, select_folders  # noqa: E402


def row_stats(notes: list, timing) -> tuple[int, int, int, int, int, int]:
    """Rows, notes, jump rows (two or more arrows), hold heads (holds and rolls), repeats (a single arrow
    the same as the row before's, :func:`inference.lane_decision.repeat_rows`) and fast repeats (repeats less
    than ``FAST_REPEAT_S`` after the row before) of a list of notes."""
    rows, jumps, _, _ = row_counts(notes)
    onsets = [n for n in notes if n.kind.is_onset]
    lane_rows = rows_from_notes(notes)
    seconds = timing.beats_to_seconds_array(np.array([float(b) for b in lane_rows.beats]))
    repeats, fast = repeat_rows(lane_rows.arrows), fast_repeat_rows(lane_rows.arrows, seconds)
    return rows, len(onsets), jumps, sum(1 for n in onsets if n.length > 0), int(repeats.sum()), int(fast.sum())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--songs", type=Path, required=True)
    ap.add_argument("--train-songs", type=int, default=16)
    ap.add_argument("--models", type=Path, default=None, help="models folder (default: the shipped models)")
    args = ap.parse_args()
    drafter = Drafter.from_models_dir(args.models)
    folders = select_folders(EvalOptions(songs=args.songs, split="validation"))
    folders += sorted(select_folders(EvalOptions(songs=args.songs, split="train")), key=lambda f: f.name)[
        : args.train_songs]
    shares, broken = [], 0
    for folder in folders:
        song = _load_song(folder)  # the chart, its usable charts and its audio, as main.py eval reads them
        charts = song.charts
        timing = song.song.timing_for(next(iter(charts.values())))
        drafts = {int(d.slot): row_stats(d.notes, timing)
                  for d in drafter.draft(song.audio, timing, [Slot(s) for s in charts])}
        ref = {s: row_stats(c.notes, song.song.timing_for(c)) for s, c in charts.items()}
        counts = [drafts[s][1] for s in sorted(drafts)]
        bad = any(b <= a for a, b in zip(counts, counts[1:]))
        broken += bad
        print(("!! " if bad else "   ") + folder.name[:32].ljust(32), " ".join(
            f"{s}:{drafts[s][1]}n/{drafts[s][2]}j(ref {ref[s][1]}n/{ref[s][2]}j)" for s in sorted(drafts)))
        shares += [(s, drafts[s][2] / max(drafts[s][0], 1), ref[s][2] / max(ref[s][0], 1),
                    drafts[s][3] / max(drafts[s][1], 1), ref[s][3] / max(ref[s][1], 1),
                    drafts[s][4] / max(drafts[s][0], 1), ref[s][4] / max(ref[s][0], 1),
                    drafts[s][5] / max(drafts[s][0], 1), ref[s][5] / max(ref[s][0], 1),
                    drafts[s][5], drafts[s][4], ref[s][5], ref[s][4]) for s in drafts]
    r = np.array(shares)
    for s in range(5):
        m = r[r[:, 0] == s]
        if len(m):
            print(f"{Slot(s).sm_name}: jump share median draft {np.median(m[:, 1]):.3f} / chart {np.median(m[:, 2]):.3f}, "
                  f"mean |diff| {np.abs(m[:, 1] - m[:, 2]).mean():.3f}, drafts without a jump {(m[:, 1] == 0).sum()}"
                  f"/{len(m)}; hold share median draft {np.median(m[:, 3]):.3f} / chart {np.median(m[:, 4]):.3f}, "
                  f"mean |diff| {np.abs(m[:, 3] - m[:, 4]).mean():.3f}, drafts without a hold {(m[:, 3] == 0).sum()}")
            print(f"    repeat share median draft {np.median(m[:, 5]):.3f} / chart {np.median(m[:, 6]):.3f}, mean "
                  f"|diff| {np.abs(m[:, 5] - m[:, 6]).mean():.3f}, drafts quantiles (10/50/90 %) "
                  f"{np.round(np.quantile(m[:, 5], [0.1, 0.5, 0.9]), 3).tolist()}, drafts above 0.6: "
                  f"{(m[:, 5] > 0.6).sum()}/{len(m)}")
            print(f"    fast repeats (< {FAST_REPEAT_S} s) per row: median draft {np.median(m[:, 7]):.4f} / chart "
                  f"{np.median(m[:, 8]):.4f}, mean |diff| {np.abs(m[:, 7] - m[:, 8]).mean():.4f}; share of repeats "
                  f"that are fast, pooled: drafts {m[:, 9].sum() / max(m[:, 10].sum(), 1):.3f} / charts "
                  f"{m[:, 11].sum() / max(m[:, 12].sum(), 1):.3f}")
    j = r[r[:, 0] > 0]  # Beginner: no jumps by rule
    print(f"all: jump share mean |diff| {np.abs(j[:, 1] - j[:, 2]).mean():.4f} (Easy..Challenge), hold share mean "
          f"|diff| {np.abs(r[:, 3] - r[:, 4]).mean():.4f}, repeat share mean |diff| "
          f"{np.abs(r[:, 5] - r[:, 6]).mean():.4f}; songs whose counts do not rise: {broken}/{len(folders)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

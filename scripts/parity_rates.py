"""How often human dance-single charts cross over and double-step under chart.parity's cheapest foot parse.

Reads every song folder under --songs (one .ssc, else .sm, per folder, as tests/chart/test_shared_data.py does),
keeps the dance-single charts with more than 20 steps, parses each with chart.parity.parse_feet and its own
timing, and prints per slot: charts, charts with at least one crossover, with at least one fast double step
(less than FAST_DOUBLE_STEP_S after the previous row), with any double step, with a footswitch, and the median
per chart among the charts that have them. The figures feed the severities of chart/checks/parity.py.

Usage: python scripts/parity_rates.py --songs ../shared/data/charts-only [--prefix ddr-] [--examples 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chart.formats.registry import load  # noqa: E402
from chart.parity import FAST_DOUBLE_STEP_S, parse_feet  # noqa: E402
from chart.song import Slot  # noqa: E402


def chart_files(folder: Path, prefix: str) -> list[Path]:
    out = []
    for song_dir in sorted(p for p in folder.iterdir() if p.is_dir() and p.name.startswith(prefix)):
        files = sorted(song_dir.glob("*.ssc")) or sorted(song_dir.glob("*.sm"))
        if files:
            out.append(files[0])
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--songs", type=Path, required=True)
    ap.add_argument("--prefix", default="", help="only song folders whose name starts with this (e.g. ddr-)")
    ap.add_argument("--examples", type=int, default=0, help="print this many charts per slot with a finding")
    args = ap.parse_args()
    stats: dict[Slot, list[tuple[int, int, int, int]]] = {s: [] for s in Slot}
    examples: dict[Slot, list[str]] = {s: [] for s in Slot}
    started, rows_total = time.perf_counter(), 0
    for path in chart_files(args.songs, args.prefix):
        try:
            song = load(path)
        except Exception as exc:  # a file our reader refuses is reported, not fatal
            print(f"skipped {path.parent.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        for chart in song.charts:
            if chart.mode != "dance-single" or sum(n.kind.is_onset for n in chart.notes) <= 20:
                continue
            parse = parse_feet(chart.notes, song.timing_for(chart))
            rows_total += len(parse.rows)
            fast = parse.fast_double_steps()
            found = (parse.crossovers, len(fast), parse.double_steps, parse.footswitches)
            stats[chart.slot].append(found)
            if (found[0] or found[1]) and len(examples[chart.slot]) < args.examples:
                first = next(r for r in parse.rows if r.crossover or r in fast)
                examples[chart.slot].append(f"{path.parent.name} ({chart.meter}): {found[0]} crossovers, {found[1]} "
                                            f"fast double steps, first at beat {float(first.beat):g}")
    print(f"fast double step: < {FAST_DOUBLE_STEP_S} s after the previous row; "
          f"median = per chart, among charts that have any")
    print(f"{'slot':<10} {'charts':>6}  {'crossover':>15} {'fast double':>15} {'any double':>15} {'footswitch':>15}")
    for slot in Slot:
        found = stats[slot]
        if not found:
            continue
        cells = []
        for k in range(4):
            with_it = [f[k] for f in found if f[k]]
            med = f"{statistics.median(with_it):g}" if with_it else "-"
            cells.append(f"{len(with_it):>4} ({100 * len(with_it) / len(found):4.1f}%) {med:>3}")
        print(f"{slot.sm_name:<10} {len(found):>6}  " + " ".join(f"{c:>15}" for c in cells))
        for line in examples[slot]:
            print(f"    {line}")
    print(f"{sum(len(v) for v in stats.values())} charts, {rows_total} rows in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

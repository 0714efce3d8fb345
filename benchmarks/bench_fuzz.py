"""Fuzz throughput (issue 8): the mutation fuzzer on every reader, >= 100 000 cases per format.

Seeds are the golden test files. A finding is any exception other than ParseError, an input over the 2 s
time bound, or an input slower than 0.5 s; the quick run does 2 000 cases per format.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.common import BenchContext, Section
from chart.formats import fuzz, game_json, osu_mania, sm, ssc

READERS = {"sm": (sm.load_bytes, "basic.sm"), "ssc": (ssc.load_bytes, "split_timing.ssc"),
           "osu": (osu_mania.load_bytes, "mania4k.osu"), "json": (game_json.load_bytes, "export.json")}


def run(ctx: BenchContext) -> list[Section]:
    golden = ctx.repo / "tests" / "chart" / "formats" / "golden"
    cases = 2_000 if ctx.quick else 100_000
    section = Section("Fuzzing the chart readers (mutation fuzzer, chart/formats/fuzz.py)")
    findings_text = []
    for name, (read, seed_name) in READERS.items():
        seeds = _seeds(golden, seed_name)
        result = fuzz.run(read, seeds, cases=cases, seed=20240101)
        unique = result.unique_findings()
        section.add(f".{name} cases", result.cases, "", goal=">= 100 000",
                    note=f"{result.cases_per_s:.0f} cases/s, {result.parse_errors} ParseError, "
                         f"{len(result.findings)} findings ({len(unique)} unique)")
        findings_text += [f"* .{name}: {key}: {f.error} — input {f.data[:80]!r}" for key, f in unique.items()]
    section.text = "Findings:\n\n" + ("\n".join(findings_text) if findings_text else "none (every input gave a "
                                      "result or a ParseError within the time bound).")
    return [section]


def _seeds(golden: Path, own: str) -> list[bytes]:
    mine = (golden / own).read_bytes()
    return [mine] * 6 + [p.read_bytes() for p in sorted(golden.iterdir()) if p.name != own]

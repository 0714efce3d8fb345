"""Benchmark plumbing shared by every ``benchmarks/bench_*.py`` module.

Each module defines ``run(ctx: BenchContext) -> list[Section]``. ``make bench`` (``python -m benchmarks.run``)
imports them all, runs them, and writes ``docs/BENCHMARKS.md`` with the machine and date. Timings are reported,
never asserted; where a comparison matters, report a ratio against a reference measured in the same run.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Row:
    name: str
    value: float | str
    unit: str = ""
    goal: str = ""
    note: str = ""


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)
    text: str = ""  # optional paragraph under the table

    def add(self, name: str, value: float | str, unit: str = "", goal: str = "", note: str = "") -> None:
        self.rows.append(Row(name, value, unit, goal, note))


@dataclass
class BenchContext:
    repo: Path
    work: Path  # scratch folder for this run
    quick: bool = False  # fewer repetitions (smoke run in tests)
    shared_charts: Path | None = None  # ../shared/data/charts when present


def timeit(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time in seconds of ``fn()`` over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)

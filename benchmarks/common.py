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
    measured: str = ""  # when a replayed section ran (shown in its heading); empty for this run's sections
    module: str = ""  # the bench_* module that wrote it (marked in the report, so that --only can keep the rest)

    @property
    def heading(self) -> str:
        return f"{self.title} (measured {self.measured})" if self.measured else self.title

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


def interleaved(first: Callable[[], object], second: Callable[[], object], pairs: int) -> tuple[list[float], list[float]]:
    """Wall times in seconds of ``pairs`` runs of ``first`` and of ``second``, timed back to back in pairs, the
    order alternating from pair to pair (no warm-up): a load that comes and goes on a shared machine then weighs
    on both halves of each pair, so ``second[i] - first[i]`` compares them where two separate medians would not."""
    times: tuple[list[float], list[float]] = ([], [])
    for i in range(pairs):
        for which in ((0, 1) if i % 2 == 0 else (1, 0)):
            t0 = time.perf_counter()
            (first, second)[which]()
            times[which].append(time.perf_counter() - t0)
    return times


#: The stages :func:`draft_phases` times, in pipeline order.
PHASES = ("model", "decode", "lanes")


def draft_phases(draft: Callable[[Callable[[str, float], None]], object], repeat: int = 5) -> dict[str, float]:
    """Median seconds per stage of a draft, from the drafter's progress reports.

    ``draft(progress)`` runs one draft with ``progress(stage, fraction)`` as its callback; the drafter reports
    ``model`` 0 and 1 around the onset model, ``decode`` per slot, and ``lanes`` 0 and 1 around lane placing.
    Returns ``{"model", "decode", "lanes"}``: model = its two reports apart, decode = model's end to lanes' start
    (peak picking, snapping, the rise of counts), lanes = lanes' two reports apart. One warm-up run.
    """
    samples: dict[str, list[float]] = {k: [] for k in PHASES}
    for i in range(repeat + 1):
        marks: dict[tuple[str, float], float] = {}

        def progress(stage: str, fraction: float, marks: dict = marks) -> None:
            marks.setdefault((stage, fraction), time.perf_counter())

        draft(progress)
        if i:
            samples["model"].append(marks[("model", 1.0)] - marks[("model", 0.0)])
            samples["decode"].append(marks[("lanes", 0.0)] - marks[("model", 1.0)])
            samples["lanes"].append(marks[("lanes", 1.0)] - marks[("lanes", 0.0)])
    return {k: statistics.median(v) for k, v in samples.items()}


def save_sections(path: Path, sections: list[Section], machine: str, extra: dict | None = None) -> None:
    """Store a run's sections as JSON with the date, ``machine`` and ``extra`` keys (written atomically)."""
    import datetime as dt
    import json
    from dataclasses import asdict

    from chart.fileio import atomic_write_text

    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "machine": machine,
            **(extra or {}), "sections": [asdict(s) for s in sections]}
    atomic_write_text(path, json.dumps(data, indent=1) + "\n")


def load_sections(path: Path) -> tuple[dict, list[Section]] | None:
    """A run stored by :func:`save_sections`: its JSON (``date``, ``machine``) and its sections; None when the
    file is missing or unreadable."""
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data, [Section(s["title"], [Row(**r) for r in s["rows"]], s["text"], s.get("measured", ""), s.get("module", ""))
                  for s in data["sections"]]

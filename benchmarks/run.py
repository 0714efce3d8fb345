"""Run every benchmark module and write docs/BENCHMARKS.md.

Usage: ``python -m benchmarks.run [--quick] [--only NAME ...] [--out docs/BENCHMARKS.md]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import pkgutil
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path

from benchmarks.common import BenchContext, Section, load_sections, save_sections

REPO = Path(__file__).resolve().parent.parent


def machine_line() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1048576:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    from inference.backends import cpu_quota

    quota = cpu_quota()
    limit = f" (cgroup CPU quota {quota:g})" if quota is not None else ""
    return (f"{cpu}, {os.cpu_count()} cores{limit}{mem}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def render(sections: list[Section], seconds: float, only: list[str] | None = None) -> str:
    ran = (f"This run ({', '.join(only)}; the other sections are earlier runs, dated): {seconds:.0f} s" if only
           else f"Total run time: {seconds:.0f} s")
    out = ["# Benchmarks", "",
           f"Written by `make bench` on {dt.date.today().isoformat()}.", "",
           f"Machine: {machine_line()}.", "",
           f"{ran}. Timings are medians unless stated; goals come from the issues.", ""]
    for s in sections:
        out += [f"## {s.heading}", ""]
        if s.rows:
            out += ["| measure | value | goal | note |", "|---|---|---|---|"]
            for r in s.rows:
                v = f"{r.value:.4g}" if isinstance(r.value, float) else str(r.value)
                out.append(f"| {r.name} | {v} {r.unit} | {r.goal} | {r.note} |")
            out.append("")
        if s.text:
            out += [s.text.strip(), ""]
    return "\n".join(out)


def _store(cache: Path, name: str, sections: list[Section]) -> None:
    save_sections(cache / f"{name}.json", sections, machine_line())


def _cached(cache: Path, name: str) -> list[Section]:
    """The module's last stored sections, titled with when they ran (nothing if it never ran here)."""
    loaded = load_sections(cache / f"{name}.json")
    if loaded is None:
        return []
    data, sections = loaded
    for s in sections:
        s.measured = s.measured or data["date"]  # bench_gpu's replayed sections keep the GPU run's date
    return sections


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "BENCHMARKS.md")
    ap.add_argument("--cache", type=Path, default=REPO / "runs" / "bench-sections",
                    help="each module's last sections are kept here; with --only, the other modules' last results "
                         "are included (marked with their date) so one benchmark can be re-run alone")
    args = ap.parse_args(argv)
    shared = (REPO.parent / "shared" / "data" / "charts").resolve()
    sections: list[Section] = []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        ctx = BenchContext(repo=REPO, work=Path(tmp), quick=args.quick,
                           shared_charts=shared if shared.is_dir() else None)
        import benchmarks

        for info in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda m: m.name):
            if not info.name.startswith("bench_"):
                continue
            if args.only and info.name.removeprefix("bench_") not in args.only:
                sections.extend(_cached(args.cache, info.name))
                continue
            print(f"bench: {info.name} ...", file=sys.stderr, flush=True)
            try:
                module = importlib.import_module(f"benchmarks.{info.name}")
                got = list(module.run(ctx))
                _store(args.cache, info.name, got)
                sections.extend(got)
            except Exception:  # a broken benchmark is reported, not hidden
                sections.append(Section(f"{info.name} FAILED", text="```\n" + traceback.format_exc() + "\n```"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(sections, time.perf_counter() - t0, args.only), encoding="utf-8")
    print(f"bench: wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

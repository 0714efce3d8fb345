"""Run every benchmark module and write docs/BENCHMARKS.md.

Usage: ``python -m benchmarks.run [--quick] [--only NAME [NAME ...]] [--out docs/BENCHMARKS.md]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import pkgutil
import platform
import shlex
import sys
import tempfile
import time
import traceback
from pathlib import Path

from benchmarks.common import BenchContext, Section, load_sections, save_sections
from benchmarks.previous import mark, merge, read
from chart.fileio import atomic_write_text

REPO = Path(__file__).resolve().parent.parent
REPORT = REPO / "docs" / "BENCHMARKS.md"
CACHE = REPO / "runs" / "bench-sections"
#: Added to the title of each section a --quick run measured, so that it stays marked in any report it reaches.
QUICK = " (--quick smoke run: fewer repetitions, smaller inputs)"


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


def render(sections: list[Section], seconds: float, only: list[str] | None = None, quick: bool = False,
           command: str = "make bench") -> str:
    """The report. ``command``: what wrote it (``make bench``, or the ``benchmarks.run`` line given)."""
    earlier = only and any(s.module.removeprefix("bench_") not in only for s in sections)
    ran = (f"This run ({', '.join(only)}{'; the other sections are earlier runs, dated' * bool(earlier)}): "
           f"{seconds:.0f} s" if only else f"Total run time: {seconds:.0f} s")
    if quick:
        ran += (" (a --quick smoke run, fewer repetitions and smaller inputs: its sections are marked and their "
                "figures are not comparable with the goals)")
    out = ["# Benchmarks", "",
           f"Written by `{command}` on {dt.date.today().isoformat()}.", "",
           f"Machine: {machine_line()}.", "",
           f"{ran}. Timings are medians unless stated; goals come from the issues.", ""]
    for s in sections:
        out += [mark(s.module)] if s.module else []
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


def command_line(argv: list[str]) -> str:
    """The ``benchmarks.run`` line that wrote a report, as a shell takes it (:func:`shlex.join`: an argument with
    a space is quoted), the ``--out``/``--cache`` paths inside the repository relative to it (the command runs from
    there, and an absolute path would name one machine's checkout in a committed report)."""
    shown, path_next = [], False
    for arg in argv:
        if path_next:
            shown.append(_in_repo(arg))
        elif _path_option(flag := arg.partition("=")[0]) and "=" in arg:
            shown.append(f"{flag}={_in_repo(arg.partition('=')[2])}")
        else:
            shown.append(arg)
        path_next = not path_next and "=" not in arg and _path_option(arg)
    return shlex.join(["python", "-m", "benchmarks.run", *shown])


def _path_option(arg: str) -> bool:
    """Whether ``arg`` is ``--out`` or ``--cache`` (or a prefix argparse takes for one)."""
    return arg.startswith("--") and len(arg) > 3 and any(o.startswith(arg) for o in ("--out", "--cache"))


def _in_repo(value: str) -> str:
    """``value`` relative to the repository when it names a path inside it (relative ones from the current
    folder), else as given."""
    try:
        return Path(value).resolve().relative_to(REPO).as_posix()
    except ValueError:
        return value


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


def modules() -> list[str]:
    """The ``bench_*`` modules, sorted."""
    import benchmarks

    return sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_"))


def _run_module(name: str, ctx: BenchContext) -> list[Section]:
    return list(importlib.import_module(f"benchmarks.{name}").run(ctx))


def main(argv: list[str] | None = None) -> int:
    names = modules()
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: fewer repetitions and smaller inputs, for checking that the benchmarks run; "
                         "its sections are titled as a quick run and never stored in --cache")
    ap.add_argument("--only", nargs="+", default=None, metavar="NAME",
                    help=f"run only these benchmarks, of: {', '.join(n.removeprefix('bench_') for n in names)}")
    ap.add_argument("--out", type=Path, default=REPORT, help="the report to write (default docs/BENCHMARKS.md)")
    ap.add_argument("--cache", type=Path, default=None,
                    help="each module's last sections are kept here (default runs/bench-sections); with --only, "
                         "the other modules' last results are included (marked with their date) so one benchmark "
                         "can be re-run alone: from here, else from the report already at --out. Only full runs "
                         "are stored: not --quick ones, nor, unless --cache is given, runs written to another --out")
    args = ap.parse_args(argv)
    argv_given = list(sys.argv[1:] if argv is None else argv)
    cache = args.cache or CACHE
    store = not args.quick and (args.cache is not None or args.out.resolve() == REPORT.resolve())
    unknown = [n for n in args.only or [] if f"bench_{n}" not in names]
    if unknown:
        print(f"bench: no benchmark named {', '.join(unknown)} (there are: "
              f"{', '.join(n.removeprefix('bench_') for n in names)}); nothing written", file=sys.stderr)
        return 2
    shared = (REPO.parent / "shared" / "data" / "charts").resolve()
    known: dict[str, list[Section]] = {}
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        ctx = BenchContext(repo=REPO, work=Path(tmp), quick=args.quick,
                           shared_charts=shared if shared.is_dir() else None)
        for name in names:
            if args.only and name.removeprefix("bench_") not in args.only:
                if cached := _cached(cache, name):
                    known[name] = cached
                continue
            print(f"bench: {name} ...", file=sys.stderr, flush=True)
            try:
                known[name] = _run_module(name, ctx)
                if args.quick:
                    for s in known[name]:
                        s.title += QUICK
                elif store:
                    _store(cache, name, known[name])
            except Exception:  # a broken benchmark is reported, not hidden
                known[name] = [Section(f"{name} FAILED", text="```\n" + traceback.format_exc() + "\n```")]
    for name, got in known.items():
        for s in got:
            s.module = name
    # a module that is neither re-run nor cached keeps its sections in the report already written
    sections = (merge(read(args.out), known, names) if args.only
                else [s for name in names for s in known.get(name, [])])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    command = "make bench" if not argv_given else command_line(argv_given)
    atomic_write_text(args.out, render(sections, time.perf_counter() - t0, args.only, args.quick, command))
    print(f"bench: wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

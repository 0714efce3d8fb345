"""The sections of an earlier ``docs/BENCHMARKS.md``, so that ``--only`` keeps what it did not re-run.

``python -m benchmarks.run --only NAME`` re-runs some modules and takes the others' last results from
``runs/bench-sections/``; that cache is git-ignored, so a fresh clone has none. What the cache lacks comes from the
report already written: :func:`read` splits it into its sections (each dated: its ``(measured …)`` mark, else the
report's own date) and :func:`merge` puts the re-run modules' sections in place of theirs and keeps the rest.

The report marks each section's module with a ``<!-- bench_name -->`` line above its heading. A report written
before those marks is matched by title: a section belongs to a re-run module when its title starts like one of
that module's new titles (up to the first ``:`` or `` (``) or reads ``bench_name FAILED``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import Section

MARK = re.compile(r"<!-- (bench_\w+) -->")
HEADING = re.compile(r"## (.*?)(?: \(measured (\d{4}-\d\d-\d\d(?: \d\d:\d\d)?)\))?")
WRITTEN = re.compile(r"Written by `[^`]+` on (\d{4}-\d\d-\d\d)")  # make bench, or a benchmarks.run line
FAILED = re.compile(r"(bench_\w+) FAILED")


@dataclass
class Previous:
    section: Section  # the body (table and text) kept as markdown in ``text``
    module: str  # from the section's mark; "" in a report written before the marks


def mark(module: str) -> str:
    """The line written above each of ``module``'s headings."""
    return f"<!-- {module} -->"


def read(path: Path) -> list[Previous]:
    """The sections of the report at ``path``, in order; [] when there is none."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    written = module = ""
    found: list[Previous] = []
    body: list[list[str]] = []
    fenced = False
    for line in lines:
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and (w := WRITTEN.match(line)) and not found:
            written = w.group(1)
        if not fenced and (m := MARK.fullmatch(line)):
            module = m.group(1)
        elif not fenced and (h := HEADING.fullmatch(line)):
            found.append(Previous(Section(h.group(1), measured=h.group(2) or written), module))
            body.append([])
            module = ""
        elif found:
            body[-1].append(line)
    for p, text in zip(found, body, strict=True):
        p.section.text = "\n".join(text).strip()
    return found


def key(title: str) -> str:
    """What a title is matched by in a report without marks."""
    if failed := FAILED.fullmatch(title):
        return failed.group(1)
    return re.split(r":| \(", title, maxsplit=1)[0].strip()


def merge(previous: list[Previous], known: dict[str, list[Section]], modules: list[str]) -> list[Section]:
    """The report's sections with each module of ``known`` (re-run, or replayed from the cache) in place of its
    earlier sections; the others kept as they were. Sections marked with a module that is no longer in ``modules``
    are dropped; a module of ``known`` that the report lacks goes before the first section of a later module."""
    titles = {key(s.title): name for name, got in known.items() for s in got} | {name: name for name in known}
    pending = sorted(known)
    out: list[Section] = []

    def emit_until(module: str) -> None:
        while pending and pending[0] <= module:
            name = pending.pop(0)
            for s in known[name]:
                s.module = s.module or name
                out.append(s)

    for p in previous:
        owner = p.module or titles.get(key(p.section.title), "")
        if p.module and p.module not in modules:
            continue
        if owner:
            emit_until(owner)
        if owner in known:
            continue
        p.section.module = owner
        out.append(p.section)
    emit_until("\uffff")
    return out

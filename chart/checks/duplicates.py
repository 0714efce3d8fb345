"""Duplicate notes: two or more notes on the same beat in the same lane (only one can be written or hit)."""

from __future__ import annotations

from collections.abc import Iterator

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity, describe_beat


class CheckDuplicates:
    meta = CheckMeta("duplicates", "Notes", "Several notes on one beat in one lane")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        for i, j in ctx.rows:
            if j - i < 2:
                continue
            row = ctx.notes[i:j]
            lanes = {n.lane for n in row}
            if len(lanes) == len(row):
                continue
            beat = row[0].beat
            for lane in sorted(lanes):
                same = tuple(n for n in row if n.lane == lane)
                if len(same) > 1:
                    kinds = ", ".join(n.kind.value for n in same)
                    yield Issue(Severity.PROBLEM, f"{len(same)} notes ({kinds}) on lane {lane + 1} at beat "
                                f"{describe_beat(beat)}", beat, same)

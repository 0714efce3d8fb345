"""Lanes: notes outside the chart's lanes (``0 .. chart.lanes - 1``).

The editor never puts one there, but a plugin, a script or a library caller can, and then every writer refuses the
chart (the .sm/.ssc/.osu ones, and the JSON export, whose reader would refuse the file) and no game has the panel.
So it is a PROBLEM whatever the target format, and the ``representable`` check leaves such notes to this one. One
issue per lane, listing its notes: a chart whose lane count is wrong has hundreds.
"""

from __future__ import annotations

from collections.abc import Iterator

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity, describe_beat
from chart.notes import Note


class CheckLanes:
    meta = CheckMeta("lanes", "Notes", "Notes outside the chart's lanes")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        lanes = ctx.chart.lanes
        outside: dict[int, list[Note]] = {}
        for n in ctx.notes:
            if not 0 <= n.lane < lanes:
                outside.setdefault(n.lane, []).append(n)
        for lane in sorted(outside):
            found = outside[lane]
            first = found[0].beat
            count = f"{len(found)} notes" if len(found) > 1 else "a note"
            yield Issue(Severity.PROBLEM, f"{count} in lane {lane + 1}, outside the chart's {lanes} lanes "
                        f"(1-{lanes}), first at beat {describe_beat(first)}: no format can save "
                        f"{'them' if len(found) > 1 else 'it'}", first, tuple(found))

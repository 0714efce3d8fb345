"""Empty: a chart with no notes to step on.

Every format writes it as a difficulty of its own (an empty ``#NOTES`` in .sm/.ssc, an .osu with no hit objects
in an .osz, an empty chart in the JSON export), and a player who picks it plays nothing: usually a placeholder
(New Song's Beginner, a chart added and never filled). A WARNING, not a PROBLEM: the file is valid, and a chart
being written may well be empty for a while. Mines and fakes alone count as empty too (nothing to step on); notes
all inside warps are the ``unjudged`` check's.
"""

from __future__ import annotations

from collections.abc import Iterator

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity


class CheckEmpty:
    meta = CheckMeta("empty", "Difficulty", "A chart with no notes to step on")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        if any(n.kind.is_onset for n in ctx.notes):
            return
        what = "no notes" if not ctx.notes else "no notes to step on (only mines or fakes)"
        yield Issue(Severity.WARNING, f"the chart has {what}: it would be saved and exported as an empty "
                                      f"difficulty (fill it, or delete it in the Charts panel)")

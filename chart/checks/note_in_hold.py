"""Notes inside a hold in the same lane: the player is holding that lane, so the note cannot be hit as placed.

A note counts as inside when its head lies after the hold's head and at or before its end (a note on the end
row is also unplayable in StepMania). Holds starting inside holds are reported by ``holds``.
"""

from __future__ import annotations

from collections.abc import Iterator

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity, describe_beat
from chart.notes import Note


class CheckNoteInHold:
    meta = CheckMeta("note-in-hold", "Holds", "Notes inside a hold or roll in the same lane")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        for lane in sorted({n.lane for n in ctx.notes}):
            held: Note | None = None  # the hold reaching furthest so far in this lane
            for n in (n for n in ctx.notes if n.lane == lane):
                if held is not None and held.beat < n.beat <= held.end_beat and not n.kind.has_length:
                    yield Issue(Severity.PROBLEM, f"{n.kind.value} at beat {describe_beat(n.beat)} lies inside "
                                f"the {held.kind.value} from beat {describe_beat(held.beat)} (lane {lane + 1})",
                                n.beat, (n, held))
                if n.kind.has_length and (held is None or n.end_beat > held.end_beat):
                    held = n

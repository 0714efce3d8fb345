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
        beats, ends = ctx.scaled.beats, ctx.scaled.ends  # exact ints: no Fraction arithmetic per note
        by_lane: dict[int, list[int]] = {}
        for k, n in enumerate(ctx.notes):
            by_lane.setdefault(n.lane, []).append(k)
        for lane in sorted(by_lane):
            held: Note | None = None  # the hold reaching furthest so far in this lane
            held_beat = held_end = 0
            for k in by_lane[lane]:
                n = ctx.notes[k]
                if held is not None and held_beat < beats[k] <= held_end and not n.kind.has_length:
                    yield Issue(Severity.PROBLEM, f"{n.kind.value} at beat {describe_beat(n.beat)} lies inside "
                                f"the {held.kind.value} from beat {describe_beat(held.beat)} (lane {lane + 1})",
                                n.beat, (n, held))
                if n.kind.has_length and (held is None or ends[k] > held_end):
                    held, held_beat, held_end = n, beats[k], ends[k]

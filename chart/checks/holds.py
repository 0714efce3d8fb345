"""Holds: holds/rolls without length, lengths on notes that cannot have one, overlapping holds in a lane,
and holds too short to feel like holds."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity, describe_beat
from chart.notes import Note

SHORT_HOLD_BEATS = Fraction(1, 16)  # shorter than a 1/64 note: a slipped drag, not a hold


class CheckHolds:
    meta = CheckMeta("holds", "Holds", "Holds without length, overlapping holds, very short holds")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        for n in ctx.notes:
            if n.kind.has_length and n.length == 0:
                yield Issue(Severity.PROBLEM, f"{n.kind.value} without length at {_where(n)}", n.beat, (n,))
            elif not n.kind.has_length and n.length != 0:
                yield Issue(Severity.PROBLEM, f"{n.kind.value} with a length ({n.length} beats) at {_where(n)}",
                            n.beat, (n,))
            elif n.kind.has_length and n.length < SHORT_HOLD_BEATS:
                yield Issue(Severity.WARNING, f"{n.kind.value} of {n.length} beat at {_where(n)} is shorter "
                            f"than {SHORT_HOLD_BEATS} beat", n.beat, (n,))
        yield from _overlaps(ctx.notes)


def _where(note: Note) -> str:
    return f"beat {describe_beat(note.beat)} (lane {note.lane + 1})"


def _overlaps(notes: list[Note]) -> Iterator[Issue]:
    for lane in sorted({n.lane for n in notes if n.kind.has_length}):
        held: Note | None = None
        for n in (n for n in notes if n.lane == lane and n.kind.has_length and n.length > 0):
            if held is not None and n.beat <= held.end_beat:
                yield Issue(Severity.PROBLEM, f"{n.kind.value} at beat {describe_beat(n.beat)} overlaps the "
                            f"{held.kind.value} from beat {describe_beat(held.beat)} (lane {lane + 1})",
                            n.beat, (n, held))
            if held is None or n.end_beat > held.end_beat:
                held = n

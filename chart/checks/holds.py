"""Holds: holds/rolls without length, lengths on notes that cannot have one, overlapping holds in a lane,
and holds too short to feel like holds."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity, describe_beat
from chart.note_rows import ScaledNotes
from chart.notes import Note

SHORT_HOLD_BEATS = Fraction(1, 16)  # shorter than a 1/64 note: a slipped drag, not a hold


class CheckHolds:
    meta = CheckMeta("holds", "Holds", "Holds without length, overlapping holds, very short holds")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        ints = ctx.scaled  # exact ints: a length is end - beat, compared without Fraction arithmetic
        # "length < SHORT_HOLD_BEATS" in the same units, on ints
        per, short = SHORT_HOLD_BEATS.denominator, SHORT_HOLD_BEATS.numerator * ints.scale
        for k, n in enumerate(ctx.notes):
            length = ints.ends[k] - ints.beats[k]
            if n.kind.has_length and length == 0:
                yield Issue(Severity.PROBLEM, f"{n.kind.value} without length at {_where(n)}", n.beat, (n,))
            elif not n.kind.has_length and length != 0:
                yield Issue(Severity.PROBLEM, f"{n.kind.value} with a length ({n.length} beats) at {_where(n)}",
                            n.beat, (n,))
            elif n.kind.has_length and length * per < short:
                yield Issue(Severity.WARNING, f"{n.kind.value} of {n.length} beat at {_where(n)} is shorter "
                            f"than {SHORT_HOLD_BEATS} beat", n.beat, (n,))
        yield from _overlaps(ctx.notes, ints)


def _where(note: Note) -> str:
    return f"beat {describe_beat(note.beat)} (lane {note.lane + 1})"


def _overlaps(notes: list[Note], ints: ScaledNotes) -> Iterator[Issue]:
    by_lane: dict[int, list[int]] = {}
    for k, n in enumerate(notes):
        if n.kind.has_length and ints.ends[k] > ints.beats[k]:
            by_lane.setdefault(n.lane, []).append(k)
    for lane in sorted(by_lane):
        held: Note | None = None
        held_end = 0
        for k in by_lane[lane]:
            n = notes[k]
            if held is not None and ints.beats[k] <= held_end:
                yield Issue(Severity.PROBLEM, f"{n.kind.value} at beat {describe_beat(n.beat)} overlaps the "
                            f"{held.kind.value} from beat {describe_beat(held.beat)} (lane {lane + 1})",
                            n.beat, (n, held))
            if held is None or ints.ends[k] > held_end:
                held, held_end = n, ints.ends[k]

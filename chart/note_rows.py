"""Exact integer beats of a note list, for passes over many notes (Verify checks, foot parity).

Comparing or adding :class:`~fractions.Fraction` beats costs a Python call each (``end_beat`` builds a new
Fraction every time), and the Verify checks did that several times per note: seconds on a 20k-note chart after
every edit. Here every beat and hold end is multiplied by one common ``scale`` (the least common multiple of the
beats' and lengths' denominators), which makes them plain ints: same order, same equalities, exact, and compared
at machine speed. A chart on StepMania's grid has a scale of at most 48.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from chart.notes import Note


@dataclass(frozen=True)
class ScaledNotes:
    """``beats[i] == notes[i].beat * scale`` and ``ends[i] == notes[i].end_beat * scale``, as ints."""

    scale: int
    beats: list[int]
    ends: list[int]

    def rows(self) -> list[tuple[int, int]]:
        """``[start, stop)`` index spans of the runs of equal beats (the rows of notes sorted by beat), in order:
        :func:`chart.notes.beat_rows` on ints."""
        beats = self.beats
        out: list[tuple[int, int]] = []
        start = 0
        for i in range(1, len(beats)):
            if beats[i] != beats[start]:
                out.append((start, i))
                start = i
        if beats:
            out.append((start, len(beats)))
        return out


def scaled(notes: Sequence[Note]) -> ScaledNotes:
    """The notes' beats and ends as ints over one common scale (module docstring); any order."""
    parts = [(n.beat.numerator, n.beat.denominator, n.length.numerator, n.length.denominator) for n in notes]
    scale = math.lcm(1, *{p[1] for p in parts}, *{p[3] for p in parts})
    factor = {d: scale // d for d in {p[1] for p in parts} | {p[3] for p in parts}}
    beats = [bn * factor[bd] for bn, bd, _, _ in parts]
    ends = [beat + ln * factor[ld] if ln else beat for beat, (_, _, ln, ld) in zip(beats, parts, strict=True)]
    return ScaledNotes(scale, beats, ends)

"""Notes: frozen values addressed by (beat, lane, kind), with beats as exact fractions.

A hold or roll carries its ``length`` in beats; every other kind has length 0. Lanes count from 0 (left).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any


class NoteKind(StrEnum):
    """What a note is. Values are stable identifiers used by the JSON export and the editor."""

    TAP = "tap"
    HOLD = "hold"
    ROLL = "roll"
    MINE = "mine"
    FAKE = "fake"
    LIFT = "lift"

    @property
    def has_length(self) -> bool:
        return self in (NoteKind.HOLD, NoteKind.ROLL)

    @property
    def is_onset(self) -> bool:
        """Whether the player steps on it (mines and fakes are not onsets for metrics)."""
        return self in (NoteKind.TAP, NoteKind.HOLD, NoteKind.ROLL, NoteKind.LIFT)


def as_fraction(value: Fraction | int | float | str) -> Fraction:
    """Exact fraction from an int, a decimal string or a float (floats are taken at their shortest repr; numpy's
    floats too, whose repr is ``np.float64(0.5)``, and its integers)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return Fraction(float.__repr__(value))
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Rational):  # np.float32...
        return Fraction(repr(float(value)))
    return Fraction(value)


@dataclass(frozen=True, order=True, slots=True)
class Note:
    """One note.

    Parameters
    ----------
    beat : Fraction
        Position in beats from beat 0 (exact).
    lane : int
        Column, 0-based.
    kind : NoteKind
        Tap, hold, roll, mine, fake or lift.
    length : Fraction
        Length in beats for holds and rolls (> 0); 0 for every other kind.
    """

    beat: Fraction
    lane: int
    kind: NoteKind = NoteKind.TAP
    length: Fraction = field(default=Fraction(0))

    def __post_init__(self) -> None:
        if not isinstance(self.beat, Fraction):
            object.__setattr__(self, "beat", as_fraction(self.beat))
        if not isinstance(self.length, Fraction):
            object.__setattr__(self, "length", as_fraction(self.length))
        if not isinstance(self.kind, NoteKind):
            object.__setattr__(self, "kind", NoteKind(self.kind))
        if self.lane < 0:
            raise ValueError(f"lane must be >= 0, got {self.lane}")
        if self.length < 0:
            raise ValueError(f"length must be >= 0, got {self.length}")

    @property
    def end_beat(self) -> Fraction:
        """Beat where a hold/roll ends (equal to ``beat`` for other kinds)."""
        return self.beat + self.length

    def replace(self, **changes) -> Note:
        """Copy with some fields changed."""
        values: dict[str, Any] = {"beat": self.beat, "lane": self.lane, "kind": self.kind, "length": self.length}
        values.update(changes)
        return Note(**values)


def sort_notes(notes: Iterable[Note]) -> list[Note]:
    """Notes in canonical order: by beat, then lane, then kind."""
    return sorted(notes, key=lambda n: (n.beat, n.lane, n.kind.value, n.length))


def beat_rows(notes: list[Note]) -> Iterator[tuple[Fraction, list[Note]]]:
    """``(beat, notes at that beat)`` for sorted ``notes``."""
    i = 0
    while i < len(notes):
        j = i
        while j < len(notes) and notes[j].beat == notes[i].beat:
            j += 1
        yield notes[i].beat, notes[i:j]
        i = j


def onset_beats(notes: Iterable[Note]) -> list[Fraction]:
    """Distinct beats of note rows that are onsets (a jump is one row; holds count at the head)."""
    return sorted({n.beat for n in notes if n.kind.is_onset})

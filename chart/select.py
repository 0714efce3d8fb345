"""Selecting notes by what they are: their snap, jumps, holds, mines, or which side of a beat they lie on (the
editor's Edit > Select menu, as ArrowVortex's "select by type or quantization, before/after cursor").

Every selector takes notes and returns the ones it keeps, in order; the editor applies it to the selection when
there is one (narrowing it) and to the whole chart otherwise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from fractions import Fraction

from chart.notes import Note, NoteKind, sort_notes
from chart.snap import quantization

SNAP_CLASSES: tuple[int, ...] = (4, 8, 12, 16, 24, 32, 48, 64, 192)  # 192: 96ths, finer, and the other snaps
_NAMED = frozenset(SNAP_CLASSES[:-1])  # the classes of one snap each
_STEPPED = (NoteKind.TAP, NoteKind.HOLD, NoteKind.ROLL, NoteKind.LIFT)


def on_snap(divisor: int) -> Callable[[Iterable[Note]], list[Note]]:
    """Notes whose coarsest snap is ``divisor`` (8 = eighths that are not also quarters); 192 = every other note:
    96ths, 192nds and finer, and the custom snaps between the classes (1/20, 1/28, 1/40...), which no other class
    picks (they were in none, so no snap could select them)."""
    if divisor not in SNAP_CLASSES:
        raise ValueError(f"no snap class {divisor}: choose one of {SNAP_CLASSES}")

    def keep(notes: Iterable[Note]) -> list[Note]:
        if divisor == 192:
            return sort_notes(n for n in notes if quantization(n.beat) not in _NAMED)
        return sort_notes(n for n in notes if quantization(n.beat) == divisor)

    return keep


def jumps(notes: Iterable[Note]) -> list[Note]:
    """The arrows of every row with two or more arrows (taps, holds, rolls, lifts; mines and fakes are not steps)."""
    notes = list(notes)
    per_row = Counter(n.beat for n in notes if n.kind in _STEPPED)
    return sort_notes(n for n in notes if n.kind in _STEPPED and per_row[n.beat] >= 2)


def of_kinds(*kinds: NoteKind) -> Callable[[Iterable[Note]], list[Note]]:
    return lambda notes: sort_notes(n for n in notes if n.kind in kinds)


def from_beat(beat: Fraction) -> Callable[[Iterable[Note]], list[Note]]:
    """Notes whose head is at or after ``beat``."""
    return lambda notes: sort_notes(n for n in notes if n.beat >= beat)


def before_beat(beat: Fraction) -> Callable[[Iterable[Note]], list[Note]]:
    """Notes whose head is before ``beat``."""
    return lambda notes: sort_notes(n for n in notes if n.beat < beat)

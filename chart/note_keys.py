"""Fast exact keys of notes, for edits of thousands of notes (a drag of a large selection, Mirror of a whole chart).

A ``Note`` compares and hashes through its two :class:`~fractions.Fraction` fields, each a Python-level call
(comparing two notes ~0.4 us, hashing one ~1 us: the pow() in Fraction.__hash__). Sorting, merging and looking
up thousands of notes that way took most of a drag's time on a 20k-note chart. The keys here give the same
order and the same equality, compared and hashed mostly at C speed:

* :func:`in_order`: ``Note`` order (beat, lane, kind, length), sorting by the beats' floats (float() rounds
  correctly, hence keeps the order of Fractions) and comparing the notes only where the floats meet;
* :class:`NoteSet`: membership by value, by identity first (the Document keeps its Note objects, so the notes an
  edit names are mostly the chart's own objects), else by :func:`value_key`, a tuple of ints and the kind.

They keep no key object per note alive (floats and ints are not tracked by the garbage collector, a tuple per
note is): 20k live key tuples made the collector run a full collection in the middle of an edit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from math import inf

from chart.notes import Note


def _approx(beat: Fraction) -> float:
    try:
        return beat.numerator / beat.denominator
    except OverflowError:
        return inf if beat > 0 else -inf


def approx_all(beats: Sequence[Fraction]) -> list[float]:
    """float() of each beat (ordered as the beats, ties where they meet), at one Python call for the lot."""
    try:
        return [b.numerator / b.denominator for b in beats]
    except OverflowError:
        return [_approx(b) for b in beats]


def least(beats: Sequence[Fraction]) -> Fraction:
    """``min(beats)`` (not empty), comparing floats and only the beats whose floats tie for the least exactly."""
    approx = approx_all(beats)
    low = min(approx)
    return min(b for b, a in zip(beats, approx) if a == low)


def greatest(beats: Sequence[Fraction]) -> Fraction:
    """``max(beats)`` (not empty), as :func:`least` finds the least."""
    approx = approx_all(beats)
    high = max(approx)
    return max(b for b, a in zip(beats, approx) if a == high)


def in_order(notes: Iterable[Note]) -> list[Note]:
    """``sorted(notes)`` (Note order, stable) at a fraction of the Fraction comparisons: by the beats' floats, then
    each run of notes whose floats meet (a row's notes share a beat) by Note order."""
    notes = list(notes)
    return by_approx(notes, approx_all([n.beat for n in notes]))


def by_approx(items: list, approx: list[float], key: Callable | None = None) -> list:
    """``items`` sorted (stably) by ``approx`` (monotone floats of what orders them, :func:`approx_all`), each run of
    equal floats then by ``key`` (the items themselves when None), as a sort by the exact values would."""
    count = len(items)
    if count < 2:
        return list(items)
    order = sorted(range(count), key=approx.__getitem__)
    out = [items[i] for i in order]
    floats = [approx[i] for i in order]
    bounds = [0, *(k for k in range(1, count) if floats[k] != floats[k - 1]), count]
    if len(bounds) <= count:  # some floats meet
        for a, b in zip(bounds, bounds[1:]):
            if b - a > 1:
                out[a:b] = sorted(out[a:b], key=key)
    return out


def first_and_last(notes: Sequence[Note]) -> tuple[Note, Note]:
    """``(min(notes), max(notes))`` (not empty), comparing floats and Notes only where the beats' floats meet."""
    approx = approx_all([n.beat for n in notes])
    low, high = min(approx), max(approx)
    return (min(n for n, a in zip(notes, approx) if a == low), max(n for n, a in zip(notes, approx) if a == high))


def value_key(note: Note) -> tuple:
    """A hashable key equal for equal notes only (Fractions are kept in lowest terms, so numerator and
    denominator name the value), hashed without hashing a Fraction."""
    beat, length = note.beat, note.length
    return (beat.numerator, beat.denominator, note.lane, note.kind, length.numerator, length.denominator)


class NoteSet:
    """A set of notes by value (``note in s`` as for ``set(notes)``), built and queried without hashing Fractions:
    identity first, then a table from the hash of :func:`value_key` to the notes (built on the first lookup
    identity does not answer; equal hashes of unequal notes are told apart by comparing the notes)."""

    __slots__ = ("_notes", "_ids", "_table")

    def __init__(self, notes: Iterable[Note] = ()):
        self._notes: list[Note] = list(notes)  # keeps the objects alive, so their ids stay theirs
        self._ids = {id(n) for n in self._notes}
        self._table: dict[int, Note | list[Note]] | None = None

    def __contains__(self, note: object) -> bool:
        if id(note) in self._ids:
            return True
        if not isinstance(note, Note):
            return False
        if self._table is None:
            self._table = {}
            for n in self._notes:
                self._add(n)
        got = self._table.get(hash(value_key(note)))
        if got is None:
            return False
        return got == note if isinstance(got, Note) else note in got

    def _add(self, note: Note) -> None:
        assert self._table is not None
        h = hash(value_key(note))
        got = self._table.get(h)
        if got is None:
            self._table[h] = note
        elif isinstance(got, list):
            if note not in got:
                got.append(note)
        elif got != note:
            self._table[h] = [got, note]

    def update(self, notes: Iterable[Note]) -> None:
        for n in notes:
            self._notes.append(n)
            self._ids.add(id(n))
            if self._table is not None:
                self._add(n)

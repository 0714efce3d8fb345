"""A chart's note list kept sorted in ``Note`` order (beat, lane, kind, length): bisecting queries and
order-keeping insertion and deletion. Pure list operations; :class:`chart.document.Document` adds the undo
history, the hold-length bookkeeping and the change signals around them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Iterable
from fractions import Fraction

from chart.notes import Note, NoteKind, sort_notes

#: Above this many notes, an insert or delete splices the affected stretch instead of working note by note.
BULK = 32


def _beat(note: Note) -> Fraction:
    return note.beat


def in_range(notes: list[Note], beat0: Fraction, beat1: Fraction) -> list[Note]:
    """Notes whose head lies in ``[beat0, beat1)``, in order (O(log n + k))."""
    return notes[bisect_left(notes, beat0, key=_beat):bisect_left(notes, beat1, key=_beat)]


def landed_on(notes: list[Note], new: Iterable[Note], leaving: Iterable[Note]) -> list[Note]:
    """Notes of ``notes`` on the cell (beat and lane) of a note of ``new``, other than ``leaving`` (what the edit
    removes or moves): an edit writing ``new`` replaces them, so that no cell holds two notes."""
    cells = {(n.beat, n.lane) for n in new}
    if not cells:
        return []
    gone = set(leaving)
    beats = [beat for beat, _lane in cells]
    return [n for n in in_range(notes, min(beats), max(beats) + Fraction(1, 1 << 20))
            if (n.beat, n.lane) in cells and n not in gone]


def inside_holds(notes: Iterable[Note]) -> set[tuple[Note, Note]]:
    """(hold or roll, note) pairs of one lane where the note starts inside the hold or on its end: Verify's
    note-in-hold (and holds-in-holds) rule, what no edit may create."""
    by_lane: dict[int, list[Note]] = {}
    for n in sort_notes(notes):
        by_lane.setdefault(n.lane, []).append(n)
    pairs = set()
    for lane_notes in by_lane.values():
        for i, a in enumerate(lane_notes):
            if a.kind.has_length:
                for b in lane_notes[i + 1:]:
                    if b.beat > a.end_beat:
                        break
                    pairs.add((a, b))
    return pairs


def make_room(notes: list[Note], new: Iterable[Note], leaving: Iterable[Note],
              gap: Fraction) -> tuple[list[Note], list[Note]]:
    """What an edit writing ``new`` into ``notes`` (and removing ``leaving``) must change around it so that no cell
    holds two notes and no note lies inside a hold of its lane (Verify's note-in-hold and holds checks): the new
    notes win. Returns ``(removed, cut)``:

    * notes on the cell of a new note (:func:`landed_on`) and notes whose head a new hold or roll covers (after
      its head, up to and with its end) are removed;
    * a hold or roll whose body covers a new note's head is cut to end ``gap`` (one snap step) before the first
      such head, as drawn holds stop, or becomes a tap of its head when that leaves no room: it is in ``removed``
      and its cut version in ``cut``.
    """
    new = list(new)
    gone = set(leaving)
    removed = landed_on(notes, new, gone)
    gone.update(removed)
    tiny = Fraction(1, 1 << 20)
    for h in new:  # notes inside a new hold
        if h.kind.has_length and h.length > 0:
            covered = [n for n in in_range(notes, h.beat + tiny, h.end_beat + tiny) if n.lane == h.lane and n not in gone]
            removed.extend(covered)
            gone.update(covered)
    lanes: dict[int, list[Note]] = {}
    for n in notes:  # the holds left, per lane, in beat order
        if n.kind.has_length and n.length > 0 and n not in gone:
            lanes.setdefault(n.lane, []).append(n)
    first: dict[Note, Fraction] = {}  # hold -> the first new head inside it
    for n in new:
        holds = lanes.get(n.lane, [])
        k = bisect_left(holds, n.beat, key=_beat) - 1
        if k >= 0 and holds[k].beat < n.beat <= holds[k].end_beat:
            first[holds[k]] = min(first.get(holds[k], n.beat), n.beat)
    cut = []
    for hold, beat in first.items():
        length = beat - gap - hold.beat
        removed.append(hold)
        cut.append(hold.replace(length=length) if length > 0 else hold.replace(kind=NoteKind.TAP, length=Fraction(0)))
    return removed, cut


def room_made(notes: list[Note], new: Iterable[Note], gap: Fraction) -> list[Note]:
    """``notes`` (sorted) as :func:`make_room` leaves them for ``new``, sorted, without ``new`` itself: what is
    removed is gone, the holds it cuts are cut."""
    removed, cut = make_room(notes, new, (), gap)
    gone = set(removed)
    return sort_notes([*(n for n in notes if n not in gone), *cut])


def overlapping(notes: list[Note], beat0: Fraction, beat1: Fraction, longest: Fraction) -> list[Note]:
    """Notes drawn in ``[beat0, beat1)``: heads inside, plus holds (at most ``longest`` beats) reaching into it."""
    lo = bisect_left(notes, beat0 - longest, key=_beat)
    hi = bisect_left(notes, beat1, key=_beat)
    return [n for n in notes[lo:hi] if n.beat >= beat0 or n.end_beat > beat0]


def note_at(notes: list[Note], beat: Fraction, lane: int) -> Note | None:
    """First note with its head exactly at ``beat`` in ``lane``, or None."""
    i = bisect_left(notes, beat, key=_beat)
    while i < len(notes) and notes[i].beat == beat:
        if notes[i].lane == lane:
            return notes[i]
        i += 1
    return None


def contains(notes: list[Note], note: Note) -> bool:
    i = bisect_left(notes, note)
    return i < len(notes) and notes[i] == note


def insert(notes: list[Note], new: list[Note]) -> None:
    """Insert ``new`` into ``notes`` in place, keeping the order."""
    if len(new) > BULK:
        # Merge only the stretch of the chart the new notes fall into (edits are local; the chart is long).
        new = sorted(new)
        lo = bisect_left(notes, new[0])
        hi = bisect_right(notes, new[-1], lo=lo)
        notes[lo:hi] = sorted(notes[lo:hi] + new)  # two sorted runs: Timsort merges them linearly
    else:
        for n in new:
            insort(notes, n)


def delete(notes: list[Note], gone: list[Note], where: str) -> None:
    """Delete ``gone`` (by value, one occurrence each) from ``notes`` in place; all-or-nothing: KeyError naming
    the chart ``where`` when one is missing, before anything changes."""
    if len(gone) > BULK:
        lo = bisect_left(notes, min(gone))
        hi = bisect_right(notes, max(gone), lo=lo)
        notes[lo:hi] = _without(notes[lo:hi], gone, where)
        return
    indices: list[int] = []
    for value, count in Counter(gone).items():
        i = bisect_left(notes, value)
        if bisect_right(notes, value, lo=i) - i < count:
            raise KeyError(f"note {describe(value)} is not in chart {where}")
        indices.extend(range(i, i + count))
    for k in sorted(indices, reverse=True):
        del notes[k]


def _without(notes: list[Note], gone: list[Note], where: str) -> list[Note]:
    """``notes`` minus ``gone`` (one occurrence each); KeyError when one is missing (nothing is changed yet).

    One pass with a multiset: for a long selection this beats a bisection per note (Note comparisons of
    Fractions are slow in Python, hashing is not).
    """
    want = Counter(gone)
    kept: list[Note] = []
    for n in notes:
        if want.get(n, 0) > 0:
            want[n] -= 1
        else:
            kept.append(n)
    missing = [n for n, count in want.items() if count > 0]
    if missing:
        raise KeyError(f"note {describe(missing[0])} is not in chart {where}")
    return kept


def describe(note: Note) -> str:
    """``tap at beat 3/2 lane 0`` (``length L`` for holds): how error messages name a note."""
    length = f" length {note.length}" if note.length else ""
    return f"{note.kind.value} at beat {note.beat} lane {note.lane}{length}"

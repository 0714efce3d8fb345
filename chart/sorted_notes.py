"""A chart's note list kept sorted in ``Note`` order (beat, lane, kind, length): bisecting queries and
order-keeping insertion and deletion. Pure list operations; :class:`chart.document.Document` adds the undo
history, the hold-length bookkeeping and the change signals around them.

Edits of many notes (a drag of a large selection, Mirror of a whole chart) look only at the stretch of the chart
they touch, and sort, merge and match notes with the keys of :mod:`chart.note_keys` rather than comparing and
hashing Fractions: their cost follows the edit, not the chart.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Iterable
from fractions import Fraction

from chart.note_keys import (
    NoteSet,
    approx_all,
    by_approx,
    first_and_last,
    greatest,
    in_order,
    least,
    value_key,
)
from chart.notes import Note, NoteKind, sort_notes

#: Above this many notes, an insert or delete splices the affected stretch instead of working note by note.
BULK = 32
_TINY = Fraction(1, 1 << 20)


def _beat(note: Note) -> Fraction:
    return note.beat


def in_range(notes: list[Note], beat0: Fraction, beat1: Fraction) -> list[Note]:
    """Notes whose head lies in ``[beat0, beat1)``, in order (O(log n + k))."""
    return notes[bisect_left(notes, beat0, key=_beat):bisect_left(notes, beat1, key=_beat)]


def beat_span(notes: list[Note]) -> tuple[Fraction, Fraction]:
    """``(first head, last end)`` of ``notes`` (not empty, any order): the range an edit of them touches."""
    heads = [n.beat for n in notes]
    ends = [n.beat + n.length if n.length else n.beat for n in notes]  # end_beat, adding only for holds
    return least(heads), greatest(ends)


def heads_within(notes: Iterable[Note], beat0: Fraction, beat1: Fraction) -> list[bool]:
    """Per note (any order), whether its head lies in ``[beat0, beat1]``: floats decide, the exact beats only
    where a float meets a bound's."""
    notes = list(notes)
    lo, hi = approx_all([beat0, beat1])
    approx = approx_all([n.beat for n in notes])
    return [lo < a < hi or a in (lo, hi) and beat0 <= n.beat <= beat1 for n, a in zip(notes, approx)]


def heads_between(notes: list[Note], beat0: Fraction, beat1: Fraction) -> list[Note]:
    """Notes whose head lies in ``[beat0, beat1]`` (both ends in: a ``notes_changed`` range), in order."""
    return notes[bisect_left(notes, beat0, key=_beat):bisect_right(notes, beat1, key=_beat)]


def landed_on(notes: list[Note], new: Iterable[Note], leaving: Iterable[Note]) -> list[Note]:
    """Notes of ``notes`` on the cell (beat and lane) of a note of ``new``, other than ``leaving`` (what the edit
    removes or moves): an edit writing ``new`` replaces them, so that no cell holds two notes."""
    return _landed_on(notes, list(new), NoteSet(leaving))


def _landed_on(notes: list[Note], new: list[Note], gone: NoteSet) -> list[Note]:
    cells = {(n.beat.numerator, n.beat.denominator, n.lane) for n in new}  # (beat, lane) without hashing a Fraction
    if not cells:
        return []
    beats = [n.beat for n in new]
    return [n for n in in_range(notes, least(beats), greatest(beats) + _TINY)
            if (n.beat.numerator, n.beat.denominator, n.lane) in cells and n not in gone]


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


def longest(notes: Iterable[Note]) -> Fraction:
    """The longest length of ``notes`` (0 when none has one): how far before a beat a hold reaching it can start."""
    return max((n.length for n in notes if n.length), default=Fraction(0))


def make_room(notes: list[Note], new: Iterable[Note], leaving: Iterable[Note],
              gap: Fraction, longest_hold: Fraction | None = None) -> tuple[list[Note], list[Note]]:
    """What an edit writing ``new`` into ``notes`` (and removing ``leaving``) must change around it so that no cell
    holds two notes and no note lies inside a hold of its lane (Verify's note-in-hold and holds checks): the new
    notes win. Returns ``(removed, cut)``:

    * notes on the cell of a new note (:func:`landed_on`) and notes whose head a new hold or roll covers (after
      its head, up to and with its end) are removed;
    * a hold or roll whose body covers a new note's head is cut to end ``gap`` (one snap step) before the first
      such head, as drawn holds stop, or becomes a tap of its head when that leaves no room: it is in ``removed``
      and its cut version in ``cut``. The hold a head can land in is the last of its lane starting before it.

    Only the stretch of ``notes`` from ``longest_hold`` beats before the first new head to the end of the last
    new note is read (no hold starting earlier reaches a new head), so the cost follows the edit, not the chart.
    ``longest_hold`` is at least the longest length in ``notes`` (:func:`longest`, what is read when it is not
    given; a drag reads it once).
    """
    new = list(new)
    gone = NoteSet(leaving)
    removed = _landed_on(notes, new, gone)
    if not new:
        return removed, []
    gone.update(removed)
    beats = [n.beat for n in new]
    first_head, last_head = least(beats), greatest(beats)
    reach = longest(notes) if longest_hold is None else longest_hold
    holds = [h for h in new if h.length and h.kind.has_length]
    ends = [h.end_beat + _TINY for h in holds]
    stretch = _Stretch(notes, first_head - reach, max(last_head, greatest(ends)) if ends else last_head)
    for h, end in zip(holds, ends):  # notes inside a new hold
        covered = [n for n in stretch.in_range(h.beat + _TINY, end) if n.lane == h.lane and n not in gone]
        removed.extend(covered)
        gone.update(covered)
    first = _holds_landed_in(stretch.in_range(first_head - reach, last_head), new, beats, gone)
    cut = []
    for hold, beat in first.items():
        length = beat - gap - hold.beat
        removed.append(hold)
        cut.append(hold.replace(length=length) if length > 0 else hold.replace(kind=NoteKind.TAP, length=Fraction(0)))
    return removed, cut


class _Stretch:
    """The notes of a sorted list whose heads lie in ``[beat0, beat1)``, with their beats as floats: ``in_range``
    as :func:`in_range` within it, bisecting the floats at C speed and comparing exact beats only where a float
    meets the bound's."""

    def __init__(self, notes: list[Note], beat0: Fraction, beat1: Fraction):
        self.notes = in_range(notes, beat0, beat1)
        self.approx = approx_all([n.beat for n in self.notes])

    def _left(self, beat: Fraction) -> int:
        """``bisect_left`` by beat: the first note whose head is not before ``beat``."""
        (approx,) = approx_all([beat])
        i = bisect_left(self.approx, approx)
        j = bisect_right(self.approx, approx, lo=i)
        while i < j and self.notes[i].beat < beat:  # the floats meet: the exact beats decide
            i += 1
        return i

    def in_range(self, beat0: Fraction, beat1: Fraction) -> list[Note]:
        return self.notes[self._left(beat0):self._left(beat1)]


def _holds_landed_in(stretch: list[Note], new: list[Note], beats: list[Fraction],
                     gone: NoteSet) -> dict[Note, Fraction]:
    """hold -> the first new head inside it, in the order the new notes first land in them: for each new note,
    the last hold or roll of its lane (not ``gone``) that starts before it, when its body covers the head.
    ``stretch`` holds every note from the longest hold's length before the first new head to the last one;
    ``beats`` are the new notes' beats.

    One sweep, the new notes taken by beat with a pointer per lane, instead of a bisection per note."""
    lanes_in_use = {n.lane for n in new}
    lanes: dict[int, list[Note]] = {}
    for n in stretch:  # the holds left, per lane, in beat order
        if n.length and n.lane in lanes_in_use and n.kind.has_length and n not in gone:
            lanes.setdefault(n.lane, []).append(n)
    if not lanes:
        return {}
    ends = {lane: [h.end_beat for h in holds] for lane, holds in lanes.items()}
    at = dict.fromkeys(lanes, 0)
    found: dict[Note, tuple[Fraction, int]] = {}  # hold -> (first head inside, index of the first new note in it)
    for i in by_approx(list(range(len(new))), approx_all(beats), key=beats.__getitem__):  # by beat, then index
        n = new[i]
        holds = lanes.get(n.lane)
        if holds is None:
            continue
        k = at[n.lane]
        while k < len(holds) and holds[k].beat < n.beat:
            k += 1
        at[n.lane] = k
        if k and n.beat <= ends[n.lane][k - 1]:
            hold = holds[k - 1]
            beat, index = found.get(hold, (n.beat, i))
            found[hold] = (min(beat, n.beat), min(index, i))
    return {hold: beat for hold, (beat, _i) in sorted(found.items(), key=lambda item: item[1][1])}


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


def missing(notes: list[Note], candidates: list[Note]) -> list[Note]:
    """Those of ``candidates`` (any order) that ``notes`` does not hold, by value (as ``not contains`` each): a
    bisection each when they are few next to the stretch of the chart they span, else one pass over that stretch
    (:class:`chart.note_keys.NoteSet`: identity first, the chart's own objects need no key)."""
    if not candidates:
        return []
    beats = [n.beat for n in candidates]
    stretch = heads_between(notes, least(beats), greatest(beats))
    if len(stretch) > len(candidates) * len(notes).bit_length():
        return [n for n in candidates if not contains(notes, n)]
    present = NoteSet(stretch)
    return [n for n in candidates if n not in present]


def insert(notes: list[Note], new: list[Note]) -> None:
    """Insert ``new`` into ``notes`` in place, keeping the order (a new note goes after the equal ones there)."""
    if len(new) > BULK:
        # Merge only the stretch of the chart the new notes fall into (edits are local; the chart is long).
        new = in_order(new)
        lo = bisect_left(notes, new[0])
        hi = bisect_right(notes, new[-1], lo=lo)
        notes[lo:hi] = in_order(notes[lo:hi] + new)  # two sorted runs: Timsort merges them linearly
    else:
        for n in new:
            insort(notes, n)


def delete(notes: list[Note], gone: list[Note], where: str) -> None:
    """Delete ``gone`` (by value, one occurrence each) from ``notes`` in place; all-or-nothing: KeyError naming
    the chart ``where`` when one is missing, before anything changes."""
    if len(gone) > BULK:
        first, last = first_and_last(gone)
        lo = bisect_left(notes, first)
        hi = bisect_right(notes, last, lo=lo)
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

    One pass matching by identity (an edit removes the chart's own Note objects, which the Document keeps), then,
    for what that left, one by value (:func:`chart.note_keys.value_key`): no Fraction is compared or hashed.
    """
    want = Counter(map(id, gone))
    kept: list[Note] = []
    for n in notes:
        count = want.get(id(n))
        if count:
            want[id(n)] = count - 1
        else:
            kept.append(n)
    left: list[Note] = []  # what identity did not find: equal notes that are other objects, or missing ones
    for n in gone:
        if want[id(n)] > 0:
            want[id(n)] -= 1
            left.append(n)
    if not left:
        return kept
    wanted = Counter(map(value_key, left))
    rest: list[Note] = []
    for n in kept:
        key = value_key(n)
        if wanted.get(key):
            wanted[key] -= 1
        else:
            rest.append(n)
    if any(count > 0 for count in wanted.values()):
        missing = next(n for n in gone if wanted.get(value_key(n), 0) > 0)
        raise KeyError(f"note {describe(missing)} is not in chart {where}")
    return rest


def describe(note: Note) -> str:
    """``tap at beat 3/2 lane 0`` (``length L`` for holds): how error messages name a note."""
    length = f" length {note.length}" if note.length else ""
    return f"{note.kind.value} at beat {note.beat} lane {note.lane}{length}"

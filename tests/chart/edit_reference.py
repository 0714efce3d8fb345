"""The note-list mechanics of edits as they were before they were made to follow the edit rather than the chart
(``chart/sorted_notes.py``, ``chart/commands.py``, the session's selection pruning): the slow, exact reference
the equivalence tests compare with (``test_edit_fast_paths.py``), and random charts to compare them on.

Each function is the old code, trimmed to what decides the result: Note comparisons and hashes of Fractions, a
pass over the whole chart for the holds a moved note can land in.
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right, insort
from collections import Counter
from fractions import Fraction

from chart.notes import Note, NoteKind, sort_notes

BULK = 32
KINDS = list(NoteKind)
# grids a chart uses, odd ones (a JSON beat from milliseconds), and huge denominators whose floats meet
DENOMINATORS = (1, 2, 3, 4, 4, 4, 8, 8, 12, 16, 24, 48, 192, 7, 1000, 20000, 2 ** 61 - 1)


def _beat(note: Note) -> Fraction:
    return note.beat


def in_range(notes, beat0, beat1):
    return notes[bisect_left(notes, beat0, key=_beat):bisect_left(notes, beat1, key=_beat)]


def landed_on(notes, new, leaving):
    cells = {(n.beat, n.lane) for n in new}
    if not cells:
        return []
    gone = set(leaving)
    beats = [beat for beat, _lane in cells]
    return [n for n in in_range(notes, min(beats), max(beats) + Fraction(1, 1 << 20))
            if (n.beat, n.lane) in cells and n not in gone]


def make_room(notes, new, leaving, gap):
    new = list(new)
    gone = set(leaving)
    removed = landed_on(notes, new, gone)
    gone.update(removed)
    tiny = Fraction(1, 1 << 20)
    for h in new:
        if h.kind.has_length and h.length > 0:
            covered = [n for n in in_range(notes, h.beat + tiny, h.end_beat + tiny) if n.lane == h.lane and n not in gone]
            removed.extend(covered)
            gone.update(covered)
    lanes: dict[int, list[Note]] = {}
    for n in notes:
        if n.kind.has_length and n.length > 0 and n not in gone:
            lanes.setdefault(n.lane, []).append(n)
    first: dict[Note, Fraction] = {}
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


def insert(notes, new):
    if len(new) > BULK:
        new = sorted(new)
        lo = bisect_left(notes, new[0])
        hi = bisect_right(notes, new[-1], lo=lo)
        notes[lo:hi] = sorted(notes[lo:hi] + new)
    else:
        for n in new:
            insort(notes, n)


def delete(notes, gone, where):
    if len(gone) > BULK:
        lo = bisect_left(notes, min(gone))
        hi = bisect_right(notes, max(gone), lo=lo)
        want = Counter(gone)
        kept = []
        for n in notes[lo:hi]:
            if want.get(n, 0) > 0:
                want[n] -= 1
            else:
                kept.append(n)
        missing = [n for n, count in want.items() if count > 0]
        if missing:
            raise KeyError(f"note {describe(missing[0])} is not in chart {where}")
        notes[lo:hi] = kept
        return
    indices: list[int] = []
    for value, count in Counter(gone).items():
        i = bisect_left(notes, value)
        if bisect_right(notes, value, lo=i) - i < count:
            raise KeyError(f"note {describe(value)} is not in chart {where}")
        indices.extend(range(i, i + count))
    for k in sorted(indices, reverse=True):
        del notes[k]


def describe(note):
    length = f" length {note.length}" if note.length else ""
    return f"{note.kind.value} at beat {note.beat} lane {note.lane}{length}"


def move(base, notes, beat_delta, lane_delta, gap):
    """What ``move_onto`` made: (old, new, moving, moved, replaced, cut), each sorted."""
    old = list(notes)
    moving = tuple(sort_notes(old))
    moved = tuple(sort_notes(n.replace(beat=n.beat + beat_delta, lane=n.lane + lane_delta) for n in old))
    replaced, cut = (), ()
    if moved:
        removed, cut_ = make_room(base, moved, moving, gap)
        if removed:
            replaced, cut = tuple(sort_notes(removed)), tuple(sort_notes(cut_))
    return (tuple(sort_notes([*old, *replaced])), tuple(sort_notes([*moved, *cut])), moving, moved, replaced, cut)


def merged(first, second):
    """MoveNotes.merge_with: the (old, new, replaced, cut) of ``first`` then ``second`` as one step."""
    old, new, _moving, _moved, replaced, cut = first
    o_old, o_new, _m, _d, o_replaced, o_cut = second
    mine, theirs = set(new), set(o_old)
    return (tuple(sort_notes((*old, *(n for n in o_old if n not in mine)))),
            tuple(sort_notes((*(n for n in new if n not in theirs), *o_new))),
            tuple(sort_notes((*replaced, *(n for n in o_replaced if n not in mine)))),
            tuple(sort_notes((*(n for n in cut if n not in theirs), *o_cut))))


def pruned(selection, chart_notes):
    """The session's selection after a change: the selected notes the chart still holds."""
    def contains(note):
        i = bisect_left(chart_notes, note)
        return i < len(chart_notes) and chart_notes[i] == note
    return {n for n in selection if contains(n)}


# ---------------------------------------------------------------------------------------------- random charts
def random_beat(rng: random.Random, span: int = 48) -> Fraction:
    beat = Fraction(rng.randrange(span * 4), 4) + Fraction(rng.randrange(12), rng.choice(DENOMINATORS))
    if rng.random() < 0.05:  # a beat whose float meets a neighbour's: the exact beat must decide
        beat += Fraction(rng.choice((1, -1)), 2 ** 80)
    return beat


def random_note(rng: random.Random, span: int = 48, lanes: int = 4) -> Note:
    kind = rng.choice(KINDS)
    length = Fraction(rng.randrange(1, 33), rng.choice((4, 8, 3))) if kind.has_length else Fraction(0)
    if kind.has_length and rng.random() < 0.1:
        length = Fraction(0)  # a hold of no length, as a lenient read may leave one
    return Note(random_beat(rng, span), rng.randrange(lanes), kind, length)


def random_notes(rng: random.Random, count: int, span: int = 48, lanes: int = 4) -> list[Note]:
    """Sorted notes with what files opened as they were may hold: two notes on one cell, notes inside holds,
    holds inside holds, and equal notes that are other objects."""
    notes = [random_note(rng, span, lanes) for _ in range(count)]
    for _ in range(count // 10):
        twin = rng.choice(notes)
        notes.append(Note(Fraction(twin.beat.numerator, twin.beat.denominator), twin.lane, twin.kind,
                          Fraction(twin.length.numerator, twin.length.denominator)))
    return sort_notes(notes)


def copy_of(note: Note) -> Note:
    """An equal note that is another object (with other Fraction objects)."""
    return Note(Fraction(note.beat.numerator, note.beat.denominator), note.lane, note.kind,
                Fraction(note.length.numerator, note.length.denominator))

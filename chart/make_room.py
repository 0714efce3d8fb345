"""Making room for edits of many notes at the cost of the edit: settling a pasted passage among its own notes in
one pass, and :func:`chart.sorted_notes.make_room` reading only the notes an edit leaves where it writes.

Both give exactly what the note-by-note versions give; they exist because those cost the square of the passage
(pasting 2,000 notes took 3.7 s) or a pass over every note of a whole-chart edit that could meet nothing (Select All
then Mirror of 20k notes: no note stays, so nothing can be replaced or cut).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

from chart import sorted_notes
from chart.note_keys import greatest, in_order, least
from chart.notes import Note, NoteKind

_TINY = Fraction(1, 1 << 20)  # as chart.sorted_notes reads a hold's end: the end itself is inside


def settle(notes: Iterable[Note], gap: Fraction) -> list[Note]:
    """``notes`` with no two on one cell and none inside a hold of its lane, in Note order: what adding them one by
    one in Note order with :func:`chart.sorted_notes.room_made` leaves (the later note wins: a note on a kept
    note's cell replaces it, a hold it lands in ends ``gap`` before it, or becomes a tap of its head when that
    leaves no room).

    One pass instead of settling the kept notes again for each note: taken in Note order, a note can meet only
    the notes of its own row (its cell) and the last hold of its lane that starts before it (a settled lane holds
    no note inside a hold, so an earlier hold ends before that one starts); nothing later has been kept yet.
    """
    kept: list[Note | None] = []
    row_beat: Fraction | None = None
    row: dict[int, int] = {}  # lane -> index in ``kept`` of the note on that cell of the current row
    last_hold: dict[int, int] = {}  # lane -> index in ``kept`` of the lane's last hold or roll
    for note in in_order(notes):
        if note.beat != row_beat:
            row_beat, row = note.beat, {}
        lane = note.lane
        on_cell = row.get(lane)
        if on_cell is not None:  # the later note of a cell wins (its earlier holds were cut when it came)
            kept[on_cell] = None
        elif (h := last_hold.get(lane)) is not None and (hold := kept[h]) is not None \
                and hold.beat < note.beat <= hold.beat + hold.length:
            length = note.beat - gap - hold.beat
            kept[h] = (hold.replace(length=length) if length > 0
                       else hold.replace(kind=NoteKind.TAP, length=Fraction(0)))
            del last_hold[lane]  # it ends before this note now: nothing later lands in it
        row[lane] = len(kept)
        if note.length and note.kind.has_length:
            last_hold[lane] = len(kept)
        kept.append(note)
    return [n for n in kept if n is not None]


def make_room_leaving(notes: list[Note], new: Sequence[Note], leaving: Iterable[Note], gap: Fraction,
                      longest_hold: Fraction | None = None) -> tuple[list[Note], list[Note]]:
    """:func:`chart.sorted_notes.make_room` ``(notes, new, leaving, gap, longest_hold)``, the same lists, reading
    only the notes of the stretch it reads that are not ``leaving`` (by identity: the edit names the chart's own
    Note objects). An edit that rewrites a whole passage (Mirror, Turn, Shift or Expand of everything selected)
    leaves nothing there, and costs nothing more; make_room matched each new note against the passage's notes that
    were leaving anyway.

    Every note left out is one make_room skips (``leaving`` is gone to it), and the notes read keep their order,
    so the result is make_room's."""
    leaving = list(leaving)
    if not new:
        return sorted_notes.make_room(notes, new, leaving, gap, longest_hold)
    reach = sorted_notes.longest(notes) if longest_hold is None else longest_hold
    heads = [n.beat for n in new]
    ends = [n.beat + n.length for n in new if n.length and n.kind.has_length]
    last = max(greatest(heads), greatest(ends)) if ends else greatest(heads)
    gone = {id(n) for n in leaving}
    staying = [n for n in sorted_notes.in_range(notes, least(heads) - reach, last + _TINY) if id(n) not in gone]
    if not staying:  # nothing to land on or to cut
        return [], []
    return sorted_notes.make_room(staying, new, leaving, gap, reach)


def landed_on_leaving(notes: list[Note], new: Sequence[Note], leaving: Iterable[Note]) -> list[Note]:
    """:func:`chart.sorted_notes.landed_on` ``(notes, new, leaving)``, reading only the notes on the beats of
    ``new`` that are not ``leaving`` (by identity), as :func:`make_room_leaving` does."""
    if not new:
        return []
    leaving = list(leaving)
    heads = [n.beat for n in new]
    gone = {id(n) for n in leaving}
    staying = [n for n in sorted_notes.in_range(notes, least(heads), greatest(heads) + _TINY) if id(n) not in gone]
    return sorted_notes.landed_on(staying, new, leaving) if staying else []

"""Paste without replacing (ArrowVortex 2024's non-destructive paste): the chart's notes win over the pasted ones.

A plain paste replaces what the pasted span holds in its lanes (:func:`chart.sorted_notes.make_room`: the new
notes win). Here the notes already there stay, and the rule every edit keeps — no two notes on one cell, no note
inside a hold of its lane — is kept the other way round:

* a pasted note on the cell (beat and lane) of a chart note, or inside a chart hold or roll of its lane (after
  its head, up to and with its end, as a click there selects the hold rather than placing), is skipped;
* a pasted hold or roll whose body would cover a chart note's head ends one snap step (``gap``) before the first
  such head, as a drawn hold stops; with no room left for that it is pasted as a tap of its head, as
  ``make_room`` cuts a hold.

The pasted notes are settled among themselves first (the caller's job, as for a plain paste): skipping some of
them or shortening a hold cannot put two of the rest on one cell or one inside another's hold.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from chart.notes import Note, NoteKind, sort_notes


@dataclass
class PasteFit:
    """What :func:`fit_pasted` keeps of a paste: the notes to add (shortened holds in their new length), the
    pasted notes skipped, and how many holds were shortened (or became taps)."""

    placed: list[Note] = field(default_factory=list)
    skipped: list[Note] = field(default_factory=list)
    shortened: int = 0


class _Lane:
    """One lane of the chart notes near the paste: head beats, and holds by head with the furthest end so far."""

    def __init__(self, notes: list[Note]):
        self.heads = [n.beat for n in notes]
        holds = [n for n in notes if n.kind.has_length and n.length > 0]
        self.hold_heads = [h.beat for h in holds]
        self.reach: list[Fraction] = []  # the furthest end of the holds up to each one (a chart opened as it was
        for h in holds:  # may hold overlapping holds: the last one before a beat need not reach furthest)
            self.reach.append(max(h.end_beat, self.reach[-1]) if self.reach else h.end_beat)

    def taken(self, beat: Fraction) -> bool:
        """Whether a note heads at ``beat``, or a hold's body covers it."""
        i = bisect_left(self.heads, beat)
        if i < len(self.heads) and self.heads[i] == beat:
            return True
        k = bisect_left(self.hold_heads, beat)  # holds that start before ``beat``
        return k > 0 and self.reach[k - 1] >= beat

    def next_head(self, beat: Fraction) -> Fraction | None:
        """The first head after ``beat``, or None."""
        i = bisect_right(self.heads, beat)
        return self.heads[i] if i < len(self.heads) else None


def fit_pasted(existing: Iterable[Note], pasted: Iterable[Note], gap: Fraction) -> PasteFit:
    """Fit ``pasted`` (settled among themselves) around ``existing``, the chart's notes from the longest hold's
    length before the first pasted head to the last pasted end (any order; more is fine). ``gap`` is one snap
    step: how far before a chart note a shortened hold ends."""
    by_lane: dict[int, list[Note]] = {}
    for n in sort_notes(existing):
        by_lane.setdefault(n.lane, []).append(n)
    lanes = {lane: _Lane(notes) for lane, notes in by_lane.items()}
    fit = PasteFit()
    for note in sort_notes(pasted):
        lane = lanes.get(note.lane)
        if lane is None:
            fit.placed.append(note)
            continue
        if lane.taken(note.beat):
            fit.skipped.append(note)
            continue
        if note.kind.has_length:
            head = lane.next_head(note.beat)
            if head is not None and head <= note.end_beat:
                length = head - gap - note.beat
                note = note.replace(length=length) if length > 0 else note.replace(kind=NoteKind.TAP,
                                                                                   length=Fraction(0))
                fit.shortened += 1
        fit.placed.append(note)
    return fit

"""Drafted holds an Accept cut short, grown back when a later Accept of the same draft takes away what cut them.

A ghost hold is drawn as the whole draft has it, and Accept all writes it so. Accepting a draft passage by passage
(a measure at a time, in order) met a designer's note just past the passage, in the hold's lane: outside its
region the chart's notes win (:class:`chart.commands.ReplaceRegion`), so the hold was written cut short, and it
stayed short after the next passage's Accept replaced that note by the draft's. A designer who accepts every
passage in order now gets what the ghosts showed: the store remembers each drafted hold an Accept cut (the hold
as written and as drafted, :func:`cut_holds`), and an Accept whose passage the drafted hold reaches grows it back
as far as the chart now lets it (:func:`grown_back`), in the same undo step. A passage rejected instead keeps the
designer's note, and the hold stays cut before it: the chart never holds a note inside a hold.

The ghosts are not drawn cut: where a hold ends depends on which passages the designer accepts, and the whole
draft (Accept all, or every passage) writes it as drawn.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from chart.commands import ReplaceNotes, ReplaceRegion, in_place
from chart.document import Document
from chart.notes import Note
from chart.song import Chart
from chart.sorted_notes import contains, room_made

#: (head beat, lane) of a drafted hold -> (the hold as the chart holds it now, the hold as drafted)
CutHolds = dict[tuple[Fraction, int], tuple[Note, Note]]


def cut_holds(commands: Iterable[ReplaceRegion]) -> CutHolds:
    """The drafted holds the (done) ``commands`` wrote shorter than drafted (or as a tap): cut at a chart note
    past their region."""
    out: CutHolds = {}
    for command in commands:
        written = {(n.beat, n.lane): n for n in command.new}
        for drafted in command.drafted:
            now = written.get((drafted.beat, drafted.lane))
            if drafted.length and now is not None and now.length < drafted.length:
                out[(drafted.beat, drafted.lane)] = (now, drafted)
    return out


def grown_back(doc: Document, chart: Chart, held: CutHolds, pieces: list[tuple[Fraction, Fraction]],
               gap: Fraction) -> ReplaceNotes | None:
    """After the ``pieces`` of a draft were accepted: the step that grows each hold of ``held`` whose drafted
    length reaches into them back towards that length, cut only where the chart still has a note in its way (``gap``
    before it, as :class:`~chart.commands.ReplaceRegion` cuts); None when none grows. ``held`` is updated: a hold
    grown to its drafted length, or no longer in the chart as written (edited, re-accepted), is forgotten."""
    old: list[Note] = []
    new: list[Note] = []
    for cell, (written, drafted) in list(held.items()):
        if not any(s <= drafted.end_beat and drafted.beat < e for s, e in pieces):
            continue
        if not contains(chart.notes, written):
            del held[cell]
            continue
        after = [n for n in doc.notes_in_range(chart, drafted.beat, drafted.end_beat + gap) if n.beat > drafted.beat]
        grown = room_made([drafted], after, gap)
        if len(grown) != 1 or grown[0].length <= written.length:
            continue
        old.append(written)
        new.append(grown[0])
        if grown[0] == drafted:
            del held[cell]
        else:
            held[cell] = (grown[0], drafted)
    if not old:
        return None
    return ReplaceNotes(chart, old, new, name="Accept AI draft", follow=in_place(new))


def carried(held: CutHolds, b0: Fraction, b1: Fraction, passage: list[Note], gap: Fraction) -> CutHolds:
    """The cut holds of an older draft kept beside a newer one that drafts ``[b0, b1)`` with the notes
    ``passage`` (:meth:`~editor.controllers.ghosts.GhostStore.put`): a hold whose head the new draft covers is
    forgotten (the new draft proposes that cell), and one whose drafted length reaches into the new passage is
    grown back only as far as the ghosts now show it (cut ``gap`` before a new note of its lane, as the old ghosts
    beside the new draft are); one no longer longer than as written is forgotten."""
    out: CutHolds = {}
    for cell, (written, drafted) in held.items():
        if b0 <= drafted.beat < b1:
            continue
        target = room_made([drafted], passage, gap)
        if len(target) == 1 and target[0].beat == drafted.beat and target[0].length > written.length:
            out[cell] = (written, target[0])
    return out

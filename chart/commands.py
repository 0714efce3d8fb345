"""Undoable edits on a :class:`~chart.document.Document` (see :mod:`chart.history` for the protocol).

Notes are addressed by value (a ``Note`` is a frozen value), charts by object or by chart id. Every ``do``
validates before it changes anything, so a failed edit leaves the document untouched and is not recorded.

An AI draft is one :class:`ReplaceRegion`: it swaps the notes of one chart in ``[beat0, beat1)`` for the draft
and carries ``provenance``, the record of what made it (the drafter's
:meth:`inference.draft_types.Provenance.as_dict`, kept as given).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

from chart import sorted_notes
from chart.chart_commands import AddChart as AddChart  # re-exported: their home before the module grew
from chart.chart_commands import CommandBase as _Base
from chart.chart_commands import RemoveChart as RemoveChart
from chart.document import CHART_FIELDS, SONG_FIELDS, ChartRef, Document
from chart.extra_patch import Extra, patch_extra
from chart.formats.osu_hitsounds import carries_sounds, follow_edit
from chart.history import Command
from chart.make_room import make_room_leaving
from chart.note_keys import NoteSet, in_order
from chart.notes import Note, as_fraction, sort_notes
from chart.song import Chart
from chart.timing import TimingData


class ReplaceNotes(_Base):
    """Swap some notes of a chart for others in one step (the base of most note edits). An osu! chart's kept
    hitsounds (keyed by beat and lane) go with their notes in the same step: ``follow`` maps a replaced note's
    (beat, lane) to its new one (a move, a transform, a kind change); the sound of a replaced note it does not map
    is kept as lost, never handed to the note now on its cell (:func:`chart.formats.osu_hitsounds.follow_edit`)."""

    follow: dict[tuple[Fraction, int], tuple[Fraction, int]] | None = None
    _extra: list[tuple[str, str]] | None = None  # the chart's extra before this step's sounds, and after
    _extra_after: Sequence[tuple[str, str]] = ()

    def __init__(self, chart: ChartRef, old: Iterable[Note], new: Iterable[Note], name: str = "Edit notes",
                 follow: dict[tuple[Fraction, int], tuple[Fraction, int]] | None = None):
        self.chart = chart
        self.old = tuple(in_order(old))
        self.new = tuple(in_order(new))
        self.name = name
        self.follow = follow

    def do(self, doc: Document) -> None:
        chart = self._chart(doc, self.chart)
        before = chart.extra
        self._swap(doc, self.old, self.new)
        if not carries_sounds(before):  # the common case: no osu! sounds to carry
            return
        extra = follow_edit(before, self.old, self.new, self._follow_map())
        if extra is not before:
            doc.set_chart_fields(chart, extra=extra)
            self._extra, self._extra_after = before, extra

    def _follow_map(self) -> dict[tuple[Fraction, int], tuple[Fraction, int]]:
        """``follow``, worked out only for a chart that carries sounds (a big drag pays nothing for it)."""
        return self.follow or {}

    def undo(self, doc: Document) -> None:
        self._swap(doc, self.new, self.old)
        if self._extra is not None:  # its sounds' line only (a chart's #MUSIC relinked since by Save As stays)
            chart = self._chart(doc, self.chart)
            doc.set_chart_fields(chart, extra=patch_extra(chart.extra, self._extra_after, self._extra))
            self._extra = None

    def _swap(self, doc: Document, remove: tuple[Note, ...], add: tuple[Note, ...]) -> None:
        chart = self._chart(doc, self.chart)
        for n in add:  # check lanes before deleting so that a bad edit changes nothing
            if not 0 <= n.lane < chart.lanes:
                raise ValueError(f"lane {n.lane} is outside the chart's {chart.lanes} lanes")
        doc.delete_notes(chart, remove)
        doc.insert_notes(chart, add)

    def _chains(self, other: Command) -> bool:
        """Whether ``other`` edits exactly the notes this command produced, in the same chart."""
        return (
            isinstance(other, type(self))
            and getattr(other, "_pinned", None) is getattr(self, "_pinned", None)
            and other.old == self.new
        )


def in_place(notes: Iterable[Note]) -> dict[tuple[Fraction, int], tuple[Fraction, int]]:
    """The ``follow`` of an edit that keeps ``notes`` on their cells (a kind or hold-length change, a hold cut)."""
    return {(n.beat, n.lane): (n.beat, n.lane) for n in notes}


def kept_cells(old: Iterable[Note], new: Iterable[Note]) -> dict[tuple[Fraction, int], tuple[Fraction, int]]:
    """The ``follow`` of an edit that gives back whole notes without saying which became which (a plugin's
    result): a cell in both ``old`` and ``new`` keeps its note (and its osu! sound), and a row where exactly one old
    note left its cell and exactly one new note came to another cell of that beat is that note moved to its new
    lane (as Mirror's own note moves). Any other note that left is taken as deleted (its sound kept as lost)."""
    old_cells = {(n.beat, n.lane) for n in old}
    new_cells = {(n.beat, n.lane) for n in new}
    follow = {cell: cell for cell in old_cells & new_cells}
    gone: dict[Fraction, list[tuple[Fraction, int]]] = {}
    came: dict[Fraction, list[tuple[Fraction, int]]] = {}
    for cell in old_cells - new_cells:
        gone.setdefault(cell[0], []).append(cell)
    for cell in new_cells - old_cells:
        came.setdefault(cell[0], []).append(cell)
    for beat, cells in gone.items():
        if len(cells) == 1 and len(came.get(beat, ())) == 1:
            follow[cells[0]] = came[beat][0]
    return follow


class ReplaceGivenNotes(ReplaceNotes):
    """Notes replaced by whole notes given back without saying which became which (a plugin's result): the osu!
    sounds follow :func:`kept_cells`, worked out only when the chart carries sounds."""

    def _follow_map(self) -> dict[tuple[Fraction, int], tuple[Fraction, int]]:
        return kept_cells(self.old, self.new)


class AddNotes(ReplaceNotes):
    def __init__(self, chart: ChartRef, notes: Iterable[Note], name: str = "Add notes"):
        super().__init__(chart, (), notes, name)


class RemoveNotes(ReplaceNotes):
    def __init__(self, chart: ChartRef, notes: Iterable[Note], name: str = "Remove notes"):
        super().__init__(chart, notes, (), name)


class MoveNotes(ReplaceNotes):
    """Shift notes by ``beat_delta`` beats and ``lane_delta`` lanes, removing the ``replaced`` notes they land on
    and adding ``cut`` (holds they land in, shortened; :func:`move_onto` finds both). Successive nudges of the
    same notes merge."""

    def __init__(self, chart: ChartRef, notes: Iterable[Note], beat_delta: Fraction | int | str = 0,
                 lane_delta: int = 0, name: str = "Move notes", replaced: Iterable[Note] = (),
                 cut: Iterable[Note] = ()):
        self.beat_delta = as_fraction(beat_delta)
        self.lane_delta = int(lane_delta)
        old = list(notes)
        if any(n.lane + self.lane_delta < 0 for n in old):
            raise ValueError("cannot move notes left of the first lane")
        self.moving = tuple(in_order(old))
        delta, lanes = self.beat_delta, self.lane_delta
        # one beat delta and one lane delta for all keep Note order: ``moved`` is sorted as ``moving`` is
        self.moved = tuple(Note(n.beat + delta, n.lane + lanes, n.kind, n.length) for n in self.moving)
        super().__init__(chart, (), (), name)
        self.landing(replaced, cut)

    def landing(self, replaced: Iterable[Note], cut: Iterable[Note]) -> None:
        """Set what the move replaces and the holds it cuts (:func:`move_onto`), keeping the moved notes."""
        self.replaced = tuple(in_order(replaced))
        self.cut = tuple(in_order(cut))
        self.old = tuple(in_order((*self.moving, *self.replaced))) if self.replaced else self.moving
        self.new = tuple(in_order((*self.moved, *self.cut))) if self.cut else self.moved

    def _follow_map(self) -> dict[tuple[Fraction, int], tuple[Fraction, int]]:
        return {**in_place(self.cut),
                **{(a.beat, a.lane): (b.beat, b.lane) for a, b in zip(self.moving, self.moved, strict=True)}}

    def merge_with(self, other: Command) -> bool:
        if not (isinstance(other, MoveNotes) and getattr(other, "_pinned", None) is getattr(self, "_pinned", None)
                and other.moving == self.moved):
            return False
        # this step then the other as one: undo gives back what each nudge landed on, and a hold one nudge cut
        # and the next cut again comes back whole
        mine, theirs = NoteSet(self.new), NoteSet(other.old)
        self.old = tuple(in_order((*self.old, *(n for n in other.old if n not in mine))))
        self.new = tuple(in_order((*(n for n in self.new if n not in theirs), *other.new)))
        self.replaced = tuple(in_order((*self.replaced, *(n for n in other.replaced if n not in mine))))
        self.cut = tuple(in_order((*(n for n in self.cut if n not in theirs), *other.cut)))
        self.moved = other.moved
        self.beat_delta += other.beat_delta
        self.lane_delta += other.lane_delta
        if other._extra is not None:
            self._extra = other._extra if self._extra is None else self._extra
            self._extra_after = other._extra_after
        return True


def move_onto(chart: ChartRef, base: list[Note], notes: Iterable[Note], beat_delta: Fraction | int | str = 0,
              lane_delta: int = 0, name: str = "Move notes", gap: Fraction = Fraction(1, 4),
              longest: Fraction | None = None) -> MoveNotes:
    """Move ``notes`` as :class:`MoveNotes` does, making room as :func:`chart.sorted_notes.make_room` does in
    ``base`` (the chart's sorted notes as they were before the move): a note the move lands on, or covers with a
    moved hold, is replaced, and a hold the move lands in ends ``gap`` before it. Two notes on one cell cannot be
    saved to .sm/.ssc, and a note inside a hold cannot be played.

    ``longest`` (at least the longest hold of ``base``, :func:`chart.sorted_notes.longest`) lets a drag, which
    moves the same notes over the same base at every mouse move, read it once: make_room then reads only the
    stretch of ``base`` around the moved notes."""
    move = MoveNotes(chart, notes, beat_delta, lane_delta, name=name)
    if not move.moved:
        return move
    removed, cut = make_room_leaving(base, move.moved, move.moving, gap, longest)
    if removed:
        move.landing(removed, cut)
    return move


class SetHoldLength(ReplaceNotes):
    """Give a hold or roll a new length (> 0 beats). Successive changes to the same hold merge."""

    def __init__(self, chart: ChartRef, note: Note, length: Fraction | int | str,
                 name: str = "Change hold length"):
        length = as_fraction(length)
        if not note.kind.has_length:
            raise ValueError(f"a {note.kind.value} has no length")
        if length <= 0:
            raise ValueError("a hold or roll needs a length > 0 beats")
        super().__init__(chart, [note], [note.replace(length=length)], name, follow=in_place([note]))

    def merge_with(self, other: Command) -> bool:
        if not self._chains(other):
            return False
        assert isinstance(other, SetHoldLength)
        self.new = other.new
        return True


class ReplaceRegion(ReplaceNotes):
    """Replace every note of one chart whose head is in ``[beat0, beat1)`` with ``notes`` (an AI draft).

    The notes removed are read when the command is done, so the command fits whatever the region holds then, and
    room is made around it as every edit does (:func:`chart.sorted_notes.make_room`): a hold from before the
    region that reaches a drafted note ends ``gap`` before it, and a drafted hold that reaches past the region
    onto a note of the chart ends ``gap`` before that note (outside the region the chart's notes win).
    """

    def __init__(self, chart: ChartRef, beat0: Fraction | int | str, beat1: Fraction | int | str,
                 notes: Iterable[Note], provenance: dict | None = None, name: str = "AI draft",
                 gap: Fraction = Fraction(1, 4)):
        self.beat0, self.beat1 = as_fraction(beat0), as_fraction(beat1)
        if self.beat1 <= self.beat0:
            raise ValueError(f"empty region [{self.beat0}, {self.beat1})")
        new = list(notes)
        outside = [n for n in new if not self.beat0 <= n.beat < self.beat1]
        if outside:
            raise ValueError(f"{len(outside)} drafted note(s) lie outside the region, "
                             f"first at beat {outside[0].beat}")
        super().__init__(chart, (), new, name)
        self.drafted, self.gap = self.new, gap
        self.provenance = dict(provenance) if provenance is not None else None

    def do(self, doc: Document) -> None:
        chart = self._chart(doc, self.chart)
        inside = list(doc.notes_in_range(chart, self.beat0, self.beat1))
        drafted = list(self.drafted)
        reach = max((n.end_beat for n in drafted), default=self.beat1)
        after = [n for n in doc.notes_overlapping(chart, self.beat1, reach + self.gap) if n.beat >= self.beat1]
        if after:  # the chart's notes past the region stay: drafted holds reaching them are cut
            drafted = sorted_notes.room_made(drafted, after, self.gap)
        removed, cut = sorted_notes.make_room(chart.notes, drafted, inside, self.gap)
        self.old = tuple(sort_notes(inside + removed))
        self.new = tuple(sort_notes([*drafted, *cut]))
        self.follow = in_place(cut)  # a hold cut short keeps its sound; a drafted note never takes one
        super().do(doc)


class SetTiming(_Base):
    """Replace the song's timing (``chart=None``) or one chart's own timing (``timing=None`` drops it).

    Consecutive changes to the same timing merge (e.g. dragging the offset spin box) unless either was made with
    ``merge=False`` (the Timing table's adds, edits and removals: each is its own undo step).
    """

    def __init__(self, timing: TimingData | None, chart: ChartRef | None = None, name: str = "Change timing",
                 merge: bool = True):
        if chart is None and timing is None:
            raise ValueError("the song needs a timing")
        self.mergeable = merge
        self.timing = timing
        self.chart = chart
        self.name = name
        self._old: TimingData | None = None

    def _target(self, doc: Document) -> Chart | None:
        return None if self.chart is None else self._chart(doc, self.chart)

    def do(self, doc: Document) -> None:
        target = self._target(doc)
        self._old = doc.song.timing if target is None else target.timing
        doc.set_timing(target, self.timing)

    def undo(self, doc: Document) -> None:
        doc.set_timing(self._target(doc), self._old)

    def merge_with(self, other: Command) -> bool:
        if not isinstance(other, SetTiming) or not (self.mergeable and other.mergeable):
            return False
        if getattr(other, "_pinned", None) is not getattr(self, "_pinned", None):
            return False
        if (other.chart is None) != (self.chart is None):
            return False
        self.timing = other.timing
        return True


class _SetFields(_Base):
    """Set named fields; consecutive changes of the same fields merge (typing in a text box)."""

    allowed: tuple[str, ...] = ()

    def __init__(self, fields: dict[str, Any], name: str):
        unknown = sorted(set(fields) - set(self.allowed))
        if unknown or not fields:
            raise ValueError(f"unknown field(s): {', '.join(unknown)}" if unknown else "no field to set")
        self.fields = dict(fields)
        self.name = name
        self._old: dict[str, Any] = {}
        self._extra: tuple[Extra, Extra] | None = None  # extra before and after the first do (chart.extra_patch)

    def _new(self, extra: Extra) -> dict[str, Any]:
        """The fields to set on a target whose extra is ``extra`` now: ``extra`` changes only in the tags this step
        changes, so a tag changed outside the history (Save As relinking #BANNER) keeps that through undo/redo."""
        if "extra" not in self.fields:
            return self.fields
        if self._extra is None:
            self._extra = (extra, self.fields["extra"])
        return {**self.fields, "extra": patch_extra(extra, *self._extra)}

    def _back(self, extra: Extra) -> dict[str, Any]:
        """The fields undo sets (``_new``'s reverse)."""
        if self._extra is None or "extra" not in self._old:
            return self._old
        return {**self._old, "extra": patch_extra(extra, self._extra[1], self._extra[0])}

    def merge_with(self, other: Command) -> bool:
        if (not isinstance(other, type(self)) or set(other.fields) != set(self.fields)
                or getattr(other, "_pinned", None) is not getattr(self, "_pinned", None)):
            return False
        self.fields = dict(other.fields)
        if self._extra is not None and other._extra is not None:
            self._extra = (self._extra[0], other._extra[1])
        return True


class SetSongMeta(_SetFields):
    """Change song metadata (title, subtitle, artist, credit, music, sample_start, sample_length, extra)."""

    allowed = SONG_FIELDS

    def __init__(self, name: str = "Change song properties", **fields: Any):
        super().__init__(fields, name)

    def do(self, doc: Document) -> None:
        self._old = {k: getattr(doc.song, k) for k in self.fields}
        doc.set_song_fields(**self._new(doc.song.extra))

    def undo(self, doc: Document) -> None:
        doc.set_song_fields(**self._back(doc.song.extra))


class SetChartMeta(_SetFields):
    """Change chart fields (mode, slot, meter, description, credit, lanes, extra)."""

    allowed = CHART_FIELDS

    def __init__(self, chart: ChartRef, name: str = "Change chart properties", **fields: Any):
        super().__init__(fields, name)
        self.chart = chart

    def do(self, doc: Document) -> None:
        chart = self._chart(doc, self.chart)
        self._old = {k: getattr(chart, k) for k in self.fields}
        doc.set_chart_fields(chart, **self._new(chart.extra))

    def undo(self, doc: Document) -> None:
        chart = self._chart(doc, self.chart)
        doc.set_chart_fields(chart, **self._back(chart.extra))

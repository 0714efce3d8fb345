"""Document: the song being edited, its undo history, its file, and range-scoped change signals (no Qt).

Views subscribe to the signals and redraw only what changed:

* ``notes_changed(chart_id, beat0, beat1)`` — notes of one chart changed between ``beat0`` and ``beat1``
  (inclusive, exact :class:`~fractions.Fraction` beats; holds count to their end).
* ``timing_changed()``, ``charts_changed()`` (added, removed, renamed, re-slotted), ``meta_changed()`` (song
  fields), ``clean_changed(is_clean)`` and ``history_changed()`` (undo stack changed).

Signals raised while a command, an undo, a redo or a transaction runs are coalesced: each chart gets one
``notes_changed`` covering every range touched, sent when the outermost operation ends.

Every chart's ``notes`` list is kept sorted (``Note`` order: beat, lane, kind, length) so range queries bisect
(:mod:`chart.sorted_notes`).
Low-level mutators (``insert_notes``, ``delete_notes``, ``set_timing`` ...) change the song and emit signals but
record nothing; commands call them. Edits that should be undoable go through :meth:`push` with a command from
:mod:`chart.commands`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Any

from chart import sorted_notes
from chart.history import DEFAULT_LIMIT, DEFAULT_MERGE_WINDOW_S, Command, History, MacroCommand
from chart.notes import Note, sort_notes
from chart.signals import Signal
from chart.song import Chart, Song
from chart.timing import TimingData

ChartRef = Chart | str

# invented_timings: the "no tempo stated" mark (chart.stated_tempo), carried with the timing by Restore autosave
SONG_FIELDS = ("title", "subtitle", "artist", "credit", "music", "sample_start", "sample_length", "extra",
               "invented_timings")
CHART_FIELDS = ("mode", "slot", "meter", "description", "credit", "lanes", "extra")


class Document:
    """A song open for editing.

    Parameters
    ----------
    song : Song, optional
        The song (a new empty one when omitted). Its charts' notes are sorted in place.
    path : str or Path, optional
        File the song was read from or will be saved to.
    clock, merge_window_s, history_limit
        Passed to :class:`~chart.history.History`.
    """

    def __init__(
        self,
        song: Song | None = None,
        path: str | Path | None = None,
        clock: Callable[[], float] = time.monotonic,
        merge_window_s: float = DEFAULT_MERGE_WINDOW_S,
        history_limit: int = DEFAULT_LIMIT,
    ) -> None:
        self.song = song if song is not None else Song()
        self.path = Path(path) if path is not None else None
        for chart in self.song.charts:
            chart.notes = sort_notes(chart.notes)
        self.notes_changed = Signal("notes_changed")
        self.timing_changed = Signal("timing_changed")
        self.charts_changed = Signal("charts_changed")
        self.meta_changed = Signal("meta_changed")
        self.clean_changed = Signal("clean_changed")
        self.history = History(self, clock=clock, merge_window_s=merge_window_s, limit=history_limit)
        self.history_changed = self.history.changed
        self.history.clean_changed.connect(self.clean_changed.emit)
        self._batch_depth = 0
        self._pending_notes: dict[int, tuple[Chart, Fraction, Fraction]] = {}
        self._pending_flags: set[str] = set()
        self._lengths: dict[int, Counter[Fraction]] = {}  # id(chart) -> hold lengths in use, for overlap queries

    # ------------------------------------------------------------------ files
    @classmethod
    def open(cls, path: str | Path, report: list | None = None, **kwargs: Any) -> Document:
        """Read a chart file (format by extension) into a new document. ``report``, when given, receives what the
        reader moved, dropped or read leniently (:func:`chart.formats.registry.load`; ``read_notes`` words it)."""
        from chart.formats.registry import load

        return cls(load(path, report), path=path, **kwargs)

    def save(self, path: str | Path | None = None, keep_backup: bool = True) -> Path:
        """Write the song (format by extension) atomically, the previous file kept as ``.bak``, and mark the
        state clean. Raises the format's WriteError (nothing written) when it cannot hold the song."""
        from chart.formats.registry import save

        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("no file name: give a path to save to")
        save(self.song, target, keep_backup=keep_backup)
        self.path = target
        self.history.set_clean()
        return target

    # ------------------------------------------------------------------ history
    def push(self, command: Command) -> None:
        """Execute an undoable command."""
        with self._batch():
            self.history.push(command)

    def undo(self) -> bool:
        with self._batch():
            return self.history.undo()

    def redo(self) -> bool:
        with self._batch():
            return self.history.redo()

    def withdraw(self, steps: Sequence[Command]) -> None:
        """Undo the last ``steps`` with no redo entry (:meth:`History.withdraw`)."""
        with self._batch():
            self.history.withdraw(steps)

    @contextmanager
    def transaction(self, name: str) -> Iterator[MacroCommand]:
        """``with doc.transaction("Mirror"):`` — every push inside becomes one undo step."""
        with self._batch(), self.history.transaction(name) as macro:
            yield macro

    def begin_stroke(self, name: str, ends: str | None = None) -> None:
        """Start a stroke (:meth:`History.begin_stroke`); ``ends``: what ends it, else "finish the drag"."""
        self.history.begin_stroke(name, *(() if ends is None else (ends,)))

    def update_stroke(self, command: Command) -> None:
        with self._batch():
            self.history.update_stroke(command)

    def apply_in_stroke(self, step: Command) -> None:
        """Do ``step`` on top of the open stroke's command, which the caller extends with it (a recording take
        adds each frame's notes so; undoing or aborting the stroke undoes it too): one batch of signals, as
        :meth:`update_stroke` sends (its removal and its insertion were two ``notes_changed``)."""
        with self._batch():
            step.do(self)

    def rename_stroke(self, name: str) -> None:
        self.history.rename_stroke(name)

    def commit_stroke(self) -> bool:
        return self.history.commit_stroke()

    def abort_stroke(self) -> None:
        with self._batch():
            self.history.abort_stroke()

    def mark_clean(self) -> None:
        self.history.set_clean()

    def mark_unsaved(self) -> None:
        """The document holds work no file has (a new song): closing asks, autosave keeps it."""
        self.history.set_unsaved()

    @property
    def is_clean(self) -> bool:
        return self.history.is_clean

    def undo_stack_names(self) -> list[str]:
        return self.history.undo_stack_names()

    # ------------------------------------------------------------------ charts
    def chart_id(self, chart: Chart) -> str:
        """Identifier of a chart in this song (see :func:`song_chart_id`)."""
        return song_chart_id(self.song, chart)

    def chart(self, chart_id: str) -> Chart:
        """The chart with this :meth:`chart_id`."""
        for chart in self.song.charts:
            if self.chart_id(chart) == chart_id:
                return chart
        raise KeyError(f"no chart {chart_id!r} in this song")

    def resolve_chart(self, ref: ChartRef) -> Chart:
        """A chart from itself (must belong to the song) or from its id."""
        if isinstance(ref, str):
            return self.chart(ref)
        self.chart_index(ref)
        return ref

    def chart_index(self, chart: Chart) -> int:
        """Position of ``chart`` (by identity) in ``song.charts``."""
        for i, other in enumerate(self.song.charts):
            if other is chart:
                return i
        raise KeyError(f"chart {chart.chart_id()} is not part of this song")

    # ------------------------------------------------------------------ note queries
    def notes_in_range(self, chart: ChartRef, beat0: Fraction, beat1: Fraction) -> list[Note]:
        """Notes whose head lies in ``[beat0, beat1)``, in order (O(log n + k))."""
        return sorted_notes.in_range(self.resolve_chart(chart).notes, beat0, beat1)

    def notes_overlapping(self, chart: ChartRef, beat0: Fraction, beat1: Fraction) -> list[Note]:
        """Notes drawn in ``[beat0, beat1)``: heads inside, plus holds that start earlier and reach into it."""
        c = self.resolve_chart(chart)
        return sorted_notes.overlapping(c.notes, beat0, beat1, self._longest(c))

    def note_at(self, chart: ChartRef, beat: Fraction, lane: int) -> Note | None:
        """First note with its head exactly at ``beat`` in ``lane``, or None."""
        return sorted_notes.note_at(self.resolve_chart(chart).notes, beat, lane)

    def hold_covering(self, chart: ChartRef, beat: Fraction, lane: int) -> Note | None:
        """The hold or roll of ``lane`` whose body covers ``beat`` (after its head, up to and with its end), or
        None: a note there would sit inside it (Verify's note-in-hold)."""
        tiny = Fraction(1, 1 << 20)  # a hold ending on ``beat`` reaches into [beat - tiny, ...)
        for n in self.notes_overlapping(chart, beat - tiny, beat + tiny):
            if n.lane == lane and n.kind.has_length and n.beat < beat <= n.end_beat:
                return n
        return None

    def contains(self, chart: ChartRef, note: Note) -> bool:
        return sorted_notes.contains(self.resolve_chart(chart).notes, note)

    def longest_hold(self, chart: ChartRef) -> Fraction:
        """The longest length of a note of the chart (0 when none has one), kept as notes come and go: how far
        before a beat a hold reaching it can start (:func:`chart.sorted_notes.make_room` reads only that far)."""
        return self._longest(self.resolve_chart(chart))

    # ------------------------------------------------------------------ undoable conveniences
    def add_notes(self, chart: ChartRef, notes: Iterable[Note]) -> None:
        """Add notes as one undo step."""
        from chart.commands import AddNotes

        self.push(AddNotes(chart, notes))

    def remove_notes(self, chart: ChartRef, notes: Iterable[Note]) -> None:
        """Remove notes as one undo step."""
        from chart.commands import RemoveNotes

        self.push(RemoveNotes(chart, notes))

    # ------------------------------------------------------------------ low-level mutators (no undo)
    def insert_notes(self, chart: ChartRef, notes: Iterable[Note]) -> None:
        """Insert notes keeping the order; all-or-nothing (lanes are checked first)."""
        c = self.resolve_chart(chart)
        new = list(notes)
        if not new:
            return
        for n in new:
            if not 0 <= n.lane < c.lanes:
                raise ValueError(f"lane {n.lane} is outside the chart's {c.lanes} lanes")
        lengths = self._hold_lengths(c)  # before the change: a first count must not include the new notes
        sorted_notes.insert(c.notes, new)
        lengths.update(n.length for n in new if n.length > 0)
        self._notes_touched(c, new)

    def delete_notes(self, chart: ChartRef, notes: Iterable[Note]) -> None:
        """Delete notes given by value (one occurrence each); all-or-nothing: raises KeyError if one is missing."""
        c = self.resolve_chart(chart)
        gone = list(notes)
        if not gone:
            return
        lengths = self._hold_lengths(c)  # before the change, as in insert_notes
        sorted_notes.delete(c.notes, gone, c.chart_id())
        lengths.subtract(n.length for n in gone if n.length > 0)
        for length in [k for k, v in lengths.items() if v <= 0]:
            del lengths[length]
        self._notes_touched(c, gone)

    def set_timing(self, chart: ChartRef | None, timing: TimingData | None) -> None:
        """Replace the song's timing (``chart=None``) or a chart's own timing (``None`` = use the song's)."""
        if chart is None:
            if timing is None:
                raise ValueError("the song needs a timing")
            self.song.timing = timing
        else:
            self.resolve_chart(chart).timing = timing
        self._flag("timing")

    def set_song_fields(self, **fields: Any) -> None:
        """Set song metadata fields (see ``SONG_FIELDS``)."""
        _check_fields(fields, SONG_FIELDS, "song")
        for name, value in fields.items():
            setattr(self.song, name, value)
        self._flag("meta")

    def set_chart_fields(self, chart: ChartRef, **fields: Any) -> None:
        """Set chart fields (see ``CHART_FIELDS``); lanes cannot drop below the lanes in use."""
        c = self.resolve_chart(chart)
        _check_fields(fields, CHART_FIELDS, "chart")
        if "lanes" in fields:
            used = max((n.lane for n in c.notes), default=-1) + 1
            if fields["lanes"] < max(used, 1):
                raise ValueError(f"the chart uses {used} lanes; cannot set {fields['lanes']}")
        for name, value in fields.items():
            setattr(c, name, value)
        self._flag("charts")

    def insert_chart(self, index: int, chart: Chart) -> None:
        """Insert a chart (its notes are sorted first)."""
        if any(other is chart for other in self.song.charts):
            raise ValueError(f"chart {chart.chart_id()} is already part of the song")
        chart.notes = sort_notes(chart.notes)
        self.song.charts.insert(index, chart)
        self._flag("charts")

    def move_chart(self, chart: ChartRef, index: int) -> int:
        """Move a chart to ``index`` (of the list without it); returns the index it had."""
        c = self.resolve_chart(chart)
        old = self.chart_index(c)
        del self.song.charts[old]
        self.song.charts.insert(index, c)
        self._flag("charts")
        return old

    def delete_chart(self, chart: ChartRef) -> int:
        """Remove a chart; returns the index it had."""
        c = self.resolve_chart(chart)
        index = self.chart_index(c)
        del self.song.charts[index]
        self._pending_notes.pop(id(c), None)
        self._lengths.pop(id(c), None)
        self._flag("charts")
        return index

    # ------------------------------------------------------------------ signal plumbing
    @contextmanager
    def _batch(self) -> Iterator[None]:
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0:
                self._flush()

    def _notes_touched(self, chart: Chart, notes: list[Note]) -> None:
        beat0, beat1 = sorted_notes.beat_span(notes)  # min head, max end without comparing Fractions one by one
        key = id(chart)
        if key in self._pending_notes:
            _, b0, b1 = self._pending_notes[key]
            beat0, beat1 = min(b0, beat0), max(b1, beat1)
        self._pending_notes[key] = (chart, beat0, beat1)
        if self._batch_depth == 0:
            self._flush()

    def _flag(self, what: str) -> None:
        self._pending_flags.add(what)
        if self._batch_depth == 0:
            self._flush()

    def _flush(self) -> None:
        flags, self._pending_flags = self._pending_flags, set()
        pending, self._pending_notes = self._pending_notes, {}
        if "charts" in flags:
            self.charts_changed.emit()
        if "timing" in flags:
            self.timing_changed.emit()
        if "meta" in flags:
            self.meta_changed.emit()
        for chart, beat0, beat1 in pending.values():
            if any(c is chart for c in self.song.charts):  # a chart removed meanwhile: charts_changed said so
                self.notes_changed.emit(self.chart_id(chart), beat0, beat1)

    def _hold_lengths(self, chart: Chart) -> Counter[Fraction]:
        """How many notes of each length > 0 the chart has (kept up to date by the mutators)."""
        key = id(chart)
        if key not in self._lengths:
            self._lengths[key] = Counter(n.length for n in chart.notes if n.length > 0)
        return self._lengths[key]

    def _longest(self, chart: Chart) -> Fraction:
        return max(self._hold_lengths(chart), default=Fraction(0))


def song_chart_id(song: Song, chart: Chart) -> str:
    """Identifier of a chart in a song: ``mode/Slot`` (``/description`` for edits), ``#2``, ``#3``... when
    several charts share it. Raises KeyError when ``chart`` (by identity) is not in ``song``."""
    base = chart.chart_id()
    earlier = 0
    for other in song.charts:
        if other is chart:
            return base if earlier == 0 else f"{base}#{earlier + 1}"
        if other.chart_id() == base:
            earlier += 1
    raise KeyError(f"chart {base} is not part of this song")


def _check_fields(fields: dict[str, Any], allowed: tuple[str, ...], what: str) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValueError(f"unknown {what} field(s): {', '.join(unknown)}")

"""Keep notes where they sound when the timing changes (ArrowVortex's non-destructive row shift).

Notes are stored in beats, so a new BPM, stop or offset moves every later note in time: right when the notes were
charted on the musical grid and the grid was wrong, wrong when they were placed by ear against the audio and only
the tempo was off. :func:`retime_notes` gives the notes their beats under the new timing at the *same times*:
each head and hold end is mapped exactly (``new.seconds_to_beat(old.beat_to_seconds(b))``), kept as is when that
lands on a 1/192 row (or, for a note on a custom snap off that grid, on its own snap within
:data:`SNAP_TOLERANCE_S`), else snapped to the coarsest snap whose row is within :data:`SNAP_TOLERANCE_S` of it (the
finest, 1/48 beat, when none is); a judged note that would land inside a new warp goes to the warp's end (the
same instant: a warp takes no time), and one that would be judged away from its time by a stop or delay (its
exact beat is the stop's, judged when the pause starts; or a delay's, judged after it) goes to the neighbouring
row judged nearest its time. A hold keeps at least 1/48 beat. Two notes landing on one cell of a lane (only
possible when a change squeezes time, e.g. a new warp) keep the first; the others are counted as dropped.

Two kinds of note cannot keep their time, and give way to the others on a taken cell: a note inside a warp has
none of its own (the warp passes over its beats in no time), so it keeps its place in the warp
(:func:`chart.retime_map.warped_beat`: its beat, or the same beat in the warp when the edit moved the warp); a
note that would land before beat 0 (an offset nudge on a note at beat 0), where no chart file keeps one, goes to
beat 0 and sounds that much late (``BeatMap.pulled``, ``late_s``; the status line says it). What is left must be
saveable as .sm/.ssc (:func:`chart.formats.notedata.unrepresentable_notes`): a hold or roll whose re-beated end
came to reach a later note of its lane (its end on that note's row, that note inside it; a squeeze, or the 1/48
beat a hold keeps) ends one 1/48 row before that note (``BeatMap.shortened``), or, with no room left for a row,
the later note is dropped and counted with the others. A pair that overlapped so before the edit is left as it was
(Verify reports it): only what the re-beat did is undone.

A routine chart's player 2 (note-data text in ``Chart.extra``, :data:`chart.formats.notedata.PLAYER2`) is
re-beated the same way by :func:`retime_extra`: left alone, the two players would drift apart. The osu! extras
keyed by beat (hitsounds by their note's beat and lane; inherited points, bookmarks and breaks as ``@beat``
tokens; red lines keeping the tempo) are re-beated by :func:`retime_osu_extra` with the notes' mapping: left
alone, sounds jumped to other notes and green lines, bookmarks and breaks moved away from the notes they belong to.

The mapping of one beat is :func:`chart.retime_map.map_beat`; the functions here map all the beats of a chart at
once through a :class:`~chart.retime_map.BeatMap` (the same beats, 10-14x faster on a 20k-note chart: a timing
nudge re-beats every chart of a song on the GUI thread), which a timing edit shares between the charts it
re-beats, and with their osu! extras.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from chart.formats.notedata import PLAYER2, format_notes, parse_notes
from chart.formats.osu_beats import retime_tokens
from chart.formats.osu_hitsounds import carries_sounds, remap_sounds
from chart.formats.osu_red import retime_red
from chart.note_keys import approx_all, in_order, value_key
from chart.notes import Note, NoteKind
from chart.retime_map import MIN_HOLD, SNAP_TOLERANCE_S, BeatMap
from chart.timing import TimingData

__all__ = ["SNAP_TOLERANCE_S", "BeatMap", "notes_in_timing_of", "retime_extra", "retime_notes", "retime_notes_counted",
           "retime_notes_with_shift", "retime_osu_extra", "retime_replacement", "timing_groups"]

_LONG = (NoteKind.HOLD, NoteKind.ROLL)  # NoteKind.has_length, without a property call per note
Cell = tuple[int, int, int]  # a note's beat (numerator, denominator) and lane


def retime_notes(notes: Iterable[Note], old: TimingData, new: TimingData) -> tuple[list[Note], int]:
    """(the notes at their times under ``old``, in beats of ``new``; how many were dropped on a taken cell)."""
    moved, dropped, _shift = retime_notes_with_shift(notes, old, new)
    return moved, dropped


def retime_notes_with_shift(notes: Iterable[Note], old: TimingData,
                            new: TimingData) -> tuple[list[Note], int, float]:
    """:func:`retime_notes`, and how far in time (s) it moved any judged head or hold end: 0 when every one lands
    on a row at its time; up to half a 1/48-beat row when the finest row is the nearest (6 ms at 100 BPM: finer
    beats cannot be saved as .sm/.ssc)."""
    moved, dropped, shift, _changed = retime_notes_counted(notes, old, new)
    return moved, dropped, shift


def retime_notes_counted(notes: Iterable[Note], old: TimingData, new: TimingData,
                         beats: BeatMap | None = None) -> tuple[list[Note], int, float, int]:
    """:func:`retime_notes_with_shift`, and how many of the notes kept got a new beat or hold length (what the
    status line counts: the notes that came out different from every old one undercounted a shift by one row).
    ``beats``: the map of ``old`` -> ``new`` to use (and fill), shared by the charts of one timing edit."""
    beats = beats if beats is not None else BeatMap(old, new)
    done = _retimed(notes, beats)
    done.tally(beats)
    return in_order(done.kept.values()), len(done.dropped), done.shift, len(done.now)


def retime_replacement(notes: Iterable[Note], old: TimingData, new: TimingData,
                       beats: BeatMap | None = None) -> tuple[list[Note], list[Note], int, float, int]:
    """:func:`retime_notes_counted` as the edit it makes: (the notes that go, the notes that come, as
    ``set(notes) - set(moved)`` and ``set(moved) - set(notes)`` would give them; dropped, shift, changed). Only
    the notes that change are looked at (hashing each of 28k notes twice took more than the whole re-beat)."""
    beats = beats if beats is not None else BeatMap(old, new)
    done = _retimed(notes, beats)
    done.tally(beats)
    kept = done.kept
    left = {value_key(n): n for n in [*done.was, *done.dropped]}
    # a note that left its cell is gone unless an equal one is kept there (a duplicate of the old notes); a moved
    # note never equals a kept unmoved one (two notes on one cell), so it comes unless it equals one that left
    gone = [n for n in left.values() if kept.get((n.beat.numerator, n.beat.denominator, n.lane)) != n]
    came = [n for n in done.now if value_key(n) not in left]  # one per cell: no two equal
    return gone, came, len(done.dropped), done.shift, len(done.now)


@dataclass
class _Retimed:
    """What re-beating a chart's notes gives (:func:`_retimed`)."""

    kept: dict[Cell, Note]  # the notes kept, by cell
    was: list[Note]  # the old notes whose kept note is new (moved, or shortened) ...
    now: list[Note]  # ... and those new notes
    dropped: list[Note]  # old notes dropped: on a taken cell, or reached by a hold with no room to end before them
    order: list[Note]  # the old notes in the order they claimed their cells
    squeezed: list[Note]  # those of ``dropped`` that a hold reached (:func:`_settle`)
    shift: float  # the largest time shift of a judged head or hold end that keeps its time
    late_s: float  # how late the latest note pulled up to beat 0 sounds
    pulled: int  # notes pulled up to beat 0
    shortened: int  # holds and rolls shortened to end before a note they came to reach

    def tally(self, beats: BeatMap) -> None:
        """Add what the status line says to the edit's map (``BeatMap.shortened``, ``pulled``, ``late_s``)."""
        beats.shortened += self.shortened
        beats.pulled += self.pulled
        beats.late_s = max(beats.late_s, self.late_s)


def _retimed(notes: Iterable[Note], beats: BeatMap) -> _Retimed:
    """The notes re-beated through ``beats``: each claims the cell (beat's numerator, denominator, lane) of its new
    head in order, the notes with no time of their own (``BeatMap.yields``) after the others, a note on a cell
    already claimed is dropped; then :func:`_settle` keeps the holds off the notes after them."""
    ordered = in_order(notes)
    end_of = {id(n): n.beat + n.length for n in ordered if n.kind in _LONG}  # hold and roll ends
    beats.prepare([*(n.beat for n in ordered), *end_of.values()])
    moved_to, shifts, stays, yields, raised = beats.moved, beats.shift, beats.stays, beats.yields, beats.raised
    kept: dict[Cell, Note] = {}
    was: list[Note] = []
    now: list[Note] = []
    dropped: list[Note] = []
    later: list[Note] = []  # the notes that give way (inside an old warp, pulled up to beat 0), claiming last
    shift = late = 0.0
    pulled = 0
    for batch in (ordered, later):  # (``later`` is filled by the first batch)
        for note in batch:
            beat = note.beat
            key = (beat.numerator, beat.denominator)
            if yields and key in yields and batch is ordered:
                later.append(note)
                continue
            head = moved_to[key]
            early = key in raised if raised else False  # (empty but for an edit moving beat 0's notes earlier)
            if not early and shifts[key] > shift:
                shift = shifts[key]
            end = end_of.get(id(note))
            if end is not None:
                end_key = (end.numerator, end.denominator)
                if not (raised and end_key in raised) and shifts[end_key] > shift:
                    shift = shifts[end_key]
                length = max(MIN_HOLD, moved_to[end_key] - head)
                moved = note if key in stays and length == note.length else Note(head, note.lane, note.kind, length)
            else:
                moved = note if key in stays else Note(head, note.lane, note.kind, note.length)
            cell = (head.numerator, head.denominator, note.lane)
            if cell in kept:
                dropped.append(note)
                continue
            kept[cell] = moved
            if early:  # sounds late by its time's distance to beat 0 (its end, pulled there too, is not a note)
                pulled += 1
                late = max(late, shifts[key])
            if moved is not note:
                was.append(note)
                now.append(moved)
    squeezed: list[Note] = []
    shortened = 0
    if now and end_of and _may_reach(kept):  # the usual case, found in numpy (the walk cost 8% of a nudge)
        was, now, squeezed, shortened = _settle(kept, was, now)
    order = ordered
    if later:
        gave_way = {id(n) for n in later}
        order = [*(n for n in ordered if id(n) not in gave_way), *later]
    return _Retimed(kept, was, now, dropped + squeezed, order, squeezed, shift, late, pulled, shortened)


def _settle(kept: dict[Cell, Note], was: list[Note], now: list[Note]) -> tuple[list[Note], list[Note], list[Note], int]:
    """Keep every hold and roll of ``kept`` (edited in place) off the notes after it in its lane, where the
    re-beat put one on another: a later note on its end row (the .sm/.ssc writer refuses two things on one cell,
    and it got past the heads' cells: 20kmh could not be saved after a tempo correction) or inside it (a hold or
    roll there is refused too: the first tail closes the later head; a tap, mine... there makes StepMania drop
    the hold). The hold then ends one 1/48 row before that note (on no other note's row), or, with no row left for
    it, the note is dropped. A pair that was so before the edit is left as it was (a file opened so; Verify
    reports it). ``was``, ``now``: the changed notes as they were and are (:class:`_Retimed`). (was, now, the old
    notes dropped, how many holds were shortened)."""
    changed = {(n.beat.numerator, n.beat.denominator, n.lane): w for w, n in zip(was, now, strict=True)}
    notes = in_order(kept.values())
    heads = approx_all([n.beat for n in notes])  # floats keep the order: exact comparisons only where they meet
    held: dict[int, tuple[Note, Fraction, float]] = {}  # lane -> (hold reaching furthest so far, its end, float)
    squeezed: list[Note] = []
    shortened: list[Cell] = []
    for note, at in zip(notes, heads, strict=True):
        lane = note.lane
        hold = held.get(lane)
        if hold is not None and (at < hold[2] or (at == hold[2] and note.beat <= hold[1])):
            long, end, _ = hold
            long_cell = (long.beat.numerator, long.beat.denominator, lane)
            cell = (note.beat.numerator, note.beat.denominator, lane)
            if _made_by_edit(changed.get(long_cell, long), changed.get(cell, note), note.beat == end):
                short = note.beat - MIN_HOLD
                while short > long.beat and (short.numerator, short.denominator, lane) in kept:
                    short -= MIN_HOLD
                if short <= long.beat:  # no row left between them
                    del kept[cell]
                    squeezed.append(changed.pop(cell, note))
                    continue
                kept[long_cell] = Note(long.beat, lane, long.kind, short - long.beat)
                changed.setdefault(long_cell, long)
                shortened.append(long_cell)
                held[lane] = (kept[long_cell], short, approx_all([short])[0])
                hold = held[lane]
        if note.kind in _LONG:
            end = note.beat + note.length
            reach = approx_all([end])[0]
            if hold is None or reach > hold[2] or (reach == hold[2] and end > hold[1]):
                held[lane] = (note, end, reach)
    for cell in shortened:  # a hold the re-beat lengthened and this shortened back to what it was
        if kept[cell] == changed[cell]:
            del changed[cell]
    return list(changed.values()), [kept[c] for c in changed], squeezed, len(shortened)


def _may_reach(kept: dict[Cell, Note]) -> bool:
    """Whether a hold or roll of ``kept`` may reach another note of its lane (``head <= beat <= end`` in floats,
    which keep the order of the beats they round: a false alarm only where two beats round to one float). The
    heads' floats and lanes from the cells' ints (a Fraction's numerator is a property call)."""
    holds = [n for n in kept.values() if n.kind in _LONG]
    if not holds:
        return False
    try:
        heads = np.array([p / q for p, q, _ in kept])
    except OverflowError:  # a beat no float holds: the exact walk decides
        return True
    lanes = np.array([lane for _, _, lane in kept])
    starts = np.array(approx_all([n.beat for n in holds]))
    ends = starts + approx_all([n.length for n in holds]) + 1e-6  # (no Fraction sum; a rounding never misses)
    held = np.array([n.lane for n in holds])
    for lane in np.unique(held):
        row, mine = np.sort(heads[lanes == lane]), held == lane
        reached = np.searchsorted(row, ends[mine], "right") - np.searchsorted(row, starts[mine], "left")
        if (reached > 1).any():  # more than the hold itself
            return True
    return False


def _made_by_edit(long: Note, note: Note, on_end: bool) -> bool:
    """Whether ``note`` came to be on the end row of the hold or roll ``long`` (``on_end``) or inside it by the
    re-beat, given the two as they were (what is refused now and was not then: :func:`_settle`)."""
    if not long.beat < note.beat <= long.beat + long.length:
        return True
    was_refused = note.beat == long.beat + long.length or note.kind in _LONG
    return (on_end or note.kind in _LONG) and not was_refused


def retime_extra(extra: list[tuple[str, str]], lanes: int, old: TimingData, new: TimingData,
                 beats: BeatMap | None = None) -> tuple[list[tuple[str, str]], int, int, float]:
    """``extra`` (a chart's) with a routine chart's player 2 notes re-beated as :func:`retime_notes_with_shift`
    re-beats player 1's, written back with the note-data writer; and (how many of them got new beats, how many
    were dropped on a taken cell, the largest time shift in s). ``extra`` itself when there is no player 2."""
    text = dict(extra).get(PLAYER2)
    if not text:
        return extra, 0, 0, 0.0
    notes, _ = parse_notes(text, lanes)
    moved, dropped, shift, came = retime_notes_counted(notes, old, new, beats)
    if not came and not dropped:
        return extra, 0, 0, shift
    written = format_notes(moved, lanes)  # ValueError (a refusal) if a note could not be written
    return [(k, written if k == PLAYER2 else v) for k, v in extra], came, dropped, shift


def retime_osu_extra(extra: list[tuple[str, str]], notes: Iterable[Note], old: TimingData,
                     new: TimingData, beats: BeatMap | None = None,
                     on: Iterable[Note] | None = None) -> list[tuple[str, str]]:
    """``extra`` (a chart's with its ``notes``, or the song's with none) with the osu! extras keyed by beat
    re-beated to keep their times (module docstring): each kept sound goes where :func:`retime_notes` puts its
    note, and is dropped with a note dropped on a taken cell (never handed to the note kept there); a token on
    the beat of a note's head or end (of ``on``: by default ``notes``; for the song's extra, the notes of the
    charts that use ``old``) goes where a note on that beat goes, whatever that note's rounding (a note moved up
    to half a row away from its time: osu! counts a green line on its note only within 5 ms, and the line set
    its volume); a token on another beat goes there too unless that is more than :data:`SNAP_TOLERANCE_S` from
    its time (a green line off every row keeps its exact time). ``extra`` itself when nothing changed. The
    notes are mapped only when ``extra`` keeps sounds (most charts keep none)."""
    to_new = beats if beats is not None else BeatMap(old, new)
    notes = list(notes)
    sat: set[Fraction] | None = None  # the beats notes sat on, read at the first token (most extras have none)

    def near(beat: Fraction) -> Fraction:
        nonlocal sat
        if sat is None:
            sat = {b for n in (notes if on is None else on) for b in ((n.beat, n.end_beat) if n.kind in _LONG
                                                                       else (n.beat,))}
        mapped = to_new(beat)
        if beat in sat:  # on a note: where that note goes (retime_notes), so it stays on it
            return mapped
        at_s = old.beat_to_seconds(beat)
        if abs(float(new.beat_to_seconds(mapped) - at_s)) <= SNAP_TOLERANCE_S:
            return mapped
        return new.seconds_to_beat(at_s)

    tokens = retime_red(retime_tokens(extra, old, new, near), old, near)  # red lines keeping the tempo too
    if not carries_sounds(tokens):
        return tokens
    done = _retimed(notes, to_new)  # (not tallied: the notes' own re-beat counts)
    cells: dict[tuple[Fraction, int], tuple[Fraction, int] | None] = {}
    taken: set[tuple[Fraction, int]] = set()
    for note in done.order:
        cell = (to_new(note.beat), note.lane)
        cells[(note.beat, note.lane)] = None if cell in taken else cell
        taken.add(cell)
    for note in done.squeezed:  # dropped where a hold came to reach it: its sound with it
        cells[(note.beat, note.lane)] = None

    def follow(key: tuple[Fraction, int]) -> tuple[Fraction, int] | None:
        if key in cells:
            return cells[key]
        cell = (to_new(key[0]), key[1])  # a sound whose note is already gone: never onto another note
        return None if cell in taken else cell

    return remap_sounds(tokens, follow)


def notes_in_timing_of(song, source, target) -> tuple[TimingData, list[Note]]:
    """The timing ``target`` (a chart of ``song``) uses, and ``source``'s notes in its beats at the same times:
    what a refine or a simplify from ``source`` to ``target`` drafts on when the two charts have timings of their
    own (split timing)."""
    mine, theirs = song.timing_for(source), song.timing_for(target)
    return theirs, list(source.notes) if mine == theirs else retime_notes(source.notes, mine, theirs)[0]


def timing_groups(song, charts: dict) -> list[tuple[TimingData, list]]:
    """``charts`` (key -> chart of ``song``) grouped by the timing each uses, in order: one draft call per group."""
    groups: list[tuple[TimingData, list]] = []
    for key, chart in charts.items():
        timing = song.timing_for(chart)
        group = next((g for g in groups if g[0] == timing), None)
        if group is None:
            groups.append((timing, [key]))
        else:
            group[1].append(key)
    return groups

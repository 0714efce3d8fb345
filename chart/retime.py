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

A routine chart's player 2 (note-data text in ``Chart.extra``, :data:`chart.formats.notedata.PLAYER2`) is
re-beated the same way by :func:`retime_extra`: left alone, the two players would drift apart. The osu! extras
keyed by beat (hitsounds by their note's beat and lane; inherited points, bookmarks and breaks as ``@beat``
tokens) are re-beated by :func:`retime_osu_extra` with the notes' mapping: left alone, sounds jumped to other
notes and green lines, bookmarks and breaks moved away from the notes they belong to.

The mapping of one beat is :func:`chart.retime_map.map_beat`; the functions here map all the beats of a chart at
once through a :class:`~chart.retime_map.BeatMap` (the same beats, 10-14x faster on a 20k-note chart: a timing
nudge re-beats every chart of a song on the GUI thread), which a timing edit shares between the charts it
re-beats, and with their osu! extras.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from chart.formats.notedata import PLAYER2, format_notes, parse_notes
from chart.formats.osu_beats import retime_tokens
from chart.formats.osu_hitsounds import carries_sounds, remap_sounds
from chart.note_keys import in_order, value_key
from chart.notes import Note, NoteKind
from chart.retime_map import MIN_HOLD, SNAP_TOLERANCE_S, BeatMap
from chart.timing import TimingData

__all__ = ["SNAP_TOLERANCE_S", "BeatMap", "notes_in_timing_of", "retime_extra", "retime_notes", "retime_notes_counted",
           "retime_notes_with_shift", "retime_osu_extra", "retime_replacement", "timing_groups"]

_LONG = (NoteKind.HOLD, NoteKind.ROLL)  # NoteKind.has_length, without a property call per note


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
    kept, was, now, dropped, shift = _retimed(notes, beats if beats is not None else BeatMap(old, new))
    return in_order(kept.values()), len(dropped), shift, len(now)


def retime_replacement(notes: Iterable[Note], old: TimingData, new: TimingData,
                       beats: BeatMap | None = None) -> tuple[list[Note], list[Note], int, float, int]:
    """:func:`retime_notes_counted` as the edit it makes: (the notes that go, the notes that come, as
    ``set(notes) - set(moved)`` and ``set(moved) - set(notes)`` would give them; dropped, shift, changed). Only
    the notes that change are looked at (hashing each of 28k notes twice took more than the whole re-beat)."""
    kept, was, now, dropped, shift = _retimed(notes, beats if beats is not None else BeatMap(old, new))
    left = {value_key(n): n for n in [*was, *dropped]}
    # a note that left its cell is gone unless an equal one is kept there (a duplicate of the old notes); a moved
    # note never equals a kept unmoved one (two notes on one cell), so it comes unless it equals one that left
    gone = [n for n in left.values() if kept.get((n.beat.numerator, n.beat.denominator, n.lane)) != n]
    came = [n for n in now if value_key(n) not in left]  # one per cell: no two equal
    return gone, came, len(dropped), shift, len(now)


def _retimed(notes: Iterable[Note], beats: BeatMap
             ) -> tuple[dict[tuple[int, int, int], Note], list[Note], list[Note], list[Note], float]:
    """(the notes kept by cell (beat's numerator, denominator, lane), in order; the kept notes that changed as
    they were and as they are now, in two lists; the notes dropped on a taken cell; the largest time shift of a
    judged head or hold end)."""
    ordered = in_order(notes)
    end_of = {id(n): n.beat + n.length for n in ordered if n.kind in _LONG}  # hold and roll ends
    beats.prepare([*(n.beat for n in ordered), *end_of.values()])
    moved_to, shifts, stays = beats.moved, beats.shift, beats.stays
    kept: dict[tuple[int, int, int], Note] = {}
    was: list[Note] = []
    now: list[Note] = []
    dropped: list[Note] = []
    shift = 0.0
    for note in ordered:
        beat = note.beat
        key = (beat.numerator, beat.denominator)
        head = moved_to[key]
        if shifts[key] > shift:
            shift = shifts[key]
        end = end_of.get(id(note))
        if end is not None:
            end_key = (end.numerator, end.denominator)
            if shifts[end_key] > shift:
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
        if moved is not note:
            was.append(note)
            now.append(moved)
    return kept, was, now, dropped, shift


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
                     new: TimingData, beats: BeatMap | None = None) -> list[tuple[str, str]]:
    """``extra`` (a chart's with its ``notes``, or the song's with none) with the osu! extras keyed by beat
    re-beated to keep their times (module docstring): each kept sound goes where :func:`retime_notes` puts its
    note, and is dropped with a note dropped on a taken cell (never handed to the note kept there); a token on a
    beat goes where a note on that beat would, unless that is more than :data:`SNAP_TOLERANCE_S` from its time (a
    green line off every row keeps its exact time). ``extra`` itself when nothing changed. The notes are mapped
    only when ``extra`` keeps sounds (most charts keep none)."""
    to_new = beats if beats is not None else BeatMap(old, new)
    notes = list(notes)

    def near(beat: Fraction) -> Fraction:
        mapped, at_s = to_new(beat), old.beat_to_seconds(beat)
        if abs(float(new.beat_to_seconds(mapped) - at_s)) <= SNAP_TOLERANCE_S:
            return mapped
        return new.seconds_to_beat(at_s)

    tokens = retime_tokens(extra, old, new, near)
    if not carries_sounds(tokens):
        return tokens
    ordered = in_order(notes)
    to_new.prepare(n.beat for n in ordered)
    cells: dict[tuple[Fraction, int], tuple[Fraction, int] | None] = {}
    taken: set[tuple[Fraction, int]] = set()
    for note in ordered:
        cell = (to_new(note.beat), note.lane)
        cells[(note.beat, note.lane)] = None if cell in taken else cell
        taken.add(cell)

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

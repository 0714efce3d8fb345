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
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

import numpy as np

from chart.formats.display_segments import past_warps
from chart.formats.notedata import PLAYER2, format_notes, parse_notes
from chart.formats.osu_beats import retime_tokens
from chart.formats.osu_hitsounds import remap_sounds
from chart.formats.timing_tags import in_warp
from chart.notes import Note, sort_notes
from chart.snap import DIVISORS, is_on_grid, snap_preferring_coarse
from chart.timing import TimingData

SNAP_TOLERANCE_S = 0.001
_MIN_HOLD = Fraction(1, 48)


def _mapper(old: TimingData, new: TimingData):
    """``to_new(beat)``, cached per beat, and a one-item list holding the largest time shift (s) of a judged beat
    mapped so far (0 when every one lands on a row at its time)."""
    cache: dict[Fraction, Fraction] = {}
    shift = [0.0]

    def to_new(beat: Fraction) -> Fraction:
        if beat not in cache:
            at_s = old.beat_to_seconds(beat)
            exact = new.seconds_to_beat(at_s)
            tolerance = SNAP_TOLERANCE_S * float(new.bpm_at(exact)) / 60.0
            own = _on_own_grid(beat, exact)
            if is_on_grid(exact, 192):
                cache[beat] = exact
            elif own is not None and abs(float(own - exact)) <= tolerance:
                cache[beat] = own  # a custom-snap note (1/20...) stays on its own snap, not the nearest 1/48 row
            else:
                cache[beat] = snap_preferring_coarse(np.array([float(exact)]), DIVISORS, tolerance)[0]
            if not in_warp(old, beat):
                if new.warps:  # a judged note snapped onto a new warp's start stays judged
                    cache[beat] = past_warps(new, cache[beat])
                cache[beat] = _nearest_sounding(new, exact, cache[beat], at_s)
                shift[0] = max(shift[0], abs(float(new.beat_to_seconds(cache[beat]) - at_s)))
        return cache[beat]

    return to_new, shift


def _on_own_grid(beat: Fraction, exact: Fraction) -> Fraction | None:
    """The row of ``beat``'s own snap nearest ``exact``, for a note off the 1/192 grid (a custom snap such as
    osu!'s 1/5 beat); None for the others, which the usual snaps serve. Without it a 1 ms nudge with Keep notes in
    time moved such a note to the nearest 1/48 row, 3 ms from where it sounded and off its snap."""
    if is_on_grid(beat, 192):
        return None
    step = Fraction(1, beat.denominator)
    return round(exact / step) * step


def _nearest_sounding(new: TimingData, exact: Fraction, beat: Fraction, at_s: Fraction) -> Fraction:
    """``beat``, or a 1/48-beat row next to ``exact`` that is *judged* nearer ``at_s``. The exact beat at a time
    is where the grid arrives then, but a stop's or a delay's notes are judged at another instant: a note heard at
    a stop's end would go to the stop's beat (judged when the pause starts, a whole stop early), one heard on a
    new delay's beat to that beat (judged after the delay). The row after the stop, the row before the delay,
    is within half a row."""
    error = abs(float(new.beat_to_seconds(beat) - at_s))
    if error <= SNAP_TOLERANCE_S or not (new.stops or new.delays):
        return beat
    row = exact - exact % _MIN_HOLD
    for near in (row - _MIN_HOLD, row, row + _MIN_HOLD, row + 2 * _MIN_HOLD):
        if in_warp(new, near):
            continue
        e = abs(float(new.beat_to_seconds(near) - at_s))
        if e < error - 1e-9:
            beat, error = near, e
    return beat


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


def retime_notes_counted(notes: Iterable[Note], old: TimingData,
                         new: TimingData) -> tuple[list[Note], int, float, int]:
    """:func:`retime_notes_with_shift`, and how many of the notes kept got a new beat or hold length (what the
    status line counts: the notes that came out different from every old one undercounted a shift by one row)."""
    to_new, shift = _mapper(old, new)
    out: dict[tuple[Fraction, int], Note] = {}
    dropped = changed = 0
    for note in sort_notes(notes):
        head = to_new(note.beat)
        moved = note.replace(beat=head, length=max(_MIN_HOLD, to_new(note.end_beat) - head)) if note.kind.has_length \
            else note.replace(beat=head)
        if (head, note.lane) in out:
            dropped += 1
            continue
        out[(head, note.lane)] = moved
        changed += moved != note
    return sort_notes(out.values()), dropped, shift[0], changed


def retime_extra(extra: list[tuple[str, str]], lanes: int, old: TimingData,
                 new: TimingData) -> tuple[list[tuple[str, str]], int, int, float]:
    """``extra`` (a chart's) with a routine chart's player 2 notes re-beated as :func:`retime_notes_with_shift`
    re-beats player 1's, written back with the note-data writer; and (how many of them got new beats, how many
    were dropped on a taken cell, the largest time shift in s). ``extra`` itself when there is no player 2."""
    text = dict(extra).get(PLAYER2)
    if not text:
        return extra, 0, 0, 0.0
    notes, _ = parse_notes(text, lanes)
    moved, dropped, shift, came = retime_notes_counted(notes, old, new)
    if not came and not dropped:
        return extra, 0, 0, shift
    written = format_notes(moved, lanes)  # ValueError (a refusal) if a note could not be written
    return [(k, written if k == PLAYER2 else v) for k, v in extra], came, dropped, shift


def retime_osu_extra(extra: list[tuple[str, str]], notes: Iterable[Note], old: TimingData,
                     new: TimingData) -> list[tuple[str, str]]:
    """``extra`` (a chart's with its ``notes``, or the song's with none) with the osu! extras keyed by beat
    re-beated to keep their times (module docstring): each kept sound goes where :func:`retime_notes` puts its
    note, and is dropped with a note dropped on a taken cell (never handed to the note kept there); a token on a
    beat goes where a note on that beat would, unless that is more than :data:`SNAP_TOLERANCE_S` from its time (a
    green line off every row keeps its exact time). ``extra`` itself when nothing changed."""
    to_new, _ = _mapper(old, new)

    def near(beat: Fraction) -> Fraction:
        mapped, at_s = to_new(beat), old.beat_to_seconds(beat)
        if abs(float(new.beat_to_seconds(mapped) - at_s)) <= SNAP_TOLERANCE_S:
            return mapped
        return new.seconds_to_beat(at_s)

    cells: dict[tuple[Fraction, int], tuple[Fraction, int] | None] = {}
    taken: set[tuple[Fraction, int]] = set()
    for note in sort_notes(notes):
        cell = (to_new(note.beat), note.lane)
        cells[(note.beat, note.lane)] = None if cell in taken else cell
        taken.add(cell)

    def follow(key: tuple[Fraction, int]) -> tuple[Fraction, int] | None:
        if key in cells:
            return cells[key]
        cell = (to_new(key[0]), key[1])  # a sound whose note is already gone: never onto another note
        return None if cell in taken else cell

    return remap_sounds(retime_tokens(extra, old, new, near), follow)


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

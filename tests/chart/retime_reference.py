"""Keep notes in time as it was before :mod:`chart.retime_map` (one beat at a time in Fractions, a fresh map per
call): the exact reference the equivalence tests compare with (``test_retime_fast.py``). The code of
``chart/retime.py`` before the change, trimmed to the note and osu! extra re-beats.

Changed since, on purpose and as the fast code was (each change marked "on purpose" below): a note inside an
old warp keeps its place in the warp instead of its (shared) instant, where all its warp's notes collapsed onto
one row and all but one per lane were dropped; a beat at or after beat 0 is never mapped before it (beat 0
instead, Save refused the song); such notes give way to the others on a taken cell; a hold or roll whose end the
re-beat put on a later note of its lane, or past it, ends a row before it or the note is dropped (the .sm/.ssc
writer refused the whole song). Each is written here in plain Fractions, one note at a time, so that the
equivalence tests still compare the fast code with an independent, obvious one on every case."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

import numpy as np

from chart.formats.display_segments import past_warps
from chart.formats.osu_beats import retime_tokens
from chart.formats.osu_hitsounds import remap_sounds
from chart.formats.timing_tags import in_warp
from chart.notes import Note, NoteKind, sort_notes
from chart.snap import DIVISORS, is_on_grid, snap_preferring_coarse
from chart.timing import TimingData

SNAP_TOLERANCE_S = 0.001
_MIN_HOLD = Fraction(1, 48)


def _mapper(old: TimingData, new: TimingData):
    """``to_new(beat)``, cached per beat, a one-item list holding the largest time shift (s) of a judged beat
    mapped so far (0 when every one lands on a row at its time), and the beats mapped so far that give way on a
    taken cell (inside an old warp), and that were pulled up to beat 0, with how late each then sounds (s)."""
    cache: dict[Fraction, Fraction] = {}
    shift = [0.0]
    yields: set[Fraction] = set()
    raised: dict[Fraction, float] = {}

    def to_new(beat: Fraction) -> Fraction:
        if beat not in cache:
            if in_warp(old, beat):  # changed on purpose: no time of its own, it keeps its place in the warp
                yields.add(beat)
                cache[beat] = _warped(old, new, beat)
                return cache[beat]
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
                if cache[beat] < 0 <= beat:  # changed on purpose: never before beat 0 (a chart file keeps none)
                    cache[beat] = past_warps(new, Fraction(0))
                    raised[beat] = abs(float(new.beat_to_seconds(cache[beat]) - at_s))
                    yields.add(beat)
                else:
                    shift[0] = max(shift[0], abs(float(new.beat_to_seconds(cache[beat]) - at_s)))
        return cache[beat]

    return to_new, shift, yields, raised


def _warped(old: TimingData, new: TimingData, beat: Fraction) -> Fraction:
    """Added on purpose: a note inside a warp keeps its beat, unless the edit moved that warp (one warp gone, one
    of the same length come, a whole number of 1/48 rows away), then its beat in the moved warp."""
    gone, came = set(old.warps) - set(new.warps), set(new.warps) - set(old.warps)
    if len(gone) == 1 and len(came) == 1:
        (start, length), (to, length_to) = *gone, *came
        if (length == length_to and length > 0 and ((to - start) * 48).denominator == 1
                and start <= beat < start + length and beat + to - start >= 0):
            return beat + to - start
    return beat


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


def retime_notes_counted(notes: Iterable[Note], old: TimingData, new: TimingData,
                         tally: dict | None = None) -> tuple[list[Note], int, float, int]:
    """:func:`retime_notes_with_shift`, and how many of the notes kept got a new beat or hold length (what the
    status line counts: the notes that came out different from every old one undercounted a shift by one row).
    ``tally``: filled with what ``BeatMap`` adds up (shortened, pulled, late_s)."""
    out, source, dropped, shift, _order, (squeezed, shortened), pulled, late = _retime(notes, old, new)
    if tally is not None:
        tally.update(shortened=shortened, pulled=pulled, late_s=late)
    changed = sum(1 for cell, note in out.items() if note != source[cell])
    return sort_notes(out.values()), dropped + len(squeezed), shift, changed


def _retime(notes: Iterable[Note], old: TimingData, new: TimingData):
    """(new note per cell, old note per cell, dropped on a taken cell, shift, the old notes in the order they
    claimed cells, the old notes the hold check dropped, notes pulled up to beat 0, how late the latest sounds)."""
    notes = list(notes)
    to_new, shift, yields, raised = _mapper(old, new)
    for note in notes:
        to_new(note.beat)
    # changed on purpose: a note with no time of its own (or not at its time) gives way on a taken cell
    order = sorted(notes, key=lambda n: (n.beat in yields, n))
    out: dict[tuple[Fraction, int], Note] = {}
    source: dict[tuple[Fraction, int], Note] = {}
    dropped = pulled = 0
    late = 0.0
    for note in order:
        head = to_new(note.beat)
        moved = note.replace(beat=head, length=max(_MIN_HOLD, to_new(note.end_beat) - head)) if note.kind.has_length \
            else note.replace(beat=head)
        if (head, note.lane) in out:
            dropped += 1
            continue
        out[(head, note.lane)] = moved
        source[(head, note.lane)] = note
        if note.beat in raised:
            pulled += 1
            late = max(late, raised[note.beat])
    squeezed = _settle(out, source)
    return out, source, dropped, shift[0], order, squeezed, pulled, late


def _settle(out: dict[tuple[Fraction, int], Note],
            source: dict[tuple[Fraction, int], Note]) -> tuple[list[Note], int]:
    """Added on purpose: per lane, in order, a hold or roll (the one reaching furthest so far) whose end the
    re-beat put on a later note of its lane or past it (and that pair was not so before) ends a 1/48 row before
    that note, on no other note's row, or the note is dropped when no row is left. (The old notes dropped, how many
    holds were shortened.)"""
    squeezed = []
    shortened = 0
    for lane in sorted({lane for _, lane in out}):
        hold = None
        for note in sorted(n for (_, la), n in out.items() if la == lane):
            if hold is not None and hold.beat < note.beat <= hold.end_beat:
                was_hold, was_note = source[(hold.beat, lane)], source[(note.beat, lane)]
                long = (NoteKind.HOLD, NoteKind.ROLL)
                refused_now = note.beat == hold.end_beat or note.kind in long
                before = was_hold.beat < was_note.beat <= was_hold.end_beat
                refused_then = was_note.beat == was_hold.end_beat or was_note.kind in long
                if not before or (refused_now and not refused_then):
                    end = note.beat - _MIN_HOLD
                    while end > hold.beat and (end, lane) in out:
                        end -= _MIN_HOLD
                    if end <= hold.beat:
                        del out[(note.beat, lane)]
                        squeezed.append(source.pop((note.beat, lane)))
                        continue
                    hold = out[(hold.beat, lane)] = hold.replace(length=end - hold.beat)
                    shortened += 1
            if note.kind.has_length and (hold is None or note.end_beat > hold.end_beat):
                hold = note
    return squeezed, shortened


def retime_osu_extra(extra: list[tuple[str, str]], notes: Iterable[Note], old: TimingData,
                     new: TimingData) -> list[tuple[str, str]]:
    """``extra`` (a chart's with its ``notes``, or the song's with none) with the osu! extras keyed by beat
    re-beated to keep their times (module docstring): each kept sound goes where :func:`retime_notes` puts its
    note, and is dropped with a note dropped on a taken cell (never handed to the note kept there); a token on a
    beat goes where a note on that beat would, unless that is more than :data:`SNAP_TOLERANCE_S` from its time (a
    green line off every row keeps its exact time). ``extra`` itself when nothing changed."""
    to_new = _mapper(old, new)[0]
    notes = list(notes)
    sat = {n.beat for n in notes} | {n.end_beat for n in notes if n.kind.has_length}

    def near(beat: Fraction) -> Fraction:
        mapped, at_s = to_new(beat), old.beat_to_seconds(beat)
        if beat in sat:  # changed on purpose: a token on a note goes where the note goes, whatever its rounding
            return mapped
        if abs(float(new.beat_to_seconds(mapped) - at_s)) <= SNAP_TOLERANCE_S:
            return mapped
        return new.seconds_to_beat(at_s)

    cells: dict[tuple[Fraction, int], tuple[Fraction, int] | None] = {}
    taken: set[tuple[Fraction, int]] = set()
    _out, _source, _dropped, _shift, order, (squeezed, _), _pulled, _late = _retime(notes, old, new)
    for note in order:  # changed on purpose: in the order the notes claim their cells (those giving way last)
        cell = (to_new(note.beat), note.lane)
        cells[(note.beat, note.lane)] = None if cell in taken else cell
        taken.add(cell)
    for note in squeezed:  # changed on purpose: a note the hold check dropped takes its sound with it
        cells[(note.beat, note.lane)] = None

    def follow(key: tuple[Fraction, int]) -> tuple[Fraction, int] | None:
        if key in cells:
            return cells[key]
        cell = (to_new(key[0]), key[1])  # a sound whose note is already gone: never onto another note
        return None if cell in taken else cell

    return remap_sounds(retime_tokens(extra, old, new, near), follow)

"""The whole milliseconds an ``.osu`` writes for each note, and how far each lands from its true time once read
back (:mod:`chart.formats.osu_mania`'s checks and writer).

A note's millisecond is its exact time rounded (half to even, as ``round(Fraction)``). Computing every time as a
chain of ``Fraction`` operations cost about a second per 10k notes, and the export ran it once per question
(refusal, Verify, conversions, the writing): a 58k-note song froze the window for 10-20 s. Here each time comes
from :meth:`TimingData.seconds_floats` (one correctly rounded float per note, from plain integers), and the few
within a hair of a half millisecond, where that float cannot tell which way the exact time rounds, are computed
exactly: the milliseconds are the very ones the exact path gives.

A hit object read from a file keeps its own millisecond where that is not the one its row's time rounds to (a
note 0.5 ms from its row, on a red line at 2103.5 ms as osu!lazer writes them, or a lead-in before the first red
line): one line ``beat,lane,ms[,end ms]`` in the chart's ``HitObjects.times`` extra (:func:`times_extra`). The
writer gives it back while the note's row still reads within 1 ms of it and it still reads back on that row
(:func:`timed`), so an unedited map is written back as it was; a note moved, or a timing edit that takes its
row further away, is written at its row's rounded time. An entry whose note is gone is never used, and the .ssc
and JSON writers leave out every entry the writer would not use (:func:`pruned_extra`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from fractions import Fraction

import numpy as np

from chart.notes import Note
from chart.song import Chart

TIMES = "HitObjects.times"
_TOLERANCE_MS = 1.0  # how far a kept millisecond may lie from its row's time (the reader's tolerance)

#: How close to a half millisecond (relative to the time) a float must not be for its rounding to be trusted: a
#: correctly rounded float is within 2**-53 of the exact value, far inside this.
_TIE_MARGIN = 1e-12


def whole_ms(timing, beats: Sequence[Fraction]) -> tuple[list[int], list[float]]:
    """(each beat's time in whole ms, rounded half to even from the exact time; that time in ms as a float)."""
    floats = timing.seconds_floats(beats, 1000)
    out = []
    for beat, ms in zip(beats, floats, strict=True):
        if abs(ms - math.floor(ms) - 0.5) <= 1e-9 + abs(ms) * _TIE_MARGIN:  # near a tie (or huge): exactly
            out.append(round(timing.beat_to_seconds(beat) * 1000))
        else:
            out.append(round(ms))
    return out, floats


def timed(chart: Chart, timing) -> Iterator[tuple[Note, int, int | None, tuple[float, float | None]]]:
    """(note, head ms, end ms or None, (true head ms, true end ms or None) as floats) of every note, with whole
    milliseconds as written."""
    notes = chart.notes
    heads, head_f = whole_ms(timing, [n.beat for n in notes])
    held = [k for k, n in enumerate(notes) if n.kind.has_length]
    ends, end_f = whole_ms(timing, [notes[k].end_beat for k in held])
    kept = kept_times(chart.extra)
    if kept:
        _use_kept(timing, notes, kept, heads, head_f, [notes[k].end_beat for k in held], ends, end_f, held)
    end_of = {k: (ends[i], end_f[i]) for i, k in enumerate(held)}
    for k, note in enumerate(notes):
        end_ms, end_true = end_of.get(k, (None, None))
        yield note, heads[k], end_ms, (head_f[k], end_true)


def moved_ms(readback, timed_notes: list) -> np.ndarray:
    """How far (ms) each note lands from its true time once written in whole ms, read back through ``readback``
    (the timing a reader rebuilds) and put on a 1/48-beat row (the larger of head and end)."""
    if not timed_notes:
        return np.zeros(0)
    ms = np.array([[t[1], t[1] if t[2] is None else t[2]] for t in timed_notes], dtype=np.float64)
    true_ms = np.array([[s[0], s[0] if s[1] is None else s[1]] for *_, s in timed_notes], dtype=np.float64)
    rows = np.rint(readback.seconds_to_beats_array(ms / 1000) * 48)
    back_ms = readback.beats_to_seconds_array(rows / 48) * 1000
    return np.abs(back_ms - true_ms).max(axis=1)


def times_extra(timing, notes: Sequence[Note], objects: Sequence[tuple]) -> list[tuple[str, str]]:
    """The ``HitObjects.times`` extra of a chart read with ``notes[i]`` from the hit object ``objects[i]`` (head ms,
    lane, end ms or None): the whole milliseconds that :func:`whole_ms` would not give back (module docstring)."""
    heads, _ = whole_ms(timing, [n.beat for n in notes])
    held = [k for k, n in enumerate(notes) if n.kind.has_length]
    ends, _ = whole_ms(timing, [notes[k].end_beat for k in held])
    end_of = dict(zip(held, ends))
    lines = []
    for k, (note, (ms, _, end_ms)) in enumerate(zip(notes, objects)):
        if ms.denominator != 1 or (k in end_of and (end_ms is None or end_ms.denominator != 1)):
            continue  # a fractional time (or a slider's computed end) is written rounded, as before
        if ms != heads[k] or (k in end_of and end_ms != end_of[k]):
            lines.append(f"{note.beat},{note.lane},{ms}" + (f",{end_ms}" if k in end_of else ""))
    return [(TIMES, "\n".join(lines))] if lines else []


def pruned_extra(chart: Chart, timing, extra: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """``extra`` (the chart's own by default) with its ``HitObjects.times`` cut to the lines the .osu writer would
    still use: a note of that beat and lane is there and its kept millisecond still passes :func:`timed`'s guard.
    What the .ssc and JSON writers write: a line whose note was deleted or moved, or whose row a timing edit took
    away, is not carried on (a few thousand such lines were written into every save and autosave)."""
    extra = chart.extra if extra is None else extra
    if not any(name == TIMES for name, _ in extra):
        return extra
    kept = kept_times(extra)
    notes = [n for n in chart.notes if (n.beat, n.lane) in kept]
    heads, head_f = whole_ms(timing, [n.beat for n in notes])
    held = [k for k, n in enumerate(notes) if n.kind.has_length]
    end_beats = [notes[k].end_beat for k in held]
    ends, end_f = whole_ms(timing, end_beats)
    used_heads, used_ends = list(heads), list(ends)
    _use_kept(timing, notes, kept, used_heads, head_f, end_beats, used_ends, end_f, held)
    end_index = {k: i for i, k in enumerate(held)}
    lines = []
    for k, note in enumerate(notes):
        i = end_index.get(k)
        if used_heads[k] != heads[k] or (i is not None and used_ends[i] != ends[i]):
            ms, end_ms = kept[(note.beat, note.lane)]
            lines.append(f"{note.beat},{note.lane},{ms}" + (f",{end_ms}" if end_ms is not None else ""))
    text = "\n".join(lines)
    return [(name, text if name == TIMES else value) for name, value in extra if name != TIMES or text]


def kept_times(extra: list[tuple[str, str]]) -> dict[tuple[Fraction, int], tuple[int, int | None]]:
    """{(beat, lane): (head ms, end ms or None)} of a chart's ``HitObjects.times`` extra (bad lines skipped)."""
    out: dict[tuple[Fraction, int], tuple[int, int | None]] = {}
    for line in dict(extra).get(TIMES, "").split("\n"):
        f = line.split(",")
        try:
            out[(Fraction(f[0]), int(f[1]))] = (int(f[2]), int(f[3]) if len(f) > 3 else None)
        except (ValueError, IndexError, ZeroDivisionError):
            continue
    return out


def _use_kept(timing, notes: Sequence[Note], kept: dict, heads: list[int], head_f: list[float],
              end_beats: list[Fraction], ends: list[int], end_f: list[float], held: list[int]) -> None:
    """Put each kept millisecond in ``heads``/``ends`` where it lies within 1 ms of the note's true time and the
    reader puts it on the note's row (the same float rule as :mod:`chart.formats.osu_mania`'s reading)."""
    end_index = {k: i for i, k in enumerate(held)}
    tries: list[tuple[list[int], int, int, Fraction]] = []  # (the list, index, kept ms, row)
    for k, note in enumerate(notes):
        times = kept.get((note.beat, note.lane))
        if times is None:
            continue
        if abs(times[0] - head_f[k]) <= _TOLERANCE_MS:
            tries.append((heads, k, times[0], note.beat))
        i = end_index.get(k)
        if i is not None and times[1] is not None and abs(times[1] - end_f[i]) <= _TOLERANCE_MS:
            tries.append((ends, i, times[1], end_beats[i]))
    if not tries:
        return
    rows = np.rint(timing.seconds_to_beats_array(np.array([t[2] for t in tries], dtype=np.float64) / 1000) * 48)
    for (target, i, ms, beat), row in zip(tries, rows):
        if beat * 48 == int(row):
            target[i] = ms

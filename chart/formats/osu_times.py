"""The whole milliseconds an ``.osu`` writes for each note, and how far each lands from its true time once read
back (:mod:`chart.formats.osu_mania`'s checks and writer).

A note's millisecond is its exact time rounded (half to even, as ``round(Fraction)``). Computing every time as a
chain of ``Fraction`` operations cost about a second per 10k notes, and the export ran it once per question
(refusal, Verify, conversions, the writing): a 58k-note song froze the window for 10-20 s. Here each time comes
from :meth:`TimingData.seconds_floats` (one correctly rounded float per note, from plain integers), and the few
within a hair of a half millisecond, where that float cannot tell which way the exact time rounds, are computed
exactly: the milliseconds are the very ones the exact path gives.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from fractions import Fraction

import numpy as np

from chart.notes import Note
from chart.song import Chart

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

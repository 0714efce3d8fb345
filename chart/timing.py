"""Timing: the map between beats and seconds (offset, BPM changes, stops, delays, warps).

Semantics follow StepMania 5:

* ``offset`` is StepMania's ``#OFFSET`` in seconds: beat 0 sounds at ``-offset`` seconds.
* A **stop** at beat *b* freezes the scroll for *s* seconds *after* a note at *b* is judged.
* A **delay** at beat *b* freezes the scroll for *s* seconds *before* a note at *b* is judged.
* A **warp** at beat *b* of length *L* beats makes beats [b, b+L) take no time (notes there are skipped).

Exact arithmetic: every value is a :class:`~fractions.Fraction` (decimal text parses exactly), so
``seconds_to_beat(beat_to_seconds(b)) == b`` holds exactly for any beat outside a warp. The ``*_array``
functions are the vectorised float64 versions used for drawing, features and decoding.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

import numpy as np

from chart.formats.values import format_number
from chart.notes import as_fraction

Pair = tuple[Fraction, Fraction]
# beats, arrive, delay, stop, leave, seconds per beat (arrays over knots), seconds per beat before the first knot
_FloatKnots = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]


def _pairs(values: Sequence) -> tuple[Pair, ...]:
    return tuple(sorted((as_fraction(a), as_fraction(b)) for a, b in values))


def _plain(value: Fraction) -> str:
    """A number in a message as a file holds it (``-0.333``, ``2.5``), not as a Fraction (``-333/1000``)."""
    return format_number(value, 0, 9)


@dataclass(frozen=True)
class _Knots:
    """Precomputed piecewise-linear map. Index j describes beat ``beats[j]`` and the segment after it."""

    beats: list[Fraction]
    arrive: list[Fraction]  # time the scroll reaches the beat (before delay and stop)
    delay: list[Fraction]
    stop: list[Fraction]
    spb: list[Fraction]  # seconds per beat on [beats[j], beats[j+1]); 0 inside a warp
    spb_before: Fraction  # seconds per beat before the first knot (a warp starting there does not apply)

    def leave(self, j: int) -> Fraction:
        return self.arrive[j] + self.delay[j] + self.stop[j]


@dataclass(frozen=True)
class TimingData:
    """Offset, BPM changes, stops, delays, warps and time signatures of a song or chart.

    Parameters
    ----------
    offset : Fraction
        StepMania ``#OFFSET`` in seconds (beat 0 is at ``-offset`` s).
    bpms : tuple of (beat, bpm)
        Tempo changes; the first applies from beat 0 (and extends before it). BPMs must be > 0.
    stops, delays : tuple of (beat, seconds)
        Pauses after / before the notes at that beat (seconds >= 0).
    warps : tuple of (beat, length in beats)
        Skipped beat ranges.
    time_signatures : tuple of (beat, numerator, denominator)
        Only used for measure lines and downbeats; StepMania measures are always 4 beats of notes.
    extra : tuple of (tag, raw value)
        Timing-related tags kept verbatim for round trips (e.g. .ssc #SCROLLS, #SPEEDS, #TICKCOUNTS).
    """

    offset: Fraction = Fraction(0)
    bpms: tuple[Pair, ...] = ((Fraction(0), Fraction(120)),)
    stops: tuple[Pair, ...] = ()
    delays: tuple[Pair, ...] = ()
    warps: tuple[Pair, ...] = ()
    time_signatures: tuple[tuple[Fraction, int, int], ...] = ()
    extra: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "offset", as_fraction(self.offset))
        for name in ("bpms", "stops", "delays", "warps"):
            object.__setattr__(self, name, _pairs(getattr(self, name)))
        object.__setattr__(
            self, "time_signatures",
            tuple(sorted((as_fraction(b), int(n), int(d)) for b, n, d in self.time_signatures)),
        )
        if not self.bpms:
            raise ValueError("timing needs at least one BPM")
        for beat, bpm in self.bpms:
            if bpm <= 0:
                raise ValueError(f"BPM must be positive (got {_plain(bpm)} at beat {_plain(beat)})")
        for name in ("stops", "delays", "warps"):
            for beat, value in getattr(self, name):
                if value < 0:
                    raise ValueError(f"{name[:-1]} at beat {_plain(beat)} must be >= 0 (got {_plain(value)})")
        for beat, num, den in self.time_signatures:
            if num <= 0 or den <= 0:
                raise ValueError(f"time signature {num}/{den} at beat {_plain(beat)} must be positive")

    # ------------------------------------------------------------------ construction helpers
    @classmethod
    def constant(cls, bpm: float | Fraction | str, offset: float | Fraction | str = 0) -> TimingData:
        """One BPM for the whole song."""
        return cls(offset=as_fraction(offset), bpms=((Fraction(0), as_fraction(bpm)),))

    @property
    def is_constant(self) -> bool:
        """True when there is one BPM and no stop, delay or warp."""
        return len(self.bpms) == 1 and not (self.stops or self.delays or self.warps)

    @property
    def beat0_s(self) -> Fraction:
        """Time in seconds of beat 0 (= ``-offset``)."""
        return -self.offset

    def bpm_at(self, beat: Fraction | float) -> Fraction:
        """Tempo in effect at ``beat``."""
        i = bisect_right([b for b, _ in self.bpms], beat) - 1
        return self.bpms[max(i, 0)][1]

    # ------------------------------------------------------------------ exact conversion
    @cached_property
    def _knots(self) -> _Knots:
        points: set[Fraction] = {b for b, _ in self.bpms} | {b for b, _ in self.stops}
        points |= {b for b, _ in self.delays}
        for b, length in self.warps:
            points |= {b, b + length}
        first = min(points | {Fraction(0)})
        points.add(first)
        beats = sorted(points)
        # Stops/delays listed twice at one beat accumulate (the .sm/.ssc readers keep the last listed, as
        # StepMania does, and the writers write the sum: chart.formats.timing_tags).
        stops: dict[Fraction, Fraction] = {}
        delays: dict[Fraction, Fraction] = {}
        for b, s in self.stops:
            stops[b] = stops.get(b, Fraction(0)) + s
        for b, s in self.delays:
            delays[b] = delays.get(b, Fraction(0)) + s
        warp_ranges = sorted((b, b + length) for b, length in self.warps if length > 0)
        # Lookups by bisection keep this linear-logarithmic: files with 10^5 tempo changes exist (and fuzzers).
        bpm_beats = [b for b, _ in self.bpms]
        warp_starts = [w0 for w0, _ in warp_ranges]
        warp_reach: list[Fraction] = []  # furthest warp end among warps starting at or before each start
        for _, w1 in warp_ranges:
            warp_reach.append(max(w1, warp_reach[-1]) if warp_reach else w1)
        arrive: list[Fraction] = []
        spb: list[Fraction] = []
        t = Fraction(0)  # provisional: shifted below so that the scroll reaches beat 0 at -offset
        for j, b in enumerate(beats):
            if j:
                t = t + (b - beats[j - 1]) * spb[j - 1] + delays.get(beats[j - 1], 0) + stops.get(beats[j - 1], 0)
            arrive.append(t)
            k = bisect_right(warp_starts, b)
            warped = k > 0 and warp_reach[k - 1] > b
            spb.append(Fraction(0) if warped else 60 / self.bpms[max(bisect_right(bpm_beats, b) - 1, 0)][1])
        delay = [delays.get(b, Fraction(0)) for b in beats]
        stop = [stops.get(b, Fraction(0)) for b in beats]
        # Anchor: beat 0 is *reached* at -offset (a delay at beat 0 still comes after it), whatever pauses lie
        # at negative beats.
        j0 = bisect_right(beats, Fraction(0)) - 1
        reach0 = arrive[j0] if beats[j0] == 0 else arrive[j0] + delay[j0] + stop[j0] - beats[j0] * spb[j0]
        shift = self.beat0_s - reach0
        return _Knots(
            beats=beats, arrive=[a + shift for a in arrive], delay=delay, stop=stop,
            spb=spb, spb_before=60 / self.bpm_at(first),
        )

    def beat_to_seconds(self, beat: Fraction | int | str) -> Fraction:
        """Exact time in seconds at which a note at ``beat`` is judged."""
        beat = as_fraction(beat)
        k = self._knots
        j = bisect_right(k.beats, beat) - 1
        if j < 0:
            return k.arrive[0] - (k.beats[0] - beat) * k.spb_before
        if beat == k.beats[j]:
            return k.arrive[j] + k.delay[j]
        return k.leave(j) + (beat - k.beats[j]) * k.spb[j]

    def seconds_after_stop(self, beat: Fraction | int | str) -> Fraction:
        """Exact time in seconds at which the scroll moves on from ``beat``: :meth:`beat_to_seconds` (a delay there
        comes before the note is judged) plus a stop on that row, which comes after it. The beats after ``beat``
        run from this time, so a grid fitted to them (a section that starts on a stop) starts here, not at the
        judged note; a row without a stop moves on when it is judged."""
        beat = as_fraction(beat)
        k = self._knots
        j = bisect_right(k.beats, beat) - 1
        return k.leave(j) if j >= 0 and k.beats[j] == beat else self.beat_to_seconds(beat)

    def seconds_to_beat(self, seconds: Fraction | int | str | float) -> Fraction:
        """Exact beat at time ``seconds``; during a pause, the paused beat; at a warp, the beat after it."""
        t = as_fraction(seconds)
        k = self._knots
        if t < k.arrive[0]:
            return k.beats[0] - (k.arrive[0] - t) / k.spb_before
        # Last knot reached at or before t (rightmost: warps map many beats to one time; take the latest).
        j = bisect_right(k.arrive, t) - 1
        if t <= k.leave(j):
            return k.beats[j]
        if k.spb[j] == 0:  # only possible after the last knot of a warp that runs to the end
            return k.beats[j]
        return k.beats[j] + (t - k.leave(j)) / k.spb[j]

    @cached_property
    def _int_knots(self) -> tuple[int, list[int], list[tuple[int, int, int, int, int, int]]]:
        """(scale, knot beats x scale as ints, per knot: judged time, leave time and seconds per beat as
        numerator/denominator pairs) for :meth:`seconds_floats`."""
        k = self._knots
        scale = math.lcm(1, *{b.denominator for b in k.beats})
        beats = [b.numerator * (scale // b.denominator) for b in k.beats]
        per = []
        for j in range(len(k.beats)):
            judged, leave = k.arrive[j] + k.delay[j], k.leave(j)
            per.append((judged.numerator, judged.denominator, leave.numerator, leave.denominator,
                        k.spb[j].numerator, k.spb[j].denominator))
        return scale, beats, per

    def seconds_floats(self, beats: Sequence[Fraction], unit: int = 1) -> list[float]:
        """``float(beat_to_seconds(b) * unit)`` for every beat, the very same floats (the JSON export's note times
        in ms: ``unit=1000``), without a chain of Fraction operations per beat: each time is one numerator over
        one denominator in plain integers, and Python divides ints correctly rounded, as ``float(Fraction)``
        does. About 10x faster than calling :meth:`beat_to_seconds` per note."""
        scale, knot_beats, per = self._int_knots
        out: list[float] = []
        for beat in beats:
            beat = as_fraction(beat)
            p, q = beat.numerator, beat.denominator
            j = bisect_right(knot_beats, p * scale // q) - 1
            if j < 0:
                out.append(float(self.beat_to_seconds(beat) * unit))  # before the first knot: rare
                continue
            jn, jd, ln, ld, sn, sd = per[j]
            kb = knot_beats[j]
            if kb * q == p * scale:
                out.append(jn * unit / jd)
            else:  # leave + (p/q - kb/scale) * sn/sd over one denominator
                out.append((ln * q * scale * sd + (p * scale - kb * q) * sn * ld) * unit / (ld * q * scale * sd))
        return out

    # ------------------------------------------------------------------ vectorised float versions
    @cached_property
    def _float_knots(self) -> _FloatKnots:
        k = self._knots
        f = lambda xs: np.array([float(x) for x in xs], dtype=np.float64)  # noqa: E731
        arrive = f(k.arrive)
        delay, stop = f(k.delay), f(k.stop)
        return f(k.beats), arrive, delay, stop, arrive + delay + stop, f(k.spb), float(k.spb_before)

    def beats_to_seconds_array(self, beats: np.ndarray | Sequence[float]) -> np.ndarray:
        """Vectorised :meth:`beat_to_seconds` on float64 beats (same semantics, float precision)."""
        kb, arrive, delay, _stop, leave, spb, spb_before = self._float_knots
        b = np.asarray(beats, dtype=np.float64)
        j = np.searchsorted(kb, b, side="right") - 1
        before = j < 0
        jc = np.clip(j, 0, None)
        out = leave[jc] + (b - kb[jc]) * spb[jc]
        on_knot = ~before & (b == kb[jc])
        out = np.where(on_knot, arrive[jc] + delay[jc], out)
        return np.where(before, arrive[0] - (kb[0] - b) * spb_before, out)

    def slope_change_times(self) -> np.ndarray:
        """Times in seconds where :meth:`seconds_to_beats_array` changes slope: every tempo change and both ends of
        every stop, delay and warp (sorted, unique). Between two of them, beats are linear in time."""
        _kb, arrive, delay, _stop, leave, _spb, _before = self._float_knots
        return np.unique(np.concatenate([arrive, arrive + delay, leave]))

    def seconds_to_beats_array(self, seconds: np.ndarray | Sequence[float]) -> np.ndarray:
        """Vectorised :meth:`seconds_to_beat` on float64 seconds."""
        kb, arrive, _delay, _stop, leave, spb, spb_before = self._float_knots
        t = np.asarray(seconds, dtype=np.float64)
        j = np.searchsorted(arrive, t, side="right") - 1
        before = j < 0
        jc = np.clip(j, 0, None)
        safe_spb = np.where(spb[jc] > 0, spb[jc], 1.0)
        moving = kb[jc] + (t - leave[jc]) / safe_spb
        out = np.where((t <= leave[jc]) | (spb[jc] == 0), kb[jc], moving)
        return np.where(before, kb[0] - (arrive[0] - t) / spb_before, out)

    # ------------------------------------------------------------------ measures
    @cached_property
    def _measure_sections(self) -> list[tuple[Fraction, Fraction, int]]:
        """(start beat, measure length, number of its first line) per time signature, from beat 0 on: 4/4 until
        the first one; one at a negative beat applies from beat 0 (the last of them), as no line is drawn or
        stepped to before 0 by a signature (4/4 lines there). The grid, PgUp/PgDn and the status bar all count
        from these, so they agree."""
        lengths: dict[Fraction, Fraction] = {Fraction(0): Fraction(4)}
        for beat, num, den in self.time_signatures:  # sorted by beat: a later one at the same start wins
            lengths[max(Fraction(beat), Fraction(0))] = Fraction(num * 4, den)
        out: list[tuple[Fraction, Fraction, int]] = []
        number = 0
        starts = sorted(lengths)
        for i, start in enumerate(starts):
            out.append((start, lengths[start], number))
            if i + 1 < len(starts):
                number += math.ceil((starts[i + 1] - start) / lengths[start])
        return out

    def measure_starts(self, last_beat: float) -> np.ndarray:
        """Beats of measure starts (downbeats) from beat 0 up to ``last_beat``, following time signatures (default
        4/4). One entry per measure: for the grid's visible lines use :meth:`measure_lines` (a 10^9-beat warp
        holds 2.5 * 10^8 measures)."""
        beats, _numbers, _strides = self.measure_lines(0.0, last_beat)
        return beats

    def measure_lines(self, b0: float, b1: float, beats_apart: float = 0.0) -> tuple[np.ndarray, np.ndarray,
                                                                                    np.ndarray]:
        """(beats, measure numbers, strides) of the measure lines in ``[b0, b1]`` (from beat 0 on), by beat.
        Where a signature's measures are shorter than ``beats_apart``, only every ``stride``-th line is listed
        (numbers that are multiples of it, a power of two, the largest that keeps them under ``beats_apart``
        apart): the cost follows ``(b1 - b0) / beats_apart``, not the number of measures."""
        lo = Fraction(max(b0, 0.0)) - Fraction(1, 10**9)
        hi = Fraction(b1) + Fraction(1, 10**9)
        sections = self._measure_sections
        beats: list[np.ndarray] = []
        numbers: list[np.ndarray] = []
        strides: list[np.ndarray] = []
        for i in range(max(bisect_right([s for s, _, _ in sections], lo) - 1, 0), len(sections)):
            start, length, first = sections[i]
            if start > hi:
                break
            count = sections[i + 1][2] - first if i + 1 < len(sections) else None
            k0 = max(math.ceil((lo - start) / length), 0)
            k1 = math.floor((hi - start) / length)
            if count is not None:
                k1 = min(k1, count - 1)
            if k1 < k0:
                continue
            ratio = min(beats_apart / float(length), 2.0**40)  # (a stretch of ~0 pixels per beat: inf)
            stride = 2 ** int(math.floor(math.log2(ratio))) if ratio > 1 else 1
            k0 += -(first + k0) % stride  # numbers that are multiples of the stride
            ks = np.arange(k0, k1 + 1, stride, dtype=np.int64)
            beats.append(float(start) + ks * float(length))
            numbers.append(first + ks)
            strides.append(np.full(len(ks), stride, dtype=np.int64))
        if not beats:
            return np.empty(0), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        return np.concatenate(beats), np.concatenate(numbers), np.concatenate(strides)

    def measure_line(self, beat: Fraction, step: int) -> Fraction:
        """The measure line (downbeat) ``step`` lines after ``beat`` (``step`` < 0: before), exactly, following
        time signatures as :meth:`measure_starts` does (4/4 before the first one and before beat 0); a beat on a
        line moves a whole measure. What PgUp/PgDn and Shift+wheel step by."""
        sigs = [(start, length) for start, length, _ in self._measure_sections]
        beat = Fraction(beat)
        for _ in range(abs(step)):
            beat = self._next_line(beat, sigs) if step > 0 else self._previous_line(beat, sigs)
        return beat

    def measure_span(self, beat: Fraction) -> tuple[Fraction, Fraction]:
        """(first beat, end beat) of the measure ``beat`` lies in (a beat on a line starts its measure)."""
        end = self.measure_line(beat, 1)
        return self.measure_line(end, -1), end

    @staticmethod
    def _next_line(beat: Fraction, sigs: list[tuple[Fraction, Fraction]]) -> Fraction:
        if beat < 0:
            return Fraction((beat // 4) * 4 + 4)
        i = bisect_right([start for start, _ in sigs], beat) - 1
        start, length = sigs[i]
        line = start + ((beat - start) // length + 1) * length
        return min(line, sigs[i + 1][0]) if i + 1 < len(sigs) else line

    @staticmethod
    def _previous_line(beat: Fraction, sigs: list[tuple[Fraction, Fraction]]) -> Fraction:
        if beat <= 0:
            return Fraction(beat - 4 if beat % 4 == 0 else (beat // 4) * 4)
        start, length = next((s, n) for s, n in reversed(sigs) if s < beat)
        return start + -((start - beat) // length) * length - length

    def measure_position(self, beat: float) -> tuple[int, float]:
        """(measure number from 0, beats into it) of ``beat``, following time signatures as the grid does; one
        bisection, whatever the number of measures before it."""
        if beat < 0 or not self.time_signatures:
            measure, into = divmod(beat, 4.0)
            return int(measure), into
        sections = self._measure_sections
        at = Fraction(beat) + Fraction(1, 10**9)  # a float a hair below a line is on it (as the grid draws it)
        start, length, first = sections[bisect_right([s for s, _, _ in sections], at) - 1]
        k = math.floor((at - start) / length)
        return first + k, beat - float(start + k * length)

    def with_changes(self, **changes) -> TimingData:
        """Copy with some fields replaced."""
        values = {name: getattr(self, name) for name in (
            "offset", "bpms", "stops", "delays", "warps", "time_signatures", "extra")}
        values.update(changes)
        return TimingData(**values)

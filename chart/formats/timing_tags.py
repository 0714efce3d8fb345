"""Timing tags of .sm/.ssc (``#OFFSET #BPMS #STOPS #DELAYS #WARPS #TIMESIGNATURES`` and the rest).

``#BPMS``/``#STOPS``/``#DELAYS``/``#WARPS``/``#TIMESIGNATURES``/``#OFFSET`` become :class:`TimingData` fields;
``#SCROLLS #SPEEDS #TICKCOUNTS #COMBOS #FAKES #LABELS`` (display and scoring tags that do not move notes in
time) are kept verbatim in ``TimingData.extra`` and written back. ``#FREEZES`` is read as ``#STOPS``.

Negative BPMs and negative stops (the old .sm idiom for skipping beats) become warps the way StepMania 5's
loader converts them: we follow the song's clock with the negative values in place; wherever the clock would
run backwards (a negative stop, or a segment with negative BPM) a warp starts, and it ends at the first beat
where the clock is back at the time the warp started. The negative entries are removed, and the tempo in
force before a negative BPM carries on inside the warp (no note there can be hit, so it changes nothing). A
positive stop met inside a warp is time the warp makes up, not a stop of its own: one that more than makes it up
ends the warp at its beat, and only the excess stays there as a stop (as that loader does). A last BPM that is
negative is refused ("never catches up"): StepMania warps from there to the end of the chart (beat 99999999), a
timing whose every later beat shares one instant, which the editor's views and checks are not built for.
Warp ends are exact fractions; a length within 1e-6 beat of a 1/48 row is taken as that row (our own
.sm writer's negative stops carry 9 decimals of seconds).

Entries StepMania's loaders drop or replace are handled as they do, and said in the read report: a BPM of 0 is
ignored (the next BPM then applies from the start if it was the one at beat 0); a stop or delay listed again at
the beat of an earlier one replaces it (``TimingData::AddSegment``; in a file with a negative BPM or stop, every
stop is taken in turn in list order, as StepMania's .sm loader takes them while it makes a warp: two positive
stops on one beat inside a warp both count against it, and that replacement applies only to the stops that stay,
then without a read-report line); in a .sm file (``sm=True``), stops before
beat 0 are taken into ``#OFFSET`` (``ProcessBPMsAndStops``: a stop of s seconds there plays the whole chart s
seconds later).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from itertools import accumulate
from typing import TypeVar

from chart.formats.errors import ParseError
from chart.formats.values import (
    format_beat,
    format_number,
    format_pairs,
    near_row,
    parse_list,
    parse_number,
    parse_pairs,
    snap_row,
)
from chart.timing import TimingData

FIELD_TAGS = ("OFFSET", "BPMS", "STOPS", "DELAYS", "WARPS", "TIMESIGNATURES")
EXTRA_TAGS = ("TICKCOUNTS", "COMBOS", "SPEEDS", "SCROLLS", "FAKES", "LABELS")
TIMING_TAGS = FIELD_TAGS + EXTRA_TAGS
ALIASES = {"FREEZES": "STOPS"}
# Warps we write to .sm come back through stop seconds rounded to 9 decimals: far less than 1e-6 beat off a row.
_DERIVED_TOLERANCE = Fraction(1, 10**6)
_T = TypeVar("_T")


def timing_from_tags(values: dict[str, tuple[str, int]], extra: list[tuple[str, str]],
                     base: TimingData | None = None, notes: list[str] | None = None, sm: bool = False) -> TimingData:
    """TimingData from tag values.

    Parameters
    ----------
    values : dict
        Tag name -> (value text, line) for the tags in :data:`FIELD_TAGS` that are present.
    extra : list of (tag, raw value)
        Tags of :data:`EXTRA_TAGS` in file order.
    base : TimingData, optional
        Where a chart's own timing lacks ``#OFFSET`` or ``#BPMS``, they are taken from here (the song).
    notes : list of str, optional
        Read-report lines on entries dropped or replaced as StepMania does (module docstring) are appended here.
    sm : bool
        Read as StepMania's .sm loader does: stops before beat 0 go into the offset.
    """
    said: list[str] = [] if notes is None else notes
    def get(name: str) -> tuple[str, int | None]:
        return values.get(name, ("", None))

    text, line = get("OFFSET")
    if text.strip():
        offset = parse_number(text, "#OFFSET", line)
    else:
        offset = base.offset if base else Fraction(0)
    text, line = get("BPMS")
    bpms = _nonzero_bpms(parse_pairs(text, "#BPMS", line), said)
    if len({b for b, _ in bpms}) < len(bpms):
        said.append(f"#BPMS: {len(bpms) - len({b for b, _ in bpms})} BPM(s) listed again at the beat of another: "
                    f"the last listed kept, as StepMania does")
    if not bpms:
        bpms = list(base.bpms) if base else [(Fraction(0), Fraction(60))]
    text, line = get("STOPS")
    stops = parse_pairs(text, "#STOPS", line)
    if sm and any(b < 0 for b, _ in stops):
        before = [s for b, s in stops if b < 0]
        offset -= sum(before, Fraction(0))
        stops = [(b, s) for b, s in stops if b >= 0]
        said.append(f"{len(before)} stop(s) before beat 0 taken into #OFFSET (beat 0 at {float(-offset):.3f} s), "
                    f"as StepMania's .sm reader does")
    if all(v >= 0 for _, v in bpms + stops):
        stops = _last_per_beat(stops, "stop", said)
    # else every stop goes to negative_to_warps as listed: StepMania's .sm loader counts each positive stop inside
    # a warp it makes against the warp (two on one beat both), and outside one the last listed stays there too
    delays = _last_per_beat(_beat_values(get("DELAYS"), "#DELAYS"), "delay", said)
    warps = [(b, near_row(v)) for b, v in _beat_values(get("WARPS"), "#WARPS")]
    sigs = _signatures(*get("TIMESIGNATURES"))
    bpms, stops, new_warps = negative_to_warps(bpms, stops)
    try:
        return TimingData(offset=offset, bpms=tuple(_dedupe(bpms)), stops=tuple(stops), delays=tuple(delays),
                          warps=tuple(_merge_warps(warps + new_warps)), time_signatures=tuple(sigs),
                          extra=tuple(extra))
    except ValueError as err:
        raise ParseError(f"timing: {err}", get("BPMS")[1]) from None


def bpms_stated(values: dict[str, tuple[str, int]]) -> bool:
    """Whether the tag values (as for :func:`timing_from_tags`) give a nonzero BPM: else the reader fills in its
    tempo (the song's, or 60 BPM) and :mod:`chart.stated_tempo` marks it as invented."""
    text, line = values.get("BPMS", ("", 0))
    return any(v != 0 for _, v in parse_pairs(text, "#BPMS", line))


def _beat_values(entry: tuple[str, int | None], what: str) -> list[tuple[Fraction, Fraction]]:
    pairs = parse_pairs(entry[0], what, entry[1])
    for beat, value in pairs:
        if value < 0:
            raise ParseError(f"{what} at beat {float(beat):g} is negative", entry[1])
    return pairs


def _signatures(text: str, line: int | None) -> list[tuple[Fraction, int, int]]:
    out = []
    for f in parse_list(text, 3, "#TIMESIGNATURES", line):
        beat = snap_row(parse_number(f[0], "#TIMESIGNATURES beat", line))
        num = int(parse_number(f[1], "time signature numerator", line))
        den = int(parse_number(f[2], "time signature denominator", line))
        if num <= 0 or den <= 0:
            raise ParseError(f"time signature {num}/{den} must be positive", line)
        out.append((beat, num, den))
    return out


def _nonzero_bpms(bpms: list[tuple[Fraction, Fraction]], said: list[str]) -> list[tuple[Fraction, Fraction]]:
    """``bpms`` without BPMs of 0, which StepMania ignores (said in ``said``)."""
    kept = [(b, v) for b, v in bpms if v != 0]
    if len(kept) < len(bpms):
        zero = [b for b, v in bpms if v == 0]
        start = "" if not kept or min(b for b, _ in kept) <= 0 else \
            f"; the BPM at beat {float(min(b for b, _ in kept)):g} applies from the start"
        said.append(f"#BPMS: {len(zero)} BPM(s) of 0 (first at beat {float(zero[0]):g}) ignored, as StepMania "
                    f"ignores them{start}")
    return kept


def _last_per_beat(pairs: list[tuple[Fraction, Fraction]], what: str,
                   said: list[str]) -> list[tuple[Fraction, Fraction]]:
    """One entry per beat, the last listed (StepMania's segment insertion replaces one on the same row; a value
    of 0 does not replace another). Said in ``said`` when any is dropped."""
    by_beat: dict[Fraction, list[Fraction]] = {}
    for b, v in pairs:
        by_beat.setdefault(b, []).append(v)
    if all(len(vs) == 1 for vs in by_beat.values()):
        return pairs
    out = [(b, ([v for v in vs if v != 0] or vs)[-1]) for b, vs in by_beat.items()]
    dropped = len(pairs) - len(out)
    if dropped:
        first = min(b for b, vs in by_beat.items() if len(vs) > 1)
        said.append(f"{dropped} {what}(s) listed again at the beat of another (first at beat {float(first):g}): "
                    f"the last listed kept, as StepMania does")
    return sorted(out, key=lambda p: p[0])


def _dedupe(bpms: list[tuple[Fraction, Fraction]]) -> list[tuple[Fraction, Fraction]]:
    """One BPM per beat (the last listed wins, as StepMania's segment insertion does); first at beat <= 0."""
    by_beat: dict[Fraction, Fraction] = {}
    for b, v in bpms:
        by_beat[b] = v
    return sorted(by_beat.items())


def _merge_warps(warps: list[tuple[Fraction, Fraction]]) -> list[tuple[Fraction, Fraction]]:
    return sorted(w for w in warps if w[1] > 0)


def negative_to_warps(bpms: list[tuple[Fraction, Fraction]], stops: list[tuple[Fraction, Fraction]]):
    """Remove negative BPMs/stops, returning (bpms, stops, warps) with the same note times (module docstring).

    Stops are taken one by one in list order. A positive stop met while a warp runs is time the warp has to make
    up (StepMania 5's ``ProcessBPMsAndStops`` adds it to the warp's deficit): it is no stop of its own. One that
    more than makes up the deficit ends the warp at its beat and only the excess stays there as a stop (and if
    the BPM is still negative, a new warp starts at that beat)."""
    bpms = _dedupe(bpms)
    if all(v > 0 for _, v in bpms) and all(v >= 0 for _, v in stops):
        if any(v == 0 for _, v in bpms):
            raise ParseError("#BPMS has a BPM of 0")
        return bpms, sorted(stops), []
    if any(v == 0 for _, v in bpms):
        raise ParseError("#BPMS has a BPM of 0")
    if bpms[0][1] < 0:
        raise ParseError("the first BPM is negative")
    events = sorted({b for b, _ in bpms} | {b for b, _ in stops})
    stops_at: dict[Fraction, list[Fraction]] = {}
    for b, s in sorted(stops, key=lambda p: p[0]):  # stable: list order within a beat
        stops_at.setdefault(b, []).append(s)
    bpm_at = dict(bpms)
    warps: list[tuple[Fraction, Fraction]] = []
    kept: dict[Fraction, Fraction] = {}  # the stops that stay; a later one on a beat replaces (StepMania)
    t = Fraction(0)  # the song's clock with the negative values in place
    bpm = bpms[0][1]
    warp_start: Fraction | None = None
    target = Fraction(0)  # while warping: the clock time at which the warp ends
    for k, beat in enumerate(events):
        bpm = bpm_at.get(beat, bpm)
        if warp_start is None and bpm < 0:  # the clock runs back from here
            warp_start, target = beat, t
        for s in stops_at.get(beat, ()):
            t += s
            if warp_start is None:
                if s < 0:  # skip until the clock is back at the arrival
                    warp_start, target = beat, t - s
                elif s > 0:
                    kept[beat] = s
            elif s > 0 and t > target:  # the stop overshoots the warp's deficit: only the excess stays
                warps.append((warp_start, beat - warp_start))
                kept[beat] = t - target
                warp_start, target = (beat, t) if bpm < 0 else (None, t)
        nxt = events[k + 1] if k + 1 < len(events) else None
        if warp_start is not None and t >= target and bpm > 0:
            warps.append((warp_start, beat - warp_start))  # caught up exactly at an event
            warp_start = None
        if warp_start is not None and bpm > 0 and t < target:
            reach = beat + (target - t) * bpm / 60
            if nxt is None or reach <= nxt:
                warps.append((warp_start, near_row(reach - warp_start, _DERIVED_TOLERANCE)))
                warp_start = None
        if nxt is not None:
            t += (nxt - beat) * 60 / bpm
    if warp_start is not None:
        raise ParseError(f"negative BPM or stop at beat {float(warp_start):g} never catches up")
    clean_bpms = [(b, v) for b, v in bpms if v > 0]
    return clean_bpms, sorted(kept.items()), [w for w in warps if w[1] > 0]


def timing_tag_values(timing: TimingData) -> list[tuple[str, str]]:
    """(tag, value) for the .ssc timing tags in canonical order, extras included where present."""
    out = [
        ("OFFSET", format_number(timing.offset)),
        ("BPMS", format_pairs(timing.bpms)),
        ("STOPS", format_pairs(merged_per_beat(timing.stops))),
        ("DELAYS", format_pairs(merged_per_beat(timing.delays))),
        ("WARPS", format_pairs(timing.warps)),
        ("TIMESIGNATURES", ",".join(f"{format_beat(b)}={n}={d}" for b, n, d in timing.time_signatures)),
    ]
    extra = dict(timing.extra)
    out += [(tag, extra[tag]) for tag in EXTRA_TAGS if tag in extra]
    return out


def merged_per_beat(pairs: Iterable[tuple[Fraction, Fraction]]) -> list[tuple[Fraction, Fraction]]:
    """Pauses on one beat as one entry of their sum (what :class:`TimingData` plays): StepMania keeps only the
    last of two listed at one beat."""
    total: dict[Fraction, Fraction] = {}
    for b, v in pairs:
        total[b] = total.get(b, Fraction(0)) + v
    return sorted(total.items())


@dataclass(frozen=True)
class BeatRanges:
    """Half-open beat ranges ``[start, end)`` asked "does one hold this beat, and how far does it reach?" by one
    bisection. Songs with hundreds of warps (or fake segments) ask it for every note: a scan of every range with
    Fraction arithmetic per note froze the editor at each edit there.

    Exact, on integers: every bound is kept as ``bound * scale`` (``scale``: the least common denominator of the
    bounds), so the bisection compares machine-fast ints where Fractions cost a Python call per comparison.
    ``starts`` are sorted; ``reach[i]`` is the furthest end among the ranges ``0..i`` (ranges of length <= 0 hold
    nothing and are left out)."""

    scale: int = 1
    starts: tuple[int, ...] = ()
    reach: tuple[int, ...] = ()

    @classmethod
    def of(cls, ranges: Iterable[tuple[Fraction, Fraction]]) -> BeatRanges:
        """From ``(start, end)`` pairs in any order."""
        spans = sorted((Fraction(a), Fraction(b)) for a, b in ranges if b > a)
        scale = math.lcm(1, *{x.denominator for span in spans for x in span})
        ints = [(a.numerator * (scale // a.denominator), b.numerator * (scale // b.denominator)) for a, b in spans]
        return cls(scale, tuple(a for a, _ in ints), tuple(accumulate((b for _, b in ints), max)))

    def end_over(self, beat: Fraction | int) -> Fraction | None:
        """The furthest end among the ranges holding ``beat`` (``start <= beat < end``); None when none does.
        (The furthest end of all ranges starting at or before ``beat`` is past it only if one of them holds it.)"""
        beat = _exact(beat)
        k = self._last_start(beat)
        if k < 0:
            return None
        end = self.reach[k]
        return Fraction(end, self.scale) if end * beat.denominator > beat.numerator * self.scale else None

    def _last_start(self, beat: Fraction | int) -> int:
        """Index of the last range starting at or before ``beat`` (-1: none). An int start ``S`` is <= ``beat *
        scale`` exactly when it is <= its floor."""
        return bisect_right(self.starts, beat.numerator * self.scale // beat.denominator) - 1

    def __contains__(self, beat: object) -> bool:
        beat = _exact(beat)  # type: ignore[arg-type]
        k = self._last_start(beat)
        return k >= 0 and self.reach[k] * beat.denominator > beat.numerator * self.scale

    def __bool__(self) -> bool:
        return bool(self.starts)


def _exact(beat: Fraction | int | float) -> Fraction | int:
    """``beat`` as itself when it is a Fraction or int, else its exact value (a float or numpy number)."""
    return beat if isinstance(beat, Fraction | int) else Fraction(beat)


@dataclass(frozen=True)
class _WarpIndex:
    ranges: BeatRanges
    paused: frozenset[Fraction]  # rows holding a stop or delay: StepMania does not skip them inside a warp


def cached_on(timing: TimingData, name: str, build: Callable[[TimingData], _T]) -> _T:
    """``build(timing)``, computed once per (immutable) timing and kept on it beside its own cached knots, so that
    per-note questions do not rebuild an index for every note."""
    value: _T | None = timing.__dict__.get(name)
    if value is None:
        value = build(timing)
        object.__setattr__(timing, name, value)  # frozen dataclass: a cache, not a field (not in eq, hash, repr)
    return value


def _warp_index(timing: TimingData) -> _WarpIndex:
    return _WarpIndex(BeatRanges.of((b, b + length) for b, length in timing.warps),
                      frozenset(b for b, s in timing.stops + timing.delays if s > 0))


def warp_end(timing: TimingData, beat: Fraction) -> Fraction | None:
    """The furthest end of the warps whose ``[start, start + length)`` holds ``beat`` (None when none does),
    stops and delays aside (:func:`in_warp` minds them)."""
    if not timing.warps:
        return None
    return cached_on(timing, "_warp_index", _warp_index).ranges.end_over(beat)


def in_warp(timing: TimingData, beat: Fraction) -> bool:
    """Whether StepMania skips a note at ``beat``: inside [start, start + length) of a warp, unless a stop or
    delay sits on that row (StepMania 5's ``TimingData::IsWarpAtRow``). O(log warps): one bisection over the
    timing's warps, indexed once per timing."""
    if not timing.warps:
        return False
    index = cached_on(timing, "_warp_index", _warp_index)
    return beat in index.ranges and beat not in index.paused


def order_extra(pairs: list[tuple[str, str]], order: tuple[str, ...]) -> list[tuple[str, str]]:
    """Known tags in the writer's order, unknown ones after them in file order (what a round trip yields)."""
    rank = {name: i for i, name in enumerate(order)}
    return sorted(pairs, key=lambda p: rank.get(p[0], len(order)))

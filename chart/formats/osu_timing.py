"""osu! timing points <-> :class:`TimingData`.

osu! has no beats, stops, delays or warps: an *uninherited* timing point ``time,beatLength,meter,...,1,...``
starts a new beat grid at ``time`` ms with ``BPM = 60000 / beatLength``. Reading:

* the first uninherited point is beat 0 (``#OFFSET = -time/1000``), shifted back by whole measures when
  hit objects come before it (StepMania has no negative beats);
* each later point lies ``x = beat_prev + (time - time_prev) / beatLength_prev`` beats on. When ``x`` is a
  1/48-beat row (within 1 microsecond) it becomes a BPM change there; otherwise the point is put on the row
  ``r`` just before ``x`` and the missing time ``(x - r) * beatLength_prev`` becomes a **stop** at ``r``, so
  every hit object keeps its time and the grid stays on StepMania rows;
* a beatLength that is 60000/BPM for a BPM with 3 decimals (within 1e-6 BPM) reads as that BPM: osu! files
  store 428.571428571429 for 140 BPM;
* ``meter`` becomes a time signature ``meter/4`` where it changes.

Writing follows the same model back: a point at each BPM change and time-signature change, and a point at the
end of each stop (and warp), carrying the tempo that follows. Delays are written as stops one row earlier
(as StepMania's .sm writer does). A stop read back lands on the row before its end, so a stop longer than one
row renumbers the beats after it (times are kept).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from chart.formats.errors import MAX_TIMING_ENTRIES, ParseError
from chart.formats.values import ROWS_PER_BEAT, parse_number
from chart.timing import TimingData

_ROW = Fraction(1, ROWS_PER_BEAT)
_SAME_TIME_MS = Fraction(1, 1000)  # 1 microsecond
_NICE_BPM = Fraction(1, 10**6)


@dataclass(frozen=True)
class TimingPoint:
    """One uninherited osu! timing point (times and lengths in ms, exact)."""

    time_ms: Fraction
    beat_length_ms: Fraction
    meter: int


def parse_point(line: str, number: int) -> tuple[TimingPoint | None, str | None]:
    """(uninherited point, None) or (None, the raw line) for an inherited one."""
    f = [x.strip() for x in line.split(",")]
    if len(f) < 2:
        raise ParseError(f"timing point {line[:40]!r} needs at least time and beatLength", number)
    time_ms = parse_number(f[0], "timing point time", number)
    beat_length = parse_number(f[1], "timing point beatLength", number)
    meter = int(parse_number(f[2], "timing point meter", number)) if len(f) > 2 and f[2] else 4
    uninherited = f[6] != "0" if len(f) > 6 and f[6] else beat_length > 0
    if not uninherited:
        return None, line
    if beat_length <= 0:
        raise ParseError(f"uninherited timing point with beatLength {f[1]} (must be > 0)", number)
    if not 1 <= meter <= 1000:
        raise ParseError(f"timing point meter {meter} out of range", number)
    return TimingPoint(time_ms, beat_length, meter), None


def bpm_of(beat_length_ms: Fraction) -> Fraction:
    """BPM of a beatLength; snapped to 3 decimals when it is within 1e-6 BPM of such a value."""
    bpm = 60000 / beat_length_ms
    nice = Fraction(round(bpm * 1000), 1000)
    return nice if nice > 0 and abs(nice - bpm) <= _NICE_BPM else bpm


def timing_from_points(points: list[TimingPoint], first_object_ms: Fraction | None) -> TimingData:
    """TimingData equivalent to osu! uninherited points (module docstring)."""
    if not points:
        raise ParseError("no uninherited timing point: the beatmap has no tempo")
    if len(points) > MAX_TIMING_ENTRIES:
        raise ParseError(f"more than {MAX_TIMING_ENTRIES} timing points")
    points = sorted(points, key=lambda p: p.time_ms)
    p0 = points[0]
    bpm0 = bpm_of(p0.beat_length_ms)
    spb0_ms = 60000 / bpm0
    shift = 0
    if first_object_ms is not None and first_object_ms < p0.time_ms:
        shift = -((first_object_ms - p0.time_ms) // (4 * spb0_ms))  # whole measures, rounded up
    start = Fraction(4 * shift)
    offset_s = -(p0.time_ms - start * spb0_ms) / 1000
    bpms = [(Fraction(0), bpm0)]
    stops: list[tuple[Fraction, Fraction]] = []
    sigs = [(start, p0.meter, 4)] if p0.meter != 4 else []
    beat, time_ms, bpm, meter = start, p0.time_ms, bpm0, p0.meter
    for p in points[1:]:
        spb_ms = 60000 / bpm
        x = beat + (p.time_ms - time_ms) / spb_ms
        row = Fraction(int(x * ROWS_PER_BEAT), ROWS_PER_BEAT)  # floor for x >= 0
        gap_ms = (x - row) * spb_ms
        if (row + _ROW - x) * spb_ms <= _SAME_TIME_MS:  # a hair before the next row: that row
            row, gap_ms = row + _ROW, Fraction(0)
        time_ms = time_ms + (row - beat) * spb_ms
        if gap_ms > _SAME_TIME_MS:
            stops.append((row, gap_ms / 1000))
            time_ms += gap_ms
        beat, bpm = row, bpm_of(p.beat_length_ms)
        if bpms[-1][0] == beat:
            bpms[-1] = (beat, bpm)
        elif bpm != bpms[-1][1]:
            bpms.append((beat, bpm))
        if p.meter != meter:
            sigs = [s for s in sigs if s[0] != beat] + [(beat, p.meter, 4)]
            meter = p.meter
    stops = _merge(stops)
    return TimingData(offset=offset_s, bpms=tuple(bpms), stops=tuple(stops), time_signatures=tuple(sigs))


def _merge(stops: list[tuple[Fraction, Fraction]]) -> list[tuple[Fraction, Fraction]]:
    out: dict[Fraction, Fraction] = {}
    for b, s in stops:
        out[b] = out.get(b, Fraction(0)) + s
    return sorted(out.items())


def points_from_timing(timing: TimingData) -> list[TimingPoint]:
    """Uninherited points reproducing ``timing`` (module docstring); sorted by time, one per time."""
    stops = dict(_merge(list(timing.stops) + [(b - _ROW, s) for b, s in timing.delays]))
    plain = timing.with_changes(stops=tuple(stops.items()), delays=())
    sigs = list(timing.time_signatures)

    def meter_at(beat: Fraction) -> int:
        active = [n for b, n, _ in sigs if b <= beat]
        return active[-1] if active else 4

    def point(time_s: Fraction, beat: Fraction) -> TimingPoint:
        return TimingPoint(time_s * 1000, 60000 / plain.bpm_at(beat), meter_at(beat))

    first = min(Fraction(0), plain.bpms[0][0])
    events = [(plain.beat_to_seconds(first), first, point(plain.beat_to_seconds(first), first))]
    for b in [b for b, _ in plain.bpms] + [b for b, _, _ in sigs]:
        if b > first:
            events.append((plain.beat_to_seconds(b), b, point(plain.beat_to_seconds(b), b)))
    for b, s in stops.items():
        t = plain.beat_to_seconds(b) + s
        events.append((t, b, point(t, b)))
    for b, length in plain.warps:
        t = plain.beat_to_seconds(b + length)
        events.append((t, b + length, point(t, b + length)))
    events.sort(key=lambda e: (e[0], e[1]))
    by_time: dict[Fraction, TimingPoint] = {}
    for t, _, p in events:
        by_time[t] = p  # the latest beat at one time wins: its tempo is the one that plays on
    return [by_time[t] for t in sorted(by_time)]

"""osu! timing points <-> :class:`TimingData`.

osu! has no beats, stops, delays or warps: an *uninherited* timing point ``time,beatLength,meter,...,1,...``
starts a new beat grid at ``time`` ms with ``BPM = 60000 / beatLength``. Reading:

* the first uninherited point is beat 0 (``#OFFSET = -time/1000``), shifted back by whole measures when
  hit objects come before it (StepMania has no negative beats);
* each later point lies ``x = beat_prev + (time - time_prev) / beatLength_prev`` beats on. When ``x`` is a
  1/48-beat row (within 1 microsecond) it becomes a BPM change there; otherwise the point is put on the row
  ``r`` just before ``x`` and the missing time ``(x - r) * beatLength_prev`` becomes a pause at ``r``, so the
  grid stays on StepMania rows and every hit object keeps its time: a **delay** (a note on ``r`` is judged
  after it, at the point's time: the new grid's first beat, where osu! mappers put the note of a tempo change
  or an "offset reset" that moves the grid by a few ms), or a **stop** (a note on ``r`` is judged before it, on
  the old grid) when a hit object lies on the old grid's row and none on the point -- which is how a stop
  written below reads back;
* a beatLength that is 60000/BPM for a BPM with 3 decimals (within 1e-6 BPM) reads as that BPM: osu! files
  store 428.571428571429 for 140 BPM;
* ``meter`` becomes a time signature ``meter/4`` where it changes (``0...`` or below 1: 4/4, as osu! reads it);
* inherited (green) points are kept as their text (:func:`parse_point`).

Writing follows the same model back: a point at each BPM change and time-signature change, a point at the end of
each stop (and warp), and a point where each delay ends (where its row is judged), each carrying the tempo that
follows; the first at beat 0 (the ``.osu`` writer puts it back where the file had it when hit objects before it
moved beat 0: ``osu_red.first_red_beat``, and adds the file's red lines that keep the tempo:
``osu_red.red_points``). A pause read back lands on the row before its end, so a pause
longer than one row renumbers the beats after it (times are kept). osu! itself has no pause: it scrolls on through
one, so the writer lists the stops, delays and warps it writes as red lines (:func:`pauses_written`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from chart.formats.errors import MAX_TIMING_ENTRIES, ParseError, Unrepresentable
from chart.formats.values import ROWS_PER_BEAT, parse_number
from chart.song import Song
from chart.timing import TimingData

_ROW = Fraction(1, ROWS_PER_BEAT)
_SAME_TIME_MS = Fraction(1, 1000)  # 1 microsecond
_NICE_BPM = Fraction(1, 10**6)
#: Hit object times are whole milliseconds (osu_mania.dumps rounds them): a note on the first red line at 65.4 ms is
#: written at 65, and read as before that line it moved beat 0 back a whole measure (every beat +4, #OFFSET +2.3 s).
#: An object up to this much before the first red line is on it.
_ROUNDED_MS = Fraction(1, 2)


@dataclass(frozen=True)
class TimingPoint:
    """One uninherited osu! timing point (times and lengths in ms, exact)."""

    time_ms: Fraction
    beat_length_ms: Fraction
    meter: int
    # sampleSet, sampleIndex, volume, effects as written (kept per red line: :mod:`chart.formats.osu_hitsounds`)
    sound: tuple[str, str, str, str] = field(default=("1", "0", "100", "0"), compare=False)


def parse_point(line: str, number: int, notes: list[str] | None = None) -> tuple[TimingPoint | None, str | None]:
    """(uninherited point, None) or (None, the raw line) for an inherited one; ``notes`` gets what was read
    leniently, as osu! reads it.

    Only a red line's beatLength and meter are read: a green line is kept as its raw text, and osu!lazer takes any
    number there (``NaN``, which some maps use to turn slider ticks off, ``-1E+12``, ``-1E-100`` for scroll-speed
    gimmicks), so refusing the file over a value we never use refused maps osu! plays. A meter starting with ``0``
    is 4/4 to osu!lazer (``LegacyBeatmapDecoder``), and so is any meter below 1 here (its tempo is kept)."""
    f = [x.strip() for x in line.split(",")]
    if len(f) < 2:
        raise ParseError(f"timing point {line[:40]!r} needs at least time and beatLength", number)
    time_ms = parse_number(f[0], "timing point time", number)
    if len(f) > 6 and f[6]:
        uninherited = f[6] != "0"
        beat_length = parse_number(f[1], "timing point beatLength", number) if uninherited else Fraction(0)
    else:  # old files have no uninherited field: a negative beatLength is a green line
        beat_length = parse_number(f[1], "timing point beatLength", number)
        uninherited = beat_length > 0
    if not uninherited:
        return None, line
    if beat_length <= 0:
        raise ParseError(f"uninherited timing point with beatLength {f[1]} (must be > 0)", number)
    text = f[2] if len(f) > 2 and f[2] else "4"
    meter = 4 if text.startswith("0") else int(parse_number(text, "timing point meter", number))
    if meter < 1 or text.startswith("0"):
        if notes is not None:
            notes.append(f"timing point meter {text} read as 4/4, as osu! reads it")
        meter = 4
    if meter > 1000:
        raise ParseError(f"timing point meter {meter} out of range", number)

    def field_or(i: int, default: str) -> str:
        return f[i] if len(f) > i and f[i] else default
    sound = (field_or(3, "1"), field_or(4, "0"), field_or(5, "100"), field_or(7, "0"))
    return TimingPoint(time_ms, beat_length, meter, sound), None


def check_point_count(lines: Sequence[tuple[int, str]]) -> None:
    """ParseError when ``[TimingPoints]`` has more than :data:`MAX_TIMING_ENTRIES` red lines or as many green
    (inherited) lines, counted before any is parsed: green lines cost as much as red ones later (each is kept in
    beats, through the exact timing), and 600,000 of them made ``info`` take 19 s and ``convert`` a minute, refused
    or not. Each kind has its own limit (osu! has none): a scroll-speed map of 12,000 red and 12,000 green lines
    reads (3.7 s), as it did when only red lines were counted. A line is green as :func:`parse_point` reads it:
    its uninherited field ``0``, or, without that field, a beatLength starting with ``-``."""
    counts = {True: 0, False: 0}
    for number, line in lines:
        f = line.split(",", 7)
        green = f[6].strip() == "0" if len(f) > 6 and f[6].strip() else (len(f) > 1 and f[1].strip().startswith("-"))
        counts[green] += 1
        if counts[green] > MAX_TIMING_ENTRIES:
            kind = "green (inherited)" if green else "red (uninherited)"
            raise ParseError(f"more than {MAX_TIMING_ENTRIES} {kind} timing points", number)


def bpm_of(beat_length_ms: Fraction) -> Fraction:
    """BPM of a beatLength; snapped to 3 decimals when it is within 1e-6 BPM of such a value."""
    bpm = 60000 / beat_length_ms
    nice = Fraction(round(bpm * 1000), 1000)
    return nice if nice > 0 and abs(nice - bpm) <= _NICE_BPM else bpm


def timing_from_points(points: list[TimingPoint], first_object_ms: Fraction | None,
                       objects_ms: Sequence[Fraction | float] = ()) -> TimingData:
    """TimingData equivalent to osu! uninherited points (module docstring); ``objects_ms``: the times of the hit
    objects (heads and hold ends), which decide whether a point between rows is read as a delay or a stop."""
    if not points:
        raise ParseError("no uninherited timing point: the beatmap has no tempo")
    if len(points) > MAX_TIMING_ENTRIES:
        raise ParseError(f"more than {MAX_TIMING_ENTRIES} timing points")
    points = sorted(points, key=lambda p: p.time_ms)
    objects = sorted(float(t) for t in objects_ms)
    p0 = points[0]
    bpm0 = bpm_of(p0.beat_length_ms)
    spb0_ms = 60000 / bpm0
    shift = 0
    if first_object_ms is not None and first_object_ms < p0.time_ms - _ROUNDED_MS:
        shift = -((first_object_ms - p0.time_ms) // (4 * spb0_ms))  # whole measures, rounded up
    start = Fraction(4 * shift)
    offset_s = -(p0.time_ms - start * spb0_ms) / 1000
    bpms = [(Fraction(0), bpm0)]
    stops: list[tuple[Fraction, Fraction]] = []
    delays: list[tuple[Fraction, Fraction]] = []
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
        beat, bpm = row, bpm_of(p.beat_length_ms)
        if gap_ms > _SAME_TIME_MS:  # objects that this row takes: nearer the point (new grid) or the row (old)
            new_grid = _object_near(objects, p.time_ms - gap_ms / 2, p.time_ms + 30000 / bpm / ROWS_PER_BEAT)
            old_grid = _object_near(objects, time_ms - spb_ms / (2 * ROWS_PER_BEAT), p.time_ms - gap_ms / 2)
            (stops if old_grid and not new_grid else delays).append((row, gap_ms / 1000))
            time_ms += gap_ms
        if bpms[-1][0] == beat:
            bpms[-1] = (beat, bpm)
        elif bpm != bpms[-1][1]:
            bpms.append((beat, bpm))
        if p.meter != meter:
            sigs = [s for s in sigs if s[0] != beat] + [(beat, p.meter, 4)]
            meter = p.meter
    return TimingData(offset=offset_s, bpms=tuple(bpms), stops=tuple(_merge(stops)), delays=tuple(_merge(delays)),
                      time_signatures=tuple(sigs))


def _object_near(objects: list[float], after_ms: Fraction, before_ms: Fraction) -> bool:
    """Whether a hit object (``objects`` sorted) lies in ``(after_ms, before_ms]``."""
    i = bisect_right(objects, float(after_ms))
    return i < len(objects) and objects[i] <= float(before_ms)


def _merge(stops: list[tuple[Fraction, Fraction]]) -> list[tuple[Fraction, Fraction]]:
    out: dict[Fraction, Fraction] = {}
    for b, s in stops:
        out[b] = out.get(b, Fraction(0)) + s
    return sorted(out.items())


def points_from_timing(timing: TimingData) -> list[TimingPoint]:
    """Uninherited points reproducing ``timing`` (module docstring); sorted by time, one per time."""
    return [p for _, p in beat_points(timing)]


def beat_points(timing: TimingData) -> list[tuple[Fraction, TimingPoint]]:
    """:func:`points_from_timing` with the beat (row) of each point: a red line's sample settings are kept by it."""
    first = min(Fraction(0), timing.bpms[0][0])
    at: list[tuple[Fraction, Fraction]] = [(timing.beat_to_seconds(b), b) for b in (
        first, *(b for b, _ in timing.bpms if b > first), *(b for b, _, _ in timing.time_signatures if b > first),
        *(b for b, _ in timing.delays), *(b + length for b, length in timing.warps))]  # a delay's beat: where it ends
    at += [(timing.beat_to_seconds(b) + s, b) for b, s in _merge(list(timing.stops))]
    by_time = dict(sorted(at))  # the latest beat at one time wins: its tempo is the one that plays on
    times = sorted(by_time)
    beats = [by_time[t] for t in times]
    return list(zip(beats, red_points_at(timing, beats, times)))


def red_points_at(timing: TimingData, beats: Sequence[Fraction],
                  times_s: Sequence[Fraction] | None = None) -> list[TimingPoint]:
    """The red line at each of ``beats`` (at ``times_s``, else the beat's time) with the tempo and meter there, by
    bisection (a scan of the timing per line made a map of 16 000 tempo changes quadratic to write)."""
    bpm_beats = [b for b, _ in timing.bpms]
    sig_beats = [b for b, _, _ in timing.time_signatures]
    out = []
    for k, beat in enumerate(beats):
        t = timing.beat_to_seconds(beat) if times_s is None else times_s[k]
        bpm = timing.bpms[max(bisect_right(bpm_beats, beat) - 1, 0)][1]
        sig = bisect_right(sig_beats, beat) - 1
        out.append(TimingPoint(t * 1000, 60000 / bpm, timing.time_signatures[sig][1] if sig >= 0 else 4))
    return out


def line_beats(timing: TimingData) -> set[Fraction]:
    """The beats :func:`beat_points` puts red lines on (a line that shares its time with a later one included), in
    one pass over the timing's entries (no line timed)."""
    beats = {min(Fraction(0), timing.bpms[0][0])} | {b for b, _ in timing.bpms} | {b for b, _, _ in timing.time_signatures}
    return beats | {b for b, _ in timing.stops} | {b for b, _ in timing.delays} | {b + n for b, n in timing.warps}


def pauses_written(song: Song) -> list[Unrepresentable]:
    """One non-fatal entry per timing the charts play with (the song's once, each chart's own) that has stops,
    delays or warps: osu! has none, each is written as a red line where it ends (:func:`beat_points`), so the map
    scrolls on through a pause (the notes keep their times), and a chart read back has none, its later beats
    renumbered. A pause that reads back as it was (shorter than one 1/48-beat row: the reader's own, of a red line
    off the rows) is not listed."""
    timings = [("", song.timing)] if not song.charts or any(c.timing is None for c in song.charts) else []
    timings += [(c.chart_id(), c.timing) for c in song.charts if c.timing is not None]
    out = []
    for chart_id, timing in timings:
        if not (timing.stops or timing.delays or timing.warps):
            continue
        back = timing_from_points(points_from_timing(timing), None)
        kept = {*back.stops, *back.delays}  # a stop may come back as a delay: the notes' times are checked apart
        pauses = sorted([(b, "stop", f"{float(s):g} s") for b, s in timing.stops if (b, s) not in kept]
                        + [(b, "delay", f"{float(s):g} s") for b, s in timing.delays if (b, s) not in kept]
                        + [(b, "warp", f"{float(n):g} beats") for b, n in timing.warps])
        if not pauses:
            continue
        beat, kind, length = pauses[0]
        one = len(pauses) == 1
        counts = [(sum(p[1] == k for p in pauses), k) for k in ("stop", "delay", "warp")]
        what = " and ".join(f"{n} {k}" + "s" * (n != 1) for n, k in counts if n)
        head = (f"{kind} at beat {beat} ({length}): osu! has no {kind}s" if one else
                f"{what} (the first a {kind} at beat {beat}, {length}): osu! has no pauses")
        it, them = ("it", "it") if one else ("they", "them")
        out.append(Unrepresentable(chart_id, beat, f"{head}; written as red line{'s' * (not one)} where {it} end"
                                   f"{'s' * one} (osu! scrolls on through {them}; the notes keep their times, but read "
                                   f"back {it} {'is' if one else 'are'} gone, up to a remainder under one row, and the "
                                   f"beats after {them} are renumbered)", fatal=False))
    return out


"""What osu! itself makes of a mania ``.osu`` file's key count, old format versions, and sliders and spinners.

Split from :mod:`chart.formats.osu_mania`, checked against osu!lazer (``LegacyBeatmapDecoder``,
``ConvertHitObjectParser``, ``ManiaBeatmapConverter``), so that a file reads as the game plays it:

* the key count is ``CircleSize`` rounded half to even (C#'s ``Math.Round``: 4.6 is 5 keys, 4.5 is 4), at least 1
  (``CircleSize: 0`` is one key); a file without it has osu!'s default, 5;
* ``osu file format v4`` and older: osu! plays every time 24 ms later (``EARLY_VERSION_TIMING_OFFSET``: timing
  points, hit objects, breaks, the preview time), so they are read so and written as today's format;
* a **slider** or **spinner** in an osu!mania file is a hold to osu!mania, from its start to its end: a spinner's end
  is written in the line; a slider lasts ``slides * length / velocity`` with ``velocity = 100 * SliderMultiplier *
  SV / beatLength`` (``SliderMultiplier`` kept in 0.4..3.6, the red line's beatLength, the slider velocity ``SV`` of
  the green line in force, ``100 / -beatLength`` kept in 0.1..10, 1 after a red line or for a NaN one). They are
  written back as holds (the read report says so). A slider without a length (a path to measure) stays a note.

Each lenient reading is a line in the read report (``notes``), never silent.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from fractions import Fraction

from chart.formats import osu_hitsounds as hs
from chart.formats.errors import MAX_ABS_VALUE, MAX_LANES, ParseError
from chart.formats.osu_io import OsuFile
from chart.formats.osu_timing import TimingPoint
from chart.formats.values import format_number, parse_int, parse_number

EARLY_VERSION_MS = 24  # osu! (stable and lazer) plays files of format v4 and older this much later
_SLIDER, _SPINNER, _CIRCLE, _HOLD = 2, 8, 1, 128
_SV_RANGE = (Fraction(1, 10), Fraction(10))
_MULTIPLIER_RANGE = (Fraction(2, 5), Fraction(18, 5))
_SPINNER_X = 256  # osu! puts a spinner at the playfield's centre, whatever its line says
_MAX_SLIDES, _MAX_LENGTH = 9000, 131072  # what osu!lazer reads of a slider's repeat count and length


def key_count(osu: OsuFile, notes: list[str]) -> int:
    """The key count osu! plays (module docstring); ParseError for one the editor cannot hold."""
    text = osu.get("Difficulty", "CircleSize", "")
    size = parse_number(text, "CircleSize") if text else Fraction(5)
    keys = max(1, round(size))  # round(): half to even, as Math.Round
    if keys > MAX_LANES:
        raise ParseError(f"CircleSize {text} is not a key count (1..{MAX_LANES})")
    if not text:
        notes.append("no CircleSize: read as 5 keys, osu!'s default")
    elif keys != size:
        notes.append(f"CircleSize {text} read as {keys} key{'s' * (keys != 1)}, as osu! rounds it")
    return keys


def early_version_offset(osu: OsuFile, notes: list[str]) -> None:
    """Move the times of a format v4 (or older) file 24 ms later, in place, as osu! plays them."""
    if osu.version >= 5:
        return
    osu.rows["TimingPoints"] = [(n, _later(line, (0,))) for n, line in osu.lines("TimingPoints")]
    osu.rows["HitObjects"] = [(n, _later(line, _object_times(line))) for n, line in osu.lines("HitObjects")]
    preview = osu.get("General", "PreviewTime", "-1")
    if preview.strip() != "-1" and "General" in osu.keys:
        osu.keys["General"]["PreviewTime"] = _later(preview, (0,))
    if "Events" in osu.raw:
        osu.raw["Events"] = [_later(line, (1, 2)) if line.split(",")[0].strip() in ("2", "Break") else line
                             for line in osu.raw["Events"]]
    notes.append(f"osu file format v{osu.version}: every time read {EARLY_VERSION_MS} ms later, as osu! plays "
                 f"files of v4 and older (written as v14)")


def _object_times(line: str) -> tuple[int, ...]:
    """The fields of a hit object line that hold times: its start, and a hold's or spinner's end."""
    f = line.split(",")
    try:
        kind = parse_int(f[3], "type")
    except (ParseError, IndexError):
        return (2,)
    return (2, 5) if kind & (_HOLD | _SPINNER) and not kind & (_CIRCLE | _SLIDER) else (2,)


def _later(line: str, fields: tuple[int, ...]) -> str:
    """``line`` with the numbers of ``fields`` (a hold's ``end:samples`` included) 24 ms later; a field that is no
    number stays as it is (reading it says so)."""
    f = line.split(",")
    for i in fields:
        if i >= len(f):
            continue
        head, sep, tail = f[i].partition(":")
        try:
            value = parse_number(head) + EARLY_VERSION_MS
        except ParseError:
            continue
        f[i] = format_number(value, 0) + sep + tail
    return ",".join(f)


def read_objects(osu: OsuFile, keys: int, points: list[TimingPoint], green: list[str],
                 notes: list[str]) -> list[tuple[Fraction, int, Fraction | None, hs.Sound]]:
    """(time ms, lane, hold end ms or None, sound) of each hit object, sliders and spinners as holds (module
    docstring); ``points`` the red lines, ``green`` the raw green lines."""
    out = []
    sliders: list[tuple[int, list[str]]] = []
    spinners = edges = 0
    for number, line in osu.lines("HitObjects"):
        f = line.split(",")
        kind = parse_int(f[3], "hit object type", number) if len(f) > 3 else 0
        if kind & (_CIRCLE | _HOLD) or not kind & (_SLIDER | _SPINNER):
            out.append(hs.hit_object(line, number, keys))
            continue
        time_ms = parse_number(f[2], "hit object time", number)
        sound = (f[4].strip() or "0") if len(f) > 4 else "0"
        if kind & _SLIDER:
            sliders.append((len(out), f))
            edges += len(f) > 8 and any(x.strip() not in ("", "0", "0:0") for x in f[8:10])
            x = parse_number(f[0], "hit object x", number)
            out.append((time_ms, _lane(x, keys), None, (sound, (f[10].strip() if len(f) > 10 else "") or hs.DEFAULT_SOUND[1])))
        else:
            if len(f) < 6:
                raise ParseError(f"spinner {line[:40]!r} has no end time", number)
            spinners += 1
            end = parse_number(f[5], "spinner end time", number)
            out.append((time_ms, _lane(_SPINNER_X, keys), end, (sound, (f[6].strip() if len(f) > 6 else "") or hs.DEFAULT_SOUND[1])))
    if sliders:
        out = _slider_ends(osu, out, sliders, points, green, notes)
    if sliders or spinners:
        what = " and ".join(f"{n} {name}{'s' * (n != 1)}" for n, name in ((len(sliders), "slider"),
                                                                          (spinners, "spinner")) if n)
        notes.append(f"{what} read as holds, as osu!mania plays them (written back as holds"
                     + ("; slider edge sounds dropped)" if edges else ")"))
    return out


def _lane(x: Fraction | int, keys: int) -> int:
    return min(max(math.floor(x * keys / 512), 0), keys - 1)


def _slider_ends(osu: OsuFile, out: list, sliders: list[tuple[int, list[str]]], points: list[TimingPoint],
                 green: list[str], notes: list[str]) -> list:
    """``out`` with each slider's end (module docstring); one without a length stays a note, and says so."""
    try:
        multiplier = _clamp(parse_number(osu.get("Difficulty", "SliderMultiplier", "1.4")), _MULTIPLIER_RANGE)
    except ParseError:  # osu! skips a line it cannot read: the default stays
        multiplier = Fraction(7, 5)
    reds = sorted(points, key=lambda p: p.time_ms)
    velocities = sorted([(p.time_ms, 0, Fraction(1)) for p in reds] + _green_velocities(green))
    red_times, sv_times = [p.time_ms for p in reds], [t for t, _, _ in velocities]
    unmeasured = 0
    for index, f in sliders:
        time_ms, lane, _, sound = out[index]
        try:
            slides = max(1, parse_int(f[6], "slider slides"))
            length = parse_number(f[7], "slider length") if len(f) > 7 else Fraction(0)
        except (ParseError, IndexError):
            length = Fraction(0)
        if length <= 0 or not reds:
            unmeasured += 1
            continue
        if slides > _MAX_SLIDES or length > _MAX_LENGTH:  # osu! refuses these too (Parsing.MAX_COORDINATE_VALUE)
            raise ParseError(f"slider with {slides} slides of length {format_number(length, 0)} (osu! takes at most "
                             f"{_MAX_SLIDES} of {_MAX_LENGTH})")
        red = reds[max(bisect_right(red_times, time_ms) - 1, 0)]  # before the first red line: the first
        at = bisect_right(sv_times, time_ms) - 1
        sv = velocities[at][2] if at >= 0 else Fraction(1)
        end = time_ms + slides * length * red.beat_length_ms / (100 * multiplier * sv)
        if end > MAX_ABS_VALUE:
            raise ParseError(f"slider at {format_number(time_ms, 0)} ms ends out of range")
        out[index] = (time_ms, lane, end, sound)
    if unmeasured:
        notes.append(f"{unmeasured} slider{'s' * (unmeasured != 1)} without a length read as notes")
    return out


def _green_velocities(green: list[str]) -> list[tuple[Fraction, int, Fraction]]:
    """(time ms, 1, slider velocity) of each green line (osu!: ``100 / -beatLength`` in 0.1..10; NaN or positive:
    1); a line whose numbers do not read is skipped, as osu! skips it."""
    out = []
    for i, line in enumerate(green):
        f = line.split(",")
        try:
            time_ms = parse_number(f[0])
            length = float(f[1])
        except (ParseError, IndexError, ValueError):
            continue
        sv = _clamp(Fraction(100) / Fraction(-length), _SV_RANGE) if length < 0 and math.isfinite(length) else \
            _SV_RANGE[0] if length == -math.inf else Fraction(1)
        out.append((time_ms, 1 + i, sv))  # after a red line at the same time; the last green line there wins
    return out


def _clamp(value: Fraction, bounds: tuple[Fraction, Fraction]) -> Fraction:
    return min(max(value, bounds[0]), bounds[1])

"""osu!mania red lines' sample settings, kept in the song's ``TimingPoints.red`` extra.

Split from :mod:`chart.formats.osu_hitsounds` (which imports these back). One line
``beat,sampleSet,sampleIndex,volume,effects`` per red line, for every red line once one of them is not the default
(``1,0,100,0``) or lies where the writer makes no line of the timing. Such a line keeps the tempo (a kiai or
sample-set section, a bar-line reset) and is marked ``,same`` at the end when read (:func:`red_extra`; the others
``,line``; an entry of neither, saved before the marks, is read by the rule that made them: one that is not the
first and that the timing makes no line at keeps the tempo): the writer
puts a line at each marked beat too (:func:`red_points`), and Keep notes in time keeps the marked lines at their
times, as green lines (:func:`retime_red`). An entry marked ``,line`` is a line the timing makes (the first line, a BPM or
meter change, a pause's end): it only keeps that line's settings, so when the designer deletes or moves the BPM
change, no line is written at its old beat any more. A red line with no entry (one the designer added, or the
first line moved back before early notes) takes the sample set, index, volume and kiai of the timing point in
force before it, red or green (``TimingPoints.inherited``; else the first red line's), as osu!'s editor does for a
new timing point: otherwise adding a BPM change would silence a soft-sampled or kiai section, or undo a green
line's sample set for the notes after it. The omit-first-barline bit is never copied.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction

from chart.formats.osu_beats import INHERITED, TIME_TOKEN
from chart.formats.osu_timing import TimingPoint, beat_points, line_beats, red_points_at
from chart.formats.values import format_number, parse_int
from chart.timing import TimingData

RED_LINES = "TimingPoints.red"
_RED_DEFAULT = ("1", "0", "100", "0")
_KIAI = 1
_SAME = "same"  # the last field of a kept line that keeps the tempo (one the timing does not make)
_LINE = "line"  # the last field of a kept line the timing makes (only its settings are kept)

RedSound = tuple[str, str, str, str]  # (sampleSet, sampleIndex, volume, effects)


def red_extra(points: list[TimingPoint], beats: list[Fraction], timing: TimingData) -> list[tuple[str, str]]:
    """The ``TimingPoints.red`` extra of red lines read at ``beats`` into ``timing`` (none when all have the default
    settings and lie on the lines the writer makes of ``timing``); a line on none of these, but the first, is
    marked as one keeping the tempo."""
    lines = line_beats(timing)
    if all(p.sound == _RED_DEFAULT for p in points) and set(beats) <= lines:
        return []
    first = min(beats)  # the first red line: beat 0, or whole measures after it (objects before it)
    rows = {b: (p.sound, b not in lines and b != first) for p, b in zip(points, beats)}  # the last at one time
    return [(RED_LINES, _red_text(rows))]


def _red_text(rows: dict[Fraction, tuple[RedSound, bool]]) -> str:
    return "\n".join(f"{b}," + ",".join(sound) + f",{_SAME if same else _LINE}" for b, (sound, same) in sorted(rows.items()))


def beat_length_text(beat_length_ms: Fraction) -> str:
    """A red line's beatLength as osu!stable writes it: 15 significant digits, trailing zeros trimmed (``500``,
    ``333.333333333333``, ``428.571428571429``), so an unedited map's red lines are written back as they were
    (9 decimals rewrote every such line). Never ``0``: a length below 1 keeps 15 digits past its leading zeros."""
    value = abs(Fraction(beat_length_ms))
    whole = len(str(int(value))) if value >= 1 else 0  # digits before the point
    zeros = 0  # zeros after the point before the first significant digit
    while value and value * 10 ** (zeros + 1) < 1:
        zeros += 1
    return format_number(beat_length_ms, 0, max(15 - whole, 0) + zeros)


def red_line(point: TimingPoint, sound: RedSound, time_text: str, length_text: str) -> str:
    """One uninherited ``[TimingPoints]`` line."""
    sample_set, index, volume, effects = sound
    return f"{time_text},{length_text},{point.meter},{sample_set},{index},{volume},1,{effects}"


def _red_rows(extra: list[tuple[str, str]], timing: TimingData | None = None) -> dict[Fraction, tuple[RedSound, bool]]:
    """{beat: (settings, keeps the tempo)} of the ``TimingPoints.red`` extra (bad lines skipped). An entry with no
    mark (saved before the marks) keeps the tempo when it is not the first and ``timing`` makes no line at it."""
    kept: dict[Fraction, tuple[RedSound, bool | None]] = {}
    for line in dict(extra).get(RED_LINES, "").split("\n"):
        f = line.split(",")
        try:
            kept[Fraction(f[0])] = ((f[1], f[2], f[3], f[4]), None if len(f) < 6 else f[5] == _SAME)
        except (ValueError, IndexError, ZeroDivisionError):
            continue
    unmarked = [b for b, (_, same) in kept.items() if same is None]
    lines = line_beats(timing) if unmarked and timing is not None else set()
    first = min(kept, default=None)
    return {b: (sound, bool(same) if same is not None else b not in lines and b != first and timing is not None)
            for b, (sound, same) in kept.items()}


def _kept_red(extra: list[tuple[str, str]]) -> dict[Fraction, RedSound]:
    """{beat: (sampleSet, sampleIndex, volume, effects)} of the ``TimingPoints.red`` extra (bad lines skipped)."""
    return {b: sound for b, (sound, _) in _red_rows(extra).items()}


def first_red_beat(extra: list[tuple[str, str]], beats: list[Fraction]) -> Fraction | None:
    """The beat to write the first red line at instead of ``beats[0]`` (the writer's red lines: beat 0 first), or
    None. A file whose hit objects start before its first red line is read with beat 0 whole 4-beat measures
    before that line (:mod:`chart.formats.osu_timing`), and written back with a red line at beat 0: a note 0.5 ms
    early moved the line, its kiai and its bar lines, a measure earlier. When the first kept red line lies whole
    measures after beat 0, before the writer's next line (the same tempo and meter all along), it goes back there:
    osu! plays the objects before the first red line by it, so no time changes."""
    kept = sorted(_kept_red(extra))
    if not kept or not beats or beats[0] in kept:
        return None
    beat = kept[0]
    if beat <= beats[0] or (len(beats) > 1 and beat >= beats[1]) or (beat - beats[0]) % 4:
        return None
    return beat


def _green_sounds(extra: list[tuple[str, str]]) -> list[tuple[tuple[Fraction, Fraction, int], RedSound]]:
    """((beat, ms past it in a pause, 1), settings) of each green line of the ``TimingPoints.inherited`` extra whose
    time is tied to a beat (osu!'s defaults for the fields a short line lacks)."""
    out = []
    for line in dict(extra).get(INHERITED, "").split("\n"):
        f = [x.strip() for x in line.split(",")]
        m = TIME_TOKEN.fullmatch(f[0])
        if m:
            fields = (f + ["", "", "", "", "", "", "", ""])[3:8]
            sound = (fields[0] or "0", fields[1] or "0", fields[2] or "100", fields[4] or "0")
            out.append(((Fraction(m.group(1)), Fraction(m.group(2) or 0), 1), sound))
    return out


def red_sounds(extra: list[tuple[str, str]], beats: list[Fraction]) -> list[RedSound]:
    """The settings to write for red lines at ``beats`` (module docstring: kept, else those of the red or green
    line in force before it)."""
    kept = _kept_red(extra)
    first = kept[min(kept)] if kept else _RED_DEFAULT
    # the point in force before a beat by bisection (a scan each made 16 000 lines quadratic); at one time a green
    # line plays on after the red one, and the later of two green lines (file order: the sort is stable)
    points = sorted([((b, Fraction(0), 0), sound) for b, sound in kept.items()] + _green_sounds(extra),
                    key=lambda point: point[0])
    keys = [key for key, _ in points]
    out = []
    for beat in beats:
        if beat in kept:
            out.append(kept[beat])
            continue
        i = bisect_left(keys, (beat, Fraction(0), -1))
        source = points[i - 1][1] if i else first
        effects = parse_int(source[3], "effects") if source[3].lstrip("-").isdigit() else 0
        out.append((*source[:3], str(effects & _KIAI)))
    return out


def red_points(timing: TimingData, extra: list[tuple[str, str]]) -> list[tuple[Fraction, TimingPoint]]:
    """(beat, red line) of each red line to write, by time: the writer's (:func:`beat_points`), the first put back
    where the file had it (:func:`first_red_beat`), and one at each other kept red line marked as keeping the
    tempo, with the tempo and meter there (its kiai, sample set and bar-line reset stay); one that would come at
    the time of a line already there (in a warp) is not written. The kept lines of the timing's own lines are not
    written again: a BPM change deleted or moved leaves no line at its old beat."""
    red = beat_points(timing)
    first = first_red_beat(extra, [b for b, _ in red])
    if first is not None:
        red[0] = (first, replace(red[0][1], time_ms=timing.beat_to_seconds(first) * 1000))
    beats, times = {b for b, _ in red}, {p.time_ms for _, p in red}
    same = [b for b, (_, keeps) in sorted(_red_rows(extra, timing).items())
            if keeps and b not in beats and b > red[0][0]]
    for beat, point in zip(same, red_points_at(timing, same)):
        if point.time_ms not in times:
            red.append((beat, point))
            times.add(point.time_ms)
    return sorted(red, key=lambda item: item[1].time_ms)


def retime_red(extra: list[tuple[str, str]], old: TimingData,
               beat_map: Callable[[Fraction], Fraction]) -> list[tuple[str, str]]:
    """``extra`` with each kept red line keeping the tempo that the writer does not make of ``old`` at the beat
    ``beat_map`` gives it (Keep notes in time: it keeps its time, as a green line does); the other entries (the
    lines of the timing) stay on their beats, and one mapped onto the beat of a line of ``old`` is dropped.
    ``extra`` itself when none moved."""
    kept = _red_rows(extra, old)
    if not any(keeps for _, keeps in kept.values()):
        return extra
    own = line_beats(old)
    rows = {b: row for b, row in kept.items() if not row[1] and b not in own}  # a deleted line's: any line wins
    moved: dict[Fraction, tuple[RedSound, bool]] = {}
    for beat, row in sorted(kept.items()):
        if row[1] and beat not in own:
            moved.setdefault(beat_map(beat), row)
    rows.update(moved)
    rows.update((b, row) for b, row in kept.items() if b in own)
    if rows == kept:
        return extra
    return [(k, _red_text(rows) if k == RED_LINES else v) for k, v in extra]

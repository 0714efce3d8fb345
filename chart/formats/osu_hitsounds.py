"""osu!mania hitsounds: each hit object's ``hitSound`` and ``hitSample``, and each red line's sample settings.

Split from :mod:`chart.formats.osu_mania`. Our model has no sounds, so they are kept as extras **keyed by beat**
(not by ms), so that a timing edit (offset nudge, BPM change) keeps every sound on its note and red line:

* ``HitObjects.hitsounds`` (the chart's ``extra``): one line ``beat,lane,hitSound,hitSample`` per hit object whose
  sound is not the default (``0`` and ``0:0:0:0:``); a hold's ``hitSample`` is the part after its end time (its
  end samples). Written back for the notes still at that beat and lane; a note added in the editor gets the
  defaults; the sounds of notes deleted or moved are dropped, and ``problems`` lists that with a count.
* ``TimingPoints.red`` (the song's ``extra``): ``beat,sampleSet,sampleIndex,volume,effects`` per red line, for
  every red line once one of them is not the default (``1,0,100,0``). A red line with no entry (one the designer
  added, or the first line moved back before early notes) takes the sample set, index, volume and kiai of the red
  line in force before it (else the first one's), as osu!'s editor does for a new timing point: otherwise adding a
  BPM change would silence a soft-sampled or kiai section. The omit-first-barline bit is never copied.
"""

from __future__ import annotations

from fractions import Fraction

from chart.formats.errors import ParseError, Unrepresentable
from chart.formats.osu_timing import TimingPoint
from chart.formats.values import parse_int, parse_number
from chart.notes import Note

HITSOUNDS = "HitObjects.hitsounds"
RED_LINES = "TimingPoints.red"
_SAMPLE = "0:0:0:0:"
_RED_DEFAULT = ("1", "0", "100", "0")
_KIAI = 1

Sound = tuple[str, str]  # (hitSound, hitSample)


def hit_object(line: str, number: int, keys: int) -> tuple[Fraction, int, Fraction | None, Sound]:
    """(time ms, lane, hold end ms or None, (hitSound, hitSample)) of one ``[HitObjects]`` line."""
    f = line.split(",")
    if len(f) < 4:
        raise ParseError(f"hit object {line[:40]!r} needs x,y,time,type", number)
    x = parse_number(f[0], "hit object x", number)
    time_ms = parse_number(f[2], "hit object time", number)
    kind = parse_int(f[3], "hit object type", number)
    lane = min(max(int(x * keys // 512), 0), keys - 1)
    sample = ",".join(f[5:]).strip()
    end = None
    if kind & 128:
        if len(f) < 6:
            raise ParseError(f"hold {line[:40]!r} has no end time", number)
        end_text, _, sample = sample.partition(":")
        end = parse_number(end_text, "hold end time", number)
    return time_ms, lane, end, ((f[4].strip() if len(f) > 4 else "") or "0", sample or _SAMPLE)


def object_line(x: int, ms: int, end_ms: int | None, sound: Sound | None) -> str:
    """One ``[HitObjects]`` line (``sound`` None: the defaults)."""
    hit_sound, sample = sound or ("0", _SAMPLE)
    if end_ms is not None:
        return f"{x},192,{ms},128,{hit_sound},{end_ms}:{sample}"
    return f"{x},192,{ms},1,{hit_sound},{sample}"


def sounds_extra(notes: list[Note], sounds: list[Sound]) -> list[tuple[str, str]]:
    """The ``HitObjects.hitsounds`` extra of a chart read with ``notes[i]`` from the hit object of ``sounds[i]``."""
    lines = [f"{n.beat},{n.lane},{hs},{sample}" for n, (hs, sample) in zip(notes, sounds)
             if (hs, sample) != ("0", _SAMPLE)]
    return [(HITSOUNDS, "\n".join(lines))] if lines else []


def kept_sounds(extra: list[tuple[str, str]]) -> dict[tuple[Fraction, int], Sound]:
    """{(beat, lane): (hitSound, hitSample)} of a chart's ``extra`` (lines that do not parse are skipped)."""
    out: dict[tuple[Fraction, int], Sound] = {}
    for line in dict(extra).get(HITSOUNDS, "").split("\n"):
        f = line.split(",", 3)
        try:
            out[(Fraction(f[0]), int(f[1]))] = (f[2], f[3])
        except (ValueError, IndexError, ZeroDivisionError):
            continue
    return out


def lost_sounds(chart_id: str, extra: list[tuple[str, str]], written: list[Note]) -> list[Unrepresentable]:
    """The conversion listing the kept sounds whose note is no longer at its beat and lane."""
    kept = kept_sounds(extra)
    lost = sorted(key for key in kept if key not in {(n.beat, n.lane) for n in written})
    if not lost:
        return []
    return [Unrepresentable(chart_id, lost[0][0], f"osu! hitsounds of {len(lost)} note{'s' * (len(lost) != 1)} "
                                                  f"edited away (deleted or moved): dropped", fatal=False)]


def red_extra(points: list[TimingPoint], beats: list[Fraction]) -> list[tuple[str, str]]:
    """The ``TimingPoints.red`` extra of red lines read at ``beats`` (none when all have the default settings)."""
    if all(p.sound == _RED_DEFAULT for p in points):
        return []
    rows = {b: p.sound for p, b in zip(points, beats)}  # one line per row: the last at one time plays on
    return [(RED_LINES, "\n".join(f"{b}," + ",".join(sound) for b, sound in sorted(rows.items())))]


def red_line(point: TimingPoint, sound: tuple[str, str, str, str], time_text: str, length_text: str) -> str:
    """One uninherited ``[TimingPoints]`` line."""
    sample_set, index, volume, effects = sound
    return f"{time_text},{length_text},{point.meter},{sample_set},{index},{volume},1,{effects}"


def red_sounds(extra: list[tuple[str, str]], beats: list[Fraction]) -> list[tuple[str, str, str, str]]:
    """The settings to write for red lines at ``beats`` (module docstring: kept, else inherited)."""
    kept: dict[Fraction, tuple[str, str, str, str]] = {}
    for line in dict(extra).get(RED_LINES, "").split("\n"):
        f = line.split(",")
        try:
            kept[Fraction(f[0])] = (f[1], f[2], f[3], f[4])
        except (ValueError, IndexError, ZeroDivisionError):
            continue
    out = []
    for beat in beats:
        if beat in kept:
            out.append(kept[beat])
            continue
        before = [b for b in kept if b < beat]
        source = kept[max(before)] if before else kept[min(kept)] if kept else _RED_DEFAULT
        effects = parse_int(source[3], "effects") if source[3].lstrip("-").isdigit() else 0
        out.append((*source[:3], str(effects & _KIAI)))
    return out

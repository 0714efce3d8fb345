"""The hitsound sample files an osu!mania map plays from its set's folder, so that a set written elsewhere (an
``.osz``, an osu! set folder: :mod:`chart.formats.osz_carry`, :mod:`chart.formats.osu_set_files`) takes them along.

No line of a ``.osu`` file names most of them: osu! builds the name from the hit object and the timing point in
force (osu! wiki, "osu! (file format)", *Hitsounds*; osu!lazer's legacy decoder and beatmap skin), and this module
follows the same rules on the ``.osu`` text the export writes (the text osu! will read, whatever the song model
keeps):

* a hit object's ``hitSample`` is ``normalSet:additionSet:index:volume:filename``. A ``filename`` names a file of
  the set's folder that plays instead of the normal sound (the wiki says instead of the additions as well, osu!lazer
  still plays them: both are carried);
* the normal sound plays when ``hitSound`` has bit 0 or no bit set (osu!mania does not layer it under additions);
  whistle, finish and clap for bits 1, 2 and 3;
* sample set (``1`` normal, ``2`` soft, ``3`` drum): the normal sound's is ``normalSet``, else the timing point's,
  else ``[General] SampleSet`` (``Normal`` when absent); the additions' is ``additionSet``, else the normal sound's;
* index: the hit object's, else the timing point's. ``0`` means osu!'s own (skin) sounds: nothing comes from the
  folder. ``1`` plays ``<set>-hit<sound>.wav``, ``N`` >= 2 plays ``<set>-hit<sound>N.wav``, and when that is not
  there osu!lazer falls back to the name without the number;
* the timing point in force: the last one (red or green) at or before the time, the first one before any. osu!
  stable reads it at the hit object's time, osu!lazer 5 ms after its end (a hold's end): both are carried;
* ``.wav``, ``.ogg`` and ``.mp3`` are all looked for (osu! plays any of them), and every one there is carried.

Files are found case-insensitively (``Soft-HitWhistle.WAV`` answers ``soft-hitwhistle.wav``, as osu! finds them on
Windows: :func:`chart.formats.relink.named_file`), only inside the set's folder, and a sample that is not there is
no loss (osu! plays the skin's): nothing is listed as missing.
"""

from __future__ import annotations

import os
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path, PurePosixPath

from chart.formats.errors import ParseError, WriteError
from chart.formats.msd import normalise
from chart.formats.osu_beats import INHERITED
from chart.formats.osu_hitsounds import HITSOUNDS, hit_object
from chart.formats.osu_io import parse_sections
from chart.formats.osu_red import RED_LINES
from chart.formats.relink import named_file
from chart.song import Song

EXTENSIONS = ("wav", "ogg", "mp3")
_SETS = {"1": "normal", "2": "soft", "3": "drum"}
_GENERAL_SETS = {"normal": "normal", "soft": "soft", "drum": "drum"}  # "None" and anything else: normal
_ADDITIONS = ((2, "whistle"), (4, "finish"), (8, "clap"))
LENIENCY_MS = 5  # osu!lazer reads a hit object's sample point this long after its end
_SOUND_KEYS = (HITSOUNDS, RED_LINES, INHERITED)

#: The names osu! tries for one sample, best first, in groups: the first group with a file in the folder wins
#: (``(("normal-hitclap2.wav", ...ogg, ...mp3), ("normal-hitclap.wav", ...))``).
Lookup = tuple[tuple[str, ...], ...]


def sample_lookups(text: str) -> set[Lookup]:
    """Every sample lookup the hit objects of one ``.osu`` text make (module docstring); a line that does not
    parse is skipped (the text is the export's own, which parses)."""
    osu = parse_sections(normalise(text))
    default = general_set(osu.get("General", "SampleSet", "Normal"))
    points = timing_points(osu.lines("TimingPoints"))
    times = [p[0] for p in points]
    out: set[Lookup] = set()
    for number, line in osu.lines("HitObjects"):
        try:
            time, _lane, end, (hit_sound, sample) = hit_object(line, number, 1)
            bits = int(hit_sound)
        except (ParseError, ValueError):
            continue
        for at in {time, (end if end is not None else time) + LENIENCY_MS}:
            point_set, point_index, _volume = point_at(points, times, at)
            out |= {played.lookup for played in object_samples(bits, sample, point_set, point_index, default)
                    if played.lookup}
    return out


@dataclass(frozen=True)
class HitSample:
    """One sound a hit object plays: its sample set and sound (``normal``/``soft``/``drum``, ``normal``/
    ``whistle``/``finish``/``clap``: osu!'s own sound when the folder has no file for it) and the names ``lookup``
    looks for in the set's folder (empty for index 0: osu!'s own sound). The editor's hitsound playback
    (:mod:`chart.hitsound_play`) plays what this says, the export carries the files it names."""

    sample_set: str
    sound: str
    lookup: Lookup


def object_samples(bits: int, sample: str, point_set: str, point_index: int, default: str) -> list[HitSample]:
    """The sounds one hit object plays (module docstring): ``bits`` its ``hitSound``, ``sample`` its
    ``hitSample`` text, ``point_set`` and ``point_index`` the sampleSet and sampleIndex of the timing point in
    force, ``default`` the ``[General] SampleSet`` (:func:`general_set`). A custom file plays in place of the
    normal sound (its lookup; the normal sound's set and name say what plays when the folder lacks it)."""
    normal_set, addition_set, index_text, _volume, filename = (sample.split(":", 4) + [""] * 5)[:5]
    filename = filename.strip()
    normal = _SETS.get(normal_set.strip()) or _SETS.get(point_set.strip()) or default
    addition = _SETS.get(addition_set.strip()) or normal
    index = _int(index_text) or point_index
    out = []
    if filename:
        out.append(HitSample(normal, "normal", _file(filename)))
    elif bits & 1 or not bits & 14:
        out.append(HitSample(normal, "normal", _rule(normal, "normal", index)))
    out += [HitSample(addition, sound, _rule(addition, sound, index)) for bit, sound in _ADDITIONS if bits & bit]
    return out


def general_set(value: str) -> str:
    """The sample set of a ``[General] SampleSet`` value (``Normal`` when absent; ``None`` and others: normal)."""
    return _GENERAL_SETS.get(value.strip().lower(), "normal")


def found_files(folder: Path, lookup: Lookup) -> list[Path]:
    """The files of ``folder`` that answer ``lookup``: every file of its first group found there (none: osu!
    plays its own sound). Case-insensitive, never outside ``folder``."""
    base = Path(os.path.abspath(folder))
    for group in lookup:
        files = [f for name in group if (f := named_file(folder, name)) is not None
                 and Path(os.path.abspath(f)).is_relative_to(base)]
        if files:
            return files
    return []


def sample_files(folder: Path, texts: Iterable[str]) -> list[Path]:
    """The sample files in ``folder`` that the ``.osu`` ``texts`` play (:func:`sample_lookups`): for each lookup,
    every file of its first group found there. Each once (a file answering two names included), sorted by name."""
    found: dict[str, Path] = {}
    lookups: set[Lookup] = set().union(*(sample_lookups(text) for text in texts))
    for lookup in lookups:
        for file in found_files(folder, lookup):
            found.setdefault(os.path.realpath(file), file)
    return sorted(found.values(), key=lambda f: f.as_posix().casefold())


def song_samples(song: Song) -> list[Path]:
    """The sample files beside ``song.source_path`` that the song written as osu! ``.osu`` files plays: what an
    ``.osz`` or a set folder written elsewhere must carry. None for a song without a folder, or whose extras keep
    no sound (its notes and red lines then play osu!'s own sounds: no encoding needed to know it). A difficulty
    the ``.osu`` writer refuses is skipped here: writing it says why."""
    from chart.formats.osu_mania import dumps
    from chart.formats.registry import split_per_chart

    extras = [song.extra, *(c.extra for c in song.charts)]
    if song.source_path is None or not any(key in _SOUND_KEYS for extra in extras for key, _value in extra):
        return []
    texts = []
    for part, _target in split_per_chart(song, song.source_path.with_suffix(".osu")):
        try:
            texts.append(dumps(part))
        except WriteError:
            continue
    return sample_files(song.source_path.parent, texts)


def _file(filename: str) -> Lookup:
    """The lookup of a hit object's own sample file: its name, then its stem with each extension (osu!lazer)."""
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix
    return (filename,), _names(filename[: len(filename) - len(suffix)] if suffix else filename)


def _names(stem: str) -> tuple[str, ...]:
    return tuple(f"{stem}.{ext}" for ext in EXTENSIONS)


def _rule(sample_set: str, sound: str, index: int) -> Lookup:
    """The lookup of ``<set>-hit<sound><index>``: none for index 0 (osu!'s own sounds), the numbered name then the
    plain one for index 2 and up."""
    if index <= 0:
        return ()
    plain = _names(f"{sample_set}-hit{sound}")
    return (_names(f"{sample_set}-hit{sound}{index}"), plain) if index >= 2 else (plain,)


def timing_points(lines: list[tuple[int, str]]) -> list[tuple[Fraction, str, int, int]]:
    """(time ms, sampleSet, sampleIndex, volume %) of each ``[TimingPoints]`` line, by time; at one time the later
    line plays on. A line without a volume has 100 (osu!'s default)."""
    out = []
    for _number, line in lines:
        f = [x.strip() for x in line.split(",")]
        try:
            time = Fraction(f[0])
        except (ValueError, ZeroDivisionError):
            continue
        volume = _int(f[5]) if len(f) > 5 else 100
        out.append((time, f[3] if len(f) > 3 else "0", _int(f[4]) if len(f) > 4 else 0, volume))
    return sorted(out, key=lambda p: p[0])  # stable: equal times keep their line order


def point_at(points: list[tuple[Fraction, str, int, int]], times: list[Fraction],
             time: Fraction) -> tuple[str, int, int]:
    """(sampleSet, sampleIndex, volume) of the timing point in force at ``time`` (the first before any; none:
    osu!'s defaults)."""
    if not points:
        return "0", 0, 100
    _time, sample_set, index, volume = points[max(bisect_right(times, time) - 1, 0)]
    return sample_set, index, volume


def _int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        return 0

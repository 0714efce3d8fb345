"""The .osu text layout: ``osu file format vN``, ``[Section]`` blocks, ``Key: Value`` lines or CSV lines.

Split from :mod:`chart.formats.osu_mania` so that the mapping to our model reads on its own. Sections with keys
(``General Editor Metadata Difficulty``) become dictionaries; ``TimingPoints`` and ``HitObjects`` are lists of
numbered lines; every other section (``Events``, ``Colours``, unknown ones) is kept as raw text, and only osu!'s
own sections are written back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chart.formats.errors import ParseError
from chart.song_copy import with_extras

SECTIONS = ("General", "Editor", "Metadata", "Difficulty", "Events", "TimingPoints", "Colours", "HitObjects")
KEY_SECTIONS = ("General", "Editor", "Metadata", "Difficulty")
LIST_SECTIONS = ("TimingPoints", "HitObjects")
FORMAT_VERSION = 14
MODELLED = {("General", "AudioFilename"), ("General", "Mode"), ("General", "PreviewTime"),
            ("Metadata", "Title"), ("Metadata", "TitleUnicode"), ("Metadata", "Artist"),
            ("Metadata", "ArtistUnicode"), ("Metadata", "Creator"), ("Metadata", "Version"),
            ("Difficulty", "CircleSize")}
# Written for a chart from elsewhere when the song has no value of its own.
DEFAULTS = {
    ("General", "AudioLeadIn"): "0", ("General", "Countdown"): "0", ("General", "SampleSet"): "Normal",
    ("General", "StackLeniency"): "0.7", ("General", "LetterboxInBreaks"): "0",
    ("General", "SpecialStyle"): "0", ("General", "WidescreenStoryboard"): "0",
    ("Metadata", "Source"): "", ("Metadata", "Tags"): "", ("Metadata", "BeatmapID"): "0",
    ("Metadata", "BeatmapSetID"): "-1",
    ("Difficulty", "HPDrainRate"): "8", ("Difficulty", "OverallDifficulty"): "8",
    ("Difficulty", "ApproachRate"): "5", ("Difficulty", "SliderMultiplier"): "1.4",
    ("Difficulty", "SliderTickRate"): "1",
}
# Not stored on reading .osu (a value equal to these), and written for a chart read from .osu (its mark,
# :func:`chart.formats.osu_modes.written_defaults`) that has no value of its own: a file without ``HPDrainRate`` or
# ``OverallDifficulty`` plays at osu!'s 5 (``BeatmapDifficulty.DEFAULT_DIFFICULTY``), so 5 is neither stored nor
# made up as a value the file had, and another value (8 included) is kept.
OSU_DEFAULTS = {**DEFAULTS, ("Difficulty", "HPDrainRate"): "5", ("Difficulty", "OverallDifficulty"): "5"}
KEY_ORDER = {
    "General": ("AudioFilename", "AudioLeadIn", "PreviewTime", "Countdown", "SampleSet", "StackLeniency", "Mode",
                "LetterboxInBreaks", "SpecialStyle", "WidescreenStoryboard"),
    "Editor": ("Bookmarks", "DistanceSpacing", "BeatDivisor", "GridSize", "TimelineZoom"),
    "Metadata": ("Title", "TitleUnicode", "Artist", "ArtistUnicode", "Creator", "Version", "Source", "Tags",
                 "BeatmapID", "BeatmapSetID"),
    "Difficulty": ("HPDrainRate", "CircleSize", "OverallDifficulty", "ApproachRate", "SliderMultiplier",
                   "SliderTickRate"),
}
_MAX_SECTIONS = 1000


@dataclass
class OsuFile:
    """Parsed sections of one .osu file."""

    keys: dict[str, dict[str, str]] = field(default_factory=dict)
    key_order: list[tuple[str, str]] = field(default_factory=list)
    rows: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    raw: dict[str, list[str]] = field(default_factory=dict)
    version: int = FORMAT_VERSION  # the header's ``osu file format vN`` (osu! times v4 and older 24 ms later)

    def get(self, section: str, key: str, default: str) -> str:
        return self.keys.get(section, {}).get(key, default)

    def lines(self, section: str) -> list[tuple[int, str]]:
        return self.rows.get(section, [])

    def extra(self) -> list[tuple[str, str]]:
        """Unmodelled keys (not equal to their default) and raw sections, as ``Song.extra`` entries."""
        out = []
        for section, key in self.key_order:
            value = self.keys[section][key]
            if (section, key) not in MODELLED and OSU_DEFAULTS.get((section, key)) != value:
                out.append((f"{section}.{key}", value))
        out += [(name, "\n".join(lines).strip("\n")) for name, lines in self.raw.items()
                if "\n".join(lines).strip()]
        return out


def parse_sections(text: str) -> OsuFile:
    """Split .osu text (LF newlines) into sections. Raises ParseError without the format header."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or not lines[first].strip().startswith("osu file format v"):
        raise ParseError("not a .osu file (no 'osu file format v..' header)", (first or 0) + 1)
    version = re.match(r"\d+", lines[first].strip()[len("osu file format v"):])
    osu = OsuFile(version=int(version.group(0)) if version else FORMAT_VERSION)
    section = ""
    for number, line in enumerate(lines[first + 1:], start=first + 2):
        s = line.strip()
        if s.startswith("[") and s.endswith("]") and len(s) > 2:
            section = s[1:-1].strip()
            if section in osu.raw or section in osu.keys or section in osu.rows:
                continue  # a repeated section continues the first one
            if len(osu.raw) + len(osu.keys) + len(osu.rows) > _MAX_SECTIONS:
                raise ParseError(f"more than {_MAX_SECTIONS} sections", number)
            if section in KEY_SECTIONS:
                osu.keys[section] = {}
            elif section in LIST_SECTIONS:
                osu.rows[section] = []
            else:
                osu.raw[section] = []
            continue
        if section in osu.raw:
            osu.raw[section].append(line.rstrip())
        elif not s or s.startswith("//") or not section:
            continue
        elif section in osu.keys:
            key, sep, value = s.partition(":")
            if sep and key.strip():
                if key.strip() not in osu.keys[section]:
                    osu.key_order.append((section, key.strip()))
                osu.keys[section][key.strip()] = value.strip()
        else:
            osu.rows[section].append((number, s))
    return osu


def canonical_extra(extra: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Extras in the order the writer emits them (sections, then known keys, then file order)."""
    def rank(item: tuple[str, str]) -> tuple[int, int]:
        section, _, key = item[0].partition(".")
        s = SECTIONS.index(section) if section in SECTIONS else len(SECTIONS)
        order = KEY_ORDER.get(section, ())
        return s, order.index(key) if key in order else len(order)
    return sorted(extra, key=rank)


def write_file(values: dict[tuple[str, str], str], extra: list[tuple[str, str]], points: list[str],
               objects: list[str], defaults: dict[tuple[str, str], str]) -> str:
    """The whole .osu text (LF newlines; osu! reads LF and CRLF alike). Only osu!'s own sections are written: an
    extra that names another (a StepMania tag such as ``GENRE``, a section osu! does not know) is one the writer's
    ``problems`` lists as dropped, and an invented ``[GENRE]`` section is more than a client must accept."""
    keyed: dict[str, dict[str, str]] = {s: {} for s in KEY_SECTIONS}
    raw: dict[str, str] = {}
    for name, value in extra:
        section, dot, key = name.partition(".")
        if section in KEY_SECTIONS and dot:
            keyed[section][key] = value
        elif name == "TimingPoints.inherited":
            points = _merge_points(points, value.split("\n"))
        elif not dot:
            raw[name] = value
    out = [f"osu file format v{FORMAT_VERSION}\n"]
    for section in SECTIONS:
        if section in KEY_SECTIONS:
            entries = _section_keys(section, values, keyed[section], defaults)
            if entries:
                sep = ": " if section in ("General", "Editor") else ":"
                out.append(f"\n[{section}]\n" + "".join(f"{k}{sep}{v}\n" for k, v in entries))
        elif section == "TimingPoints":
            out.append("\n[TimingPoints]\n" + "".join(f"{p}\n" for p in points))
        elif section == "HitObjects":
            out.append("\n[HitObjects]\n" + "".join(f"{o}\n" for o in objects))
        elif section in raw or section == "Events":
            out.append(f"\n[{section}]\n" + (raw[section] + "\n" if raw.get(section) else ""))
    return "".join(out)


def _section_keys(section: str, values, keyed: dict[str, str], defaults) -> list[tuple[str, str]]:
    entries = []
    names = list(KEY_ORDER[section]) + [k for k in keyed if k not in KEY_ORDER[section]]
    for key in names:
        if (section, key) in values:
            entries.append((key, _one_line(values[(section, key)])))
        elif key in keyed:
            entries.append((key, _one_line(keyed[key])))
        elif (section, key) in defaults:
            entries.append((key, defaults[(section, key)]))
    return entries


def _one_line(text: str) -> str:
    return " ".join(text.split("\n")).strip()


def _merge_points(uninherited: list[str], inherited: list[str]) -> list[str]:
    """All timing points sorted by time; at one time the uninherited point comes first (osu! requires it)."""
    def time_of(line: str) -> float:
        try:
            return float(line.split(",", 1)[0])
        except ValueError:
            return float("inf")
    tagged = [(time_of(p), 0, i, p) for i, p in enumerate(uninherited)]
    tagged += [(time_of(p), 1, i, p) for i, p in enumerate(inherited) if p.strip()]
    return [p for *_, p in sorted(tagged)]


def msd_escapes_undone(text: str) -> str:
    """An osu! value as osu! wrote it after a trip through .ssc or .sm: their writers escape a bare ``;``, the
    second ``/`` of ``//`` and a ``#`` opening a line (:func:`chart.formats.msd.escape_raw`) and their readers keep
    the raw text, so a sample ``a;b.wav`` came back ``a\\;b.wav`` and every ``//Break Periods`` comment as
    ``/\\/Break Periods``. osu! text has no escapes of its own (a ``\\`` in a path, before a letter, stays)."""
    if "\\" not in text:
        return text
    text = text.replace("\\;", ";")
    while "/\\/" in text:
        text = text.replace("/\\/", "//")
    return re.sub(r"(^|\n)([ \t]*)\\#", r"\1\2#", text)


def plain_song(song):
    """A shallow copy of ``song`` whose kept extras, and its charts', are read by :func:`msd_escapes_undone`."""
    return with_extras(song, lambda extra: [(key, msd_escapes_undone(value)) for key, value in extra])

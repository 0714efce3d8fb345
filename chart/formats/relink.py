"""File names a song keeps in its tags, relinked for a copy written into another folder (convert, Save As,
Export): ``#MUSIC`` is relinked by :func:`chart.song.music_relative_to`; this module does the same for the other
files a song names, so the copy keeps its banner, background, video and per-chart audio.

What names a file: the :data:`FILE_TAGS` of ``Song.extra``, a chart's own ``#MUSIC`` (.ssc split audio, in
``Chart.extra``), the file field of each ``#BGCHANGES``/``#FGCHANGES`` entry (``beat=file=rate=...``, the second
``=`` field) and the file field of each osu! ``[Events]`` line (background ``0,0,file,x,y``, video
``Video,offset,file`` or ``1,offset,file``, storyboard ``Sprite,layer,origin,file,...``, ``Animation`` likewise,
``Sample,time,layer,file,volume``), quoted or not, as osu! reads them. Only a value that names an existing file
beside ``song.source_path`` changes; the rest of each value (other fields, quotes, spacing) is kept as it was.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from chart.formats.msd import escape, unescape
from chart.song import Chart, Song, music_relative_to

#: Song tags (``Song.extra``) that name a file of the song folder, as ``#MUSIC`` does.
FILE_TAGS = ("BANNER", "BACKGROUND", "PREVIEWVID", "JACKET", "CDIMAGE", "DISCIMAGE", "LYRICSPATH", "CDTITLE",
             "PREVIEW")
#: Chart tags (``Chart.extra``) that name a file: .ssc's per-chart audio.
CHART_FILE_TAGS = ("MUSIC",)
#: Tags whose value is a list of ``beat=file=...`` entries (``ANIMATIONS``: the StepMania 3.9 name).
CHANGE_TAGS = ("BGCHANGES", "BGCHANGES2", "FGCHANGES", "ANIMATIONS")
#: osu! [Events] line types (name or number) -> the index of their file field.
_EVENT_FILE_FIELD = {"0": 2, "background": 2, "1": 2, "video": 2, "4": 3, "sprite": 3, "5": 3, "sample": 3,
                     "6": 3, "animation": 3}
_QUOTED = re.compile(r'"([^"\n]+)"')  # a file name in a line of an event type not listed above


def relinked_extra(song: Song, target: str | Path) -> list[tuple[str, str]]:
    """``song.extra`` for ``song`` written to ``target``: every file it names beside ``song.source_path`` (module
    docstring) named from ``target``'s folder (:func:`chart.song.music_relative_to`, as ``#MUSIC`` is relinked);
    a value that names no file, or names it from there already, stays as it is."""
    relink = _relinker(song, target)
    return list(song.extra) if relink is None else [(name, _relinked(name, raw, FILE_TAGS, relink))
                                                    for name, raw in song.extra]


def relink_charts(song: Song, target: str | Path, held: Iterable[Chart] = ()) -> None:
    """Relink the files the charts' own tags name (a chart's ``#MUSIC``) for ``song`` written to ``target``, in
    place (as callers set ``song.extra = relinked_extra(...)``; copy the charts first where the song must stay).
    ``held``: charts out of the song that an undo or redo may put back (a removed chart), relinked as well."""
    relink = _relinker(song, target)
    if relink is None:
        return
    charts = {id(c): c for c in (*song.charts, *held)}  # each once
    for chart in charts.values():
        chart.extra = [(name, _relinked(name, raw, CHART_FILE_TAGS, relink)) for name, raw in chart.extra]


def _relinker(song: Song, target: str | Path):
    """The function that relinks one file name, or None when nothing moves (no source, or the same folder: games
    find the files as they are, in any case)."""
    if song.source_path is None or Path(os.path.abspath(target)).parent == Path(os.path.abspath(song.source_path)).parent:
        return None
    folder = song.source_path.parent

    def relink(value: str) -> str:
        file = named_file(folder, value)
        return value if file is None else music_relative_to(file, target, value)

    return relink


def _relinked(name: str, raw: str, file_tags: tuple[str, ...], relink) -> str:
    """One tag's raw value with the files it names relinked (the raw value itself when none changes)."""
    if name in file_tags and raw.strip():
        value = unescape(raw).strip()
        new = relink(value)
        return raw if new == value else escape(new)
    if name in CHANGE_TAGS:
        value = unescape(raw)
        new = ",".join(_change_entry(entry, relink) for entry in value.split(","))
        return raw if new == value else escape(new)
    if name == "Events":
        return "\n".join(_event_line(line, relink) for line in raw.split("\n"))
    return raw


def relinked_events(raw: str, relink) -> str:
    """An osu! ``[Events]`` block with the file field of each line mapped by ``relink`` (a function of one file name;
    it sees every name the block gives, and what it returns replaces it). The ``.osz`` writer collects and renames
    the files an archive carries with it."""
    return _relinked("Events", raw, (), relink)


def _change_entry(entry: str, relink) -> str:
    """A ``beat=file=rate=...`` entry with its file field relinked (kept when the new name would not parse)."""
    fields = entry.split("=")
    if len(fields) < 2 or not fields[1].strip():
        return entry
    old = fields[1].strip()
    new = relink(old)
    if new == old or any(c in new for c in ",="):
        return entry
    fields[1] = fields[1].replace(old, new)
    return "=".join(fields)


def _event_line(line: str, relink) -> str:
    """An osu! [Events] line with its file field relinked, quoted as it was (quoted anyway when the new name holds
    a comma). Commands (lines that begin with a space or ``_``) and comments name no file."""
    if not line or line[0] in " _\t" or line.startswith("//"):
        return line
    fields = _split_fields(line)
    index = _EVENT_FILE_FIELD.get(fields[0].strip().lower())
    if index is None:
        return _QUOTED.sub(lambda m: f'"{relink(m.group(1))}"', line)
    if index >= len(fields):
        return line
    field = fields[index].strip()
    quoted = len(field) >= 2 and field[0] == field[-1] == '"'
    old = field[1:-1] if quoted else field
    new = relink(old) if old else old
    if new == old:
        return line
    fields[index] = f'"{new}"' if quoted or "," in new else new
    return ",".join(fields)


def _split_fields(line: str) -> list[str]:
    """The comma-separated fields of an [Events] line, as written (a quoted field may hold commas)."""
    fields, start, quoted = [], 0, False
    for i, c in enumerate(line):
        if c == '"':
            quoted = not quoted
        elif c == "," and not quoted:
            fields.append(line[start:i])
            start = i + 1
    return [*fields, line[start:]]


def named_file(folder: Path, value: str) -> Path | None:
    """The file ``value`` names from ``folder``, each part of its path in any case as games find it on Windows
    (``sb/star.png`` finds ``SB/Star.png``; ``\\`` read as ``/``), or None."""
    if not value.strip():
        return None
    direct = folder / value.replace("\\", "/")
    try:
        if direct.is_file():
            return direct
        here = folder
        parts = PurePosixPath(value.replace("\\", "/")).parts
        for k, part in enumerate(parts):
            if part in ("", "."):
                continue
            if part == "..":
                here = here.parent
                continue
            want, last = part.lower(), k == len(parts) - 1
            exact = here / part
            if exact.is_file() if last else exact.is_dir():
                here = exact
                continue
            found = next((p for p in here.iterdir() if p.name.lower() == want
                          and (p.is_file() if last else p.is_dir())), None)
            if found is None:
                return None
            here = found
        return here if here.is_file() else None
    except (OSError, ValueError):
        return None
    direct = folder / value.replace("\\", "/")
    try:
        if direct.is_file():
            return direct
        want = direct.name.lower()
        return next((p for p in direct.parent.iterdir() if p.name.lower() == want and p.is_file()), None)
    except (OSError, ValueError):
        return None

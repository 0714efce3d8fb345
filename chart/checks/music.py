"""Music: the song's audio file is not in its folder, so no game can play the chart.

The file is found as the editor and StepMania find it (:meth:`chart.song.Song.audio_path`): ``#MUSIC`` relative to
the chart's folder, case-insensitively, else the folder's only audio file. Not found, it is a WARNING (the chart
saves, and the file may be copied in later), with the song's findings (``CheckContext.song_level``): the song's,
not a chart's. A format that carries the audio itself (an archive: the ``.osz``) cannot be written without it; its
own PROBLEM comes from the ``representable`` check, so this one stays quiet there rather than say it twice. For
an osu! set (``.osu``) a music file found outside the set's folder (``../src/song.ogg``) is a PROBLEM: osu! loads
audio only from the set's folder; the background, video and storyboard files its ``[Events]`` and ``.osb`` name
outside that folder are a WARNING (osu! plays the set without them). A song never saved has no folder yet and is not checked.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity
from chart.song import audio_files

PLAYERS = {"osu": "osu!", "osz": "osu!", "json": "the game"}  # by target format; StepMania otherwise


class CheckMusic:
    meta = CheckMeta("music", "Audio", "The song's music file is not in its folder")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        song = ctx.song
        if not ctx.song_level or song.source_path is None or _carries_audio(ctx.target_format):
            return
        yield from _events_outside_set(ctx)
        try:
            found = song.audio_path()
            if found is not None and found.is_file():
                yield from _outside_set(ctx, found)
                return
        except OSError:
            pass
        player = PLAYERS.get(ctx.target_format or song.source_path.suffix.lower().lstrip("."), "StepMania")
        others = audio_files(song.source_path.parent)
        if song.music:
            what = f"the music file {song.music} is not in the song folder"
        else:
            what = "the song names no music file (#MUSIC)"
        if len(others) > 1:  # which one would be a guess: the editor takes none
            names = ", ".join(p.name for p in others[:3]) + (", ..." if len(others) > 3 else "")
            other = " other" if song.music else ""
            yield Issue(Severity.WARNING, f"{what} and the folder holds {len(others)}{other} audio files ({names}): "
                        "name the one to play")
            return
        if not song.music:
            what += " and the folder holds none"
        yield Issue(Severity.WARNING, f"{what}: {player} cannot play this chart")


def _outside_set(ctx: CheckContext, found: Path) -> Iterator[Issue]:
    """A PROBLEM for an osu! set (``.osu`` target, or an ``.osu`` checked as it is) whose audio lies outside the set's
    folder (``AudioFilename: ../src/song.ogg``): osu! plays no such set. StepMania and the game follow the path;
    an ``.osz`` carries the file in by its name. Lexical, as ``#MUSIC`` is written (a symlinked file is inside)."""
    song = ctx.song
    assert song.source_path is not None  # run() checks only saved songs
    if (ctx.target_format or song.source_path.suffix.lower().lstrip(".")) != "osu":
        return
    folder = Path(os.path.abspath(song.source_path.parent))
    if not Path(os.path.abspath(found)).is_relative_to(folder):
        yield Issue(Severity.PROBLEM, f"the music file {song.music} is outside the set's folder: osu! loads audio "
                    f"only from the set's folder (copy it in and name it {found.name})")


def _events_outside_set(ctx: CheckContext) -> Iterator[Issue]:
    """A WARNING for an osu! set whose ``[Events]`` or storyboard (``.osb``) name files outside the set's folder
    (``0,0,"../src/bg.jpg",0,0``): osu! loads them only from there, and shows the set without them. The files are
    found as the ``.osz`` writer finds them (:class:`chart.formats.osz_carry.Carried`)."""
    from chart.formats.errors import WriteError
    from chart.formats.osz_carry import Carried

    song = ctx.song
    assert song.source_path is not None
    if (ctx.target_format or song.source_path.suffix.lower().lstrip(".")) != "osu":
        return
    try:
        carried = Carried(song, None, need_audio=False)
    except (WriteError, OSError):
        return
    folder = Path(os.path.abspath(song.source_path.parent))
    outside = sorted(str(file) for real, (file, _name, _clean) in carried.files.items()
                     if real != carried.audio and not Path(os.path.abspath(file)).is_relative_to(folder))
    outside = sorted(outside + [str(folder / name) for name, _where, why in carried.refused if "outside" in why])
    if outside:
        names = ", ".join(os.path.relpath(f, folder) for f in outside[:3]) + (", ..." if len(outside) > 3 else "")
        yield Issue(Severity.WARNING, f"{len(outside)} file{'s' if len(outside) > 1 else ''} the [Events] or "
                    f"storyboard name {'are' if len(outside) > 1 else 'is'} outside the set's folder ({names}): osu! "
                    f"loads them only from the set's folder (convert the set to another folder to copy them in)")


def _carries_audio(format_name: str | None) -> bool:
    if format_name is None:
        return False
    from chart.formats.registry import format_for

    try:
        return format_for(name=format_name).archive
    except (KeyError, ValueError):
        return False

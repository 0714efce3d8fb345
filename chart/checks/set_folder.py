"""Set folder: the files of an osu! set (``.osu``) that lie outside the set's folder, where osu! never looks.

osu! loads a set's audio, background, video and storyboard files only from the set's folder. A music file found
outside it (``AudioFilename: ../src/song.ogg``) is a PROBLEM: osu! plays no such set; the background, video and
storyboard files its ``[Events]`` and ``.osb`` name outside it are a WARNING (osu! plays the set without them). Only
for an osu! set: an ``.osu`` target, or an ``.osu`` checked as it is; StepMania and the game follow the path, and an
``.osz`` carries the files in by their names. The folder is the song's own (``source_path``): Export, which writes
the set elsewhere and copies these files in (:mod:`chart.formats.osu_set_files`), checks the song as it will be
written there (``editor.controllers.export``). Split from the ``music`` check for that: the other music findings
are about the file the song names wherever it is written. A song never saved has no folder and is not checked.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity


class CheckSetFolder:
    meta = CheckMeta("set-folder", "Audio", "An osu! set's audio or event files outside the set's folder")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        song = ctx.song
        if not ctx.song_level or song.source_path is None:
            return
        if (ctx.target_format or song.source_path.suffix.lower().lstrip(".")) != "osu":
            return
        yield from _events_outside_set(ctx)
        try:
            found = song.audio_path()
            if found is not None and found.is_file():
                yield from _outside_set(ctx, found)
        except OSError:
            pass


def _outside_set(ctx: CheckContext, found: Path) -> Iterator[Issue]:
    """A PROBLEM when the audio lies outside the set's folder. Lexical, as ``#MUSIC`` is written (a symlinked file
    is inside)."""
    song = ctx.song
    assert song.source_path is not None  # run() checks only saved songs
    folder = Path(os.path.abspath(song.source_path.parent))
    if not Path(os.path.abspath(found)).is_relative_to(folder):
        yield Issue(Severity.PROBLEM, f"the music file {song.music} is outside the set's folder: osu! loads audio "
                    f"only from the set's folder (copy it in and name it {found.name})")


def _events_outside_set(ctx: CheckContext) -> Iterator[Issue]:
    """A WARNING when the ``[Events]`` or storyboard (``.osb``) name files outside the set's folder
    (``0,0,"../src/bg.jpg",0,0``). The files are found as the ``.osz`` writer finds them
    (:class:`chart.formats.osz_carry.Carried`)."""
    from chart.formats.errors import WriteError
    from chart.formats.osz_carry import Carried

    song = ctx.song
    assert song.source_path is not None
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

"""Which files an ``.osz`` (or an osu! set folder written elsewhere) may carry: a received chart names its files
itself (``AudioFilename: /etc/passwd``, ``0,0,"../../private.txt",0,0``), and exporting it must not pack the
designer's other files into the archive they share.

A carried file must be a media file (audio, image, video: :data:`MEDIA_SUFFIXES`; hitsound samples are audio) and
lie inside the song's folder or the folder above it (``../art/bg.jpg``, shared art beside a set's folder; real
paths, so a link to elsewhere counts as elsewhere). A song read from an ``.osz`` (its ``.osu`` in the folder the
archive was extracted to, :func:`chart.formats.osz_zip.extract_folder`) carries nothing from outside that folder.
A song with no file of its own (made in the editor) is checked from the folder it is written to, but for its
audio, which the designer chose. What is refused is left out and named (:class:`chart.formats.osz_carry.Carried`).
"""

from __future__ import annotations

import os
from pathlib import Path

from chart.song import AUDIO_EXTENSIONS, Song

#: The file types an archive carries besides its ``.osu`` texts and storyboard script.
MEDIA_SUFFIXES = frozenset({*AUDIO_EXTENSIONS, ".aac", ".oga", ".mp2", ".wma",  # audio, hitsound samples
                            ".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp",  # backgrounds, sprites
                            ".mp4", ".m4v", ".avi", ".flv", ".mkv", ".webm", ".mov", ".wmv", ".mpg", ".mpeg", ".ogv"})


class Scope:
    """Where the files of ``song`` written to ``target`` may come from (module docstring)."""

    def __init__(self, song: Song, target: Path | None):
        self.trusted_audio = song.source_path is None  # the designer's own pick, not a received file's name
        folder = song.source_path.parent if song.source_path is not None else (
            target.parent if target is not None else None)
        self.archive = folder is not None and song.source_path is not None and _extracted(song.source_path)
        if folder is None:
            self.root: str | None = None
        else:
            top = _extraction_root(folder) if self.archive else folder.parent
            self.root = os.path.realpath(top if top is not None else folder)

    def refusal(self, file: Path, audio: bool = False) -> str:
        """Why ``file`` is not carried ("" when it is): a phrase that follows its name."""
        if audio and self.trusted_audio:
            return ""
        if file.suffix.lower() not in MEDIA_SUFFIXES:
            return "is not an audio, image or video file"
        if self.root is not None and not Path(os.path.realpath(file)).is_relative_to(self.root):
            return ("lies outside the folder the archive was extracted to" if self.archive
                    else "lies outside the song's folder and the folder above it")
        return ""


def _extraction_root(folder: Path) -> Path | None:
    """The extraction folder that holds the set folder ``folder`` (itself, or its parent for an archive whose
    files sit in one top folder), None when neither is one."""
    for candidate in (folder, folder.parent):
        if _is_extraction(candidate):
            return candidate
    return None


def _extracted(source: Path) -> bool:
    """Whether the ``.osu`` ``source`` lies in an archive's extraction folder: an ``.osz`` of that folder's name
    beside it (``Song.osz`` -> ``Song/``, where :func:`chart.formats.osz.load_archive` extracts)."""
    return source.suffix.lower() == ".osu" and _extraction_root(source.parent) is not None


def _is_extraction(folder: Path) -> bool:
    try:
        return any(p.suffix.lower() == ".osz" and p.stem == folder.name and p.is_file()
                   for p in folder.parent.iterdir())
    except (OSError, ValueError):
        return False

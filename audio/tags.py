"""The title and artist a new song takes from its audio file: the file's own tags where it has them, else its name.

One helper for the editor's New Song from Audio and the CLI's ``draft AUDIO``, so both name a song alike. The tags
are read by libsndfile (``soundfile.SoundFile.copy_metadata``): Vorbis comments of Ogg, FLAC and Opus files, the
INFO chunk of a WAV, and (libsndfile 1.1 and later) the ID3 tags of an MP3. A file it cannot open or that has no
such tag (an M4A decoded by another decoder, a damaged file) is named after the file, with ``_`` read as a space:
tags never stop a song from being made.
"""

from __future__ import annotations

import re
from pathlib import Path

#: Longest title or artist taken from a tag (a comment pasted into a title is no song's name)
MAX_TAG_CHARS = 200


def _clean(value: object) -> str:
    """A tag as one line of text: runs of whitespace (newlines, tabs) as one space, control characters dropped,
    stripped; "" for anything else."""
    if not isinstance(value, str):
        return ""
    text = re.sub(r"\s+", " ", value)
    text = "".join(ch for ch in text if ch.isprintable()).strip()
    return text if len(text) <= MAX_TAG_CHARS else ""


def read_tags(path: Path) -> dict[str, str]:
    """The ``title`` and ``artist`` tags of an audio file that has them (cleaned, non-empty); {} when it has none
    or cannot be read."""
    try:
        import soundfile as sf

        with sf.SoundFile(str(path)) as f:
            meta = f.copy_metadata()
    except Exception:  # noqa: BLE001 - any reason at all (libsndfile's errors, a bad path): no tags
        return {}
    return {k: v for k in ("title", "artist") if (v := _clean(meta.get(k)))}


def name_from_file(path: Path) -> str:
    """The title a file's name gives: its stem with ``_`` as spaces ("coral_crown.ogg" -> "coral crown")."""
    return re.sub(r"\s+", " ", Path(path).stem.replace("_", " ")).strip() or Path(path).stem


def song_names(path: Path) -> tuple[str, str]:
    """(title, artist) for a new song around the audio file ``path``: its tags, the title falling back to the file
    name (:func:`name_from_file`) and the artist to ""."""
    tags = read_tags(path)
    return tags.get("title") or name_from_file(path), tags.get("artist", "")

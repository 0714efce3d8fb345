"""The title and artist a new song takes from its audio file: the file's own tags where it has them, else its name.

One helper for the editor's New Song from Audio and the CLI's ``draft AUDIO``, so both name a song alike. The tags
are read by libsndfile (``soundfile.SoundFile.copy_metadata``): Vorbis comments of Ogg, FLAC and Opus files, the
INFO chunk of a WAV, and (libsndfile 1.1 and later) the ID3 tags of an MP3. A file it cannot open or that has no
such tag (an M4A decoded by another decoder, a damaged file) is named after the file, with ``_`` read as a space:
tags never stop a song from being made.

Text encodings: libsndfile hands over a tag's bytes as the file holds them, and soundfile decodes them as UTF-8
with ``'replace'``. A WAV's INFO chunk or an ID3v1 tag written by a Windows tool is in the ANSI code page, so
"Björk" came out as "Bj\\ufffdrk" and was saved into the chart. So the bytes are read (:func:`_raw_tags`) and
decoded as UTF-8, else as cp1252 (Latin-1 and its Windows superset: Western European text); a value that is
neither, or that holds U+FFFD (soundfile's replacement, where the bytes cannot be had), is unreadable and the song
is named after its file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

#: Longest title or artist taken from a tag (a comment pasted into a title is no song's name)
MAX_TAG_CHARS = 200
NAMES = ("title", "artist")


def _clean(value: object) -> str:
    """A tag as one line of text: runs of whitespace (newlines, tabs) as one space, control characters dropped,
    stripped; "" for anything else, and for text holding U+FFFD (bytes that were not text: unreadable)."""
    if not isinstance(value, str) or "\ufffd" in value:
        return ""
    text = re.sub(r"\s+", " ", value)
    text = "".join(ch for ch in text if ch.isprintable()).strip()
    return text if len(text) <= MAX_TAG_CHARS else ""


def _decoded(raw: bytes) -> str:
    """A tag's bytes as text: UTF-8 (Vorbis comments, ID3v2), else cp1252 (a WAV's INFO chunk, ID3v1); "" when
    they are neither."""
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return ""


def _raw_tags(f: Any) -> dict[str, str] | None:
    """The title and artist of the open ``soundfile.SoundFile`` ``f`` decoded from their bytes (:func:`_decoded`),
    through soundfile's own libsndfile handle (its public API decodes them as UTF-8 only); None where that handle
    is not there (another soundfile version): :func:`read_tags` then takes soundfile's text."""
    try:
        import soundfile as sf

        snd, ffi, ids = sf._snd, sf._ffi, sf._str_types
        raw = {k: snd.sf_get_string(f._file, ids[k]) for k in NAMES}
        return {k: _decoded(ffi.string(data)) for k, data in raw.items() if data}
    except Exception:  # noqa: BLE001 - soundfile's private names moved or changed: its public text instead
        return None


def read_tags(path: Path) -> dict[str, str]:
    """The ``title`` and ``artist`` tags of an audio file that has them (cleaned, non-empty); {} when it has none
    or cannot be read."""
    try:
        import soundfile as sf

        with sf.SoundFile(str(path)) as f:
            meta = _raw_tags(f)
            if meta is None:
                meta = f.copy_metadata()
    except Exception:  # noqa: BLE001 - any reason at all (libsndfile's errors, a bad path): no tags
        return {}
    return {k: v for k in NAMES if (v := _clean(meta.get(k)))}


def name_from_file(path: Path) -> str:
    """The title a file's name gives: its stem with ``_`` as spaces ("coral_crown.ogg" -> "coral crown")."""
    return re.sub(r"\s+", " ", Path(path).stem.replace("_", " ")).strip() or Path(path).stem


def song_names(path: Path) -> tuple[str, str]:
    """(title, artist) for a new song around the audio file ``path``: its tags, the title falling back to the file
    name (:func:`name_from_file`) and the artist to ""."""
    tags = read_tags(path)
    return tags.get("title") or name_from_file(path), tags.get("artist", "")

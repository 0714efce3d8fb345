"""Reading a recovery session folder: its generations, their times, its marker (:mod:`editor.controllers.autosave`)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from chart.song import AUDIO_EXTENSIONS, Song

MARKER = "session.json"


def load_generation(generation: Path) -> Song:
    """A generation (game JSON) without the 20 MB limit of chart files: ParseError (a ValueError) when unreadable."""
    from chart.formats import game_json
    from chart.formats.errors import ParseError

    try:
        data = generation.read_bytes()
    except OSError as exc:
        raise ParseError(f"{generation}: cannot read: {exc.strerror or exc}") from None
    try:
        return game_json.load_bytes(data, max_bytes=None)
    except ParseError as err:
        raise err.with_path(str(generation)) from None


def newest_time(folder: Path) -> float:
    return max((p.stat().st_mtime for p in folder.glob("autosave-*.json")), default=0.0)


def mtime(path: str | None) -> float | None:
    try:
        return os.stat(path).st_mtime if path else None
    except OSError:
        return None


def clock(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))


def marker_key(folder: Path) -> str | None:
    """What opening again offers a crashed session for: the file it was editing, else what was opened (the folder of
    an osu! beatmap set, the audio file of a new song never saved); markers of older versions name only the file."""
    marker = read_marker(folder)
    key = marker.get("document") or marker.get("opened")
    return os.path.abspath(key) if isinstance(key, str) and key else None


def describe(marker: dict) -> str:
    """The song of a crashed session, as the restore question names it."""
    title = marker.get("title") or "an unsaved song"
    if marker.get("document"):
        return str(marker["document"])
    opened = marker.get("opened")
    if not opened:
        return title
    what = "a new song from" if Path(opened).suffix.lower() in AUDIO_EXTENSIONS else "opened from"
    return f"{title} ({what} {opened})"


def read_marker(folder: Path) -> dict:
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError, RecursionError):
        return {}

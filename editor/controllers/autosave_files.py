"""Reading a recovery session folder: its generations, their times, its marker (:mod:`editor.controllers.autosave`)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from chart.song import Song

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


def marker_document(folder: Path) -> str | None:
    doc = read_marker(folder).get("document")
    return os.path.abspath(doc) if doc else None


def read_marker(folder: Path) -> dict:
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}

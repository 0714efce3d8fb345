"""Reading a recovery session folder: its generations, their times, its marker (:mod:`editor.controllers.autosave`)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from chart.song import AUDIO_EXTENSIONS, Song
from editor.controllers.disk_stamps import stamp

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
        return os.stat(path).st_mtime if isinstance(path, str) and path else None
    except (OSError, ValueError):  # ValueError: a NUL in the path
        return None


def place(path: str | os.PathLike[str]) -> str:
    """Where ``path`` really is (symbolic links resolved): a song opened through a linked folder and by its
    real path (Open Recent lists resolved paths) is one song."""
    try:
        return os.path.normcase(os.path.realpath(path))
    except (OSError, ValueError):
        return os.path.normcase(os.path.abspath(path))


def clock(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))


def marker_key(folder: Path) -> str | None:
    """What opening again offers a crashed session for: the file it was editing, else what was opened (the folder of
    an osu! beatmap set, the audio file of a new song never saved); markers of older versions name only the file."""
    marker = read_marker(folder)
    key = marker.get("document") or marker.get("opened")
    return place(key) if isinstance(key, str) and key else None


def disk_stamps(marker: dict) -> dict[Path, tuple[int, int]]:
    """The song's files and their stamps (mtime_ns, size) when the crashed session last read or wrote them (the
    marker's ``disk``: ``[[path, mtime_ns, size], ...]``); entries of another shape are skipped."""
    found: dict[Path, tuple[int, int]] = {}
    for entry in marker.get("disk") or []:
        if (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], str) and entry[0]
                and "\0" not in entry[0] and all(isinstance(v, int) and not isinstance(v, bool) for v in entry[1:])):
            found[Path(entry[0])] = (entry[1], entry[2])
    return found


def changed_on_disk(marker: dict) -> list[Path]:
    """The song's files that another program changed (or a save the autosave does not hold wrote) since the crashed
    session read or wrote them; a file gone since is no change (nothing to overwrite)."""
    return [path for path, was in disk_stamps(marker).items() if (now := stamp(path)) is not None and now != was]


def home_gone(marker: dict) -> bool:
    """Whether the folder of the crashed session's song (its file's, else its source's) is not there any more."""
    home = marker.get("document") or marker.get("source")
    return isinstance(home, str) and bool(home) and not os.path.isdir(Path(home).parent)


def kept_line(folders: list[Path]) -> str:
    """The status line for crashed sessions not offered now, each named (a song whose folder was moved or renamed
    is not found at its new place: it is restored, without its file, at a start without one)."""
    names = []
    for folder in folders:
        marker = read_marker(folder)
        name = str(marker.get("document") or marker.get("opened") or marker.get("title") or folder.name)
        names.append(name + (" (its folder is gone: start without a file to restore it)" if home_gone(marker) else ""))
    shown = "; ".join(names[:3]) + (f"; and {len(names) - 3} more" if len(names) > 3 else "")
    return (f"{len(folders)} autosave(s) of other songs from a crash are kept ({shown}): each is offered when you "
            f"open its file (or folder, or audio) again, or at a start without a file")


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


# the marker's fields and the types they must have; a field of another type (a damaged marker, or one written by a
# newer version in another shape) is dropped: the autosave is still offered, without what that field said
_PATHS = ("document", "opened", "audio", "source")
_FIELDS: dict[str, tuple[type, ...]] = {"pid": (int,), "started": (int, float), "title": (str,), "disk": (list,),
                                        **{name: (str,) for name in _PATHS}}


def read_marker(folder: Path) -> dict:
    """The marker of a session folder, its fields of the wrong type dropped (:func:`marker_damage` names them);
    {} when it is missing or unreadable."""
    return _checked(folder)[0]


def marker_damage(folder: Path) -> list[str]:
    """The fields of the folder's marker that :func:`read_marker` dropped."""
    return _checked(folder)[1]


def _checked(folder: Path) -> tuple[dict, list[str]]:
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}, []
    if not isinstance(data, dict):
        return {}, ["session.json"]
    marker, damaged = {}, []
    for name, value in data.items():
        types = _FIELDS.get(name)
        if types is None or value is None or value == "":
            marker[name] = value  # unknown fields are not used; None (or "") is "not there"
        elif (isinstance(value, types) and not isinstance(value, bool)
              and not (name in _PATHS and isinstance(value, str) and "\0" in value)):
            marker[name] = value
        else:
            damaged.append(name)
    return marker, damaged

"""The files of the open song that the editor read or wrote, each with its stamp (modification time, size) then.

Two questions need them (and crash recovery keeps them in its marker, :mod:`editor.controllers.autosave`, which it
rewrites whenever they change: :meth:`DiskStamps.watch`). Save
and Export ask before overwriting one that another program changed since (osu!'s own editor, a text editor),
keeping the old file as ``.bak``; the editor's own Save or Export is no change on disk. And Export to ``.osu``
offers to move aside only those of the song's own difficulty files that it does not rewrite (one deleted or
renamed since the set was opened): a guest mapper's difficulty beside it, never read as part of this song, is no
leftover of it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

Stamp = tuple[int, int] | None


class DiskStamps:
    """The song's files read or written here, by absolute path, with their stamps when last read or written."""

    def __init__(self) -> None:
        self._stamps: dict[Path, Stamp] = {}
        self._watchers: list[Callable[[], None]] = []

    def watch(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after every change of the stamps (crash recovery rewrites its marker: a crash after
        an Export must not take the editor's own files for another program's)."""
        self._watchers.append(callback)

    def _changed(self) -> None:
        for callback in self._watchers:
            callback()

    def reset(self, paths: Iterable[Path]) -> None:
        """Another song is open: these are its files (those just read)."""
        self._stamps = {}
        self.note(paths)

    def note(self, paths: Iterable[Path]) -> None:
        """These files were just read or written here: their stamps now are the editor's."""
        for path in paths:
            self._stamps[_key(path)] = stamp(path)
        self._changed()

    def renote(self, folder: Path) -> None:
        """The song's files in ``folder`` were rewritten by the editor (an archive's extraction refreshed)."""
        folder = _key(folder)
        self.note([path for path in self._stamps if path.parent == folder])

    def recorded(self) -> dict[Path, Stamp]:
        """The files and their stamps as read or written here (the recovery marker keeps them)."""
        return dict(self._stamps)

    def keep(self, stamps: dict[Path, tuple[int, int]]) -> None:
        """Take these stamps as the ones read or written here: a restored autosave's, from before the crash, so a
        file another program changed meanwhile still makes Save ask."""
        for path, was in stamps.items():
            self._stamps[_key(path)] = was
        self._changed()

    def forget(self, paths: Iterable[Path]) -> None:
        gone = [self._stamps.pop(_key(path), False) is not False for path in paths]
        if any(gone):
            self._changed()

    def __contains__(self, path: Path) -> bool:
        return _key(path) in self._stamps

    def changed(self, path: Path) -> bool:
        """Whether ``path`` is one of the song's files and another program changed it since it was read or written
        here (a file that is gone now is no change: there is nothing to overwrite)."""
        key = _key(path)
        return key in self._stamps and path.exists() and stamp(path) != self._stamps[key]


def stamp(path: Path) -> Stamp:
    """(modification time in ns, size) of a file; None when it is not there."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _key(path: Path) -> Path:
    return Path(os.path.abspath(path))

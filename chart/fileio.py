"""Atomic file writes: temp file in the same folder, fsync, rename; the previous version kept as ``.bak``.

A crash or a full disk at any moment leaves either the old file or the new one, never a partial file.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

STALE_TEMP_AGE_S = 60.0  # a live save finishes in well under this; older temporaries belong to killed saves


def atomic_write_bytes(path: str | Path, data: bytes, keep_backup: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically. With ``keep_backup`` the old file becomes ``path.bak``. A symbolic
    link is followed: the file it names is replaced and the link stays (a song folder linked into a game's)."""
    return atomic_write_many([(path, data)], keep_backup=keep_backup)[0]


def atomic_write_many(files: Sequence[tuple[str | Path, bytes]], keep_backup: bool = False) -> list[Path]:
    """Write several files as one: every file's data is written and synced to a temporary first, and only when
    all are on disk are they renamed into place, so a full disk leaves none of them changed (an osu! beatmap
    set is one file per difficulty). Returns the paths as given."""
    staged: list[tuple[Path, Path, str]] = []  # (name given, file written, temporary)
    replaced: list[tuple[Path, str | None]] = []  # (file replaced, a link to its old contents or None: new file)
    try:
        for name, data in files:
            named = path = Path(name)
            if path.is_symlink():
                path = Path(os.path.realpath(path))
            if path.is_dir():  # found before any file is replaced: a set is written whole or not at all
                raise IsADirectoryError(errno.EISDIR, "a folder has that name", str(path))
            staged.append((named, path, _write_temporary(path, data)))
        for _named, path, tmp in staged:
            if keep_backup and path.exists():
                _link_backup(path, path.with_name(path.name + ".bak"))
            replaced.append((path, _rollback_link(path) if len(staged) > 1 else None))
            os.replace(tmp, path)  # atomic: readers see the old file or the new one, never neither
    except BaseException:
        for _named, _path, tmp in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        _roll_back(replaced[:-1])  # the last one failed: it was not replaced
        if replaced:
            _discard(replaced[-1:])
        raise
    _discard(replaced)
    for folder in {path.parent if str(path.parent) else Path(".") for _n, path, _t in staged}:
        fsync_dir(folder)
    return [named for named, _p, _t in staged]


def _rollback_link(path: Path) -> str | None:
    """Another name for ``path``'s current contents (a hard link beside it), so that a set whose later file fails
    can be put back; None when ``path`` does not exist yet (the rollback removes the new file) or cannot be
    linked (that file then keeps the new version: the pre-checks make this rare)."""
    if not path.exists():
        return None
    link = f"{path.parent / _temp_prefix(path)}{os.getpid()}.old.tmp"
    with contextlib.suppress(OSError):
        os.unlink(link)
    try:
        os.link(path, link)
    except OSError:
        return ""  # not None: the file existed, and is left as replaced
    return link


def _roll_back(replaced: list[tuple[Path, str | None]]) -> None:
    """Put the files of a set back as they were before a later file of it failed."""
    for path, old in reversed(replaced):
        with contextlib.suppress(OSError):
            if old is None:
                os.unlink(path)  # it did not exist before
            elif old:
                os.replace(old, path)


def _discard(replaced: list[tuple[Path, str | None]]) -> None:
    for _path, old in replaced:
        if old:
            with contextlib.suppress(OSError):
                os.unlink(old)


def _write_temporary(path: Path, data: bytes) -> str:
    """``data`` in a synced temporary beside ``path`` (the old file's mode); its name."""
    folder = path.parent if str(path.parent) else Path(".")
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            # mkstemp creates 0600 files; give the new file the old one's mode, or what the umask allows.
            os.fchmod(f.fileno(), _target_mode(path))
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8", keep_backup: bool = False) -> Path:
    """Text version of :func:`atomic_write_bytes` (newlines written as given)."""
    return atomic_write_bytes(path, text.encode(encoding), keep_backup=keep_backup)


def remove_stale_temporaries(path: str | Path, max_age_s: float = STALE_TEMP_AGE_S) -> int:
    """Delete the temporaries that killed saves of ``path`` left beside it; returns how many were removed.

    Only names a save of ``path`` creates are touched (``.NAME.*.tmp``, the ``.bak`` staging file included), and
    only when their modification time is more than ``max_age_s`` seconds old, so a save running right now in
    another process keeps its file. Errors are ignored: cleaning up must never stop a save.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    pattern = os.path.join(glob.escape(str(folder)), f"{glob.escape(_temp_prefix(path))}*.tmp")
    cutoff = time.time() - max_age_s
    removed = 0
    for name in glob.glob(pattern, include_hidden=True):
        with contextlib.suppress(OSError):
            if os.lstat(name).st_mtime < cutoff:
                os.unlink(name)
                removed += 1
    return removed


def _temp_prefix(path: Path) -> str:
    """``.NAME.`` for the temporaries of ``path``; a name near the 255-byte limit is cut and hashed so that
    the temporary's name (12 more bytes) still fits."""
    name = path.name
    if len(name.encode()) > 200:
        import hashlib

        digest = hashlib.sha1(name.encode()).hexdigest()[:10]
        name = name.encode()[:120].decode(errors="ignore") + "~" + digest
    return f".{name}."


def _target_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _link_backup(path: Path, backup: Path) -> None:
    """Make ``backup`` another name of the current file (hard link; copy where links are unsupported).

    The new backup is prepared under a temporary name and renamed over the old one, so a crash at any moment
    leaves a complete ``.bak`` (the older or the newer one), never none and never a partial copy.
    """
    staging = backup.with_name(f"{_temp_prefix(backup)}{os.getpid()}.tmp")
    with contextlib.suppress(OSError):
        os.unlink(staging)  # left by a killed process that had our pid
    try:
        os.link(path, staging)
    except OSError:
        import shutil

        try:
            shutil.copy2(path, staging)
            with open(staging, "rb") as f:  # the copy's data must be on disk before its name is
                os.fsync(f.fileno())
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(staging)
            return  # no backup possible here (e.g. read-only copy source); the save itself goes on
    try:
        os.replace(staging, backup)
    except OSError:  # e.g. NAME.bak over the 255-byte limit: the save goes on without a backup
        with contextlib.suppress(OSError):
            os.unlink(staging)


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable (best effort: some file systems refuse it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def backup_name(path: Path, n: int = 0) -> Path:
    """``NAME.bak``, or for ``n`` > 0 ``NAME.n.bak``: names neither osu! nor this editor reads as a chart."""
    return path.with_name(f"{path.name}.bak" if n == 0 else f"{path.name}.{n}.bak")


def move_aside(path: Path) -> Path:
    """Rename ``path`` to the first free :func:`backup_name` and return it. Never replaces a file: an earlier
    backup (the designer's, kept as the export promised) stays."""
    return _rename_to_free(path, path, 0)


def keep_older_backup(path: Path) -> Path | None:
    """Before a save that keeps ``path``'s old version as ``NAME.bak``: a ``NAME.bak`` already there that differs
    from ``path`` is moved to the first free ``NAME.n.bak`` (returned), so the save's backup does not replace it.
    For the chart commands, run twice on one file: ``refine X.sm --to hard -o X.sm`` replaced the designer's Hard,
    kept in ``X.sm.bak``, and a second run replaced that backup with the first run's draft, so the hand-made chart
    was in neither file. A ``.bak`` equal to the file (nothing new to keep) is left to be replaced."""
    backup = backup_name(path)
    try:
        if not path.is_file() or not backup.is_file() or backup.read_bytes() == path.read_bytes():
            return None
    except OSError:
        return None
    return _rename_to_free(backup, path, 1)


def _rename_to_free(source: Path, path: Path, first: int) -> Path:
    """Rename ``source`` to the first free ``backup_name(path, n)``, n from ``first``. A hard link claims the name
    atomically (it fails where the name is taken); on a disk without hard links the name is checked first, then
    renamed."""
    for n in range(first, 10_000):
        backup = backup_name(path, n)
        if backup.exists():
            continue
        try:
            backup.hardlink_to(source)
        except FileExistsError:
            continue  # taken since the check
        except OSError:  # no hard links here (FAT, some network disks)
            source.rename(backup)
            return backup
        source.unlink()
        return backup
    raise OSError(f"no free backup name for {path.name}")

"""Atomic file writes: temp file in the same folder, fsync, rename; the previous version kept as ``.bak``.

A crash or a full disk at any moment leaves either the old file or the new one, never a partial file.
"""

from __future__ import annotations

import contextlib
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
    try:
        for name, data in files:
            named = path = Path(name)
            if path.is_symlink():
                path = Path(os.path.realpath(path))
            staged.append((named, path, _write_temporary(path, data)))
        for _named, path, tmp in staged:
            if keep_backup and path.exists():
                _link_backup(path, path.with_name(path.name + ".bak"))
            os.replace(tmp, path)  # atomic: readers see the old file or the new one, never neither
    except BaseException:
        for _named, _path, tmp in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    for folder in {path.parent if str(path.parent) else Path(".") for _n, path, _t in staged}:
        _fsync_dir(folder)
    return [named for named, _p, _t in staged]


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


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

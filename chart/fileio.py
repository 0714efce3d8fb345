"""Atomic file writes: temp file in the same folder, fsync, rename; the previous version kept as ``.bak``.

A crash or a full disk at any moment leaves either the old file or the new one, never a partial file.
"""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
import time
from pathlib import Path

STALE_TEMP_AGE_S = 60.0  # a live save finishes in well under this; older temporaries belong to killed saves


def atomic_write_bytes(path: str | Path, data: bytes, keep_backup: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically. With ``keep_backup`` the old file becomes ``path.bak``. A symbolic
    link is followed: the file it names is replaced and the link stays (a song folder linked into a game's)."""
    named = path = Path(path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    folder = path.parent if str(path.parent) else Path(".")
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            # mkstemp creates 0600 files; give the new file the old one's mode, or what the umask allows.
            os.fchmod(f.fileno(), _target_mode(path))
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if keep_backup and path.exists():
            _link_backup(path, path.with_name(path.name + ".bak"))
        os.replace(tmp, path)  # atomic: readers see the old file or the new one, never neither
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(folder)
    return named


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
    pattern = os.path.join(glob.escape(str(folder)), f".{glob.escape(path.name)}.*.tmp")
    cutoff = time.time() - max_age_s
    removed = 0
    for name in glob.glob(pattern, include_hidden=True):
        with contextlib.suppress(OSError):
            if os.lstat(name).st_mtime < cutoff:
                os.unlink(name)
                removed += 1
    return removed


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
    staging = backup.with_name(f".{backup.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
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
    os.replace(staging, backup)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

"""The separation cache's work folders: made, locked, published into place, and swept when their run died.

A separation fills ``<cache_dir>/.<key>.XXXX.tmp/`` and renames it to ``<cache_dir>/<key>/`` when complete. A run
that is killed (SIGKILL, the OOM killer, a closed terminal, the editor closed mid-run: its worker thread dies with
the process) never gets to remove its work folder, and each one holds up to a song's worth of float stems (66 MB
for 6 minutes), so they are swept when the cache is next used.

Which work folders are dead: the running process holds an exclusive ``flock`` on its work folder (a directory
file descriptor) until it is done; the kernel releases it when the process ends, however it ends. A sweep removes
a work folder only when it can take that lock itself, so a run of another process (two editors, an editor and a
``separate``) is never swept from under it, however long it runs or is suspended. A folder younger than
:data:`MIN_AGE_S` is left alone (it may be between ``mkdtemp`` and its lock); where locks are not supported
(``flock`` fails, e.g. some network file systems), only folders untouched for :data:`UNLOCKED_AGE_S` go.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: age alone decides
    fcntl = None  # type: ignore[assignment]

WORK_SUFFIX = ".tmp"
MIN_AGE_S = 60.0
UNLOCKED_AGE_S = 24 * 3600.0


def make_work_folder(root: Path, key: str) -> tuple[Path, int | None]:
    """A fresh hidden work folder for entry ``key`` and the descriptor that holds its lock (None: no locking);
    pass both to :func:`release_work_folder` when done."""
    work = Path(tempfile.mkdtemp(prefix=f".{key}.", suffix=WORK_SUFFIX, dir=root))
    return work, _lock(work)


def release_work_folder(work: Path, fd: int | None, remove: bool) -> None:
    """Drop the lock (and the folder with ``remove``: a failed or cancelled run)."""
    if remove:
        shutil.rmtree(work, ignore_errors=True)
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)  # closing the descriptor releases the flock


def _lock(folder: Path) -> int | None:
    """An open descriptor of ``folder`` holding its exclusive lock; None when locks are unsupported there (the
    sweep then goes by age alone)."""
    if fcntl is None:
        return None
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a fresh folder: nobody else takes it (the sweep skips young ones)
    except OSError:
        os.close(fd)
        return None
    return fd


def _state(folder: Path) -> str:
    """``"dead"`` (lock taken: no process works in it), ``"live"`` (locked by a process) or ``"unknown"``."""
    if fcntl is None:
        return "unknown"
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return "unknown"
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return "live"
    except OSError:  # ENOLCK, EINVAL: the file system does not lock
        return "unknown"
    else:
        return "dead"
    finally:
        os.close(fd)


def _newest_mtime(folder: Path) -> float:
    newest = folder.lstat().st_mtime
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            with contextlib.suppress(OSError):
                newest = max(newest, entry.stat(follow_symlinks=False).st_mtime)
    return newest


def sweep_stale_work(root: Path, now: Callable[[], float] = time.time) -> list[Path]:
    """Remove the work folders in ``root`` whose run has ended without cleaning up; returns what was removed."""
    removed: list[Path] = []
    try:
        entries = [Path(e.path) for e in os.scandir(root)
                   if e.name.startswith(".") and e.name.endswith(WORK_SUFFIX) and e.is_dir(follow_symlinks=False)]
    except OSError:  # no cache yet, or not readable: nothing to sweep
        return removed
    for folder in entries:
        try:
            age = now() - _newest_mtime(folder)
        except OSError:  # removed meanwhile (by its run, or another sweep)
            continue
        if age < MIN_AGE_S:
            continue
        state = _state(folder)
        if state == "dead" or (state == "unknown" and age >= UNLOCKED_AGE_S):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def publish(work: Path, final: Path, usable: Callable[[Path], bool], attempts: int = 3) -> None:
    """Rename the finished ``work`` folder to ``final``.

    An existing ``final`` that is ``usable`` was published by a concurrent identical run: it is kept and ``work``
    dropped. A damaged one (a stem file or ``meta.json`` deleted by hand) is replaced, without a moment where
    ``final`` is half there: it is renamed aside (to a work-folder name, so a crash right then leaves it to the
    sweep), ``work`` is renamed in, and the old one is deleted. Two runs replacing the same damaged entry at once
    both publish complete results of the same key, the later one winning.
    """
    for attempt in range(attempts):
        try:
            os.replace(work, final)  # onto an existing non-empty folder this fails (ENOTEMPTY / EEXIST)
            return
        except OSError:
            if attempt == attempts - 1 or (not os.path.lexists(final) and attempt > 0):
                raise
        if not os.path.lexists(final):  # another run had moved its damaged entry aside: try again
            continue
        if usable(final):
            shutil.rmtree(work, ignore_errors=True)
            return
        _remove_aside(final)


def _remove_aside(final: Path) -> None:
    """Move the damaged ``final`` out of the way, then delete it."""
    if final.is_symlink() or not final.is_dir():
        with contextlib.suppress(FileNotFoundError):
            final.unlink()
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=WORK_SUFFIX, dir=final.parent))
    try:
        os.replace(final, aside)  # a folder onto an empty folder
    except FileNotFoundError:  # another run moved it first
        aside.rmdir()
        return
    shutil.rmtree(aside, ignore_errors=True)

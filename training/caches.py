"""Where the trainers cache per-song features, and what they do when that folder cannot be written.

``train`` caches each song's audio features (``cache``) and ``train-lanes`` each song's lane examples
(``lane_cache``). The folder is ``$GENELIVE_CACHE_DIR/training/NAME`` when that variable is set, else ``runs/NAME``
of a source checkout (where the Makefile's runs live), else (an installed copy, whose package folder is no place
for data) ``$XDG_CACHE_HOME/genelive-studio/training/NAME`` (``~/.cache``). A folder that cannot be written (a
read-only checkout) is replaced by the user cache folder, or by no cache at all, with one note line.
"""

from __future__ import annotations

import enum
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Literal, TypeAlias

CODE_ROOT = Path(__file__).resolve().parent.parent
_noted: set[tuple[str, str]] = set()


def _is_checkout(root: Path) -> bool:
    return (root / "pyproject.toml").is_file() and (root / "main.py").is_file()


def user_cache_dir(name: str) -> Path:
    """``$GENELIVE_CACHE_DIR/training/NAME``, else ``$XDG_CACHE_HOME/genelive-studio/training/NAME``."""
    env = os.environ.get("GENELIVE_CACHE_DIR")
    if env:
        return Path(env) / "training" / name
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "genelive-studio" / "training" / name


def default_cache_dir(name: str) -> Path:
    """The cache folder ``name`` (``cache``, ``lane_cache``) as the module docstring says, decided now."""
    if not os.environ.get("GENELIVE_CACHE_DIR") and _is_checkout(CODE_ROOT):
        return CODE_ROOT / "runs" / name
    return user_cache_dir(name)


class _Default(enum.Enum):
    DIR = "default"


#: The default argument of the trainers' cache parameters: :func:`default_cache_dir`, decided at call time (so
#: ``$GENELIVE_CACHE_DIR`` set after import counts). None there means "not cached", a path that folder.
DEFAULT: Literal[_Default.DIR] = _Default.DIR
CacheDir: TypeAlias = str | Path | None | Literal[_Default.DIR]


def cache_folder(folder: CacheDir, name: str) -> Path | None:
    """``folder`` as a path: :data:`DEFAULT` -> ``default_cache_dir(name)``, None (not cached) stays None."""
    if folder is DEFAULT:
        return default_cache_dir(name)
    return None if folder is None else Path(folder)


def _probe(folder: Path) -> str | None:
    """None when ``folder`` can be made and written, else the reason (one line)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-"):
            pass
    except OSError as exc:
        return (exc.strerror or str(exc)).splitlines()[0]
    return None


def _note(log: Callable[[str], None], key: tuple[str, str], message: str) -> None:
    if key not in _noted:  # once per folder and process (train + its export resolve the same folder twice)
        _noted.add(key)
        log(message)


def usable_cache_dir(folder: str | Path | None, log: Callable[[str], None] | None = None) -> Path | None:
    """``folder`` when it can be written; else the user cache folder of the same name; else None (no cache).

    Each replacement is said once on ``log`` (stderr by default) as one ``note:`` line.
    """
    if folder is None:
        return None
    folder = Path(folder)
    reason = _probe(folder)
    if reason is None:
        return folder
    say = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    fallback = user_cache_dir(folder.name)
    if fallback != folder and _probe(fallback) is None:
        _note(say, (str(folder), str(fallback)), f"note: cannot write the cache folder {folder} ({reason}); "
                                                 f"caching in {fallback}")
        return fallback
    _note(say, (str(folder), ""), f"note: cannot write the cache folder {folder} ({reason}); not caching")
    return None

"""numba's on-disk cache on a full disk: compile, run, and stop saving.

Functions compiled with ``@njit(cache=True)`` (the separator's running median, and librosa's own, such as the
overlap-add of ``librosa.istft``) save their machine code beside their module or under ``NUMBA_CACHE_DIR`` the first
time they run. When that write fails (a full disk, a file-size limit), numba has compiled the function but raises
the ``OSError`` of the write, and ``separate`` said "error: File too large" with no path on a fresh install.
:func:`uncached_on_failure` runs a call; if it fails in numba's cache code, numba stops saving for the rest of the
process (numba's ``Cache.save_overload``, which every cache of every function, loaded or still to be imported,
saves through, does nothing: on a disk where every write fails, librosa compiles functions while it is being
imported, which leaves no module behind to find them in) and the call runs again, compiled in memory only.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def from_numba_cache(exc: BaseException) -> bool:
    """Whether ``exc`` was raised while numba saved its cache (numba/core/caching.py is in its traceback)."""
    return isinstance(exc, OSError) and any(
        frame.filename.replace("\\", "/").endswith("numba/core/caching.py")
        for frame in traceback.extract_tb(exc.__traceback__))


def stop_saving() -> None:
    """Stop numba saving caches for the rest of the process (module docstring)."""
    try:
        from numba.core.caching import Cache
    except ImportError:  # pragma: no cover - numba comes with librosa
        return
    Cache.save_overload = _save_nothing  # type: ignore[method-assign]


def _save_nothing(self, sig, data) -> None:
    """numba's ``Cache.save_overload`` once saving failed: the compiled code stays in memory only."""


def uncached_on_failure(call: Callable[[], T], attempts: int = 8) -> T:
    """``call()``; when it fails saving numba's cache, stop saving and run it again (each retry may compile another
    function that was not loaded before: a few tries at most)."""
    for _ in range(attempts - 1):
        try:
            return call()
        except OSError as exc:
            if not from_numba_cache(exc):
                raise
            stop_saving()
    return call()

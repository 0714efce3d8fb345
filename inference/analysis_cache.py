"""The drafter's cache of song analyses (features and samples), a few songs, the least recently used dropped first,
safe to share between the editor's worker threads. A value made while :meth:`AnalysisCache.clear` ran is returned
to its caller but not kept: it is of a song closed meanwhile (the analysis takes seconds and does not look at
Cancel, and a closed 8-minute song's 128 MB stayed until two more songs were drafted)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class AnalysisCache(Generic[T]):
    """``get(key, make)``: the value kept for ``key``, else ``make()`` kept (``size`` values at most)."""

    def __init__(self, size: int) -> None:
        self._values: OrderedDict[Hashable, T] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()
        self._clears = 0  # how many times clear() ran: a value made across one is not kept

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            clears = self._clears
        value = make()  # outside the lock: an analysis takes seconds, and another song's may be asked meanwhile
        with self._lock:
            if clears != self._clears:  # cleared while it was made (its song was closed): not kept
                return value
            self._values[key] = value
            while len(self._values) > self._size:
                self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        """Drop every value (a closed song's features and samples: ~20 MB for 3 minutes)."""
        with self._lock:
            self._values.clear()
            self._clears += 1

    def __len__(self) -> int:
        return len(self._values)

"""A tiny callback signal, so the pure domain can announce changes without Qt.

The editor bridges these to Qt signals (one ``connect`` per signal); tests connect plain functions or lists'
``append``. Callbacks run synchronously, in connection order, on the thread that emits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Signal:
    """Callbacks called with the same arguments on :meth:`emit`.

    Parameters
    ----------
    name : str
        For messages and ``repr`` only.
    """

    def __init__(self, name: str = "") -> None:
        self.name = name
        self._slots: list[Callable[..., Any]] = []

    def connect(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Call ``fn(*args)`` on every emit; returns ``fn`` so it works as a decorator."""
        self._slots.append(fn)
        return fn

    def disconnect(self, fn: Callable[..., Any]) -> None:
        """Stop calling ``fn``; raises ValueError when it was not connected."""
        self._slots.remove(fn)

    def emit(self, *args: Any) -> None:
        """Call every connected function. A callback that disconnects itself does not disturb the others."""
        for fn in list(self._slots):
            fn(*args)

    def __len__(self) -> int:
        return len(self._slots)

    def __repr__(self) -> str:
        return f"Signal({self.name!r}, {len(self._slots)} connected)"

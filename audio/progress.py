"""Progress reporting and cancellation for long audio work (peaks, spectrogram tiles, envelopes).

Work that the editor runs off the GUI thread takes two optional callables: ``progress(fraction)`` with a
fraction in [0, 1], and ``cancel()`` returning True when the user has given up (a ``threading.Event``'s
``is_set`` fits). Cancelled work raises :class:`Cancelled` and leaves nothing half-written behind.
"""

from __future__ import annotations

from collections.abc import Callable

ProgressFn = Callable[[float], None]
CancelFn = Callable[[], bool]


class Cancelled(Exception):
    """The caller's ``cancel()`` returned True; the work stopped and produced no result."""


def check(cancel: CancelFn | None) -> None:
    """Raise :class:`Cancelled` when ``cancel`` says so (``None`` never cancels)."""
    if cancel is not None and cancel():
        raise Cancelled("cancelled")


def report(progress: ProgressFn | None, fraction: float) -> None:
    """Call ``progress`` with ``fraction`` clipped to [0, 1] (``None`` ignores it)."""
    if progress is not None:
        progress(min(1.0, max(0.0, float(fraction))))

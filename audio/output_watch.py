"""Noticing that a sound device stopped asking for sound (unplugged, a host error): the stall watchdog.

PortAudio reports most endings itself (the stream's ``finished_callback``, ``active`` going False, an error from
``Stream.time``), but some hosts simply stop calling the callback and keep the stream "active": an unplugged USB
DAC under ALSA or PulseAudio can do that. The playhead would then run on from the last clock entry past the song
end, with ``is_playing`` still True. :class:`StallWatch` counts the callbacks the GUI sees between its polls and
declares the stream stalled when none came for :data:`STALL_S` while polls kept coming.

Pure bookkeeping (no sounddevice, no threads), so :mod:`audio.player` stays the only module touching the device;
:class:`OutputHealth` gathers the stall watch and PortAudio's own signals into one reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable

STALL_S = 1.0  # no block for this long while playing: the device has stopped (PortAudio blocks are ~10-100 ms)


class StallWatch:
    """Fed from the GUI thread while playing: ``stalled(blocks, stream_s, wall_s)`` after every poll.

    ``blocks`` is the callback count (written by the audio thread), ``stream_s`` the stream clock and ``wall_s``
    a monotonic wall clock. A stall is declared when the count has not moved for more than :data:`STALL_S` on
    either clock (some hosts freeze their stream clock with the device, so the wall clock counts too) *and*
    the GUI kept polling: a gap of more than half of it between two polls (the GUI thread was busy, and may have
    kept the callback from the GIL) restarts the count, so a long edit cannot be mistaken for a lost device.
    """

    def __init__(self, stall_s: float = STALL_S) -> None:
        self.stall_s = float(stall_s)
        self._seen: tuple[int, float, float] | None = None  # (blocks, stream s, wall s) when the count last moved
        self._polled_wall_s = float("-inf")

    def stalled(self, blocks: int, stream_s: float, wall_s: float) -> bool:
        """Whether no block came for more than ``stall_s`` of regular polling."""
        gap = wall_s - self._polled_wall_s
        self._polled_wall_s = wall_s
        if self._seen is None or blocks != self._seen[0] or gap > self.stall_s / 2:
            self._seen = (blocks, stream_s, wall_s)
            return False
        return max(stream_s - self._seen[1], wall_s - self._seen[2]) > self.stall_s


class OutputHealth:
    """Why a device stream stopped by itself, gathered from every signal PortAudio gives and the stall watch.

    :class:`audio.player.SoundDeviceOutput` feeds it: ``blocks`` from its callback, :meth:`stopped` from the
    finished callback, an exception in the callback or a failing stream clock, and :meth:`check` from the GUI's
    polls. ``closing`` is set before the stream is closed on purpose, which is not a failure.
    """

    def __init__(self) -> None:
        self.reason: str | None = None  # None while the stream runs
        self.closing = False
        self.blocks = 0  # callbacks so far (written by the audio thread)
        self.watch = StallWatch()

    def stopped(self, reason: str) -> None:
        """The stream stopped for ``reason`` (the first reason given is kept)."""
        if self.reason is None and not self.closing:
            self.reason = reason

    def finished(self) -> None:
        """PortAudio's finished callback: the stream became inactive (an error, or the device went away)."""
        self.stopped("the output stream stopped (the device may have gone)")

    def check(self, playing: bool, active: Callable[[], bool], now_s: Callable[[], float],
              errors: type[Exception]) -> str | None:
        """Why the stream stopped, or None: ``active()`` False (or raising one of ``errors``), or, while
        ``playing`` (sound expected), no callback for :data:`STALL_S` on the stream clock ``now_s()`` or the wall
        clock."""
        if self.reason is None:
            try:
                if not active():
                    self.stopped("the output stream stopped")
            except errors as exc:
                self.stopped(f"the output stream failed: {first_line(exc)}")
        if self.reason is None and playing and self.watch.stalled(self.blocks, now_s(), time.monotonic()):
            self.stopped("the sound device stopped asking for sound")
        return self.reason


def first_line(exc: BaseException) -> str:
    """An exception as one line (PortAudio's messages span several)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

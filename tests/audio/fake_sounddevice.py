"""A stand-in ``sounddevice`` module with sounddevice's API as the player uses it (``OutputStream`` with ``callback``
and ``finished_callback``, ``active``, ``time``, ``PortAudioError``, ``CallbackAbort``, ``query_devices``,
``query_hostapis``), driven by hand: :meth:`FakeStream.pump` moves its clock and runs the callback for the blocks
due, as a sound card would. For tests of a device that stops mid-play, without a sound card.
"""

from __future__ import annotations

import sys
import types

import numpy as np


class PortAudioError(Exception):
    pass


class CallbackAbort(Exception):
    pass


class _TimeInfo:
    def __init__(self, dac: float) -> None:
        self.outputBufferDacTime, self.currentTime = dac, dac - 0.05


class _Status:
    output_underflow = False


class FakeStream:
    """One output stream; ``pump(dt)`` moves the clock and runs the callback for the blocks due, as a card does."""

    last: FakeStream | None = None

    def __init__(self, samplerate, blocksize, device, channels, dtype, latency, callback, finished_callback=None):
        self.samplerate, self.blocksize, self.device, self.channels = float(samplerate), blocksize, 0, channels
        self.callback, self.finished_callback = callback, finished_callback
        self.latency, self.t, self.calling, self.is_active, self.time_fails = 0.05, 1000.0, True, True, False
        self.next_dac = self.t + self.latency
        FakeStream.last = self

    @property
    def time(self) -> float:
        if self.time_fails:
            raise PortAudioError("Error getting stream time\n[PaErrorCode -9988]")
        return self.t

    @property
    def active(self) -> bool:
        return self.is_active

    def start(self) -> None:
        pass

    def close(self, ignore_errors: bool = False) -> None:
        self.calling = self.is_active = False
        if self.finished_callback is not None:
            self.finished_callback()  # PortAudio calls it when the stream goes inactive, our own close included

    def pump(self, dt: float) -> None:
        self.t += dt
        while self.calling and self.next_dac <= self.t + self.latency:
            try:
                self.callback(np.zeros((self.blocksize, self.channels), np.float32), self.blocksize,
                              _TimeInfo(self.next_dac), _Status())
            except CallbackAbort:  # what sounddevice does with it: the stream aborts and finishes
                self.calling = self.is_active = False
                self.finished_callback()
            self.next_dac += self.blocksize / self.samplerate


def install(monkeypatch, default_rate_hz: float) -> types.ModuleType:
    """Put the stand-in in ``sys.modules`` for this test (one output device, "USB DAC via ALSA")."""
    sd = types.ModuleType("sounddevice")
    sd.PortAudioError, sd.CallbackAbort, sd.OutputStream = PortAudioError, CallbackAbort, FakeStream
    sd.query_devices = lambda device=None, kind=None: {"name": "USB DAC", "hostapi": 0,
                                                      "default_samplerate": float(default_rate_hz)}
    sd.query_hostapis = lambda i: {"name": "ALSA"}
    monkeypatch.setitem(sys.modules, "sounddevice", sd)
    return sd

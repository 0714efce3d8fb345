"""An output with no sound device: a thread runs the player's callback at real-time pace.

Used where PortAudio or a sound card is missing (CI, servers) so the app still plays "silently" with a moving
playhead, and by tests as an oracle: it keeps an ideal DAC clock and can capture what it "played".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

from audio.clock import effective_dac_time

# Nothing is heard, so the virtual device can afford a deep buffer: on a loaded 2-core CI machine two blocks
# (23 ms) underran a few times a second, 93 ms not once in the same run.
DEFAULT_LATENCY_S = 0.1

RenderFn = Callable[[np.ndarray, float, bool], None]  # (out, dac_time_s, underflow)


class NullOutput:
    """An output with no device: a thread asks for blocks at real-time pace, as a sound card would.

    Parameters
    ----------
    render : callable
        ``render(out, dac_time_s, underflow)``, the same callback a device stream runs.
    sample_rate_hz, channels, blocksize :
        Stream format; ``blocksize`` frames per callback.
    latency_s : float, optional
        Time from a callback to its block reaching the virtual DAC; default ``DEFAULT_LATENCY_S``.
    report_dac : bool
        ``False`` imitates a host that reports no DAC time, so the player falls back to
        ``currentTime + latency`` (``currentTime`` being when the thread actually woke up).
    capture_s : float
        Seconds of output to keep (see :meth:`captured`), for tests and measurements.
    """

    has_device = False

    def __init__(self, render: RenderFn, sample_rate_hz: float, channels: int, blocksize: int = 512,
                 latency_s: float | None = None, report_dac: bool = True, capture_s: float = 0.0) -> None:
        self._render = render
        self.sample_rate_hz, self.channels, self.blocksize = float(sample_rate_hz), channels, blocksize
        self.latency_s = DEFAULT_LATENCY_S if latency_s is None else float(latency_s)
        self.report_dac = report_dac
        n_cap = int(capture_s * sample_rate_hz) // blocksize
        self._cap_audio = np.zeros((n_cap * blocksize, channels), np.float32)
        self._cap_dac = np.zeros(n_cap, np.float64)  # when each captured block really reached the DAC
        self._cap_blocks = 0
        self.description = "no sound device: null output (real-time paced, no sound)"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def now(self) -> float:
        """Seconds on the output clock (``time.monotonic``)."""
        return time.monotonic()

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="null-audio-output", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            self._thread = None

    def captured(self) -> tuple[np.ndarray, np.ndarray]:
        """Captured output ``(audio (frames, channels), dac_s (blocks,))``: block ``i`` sounded from ``dac_s[i]``."""
        n = self._cap_blocks
        return self._cap_audio[:n * self.blocksize], self._cap_dac[:n]

    def _run(self) -> None:
        block = np.zeros((self.blocksize, self.channels), np.float32)
        period_s = self.blocksize / self.sample_rate_hz
        t0 = time.monotonic()
        n, underflow = 0, False
        while True:
            due = t0 + n * period_s  # when the virtual device asks for block n
            if self._stop.wait(max(0.0, due - time.monotonic())):
                return
            woke = time.monotonic()
            dac = due + self.latency_s
            self._render(block, dac if self.report_dac else effective_dac_time(0.0, woke, self.latency_s, woke),
                         underflow)
            done = time.monotonic()
            underflow = done > dac  # too late: the device played silence first; shift the device timeline
            true_dac = max(dac, done)
            if underflow:
                t0 += done - dac
            if n < self._cap_dac.size:
                self._cap_audio[n * self.blocksize:(n + 1) * self.blocksize] = block
                self._cap_dac[n] = true_dac
                self._cap_blocks = n + 1
            n += 1

"""Keep-pitch slow-down plays each attack once, on time.

Every WSOLA window that held an attack played a copy of it: at 25 % the frame_len / (hop * rate) = 8 windows over
a click gave 4-5 copies at half its peak or more, hop * (1 - rate) = 8.7 ms apart, the first 14 ms before the note.
The windows that sound at the attack's ideal time are now placed so that it lands exactly there, and the others
keep clear of it.
"""

from __future__ import annotations

import numpy as np
import pytest

from audio.stretch import time_stretch

SR = 44100
CLICKS_S = np.arange(0.25, 1.8, 0.5)


def clicks_over_chord() -> np.ndarray:
    """The benchmark's signal: 3 kHz clicks (a 0.7 ms decay) every 0.5 s over a sustained A-minor chord."""
    t = np.arange(2 * SR) / SR
    x = 0.1 * sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.18, 329.63))
    k = np.arange(200)
    for c in CLICKS_S:
        i = int(c * SR)
        x[i:i + 200] += np.exp(-k / 30) * np.cos(2 * np.pi * 3000 * k / SR)
    return x.astype(np.float32)


@pytest.mark.parametrize("rate", [0.25, 0.5, 0.75])
def test_each_click_is_heard_once_on_time(rate: float) -> None:
    x = clicks_over_chord()
    y = time_stretch(x, SR, rate).astype(np.float64)
    hf = np.abs(np.diff(y, 2))  # second difference: the chord is far (40 dB) under the clicks
    ms = SR // 1000
    for c in CLICKS_S:
        ideal = int(round(c / rate * SR))
        env = hf[ideal - 40 * ms:ideal + 40 * ms].reshape(-1, ms).max(axis=1)  # 1 ms bins, -40..+40 ms
        loud = np.flatnonzero(env >= 0.5 * env.max())
        assert loud.min() >= 39, f"click at {c} s: bins {loud - 40} ms from the note"
        assert loud.max() <= 41, f"click at {c} s: bins {loud - 40} ms from the note"
        assert env[:38].max() < 0.1 * env.max(), f"click at {c} s: an early copy"  # 2-40 ms before: nothing
        assert env[43:].max() < 0.1 * env.max(), f"click at {c} s: a late copy"
        peak_in = np.abs(np.diff(x[int(c * SR) - 10:int(c * SR) + 200].astype(np.float64), 2))
        assert env.max() == pytest.approx(peak_in.max(), rel=0.1)  # played at its own level

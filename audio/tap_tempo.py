"""Tap tempo: a BPM, and where the beats fall, from the times a designer taps along with the music.

Every tap is a beat. The BPM is the slope of a least-squares line through (beat number, tap time): it weighs
every tap, where the first-to-last interval (what averaging the intervals amounts to) rests on two taps and
moves with either. Beat numbers come from the intervals, counted in the median interval, so a missed beat (an
interval of about two) counts two and a double tap (about none) is dropped. With enough taps to tell, a tap
far from the line (a stumble) is dropped and the line fitted again, the worst first; the jitter of careful
tapping (10-30 ms) stays in the fit, where it averages out.

The line also says where the beats are: :attr:`TapEstimate.anchor_s` is the fitted time of a beat in the
middle of the taps (where the fit is surest). Taps timed on the audio clock (the song time being heard, after
the output-latency setting) give the song's beat phase; taps on a wall clock give only the BPM.

:class:`TapTempo` keeps the taps of one run and starts a new run after a pause (:data:`RESET_AFTER_S`) or a
clock that went back (a loop, a seek). Pure functions of the tap times, tested without Qt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RESET_AFTER_S = 2.0  # a pause this long starts a new run of taps
MIN_TAPS_FOR_OUTLIERS = 5  # fewer taps cannot tell a stumble from the tempo
OUTLIER_MADS = 4.0  # a tap this many (scaled) median absolute residuals off the line is a stumble ...
OUTLIER_FLOOR_S = 0.030  # ... and never one within 30 ms: careful tapping spreads about that much
MAX_OUTLIER_FRACTION = 0.25  # drop at most a quarter of the taps: beyond that the taps are the tempo


@dataclass(frozen=True)
class TapEstimate:
    """The tempo a run of taps gives.

    Attributes
    ----------
    bpm : float
        Beats per minute (in the clock's seconds: song seconds for taps on the audio clock).
    period_s : float
        Seconds per beat (``60 / bpm``).
    anchor_s : float
        Fitted time of a beat in the middle of the taps (a point of the beat grid).
    taps : int
        Taps the fit used.
    dropped : int
        Taps left out: double taps and stumbles.
    spread_s : float
        Root mean square distance of the used taps from the fitted beats.
    bpm_error : float | None
        Standard error of the BPM (None with two taps: nothing to tell it from).
    """

    bpm: float
    period_s: float
    anchor_s: float
    taps: int
    dropped: int
    spread_s: float
    bpm_error: float | None


def _beat_numbers(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(beat number of each kept tap, index of each kept tap): intervals counted in the median interval; a tap
    less than half a beat after the previous kept one is a double tap and is left out."""
    reference = float(np.median(np.diff(times)))
    beats, kept = [0], [0]
    for i in range(1, times.size):
        steps = int(round((times[i] - times[kept[-1]]) / reference))
        if steps < 1:
            continue
        beats.append(beats[-1] + steps)
        kept.append(i)
    return np.asarray(beats, dtype=np.float64), np.asarray(kept)


def _fit(k: np.ndarray, t: np.ndarray) -> tuple[float, float, np.ndarray]:
    """(intercept, slope, residuals) of the least-squares line ``t = a + b k``."""
    b, a = np.polyfit(k, t, 1)
    return float(a), float(b), t - (a + b * k)


def estimate_taps(times_s: Sequence[float] | np.ndarray) -> TapEstimate | None:
    """The tempo of one run of taps (seconds, increasing); None with fewer than two usable taps."""
    times = np.asarray(times_s, dtype=np.float64).ravel()
    if times.size < 2 or not np.all(np.diff(times) > 0):
        return None
    k, index = _beat_numbers(times)
    t = times[index]
    if k.size < 2:
        return None
    a, b, r = _fit(k, t)
    stumbles, max_stumbles = 0, int(MAX_OUTLIER_FRACTION * k.size)
    while k.size >= MIN_TAPS_FOR_OUTLIERS and stumbles < max_stumbles:
        sigma = 1.4826 * float(np.median(np.abs(r)))
        worst = int(np.argmax(np.abs(r)))
        if abs(r[worst]) <= max(OUTLIER_MADS * sigma, OUTLIER_FLOOR_S):
            break
        k, t = np.delete(k, worst), np.delete(t, worst)
        a, b, r = _fit(k, t)
        stumbles += 1
    if b <= 0:
        return None
    n = k.size
    error = None
    if n > 2:
        se_slope = float(np.sqrt(np.sum(r**2) / (n - 2) / np.sum((k - k.mean()) ** 2)))
        error = 60.0 * se_slope / b**2
    middle = float(np.round(k.mean()))
    return TapEstimate(bpm=60.0 / b, period_s=b, anchor_s=a + b * middle, taps=n, dropped=times.size - n,
                       spread_s=float(np.sqrt(np.mean(r**2))), bpm_error=error)


def nearest_beat(anchor_s: float, period_s: float, near_s: float) -> float:
    """The beat of the grid through ``anchor_s`` (``period_s`` apart) nearest ``near_s``: a first-beat time that
    keeps beat 0 where it was (the notes keep their beat numbers), not one a whole number of beats away."""
    return anchor_s + round((near_s - anchor_s) / period_s) * period_s


class TapTempo:
    """The taps of one run; a pause longer than ``reset_after_s``, or a clock that went back, starts a new one."""

    def __init__(self, reset_after_s: float = RESET_AFTER_S):
        self.reset_after_s = reset_after_s
        self.times_s: list[float] = []
        self._last_real_s: float | None = None

    def reset(self) -> None:
        self.times_s = []
        self._last_real_s = None

    @property
    def count(self) -> int:
        return len(self.times_s)

    def tap(self, time_s: float, real_s: float | None = None) -> TapEstimate | None:
        """Add a tap at ``time_s`` (the clock the fit is in); ``real_s``: the wall clock, for the pause (a slowed
        song's seconds pass slower than the designer's); the estimate so far."""
        real = time_s if real_s is None else real_s
        if self.times_s and (self._last_real_s is None or real - self._last_real_s > self.reset_after_s
                             or time_s <= self.times_s[-1]):
            self.reset()
        self.times_s.append(float(time_s))
        self._last_real_s = float(real)
        return self.estimate()

    def estimate(self) -> TapEstimate | None:
        return estimate_taps(self.times_s)

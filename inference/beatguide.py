"""Beat guide: per-frame channels derived from a chart's authored timing (offset, BPM changes, stops).

GenéLive showed that telling the onset model where the beats are is worth ~4 F1 points overall and ~6 at
Beginner, because low difficulties sit almost entirely on quarter and eighth notes. The grid comes from the
chart's own timing (as a designer's editor knows it), never from the notes.

Channels (in this order, see :data:`BEAT_GUIDE_CHANNELS`):

``beat``          1 on the frame nearest each integer beat, else 0
``downbeat``      1 on the frame nearest each measure start (time signatures, default 4/4)
``phase_sin``     sin(2 pi * beat phase) -- continuous position inside the beat
``phase_cos``     cos(2 pi * beat phase)
``half_beat``     1 on the frame nearest each off-beat eighth (beat + 1/2)
``quarter_beat``  1 on the frame nearest each sixteenth between eighths (beat + 1/4, beat + 3/4)
"""

from __future__ import annotations

import math

import numpy as np

from chart.timing import TimingData

BEAT_GUIDE_CHANNELS: tuple[str, ...] = (
    "beat", "downbeat", "phase_sin", "phase_cos", "half_beat", "quarter_beat",
)
#: Channels that are impulse trains (masked together when training drops beat marks).
IMPULSE_CHANNELS: tuple[int, ...] = (0, 1, 4, 5)


def _impulses(timing: TimingData, grid_beats: np.ndarray, start_s: float, n_frames: int,
              period_s: float) -> np.ndarray:
    out = np.zeros(n_frames, dtype=np.float32)
    if grid_beats.size == 0:
        return out
    frames = np.rint((timing.beats_to_seconds_array(grid_beats) - start_s) / period_s).astype(np.int64)
    frames = frames[(frames >= 0) & (frames < n_frames)]
    out[frames] = 1.0
    return out


def beat_guide(timing: TimingData, n_frames: int, frame_rate: float) -> np.ndarray:
    """Per-frame beat-guide channels for a song of ``n_frames`` frames.

    Parameters
    ----------
    timing : TimingData
        Authored timing of the chart (offset, BPMs, stops, delays, warps, time signatures).
    n_frames : int
        Number of frames ``T`` (as returned by :func:`inference.features.compute_features`).
    frame_rate : float
        Frames per second; frame ``i`` is centred at ``i / frame_rate`` seconds.

    Returns
    -------
    np.ndarray, float32, shape [T, G]
        ``G = len(BEAT_GUIDE_CHANNELS)`` channels, see the module docstring.
    """
    return beat_guide_window(timing, 0.0, n_frames, 1.0 / float(frame_rate))


def beat_guide_window(timing: TimingData, start_s: float, n_frames: int, period_s: float) -> np.ndarray:
    """Beat guide for frames at ``start_s + i * period_s`` seconds (a crop, possibly time-stretched).

    Parameters
    ----------
    timing : TimingData
    start_s : float
        Time in seconds of frame 0.
    n_frames : int
        Number of frames ``T``.
    period_s : float
        Seconds between frames (``1 / frame_rate``; training stretches it slightly for augmentation).

    Returns
    -------
    np.ndarray, float32, shape [T, G]
    """
    n_frames = int(n_frames)
    out = np.zeros((n_frames, len(BEAT_GUIDE_CHANNELS)), dtype=np.float32)
    if n_frames <= 0:
        return out
    t_s = float(start_s) + np.arange(n_frames, dtype=np.float64) * float(period_s)
    beats = timing.seconds_to_beats_array(t_s)
    phase = beats - np.floor(beats)
    out[:, 2] = np.sin(2 * np.pi * phase)
    out[:, 3] = np.cos(2 * np.pi * phase)
    first = math.floor(float(beats.min()))
    last = math.ceil(float(beats.max()))
    whole = np.arange(first, last + 1, dtype=np.float64)
    args = (float(start_s), n_frames, float(period_s))
    out[:, 0] = _impulses(timing, whole, *args)
    downbeats = timing.measure_starts(float(last))
    out[:, 1] = _impulses(timing, downbeats[downbeats >= first], *args)
    out[:, 4] = _impulses(timing, whole + 0.5, *args)
    out[:, 5] = _impulses(timing, np.concatenate([whole + 0.25, whole + 0.75]), *args)
    return out


def mask_beat_marks(guide: np.ndarray, drop_rate: float, rng: np.random.Generator) -> np.ndarray:
    """Delete a random share of impulse marks (training augmentation, GenéLive's ``mask_beats``).

    Parameters
    ----------
    guide : np.ndarray, float32, shape [T, G]
    drop_rate : float
        Probability that each impulse frame is zeroed.
    rng : np.random.Generator

    Returns
    -------
    np.ndarray, float32, shape [T, G]
        A copy; phase channels are left as they are.
    """
    out = guide.copy()
    for ch in IMPULSE_CHANNELS:
        hits = np.flatnonzero(out[:, ch] > 0)
        if hits.size:
            out[hits[rng.random(hits.size) < drop_rate], ch] = 0.0
    return out

"""audio.tempo: the 2 s minimum is the audio's length, not the onset envelope's (a few frames shorter)."""

from __future__ import annotations

import numpy as np

from audio.tempo import MIN_DURATION_S, detect_tempo


def _clicks(seconds: float, sr: int = 44100) -> np.ndarray:
    """Four clicks 0.5 s apart from 0.25 s over a quiet tone (120 BPM)."""
    t = np.arange(int(round(seconds * sr))) / sr
    x = 0.05 * np.sin(2 * np.pi * 220 * t)
    n = int(0.03 * sr)
    tail = 0.8 * np.exp(-np.arange(n) / sr * 120) * np.sin(2 * np.pi * 1000 * np.arange(n) / sr)
    for k in range(4):
        s = int((0.25 + 0.5 * k) * sr)
        x[s:s + n] += tail[: x.size - s]
    return x.astype(np.float32)


def test_a_track_of_exactly_the_minimum_length_gets_a_tempo():
    candidates = detect_tempo(_clicks(MIN_DURATION_S), 44100)
    assert candidates
    assert abs(candidates[0].bpm - 120.0) < 1.0


def test_a_track_just_under_the_minimum_gets_none():
    assert detect_tempo(_clicks(MIN_DURATION_S - 0.05), 44100) == []

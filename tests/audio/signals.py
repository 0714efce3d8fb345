"""Synthetic test audio for the decode/peaks/spectrogram/tempo tests (no recorded audio, no downloads)."""

from __future__ import annotations

import numpy as np


def click(sr: int, length_s: float = 0.01) -> np.ndarray:
    """A short broadband click: a one-sample impulse followed by a fast-decaying noise tail."""
    n = max(1, int(length_s * sr))
    rng = np.random.default_rng(1)
    out = rng.standard_normal(n) * np.exp(-np.arange(n) / (0.0015 * sr)) * 0.3
    out[0] = 1.0
    return out


def kick(sr: int) -> np.ndarray:
    t = np.arange(int(0.25 * sr)) / sr
    return np.sin(2 * np.pi * (50 + 120 * np.exp(-t * 30)) * t) * np.exp(-t * 12)


def snare(sr: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.2 * sr)) / sr
    return (rng.standard_normal(t.size) * 0.6 + np.sin(2 * np.pi * 190 * t)) * np.exp(-t * 25) * 0.7


def hat(sr: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.05 * sr)) / sr
    hp = np.diff(rng.standard_normal(t.size + 1))  # crude high-pass: hats are bright
    return hp * np.exp(-t * 90) * 0.25


def place(out: np.ndarray, sound: np.ndarray, time_s: float, sr: int) -> None:
    """Add ``sound`` into ``out`` starting exactly at the sample nearest ``time_s``."""
    i = int(round(time_s * sr))
    if i >= out.size or i + sound.size <= 0:
        return
    lo = max(i, 0)
    out[lo:i + sound.size] += sound[lo - i:out.size - i]


def click_track(bpm: float, offset_s: float, duration_s: float, sr: int, noise: float = 0.0,
                seed: int = 0) -> np.ndarray:
    """Clicks at ``offset_s + k * 60 / bpm``; float32 mono."""
    out = np.zeros(int(duration_s * sr))
    c = click(sr)
    t = offset_s
    while t < duration_s:
        place(out, c, t, sr)
        t += 60.0 / bpm
    if noise:
        out += np.random.default_rng(seed).standard_normal(out.size) * noise
    return (0.5 * out).astype(np.float32)


def drum_loop(bpm: float, offset_s: float, duration_s: float, sr: int, swing: float = 0.62,
              noise: float = 0.02, seed: int = 0) -> np.ndarray:
    """Kick on beats 1 and 3, snare on 2 and 4, swung hi-hats (off-beat hat at ``swing`` of the beat),
    a sustained pad and white noise; humanised by +-1 ms of random timing per hit."""
    rng = np.random.default_rng(seed)
    out = np.zeros(int(duration_s * sr))
    period = 60.0 / bpm
    hat_sound = hat(sr, rng)
    beat = 0
    while offset_s + beat * period < duration_s:
        t = offset_s + beat * period
        jitter = rng.uniform(-0.001, 0.001, 3)
        place(out, kick(sr) if beat % 2 == 0 else snare(sr, rng), t + jitter[0], sr)
        place(out, hat_sound, t + jitter[1], sr)
        place(out, hat_sound * 0.6, t + swing * period + jitter[2], sr)
        beat += 1
    tt = np.arange(out.size) / sr
    out += 0.05 * np.sin(2 * np.pi * 220 * tt) + 0.03 * np.sin(2 * np.pi * 330 * tt + 1.0)  # pad
    out += rng.standard_normal(out.size) * noise
    return (0.4 * out).astype(np.float32)


def sine(freq_hz: float, duration_s: float, sr: int, amplitude: float = 0.5, channels: int = 1) -> np.ndarray:
    """A sine, ``[n]`` or ``[channels, n]`` (each channel a different level, so mixes are checkable)."""
    t = np.arange(int(duration_s * sr)) / sr
    mono = (amplitude * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32)
    if channels == 1:
        return mono
    return np.stack([mono * (1.0 - 0.1 * c) for c in range(channels)]).astype(np.float32)


def peak_allocated(step, runs: int = 40, tries: int = 3) -> int:
    """Bytes allocated at peak (tracemalloc) over ``runs`` calls of ``step``: the audio callback's tests call the
    renderer, which must make no arrays (a warm-up before, so caches and FFT plans are not counted).

    The least of ``tries`` measurements: an array made in the callback shows in every one, while a stray
    allocation of another thread (a finished test's worker, the garbage collector) that tracemalloc also counts
    shows in one now and then (a 10.5 kB peak in 1 run of 12 under pytest, 2.6-3.4 kB otherwise)."""
    import tracemalloc

    peaks = []
    for _ in range(tries):
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            for _ in range(runs):
                step()
            peaks.append(tracemalloc.get_traced_memory()[1] - base)
        finally:
            tracemalloc.stop()
    return min(peaks)


class HalfSeparator:
    """vocals = x / 2, in 1000-frame chunks: fast, and exact to check against the file's samples."""

    name, stems = "half", ("vocals", "accompaniment")
    chunk_frames, context_frames, fade_frames = 1000, 100, 100

    def cache_key(self) -> str:
        return "half"

    def __call__(self, x, sr):
        return {"vocals": 0.5 * x, "accompaniment": x - 0.5 * x}

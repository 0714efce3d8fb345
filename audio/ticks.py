"""Assist ticks: short synthesised clicks mixed into the output buffer at exact frames.

Ticks are mixed by the audio callback, not scheduled by a GUI timer, so they agree with the music to the sample at
every rate (ArrowVortex's approach). A tick at song time ``t`` starts at source frame ``round(t * sr)``; at rate
``r`` it starts ``(frame - block_src_frame) / r`` output frames into the block and is played at its own pitch
(ticks are never stretched). Beat ticks are a low "tock", note ticks a bright "tick", so both can run together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BEAT = "beat"
NOTE = "note"


def click_sample(kind: str, sample_rate_hz: int) -> np.ndarray:
    """Synthesise an assist-tick sample.

    Parameters
    ----------
    kind : {"beat", "note"}
        ``beat``: 1.2 kHz tone, 30 ms decay; ``note``: 3.2 kHz tone with a noise burst, 12 ms decay.
    sample_rate_hz : int
        Output sample rate.

    Returns
    -------
    np.ndarray, float32, shape (n_frames,)
        Peak amplitude 1 at frame 0 (the onset is the first frame, so a tick is easy to locate exactly).
    """
    if kind not in (BEAT, NOTE):
        raise ValueError(f"unknown tick kind {kind!r} (expected 'beat' or 'note')")
    freq_hz, decay_s, length_s = (1200.0, 0.030, 0.060) if kind == BEAT else (3200.0, 0.012, 0.030)
    t_s = np.arange(int(round(length_s * sample_rate_hz))) / sample_rate_hz
    env = np.exp(-t_s / decay_s)
    wave = np.cos(2 * np.pi * freq_hz * t_s)
    if kind == NOTE:
        # A fixed-seed noise burst gives the note tick a sharper attack than the beat tock; deterministic.
        noise = np.random.default_rng(7).uniform(-1.0, 1.0, t_s.size) * np.exp(-t_s / 0.003)
        wave = 0.7 * wave + 0.3 * noise
        wave[0] = 1.0
    # Fade the last 2 ms so the truncated tail does not click.
    fade = min(t_s.size, int(0.002 * sample_rate_hz))
    env[-fade:] *= np.linspace(1.0, 0.0, fade)
    return (wave * env).astype(np.float32)


@dataclass(frozen=True)
class TickTrack:
    """Sorted tick positions (source frames) and the sample to play at each; immutable, swapped whole."""

    frames: np.ndarray  # float64, sorted, shape (n_ticks,)
    sample: np.ndarray  # float32, shape (n_sample,)
    gain: float = 1.0

    @classmethod
    def from_seconds(cls, times_s: np.ndarray, sample: np.ndarray, sample_rate_hz: float,
                     gain: float = 1.0) -> TickTrack:
        """Ticks at song seconds ``times_s`` (any order; NaNs dropped), rounded to the nearest frame."""
        t = np.asarray(times_s, dtype=np.float64).ravel()
        t = np.sort(t[np.isfinite(t)])
        return cls(frames=np.round(t * sample_rate_hz), sample=np.ascontiguousarray(sample, np.float32),
                   gain=float(gain))


def mix_ticks(out: np.ndarray, track: TickTrack, src_frame: float, rate: float, gain: float,
              scratch: np.ndarray | None = None, since_frame: float = -np.inf) -> None:
    """Add the ticks that overlap one rendered span to ``out`` in place.

    Parameters
    ----------
    out : np.ndarray, float32, shape (n_frames, channels)
        The span being rendered; output frame ``k`` plays source frame ``src_frame + k * rate``.
    track : TickTrack
        Ticks to mix.
    src_frame : float
        Source frame at the first output frame of the span.
    rate : float
        Source frames per output frame (0.25 to 1).
    gain : float
        Master tick volume, multiplied by ``track.gain``.
    scratch : np.ndarray, float32, shape (>= len(track.sample),), optional
        Work buffer so the audio callback does not allocate; one is made when absent.
    since_frame : float, optional
        Ticks before this source frame are left out: they belong to audio before a discontinuity (a loop wrap,
        a play or a seek start), so their tails must not sound mid-decay at the start of the new segment.
    """
    n_out = out.shape[0]
    length = track.sample.shape[0]
    level = gain * track.gain
    if n_out == 0 or length == 0 or level == 0.0 or track.frames.size == 0:
        return
    # Ticks that started up to one sample length before the span still sound in it, unless that is before the
    # segment: a loop's pass starts silent even when a beat lies just before the loop start.
    lo = int(np.searchsorted(track.frames, max(src_frame - (length + 1) * rate, since_frame), side="left"))
    hi = int(np.searchsorted(track.frames, src_frame + n_out * rate, side="left"))
    for i in range(lo, hi):
        start = int(np.floor((track.frames[i] - src_frame) / rate + 0.5))
        a, b = max(start, 0), min(start + length, n_out)
        if a >= b:
            continue
        seg = track.sample[a - start:b - start]
        if level != 1.0:
            if scratch is None or scratch.shape[0] < b - a:
                scratch = np.empty(length, dtype=np.float32)
            seg = np.multiply(seg, level, out=scratch[:b - a])
        for ch in range(out.shape[1]):  # column by column: broadcasting would allocate a buffer
            out[a:b, ch] += seg

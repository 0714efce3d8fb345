"""Audio jobs for the editor: decode the song and build its peak pyramid off the GUI thread.

The heavy lifting lives in :mod:`audio` (decode, peaks); these functions only sequence it as a background job
with progress and cancel points.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from editor.session import AudioState
from editor.workers import JobContext


def decode_job(ctx: JobContext, path: Path) -> AudioState:
    """Decode ``path`` keeping its channels (the player wants stereo); raises audio.decode.AudioError."""
    from audio.decode import load_audio

    ctx.report(0.0, f"Decoding {path.name}")
    samples, sr = load_audio(path, sr=None, mono=False)
    ctx.check()
    samples = np.atleast_2d(samples)
    return AudioState(path=Path(path), samples=samples, sample_rate_hz=int(sr))


def peaks_for(audio: AudioState):
    """The min/max peak pyramid of the song (mono mix), with ``query(start_s, end_s, n_pixels)``."""
    try:
        from audio.peaks import PeakPyramid
    except ImportError:  # until audio.peaks lands: a one-level min/max table is enough to draw
        return _FallbackPeaks(audio.mono(), audio.sample_rate_hz)
    return PeakPyramid.from_samples(audio.mono(), audio.sample_rate_hz)


class _FallbackPeaks:
    """Min/max per 256 samples; query resamples it to the requested pixel count."""

    BLOCK = 256

    def __init__(self, mono: np.ndarray, sr: int):
        n = len(mono) // self.BLOCK * self.BLOCK
        blocks = mono[:n].reshape(-1, self.BLOCK) if n else np.zeros((1, self.BLOCK), np.float32)
        self.mins, self.maxs = blocks.min(axis=1), blocks.max(axis=1)
        self.sr = sr
        self.duration_s = len(mono) / float(sr)

    def query(self, start_s: float, end_s: float, n_pixels: int) -> tuple[np.ndarray, np.ndarray]:
        rate = self.sr / self.BLOCK
        edges = np.linspace(start_s * rate, end_s * rate, n_pixels + 1)
        lo = np.clip(np.floor(edges[:-1]).astype(np.int64), 0, len(self.mins) - 1)
        hi = np.clip(np.maximum(np.ceil(edges[1:]).astype(np.int64), lo + 1), 1, len(self.mins))
        # reduceat needs increasing starts; per-pixel spans can be empty at deep zoom, hence the max with lo+1
        if n_pixels <= 0:
            return np.zeros(0), np.zeros(0)
        end = int(hi[-1])
        mins = np.minimum.reduceat(self.mins[:end], np.minimum(lo, end - 1))
        maxs = np.maximum.reduceat(self.maxs[:end], np.minimum(lo, end - 1))
        return mins, maxs

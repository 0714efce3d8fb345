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
    found: list[tuple[str, float]] = []  # a callback, not warnings.catch_warnings: this runs on a worker thread
    samples, sr = load_audio(path, sr=None, mono=False,
                             on_warning=lambda message, short_s: found.append((message, short_s)))
    ctx.check()
    samples = np.atleast_2d(samples)
    audio = AudioState(path=Path(path), samples=samples, sample_rate_hz=int(sr),
                       warnings=tuple(message for message, _ in found),
                       missing_s=max((short_s for _, short_s in found), default=0.0))
    ctx.report(0.8, "Building waveform")
    peaks_for(audio)  # off the GUI thread: the waveform is ready when the audio is
    return audio


def mono_blocks(samples: np.ndarray, block_frames: int = 1 << 20):
    """The mono mix of ``samples`` ([channels, n]) one block at a time, so no full-length mono copy is made
    (a 10-minute stereo song would need another 100 MB)."""
    for start in range(0, samples.shape[-1], block_frames):
        chunk = samples[..., start:start + block_frames]
        yield chunk.mean(axis=0, dtype=np.float32) if chunk.ndim == 2 else chunk


def peaks_for(audio: AudioState):
    """The min/max peak pyramid of the song's mono mix (built once per AudioState, usually by the decode job).
    It keeps a reference to the samples: zoomed in past its finest level, the waveform reads the visible samples
    themselves (an attack drawn on its sample, not up to 64 samples early)."""
    if audio.peaks is None:
        from audio.peaks import PeakPyramid

        pyramid = PeakPyramid.from_blocks(mono_blocks(audio.samples), audio.sample_rate_hz)
        audio.peaks = pyramid.with_samples(audio.samples)
    return audio.peaks

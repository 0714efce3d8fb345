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
    audio = AudioState(path=Path(path), samples=samples, sample_rate_hz=int(sr))
    ctx.report(0.8, "Building waveform")
    peaks_for(audio)  # off the GUI thread: the waveform is ready when the audio is
    return audio


def peaks_for(audio: AudioState):
    """The min/max peak pyramid of the song's mono mix (built once per AudioState, usually by the decode job)."""
    if audio.peaks is None:
        from audio.peaks import PeakPyramid

        audio.peaks = PeakPyramid.from_samples(audio.mono(), audio.sample_rate_hz)
    return audio.peaks

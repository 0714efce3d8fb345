"""Audio decoding: the ONE place that reads audio files (ogg, mp3, wav, flac), mixes to mono and resamples."""

from __future__ import annotations

from pathlib import Path

import numpy as np


class AudioError(Exception):
    """An audio file that cannot be read (missing, empty, corrupt, unsupported); the message is one line."""


def load_audio(path: str | Path, sr: int | None = None, mono: bool = True) -> tuple[np.ndarray, int]:
    """Decode an audio file.

    Parameters
    ----------
    path : str or Path
        Audio file.
    sr : int, optional
        Target sample rate in Hz; ``None`` keeps the file's rate. Resampling uses soxr (high quality).
    mono : bool
        Mix down to one channel (shape ``[n]``); otherwise shape ``[channels, n]``.

    Returns
    -------
    samples : np.ndarray, float32
    sr : int
        Sample rate in Hz of ``samples``.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"audio file not found: {path}")
    try:
        import soundfile as sf

        data, file_sr = sf.read(str(path), dtype="float32", always_2d=True)
        data = data.T  # [channels, n]
    except Exception:  # libsndfile cannot read some mp3s; fall back to librosa/audioread
        try:
            import librosa

            data, file_sr = librosa.load(str(path), sr=None, mono=False)
            data = np.atleast_2d(data).astype(np.float32)
        except Exception as exc:
            raise AudioError(f"cannot decode audio {path.name}: {type(exc).__name__}: {exc}".splitlines()[0]) from exc
    if data.size == 0:
        raise AudioError(f"audio file {path.name} holds no samples")
    if mono:
        data = data.mean(axis=0)
    if sr is not None and sr != file_sr:
        import soxr

        if data.ndim == 1:
            data = soxr.resample(data, file_sr, sr, quality="HQ").astype(np.float32)
        else:
            data = soxr.resample(data.T, file_sr, sr, quality="HQ").T.astype(np.float32)
        file_sr = sr
    return np.ascontiguousarray(data, dtype=np.float32), int(file_sr)

"""Audio decoding: the ONE place that reads audio files (ogg, mp3, wav, flac), mixes down and resamples.

Everything that needs samples (waveform peaks, spectrogram tiles, features, tempo detection, playback) goes
through :func:`load_audio` or :func:`iter_blocks`, so all of them hear the same samples at the same times.

Which decoder reads a file (libsndfile, an mp3 retried after its ID3v2 tags, audioread) is decided in
:mod:`audio.decoders`, where the choice and its measurements are described.

Truncated files: whatever decodes before the damage is returned with an :class:`AudioWarning`; a file that yields
no samples at all raises :class:`AudioError`. Samples that are not finite (NaN, infinity) come out as 0, with an
:class:`AudioWarning` saying how many (see :mod:`audio.decoders` for these and the other repairs). Memory:
:func:`iter_blocks` holds one block at a time, so a one-hour file can be scanned (e.g. for the peak pyramid) in a
few MB; :func:`load_audio` fills one preallocated output array instead of reading all channels and mixing
afterwards. The header's frame count sizes that array only as far as the file's size makes it believable (a
damaged header must not allocate gigabytes), and a file whose header gives no usable length is read until it
ends.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audio.decoders import AudioError, AudioWarning, Source, opened

__all__ = ["DEFAULT_BLOCK_FRAMES", "AudioError", "AudioInfo", "AudioWarning", "audio_digest", "audio_info",
           "decoded_info", "iter_blocks", "load_audio", "native_stderr_silenced", "resample"]

DEFAULT_BLOCK_FRAMES = 1 << 14  # small enough that a damaged file loses < 0.4 s
#: Preallocate at most this many frames per byte of file (compressed music runs at 0.3-8; the header's count
#: is used up to that, and the array grows if the file really holds more, e.g. long digital silence)
MAX_PREALLOC_FRAMES_PER_BYTE = 16
#: soxr's quality for every resample (:func:`resample`, and the streaming one of :func:`iter_blocks`)
RESAMPLE_QUALITY = "HQ"


@dataclass(frozen=True)
class AudioInfo:
    """What a file holds, read from its header without decoding the samples.

    ``frames`` is the decoder's count (an estimate for some mp3s: the real count may differ by a few frames), or the
    decoded count where the header gives none (see :func:`audio_info`) and always from :func:`decoded_info`.
    """

    path: Path
    sr: int
    channels: int
    frames: int
    format: str

    @property
    def duration_s(self) -> float:
        return self.frames / self.sr if self.sr else 0.0


def audio_info(path: str | Path) -> AudioInfo:
    """Rate, channels and length of an audio file from its header (no full decode, except for a file whose
    header gives no usable length: a FLAC written to a pipe says "unknown", a damaged header claims days; then
    the frames are counted by decoding, block by block, without warnings: whoever decodes the samples reports
    damage).

    Parameters
    ----------
    path : str or Path
        Audio file (ogg, mp3, wav, flac, ...).

    Returns
    -------
    AudioInfo
        ``sr`` in Hz, ``channels``, ``frames`` (per channel) and ``duration_s``.

    Raises
    ------
    AudioError
        Missing, empty, unreadable or unsupported file.
    """
    with opened(path) as src:
        frames = src.frames
        if not src.length_known:
            src.on_warning = _ignore_warning
            frames = sum(block.shape[1] for block in src.blocks(DEFAULT_BLOCK_FRAMES))
        return AudioInfo(Path(path), src.sr, src.channels, frames, src.format)


def decoded_info(path: str | Path, on_warning: Callable[[str, float], None] | None = None) -> AudioInfo:
    """Like :func:`audio_info`, but ``frames`` is what actually decodes (a full decode, one block in memory).

    The length the editor plays and Verify measures, so a header that promises more than a truncated file
    holds does not hide notes past the real end (``check``). ``on_warning`` is as for :func:`load_audio`.

    Raises
    ------
    AudioError
        Missing, empty, corrupt or unsupported file, or a file with no samples.
    """
    path = Path(path)
    with opened(path) as src:
        src.on_warning = on_warning
        frames = sum(block.shape[1] for block in src.blocks(DEFAULT_BLOCK_FRAMES))
        info = AudioInfo(path, src.sr, src.channels, frames, src.format)
    if frames == 0:
        raise AudioError(f"audio file {path.name} holds no samples (empty, truncated or corrupt)")
    return info


def _ignore_warning(_message: str, _short_s: float) -> None:
    pass


def _mix(block: np.ndarray, mono: bool) -> np.ndarray:
    # Plain channel mean, as librosa does: no pan law, so a centred mono source keeps its level.
    return block.mean(axis=0, dtype=np.float32) if mono else block


def iter_blocks(path: str | Path, block_frames: int = DEFAULT_BLOCK_FRAMES, sr: int | None = None,
                mono: bool = True, on_warning: Callable[[str, float], None] | None = None) -> Iterator[np.ndarray]:
    """Decode a file block by block, holding one block in memory at a time.

    Parameters
    ----------
    path : str or Path
        Audio file.
    block_frames : int
        Frames per block read from the file (resampled blocks are about ``block_frames * sr / file_sr``).
    sr : int, optional
        Output rate in Hz; ``None`` keeps the file's rate. Streaming soxr resampling (HQ), so the
        concatenated blocks equal a one-shot resample up to rounding.
    mono : bool
        Mix down to shape ``[n]``; otherwise blocks are ``[channels, n]``.
    on_warning : callable, optional
        As for :func:`load_audio`.

    Yields
    ------
    np.ndarray, float32
        Consecutive blocks; their concatenation is the whole signal.

    Raises
    ------
    AudioError
        When the file cannot be opened; damage after the start gives an :class:`AudioWarning` and ends early.
    """
    if block_frames <= 0:
        raise ValueError("block_frames must be positive")
    with opened(path) as src:
        src.on_warning = on_warning
        stream = None
        if sr is not None and sr != src.sr:
            import soxr

            stream = soxr.ResampleStream(src.sr, sr, 1 if mono else src.channels, dtype="float32",
                                         quality=RESAMPLE_QUALITY)
        for block in src.blocks(block_frames):
            out = _mix(block, mono)
            if stream is not None:
                out = stream.resample_chunk(np.ascontiguousarray(out.T)).T
            if out.shape[-1]:
                yield np.ascontiguousarray(out, dtype=np.float32)
        if stream is not None:
            tail = stream.resample_chunk(np.zeros((0, 1 if mono else src.channels), np.float32), last=True).T
            if tail.shape[-1]:
                yield np.ascontiguousarray(tail.reshape(-1) if mono else tail, dtype=np.float32)


def load_audio(path: str | Path, sr: int | None = None, mono: bool = True,
               on_warning: Callable[[str, float], None] | None = None) -> tuple[np.ndarray, int]:
    """Decode a whole audio file.

    Parameters
    ----------
    path : str or Path
        Audio file (ogg, mp3, wav, flac, ...).
    sr : int, optional
        Target sample rate in Hz; ``None`` keeps the file's rate. Resampling uses soxr (HQ).
    mono : bool
        Mix down to one channel (shape ``[n]``); otherwise shape ``[channels, n]`` (e.g. for separation).
    on_warning : callable, optional
        Called with a one-line message and how many seconds short of the header's length the decode ends, when
        the file is damaged or ends early (what decodes before that is returned); without it that is an
        :class:`AudioWarning`. A callback is what a background thread should pass: ``warnings.catch_warnings``
        is not thread-safe.

    Returns
    -------
    samples : np.ndarray, float32
        ``[n]`` or ``[channels, n]``, nominally in [-1, 1].
    sr : int
        Sample rate in Hz of ``samples``.

    Raises
    ------
    AudioError
        Missing, empty, corrupt or unsupported file, or a file with no samples.
    """
    path = Path(path)
    with opened(path) as src:
        src.on_warning = on_warning
        data, file_sr = _read_all(src, mono, _prealloc_frames(path, src.frames)), src.sr
    if data.shape[-1] == 0:
        raise AudioError(f"audio file {path.name} holds no samples (empty, truncated or corrupt)")
    if sr is not None and sr != file_sr:
        data, file_sr = resample(data, file_sr, sr), sr
    return np.ascontiguousarray(data, dtype=np.float32), int(file_sr)


def resample(samples: np.ndarray, from_hz: int, to_hz: int) -> np.ndarray:
    """``samples`` (``[n]`` or ``[channels, n]``) at ``to_hz``, float32: soxr at :data:`RESAMPLE_QUALITY`, the one
    resampler of a whole signal (:func:`load_audio`, the model features, the onset envelope, the player's output
    rate), so they all hear the same samples; the shipped models' features were computed with exactly this call.
    The samples as float32 when the rates agree."""
    arr = np.asarray(samples, dtype=np.float32)
    if int(from_hz) == int(to_hz):
        return arr
    import soxr

    out = soxr.resample(arr.T if arr.ndim == 2 else arr, int(from_hz), int(to_hz), quality=RESAMPLE_QUALITY)
    return np.ascontiguousarray(out.T if arr.ndim == 2 else out, dtype=np.float32)


def _prealloc_frames(path: Path, header_frames: int) -> int:
    """The header's frame count, bounded by what the file's size makes believable."""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    return max(0, min(header_frames, size * MAX_PREALLOC_FRAMES_PER_BYTE))


def _read_all(src: Source, mono: bool, capacity: int) -> np.ndarray:
    """Fill one array of ``capacity`` frames from the blocks (grown if the file holds more; trimmed to a copy
    if it held much less, so a too-generous estimate does not stay allocated)."""
    channels = 1 if mono else src.channels
    out = np.empty((channels, capacity), dtype=np.float32)
    filled = 0
    for block in src.blocks(DEFAULT_BLOCK_FRAMES):
        piece = _mix(block, mono).reshape(channels, -1)
        n = piece.shape[1]
        if filled + n > out.shape[1]:  # mp3 frame counts are estimates; unknown lengths start at 0
            grown = np.empty((channels, max(2 * out.shape[1], filled + n)), dtype=np.float32)
            grown[:, :filled] = out[:, :filled]
            out = grown
        out[:, filled:filled + n] = piece
        filled += n
    out = out[:, :filled].copy() if filled < out.shape[1] * 3 // 4 else out[:, :filled]
    return out[0] if mono else out


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Silence C-level writes to stderr (mpg123 prints "Note: ..." lines on damaged mp3s) for a while.

    Process-wide (file descriptor 2), so it is meant for command-line tools that promise one-line errors,
    not for the editor's worker threads. Python's own ``sys.stderr`` writes (progress, warnings, errors) still
    reach the terminal: ``sys.stderr`` is pointed at a copy of the real descriptor meanwhile.
    """
    import os
    import sys

    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real stderr (embedded, closed): nothing to silence
        yield
        return
    python_stderr = sys.stderr
    try:  # only a sys.stderr that writes to descriptor 2 needs to move (a test's capture does not)
        on_fd2 = python_stderr.fileno() == 2
    except (AttributeError, OSError, ValueError):
        on_fd2 = False
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        if on_fd2:
            sys.stderr = open(saved, "w", encoding=getattr(python_stderr, "encoding", None) or "utf-8",  # noqa: SIM115
                              errors="backslashreplace", buffering=1, closefd=False)
        os.dup2(devnull, 2)
        yield
    finally:
        if sys.stderr is not python_stderr:
            sys.stderr.flush()
            sys.stderr = python_stderr
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def audio_digest(path: str | Path, chunk_bytes: int = 1 << 20) -> str:
    """Hex BLAKE2b digest (16 bytes) of a file's bytes: the key of on-disk caches (peaks, spectrogram tiles).

    Parameters
    ----------
    path : str or Path
        Audio file.
    chunk_bytes : int
        Read size; the whole file is hashed without holding it in memory.
    """
    digest = hashlib.blake2b(digest_size=16)
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(chunk_bytes):
                digest.update(chunk)
    except OSError as exc:
        raise AudioError(f"cannot read audio {Path(path).name}: {exc.strerror or exc}") from exc
    return digest.hexdigest()

"""Audio decoding: the ONE place that reads audio files (ogg, mp3, wav, flac), mixes down and resamples.

Everything that needs samples (waveform peaks, spectrogram tiles, features, tempo detection, playback) goes
through :func:`load_audio` or :func:`iter_blocks`, so all of them hear the same samples at the same times.

Decoder choice, measured on this project's song set (80 files, 57 ogg, 23 mp3):

* libsndfile (via ``soundfile``) reads ogg/vorbis, mp3 (mpg123, gapless), wav, flac, aiff; it decoded 79 of 80.
* The one failure was an mp3 whose ID3v2 tag libsndfile rejects ("Unspecified internal error"); the same bytes
  decode once the tag is skipped, so a failed mp3 is retried from the first byte after its ID3v2 tags.
* Files libsndfile cannot open at all go to ``audioread`` (which uses ffmpeg/GStreamer where installed).

Truncated files: whatever decodes before the damage is returned with an :class:`AudioWarning`; a file that yields
no samples at all raises :class:`AudioError`. Memory: :func:`iter_blocks` holds one block at a time, so a
one-hour file can be scanned (e.g. for the peak pyramid) in a few MB; :func:`load_audio` fills one preallocated
output array instead of reading all channels and mixing afterwards.
"""

from __future__ import annotations

import contextlib
import hashlib
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from audio import mp3 as _mp3

MIN_SR_HZ = 1_000  # below this a header is garbage, not audio
MAX_SR_HZ = 768_000
DEFAULT_BLOCK_FRAMES = 1 << 14  # small enough that a damaged file loses < 0.4 s


class AudioError(Exception):
    """An audio file that cannot be read (missing, empty, corrupt, unsupported); the message is one line."""


class AudioWarning(UserWarning):
    """The file decoded only in part (truncated or damaged); the samples before the damage are returned."""


@dataclass(frozen=True)
class AudioInfo:
    """What a file holds, read from its header without decoding the samples.

    ``frames`` is the decoder's count (an estimate for some mp3s: the real count may differ by a few frames).
    """

    path: Path
    sr: int
    channels: int
    frames: int
    format: str

    @property
    def duration_s(self) -> float:
        return self.frames / self.sr if self.sr else 0.0


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class _Source:
    """An open decoder: rate, channel count, frame count and a block reader yielding ``[channels, n]`` float32."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.on_warning: Callable[[str], None] | None = None  # else damage is an AudioWarning
        self._sf: Any = None  # soundfile.SoundFile
        self._raw: _mp3.OffsetFile | None = None
        self._ar: Any = None  # audioread reader
        self._open()
        if not MIN_SR_HZ <= self.sr <= MAX_SR_HZ:
            self.close()
            raise AudioError(f"cannot decode audio {path.name}: unsupported sample rate {self.sr} Hz")
        if self.channels < 1:
            self.close()
            raise AudioError(f"cannot decode audio {path.name}: no channels")

    def _open(self) -> None:
        import soundfile as sf

        try:
            self._sf = sf.SoundFile(str(self.path))
        except Exception as first:  # libsndfile rejects some ID3v2 tags; then anything it cannot open at all
            self._sf = self._open_after_tags(sf)
            if self._sf is None:
                self._open_audioread(first)
                return
        self.sr, self.channels = int(self._sf.samplerate), int(self._sf.channels)
        self.frames = max(int(self._sf.frames), 0)
        self.format = str(self._sf.format)

    def _open_after_tags(self, sf):
        with open(self.path, "rb") as fh:
            start = _mp3.id3v2_end(fh)
        if start == 0:
            return None
        raw = _mp3.OffsetFile(self.path, start)
        try:
            handle = sf.SoundFile(raw)
        except Exception:
            raw.close()
            return None
        self._raw = raw
        return handle

    def _open_audioread(self, first: BaseException) -> None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # audioread imports aifc/audioop/sunau
                import audioread

                self._ar = audioread.audio_open(str(self.path))
        except Exception as exc:
            detail = _one_line(first).split(": ", 1)[-1]
            # libsndfile says "does not exist" when its mp3 probe fails on garbage; the file does exist
            why = "" if "does not exist" in detail else f" ({detail})"
            raise AudioError(f"cannot decode audio {self.path.name}: not a readable audio file{why}") from exc
        self.sr, self.channels = int(self._ar.samplerate), int(self._ar.channels)
        self.frames = int(round(float(self._ar.duration or 0) * self.sr))
        self.format = "audioread"

    def blocks(self, block_frames: int) -> Iterator[np.ndarray]:
        """Yield ``[channels, n]`` float32 blocks; warn and stop where the file is damaged."""
        done = 0
        while True:
            try:
                for block in self._raw_blocks(block_frames):
                    done += block.shape[1]
                    yield block
                break
            except Exception as exc:  # a decode error mid-stream
                if self._resume_after_tags(done):
                    continue
                self._warn(f"audio {self.path.name} is damaged after {done / self.sr:.2f} s "
                           f"({_one_line(exc)}); using the part before it")
                return
        # mp3 headers only estimate the length (off by up to 0.3 s on the song set), so allow more slack there
        slack = max(self.sr // 2, self.frames // 20) if self.format == "MP3" else self.sr // 10
        if self.frames > 0 and done < self.frames - slack:
            self._warn(f"audio {self.path.name} ends at {done / self.sr:.2f} s of "
                       f"{self.frames / self.sr:.2f} s (truncated?)")

    def _warn(self, message: str) -> None:
        if self.on_warning is not None:
            self.on_warning(message)
        else:
            warnings.warn(message, AudioWarning, stacklevel=4)

    def _raw_blocks(self, block_frames: int) -> Iterator[np.ndarray]:
        if self._sf is None:
            yield from _audioread_blocks(self._ar, self.channels, block_frames)
            return
        sizes = _mp3.read_sizes(self.path, block_frames, self._sf.tell()) if self.format == "MP3" else None
        size = next(sizes) if sizes else block_frames
        # not SoundFile.blocks(): it yields stale buffer contents past a short read (truncated mp3)
        while len(block := self._sf.read(size, dtype="float32", always_2d=True)):
            yield block.T
            size = next(sizes) if sizes else block_frames

    def _resume_after_tags(self, done_frames: int) -> bool:
        """Reopen an mp3 past its ID3v2 tags at frame ``done_frames`` (libsndfile fails late on some tags)."""
        if self._raw is not None or self._sf is None:
            return False
        import soundfile as sf

        handle = self._open_after_tags(sf)
        if handle is None:
            return False
        try:
            handle.seek(done_frames)
        except Exception:
            handle.close()
            return False
        with contextlib.suppress(Exception):
            self._sf.close()
        self._sf = handle
        return True

    def close(self) -> None:
        for handle in (self._sf, self._raw, self._ar):
            if handle is not None:
                with contextlib.suppress(Exception):
                    handle.close()


def _audioread_blocks(reader, channels: int, block_frames: int) -> Iterator[np.ndarray]:
    """Regroup audioread's int16 buffers into ``[channels, block_frames]`` float32 blocks."""
    pending: list[np.ndarray] = []
    held = 0
    for buf in reader:
        pcm = np.frombuffer(buf, dtype="<i2").astype(np.float32) / 32768.0
        pending.append(pcm.reshape(-1, channels).T)
        held += pending[-1].shape[1]
        if held >= block_frames:
            joined = np.concatenate(pending, axis=1)
            cut = held - held % block_frames
            for i in range(0, cut, block_frames):
                yield joined[:, i:i + block_frames]
            pending, held = [joined[:, cut:]], held - cut
    if held:
        yield np.concatenate(pending, axis=1)


@contextlib.contextmanager
def _opened(path: str | Path) -> Iterator[_Source]:
    path = Path(path)
    if not path.exists():
        raise AudioError(f"audio file not found: {path}")
    if not path.is_file():
        raise AudioError(f"not an audio file (a folder or device): {path}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise AudioError(f"cannot read audio {path.name}: {exc.strerror or exc}") from exc
    if size == 0:
        raise AudioError(f"audio file {path.name} is empty (0 bytes)")
    src = _Source(path)
    try:
        yield src
    finally:
        src.close()


def audio_info(path: str | Path) -> AudioInfo:
    """Rate, channels and length of an audio file from its header (no full decode).

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
    with _opened(path) as src:
        return AudioInfo(Path(path), src.sr, src.channels, src.frames, src.format)


def _mix(block: np.ndarray, mono: bool) -> np.ndarray:
    # Plain channel mean, as librosa does: no pan law, so a centred mono source keeps its level.
    return block.mean(axis=0, dtype=np.float32) if mono else block


def iter_blocks(path: str | Path, block_frames: int = DEFAULT_BLOCK_FRAMES, sr: int | None = None,
                mono: bool = True) -> Iterator[np.ndarray]:
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
    with _opened(path) as src:
        stream = None
        if sr is not None and sr != src.sr:
            import soxr

            stream = soxr.ResampleStream(src.sr, sr, 1 if mono else src.channels, dtype="float32", quality="HQ")
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
               on_warning: Callable[[str], None] | None = None) -> tuple[np.ndarray, int]:
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
        Called with a one-line message when the file is damaged or shorter than its header says (what decodes
        before that is returned); without it that is an :class:`AudioWarning`. A callback is what a background
        thread should pass: ``warnings.catch_warnings`` is not thread-safe.

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
    with _opened(path) as src:
        src.on_warning = on_warning
        data, file_sr = _read_all(src, mono), src.sr
    if data.shape[-1] == 0:
        raise AudioError(f"audio file {path.name} holds no samples (empty, truncated or corrupt)")
    if sr is not None and sr != file_sr:
        import soxr

        data = soxr.resample(data.T if data.ndim == 2 else data, file_sr, sr, quality="HQ")
        data = data.T if data.ndim == 2 else data
        file_sr = sr
    return np.ascontiguousarray(data, dtype=np.float32), int(file_sr)


def _read_all(src: _Source, mono: bool) -> np.ndarray:
    """Fill one preallocated array from the blocks (grown only if the header under-counted the frames)."""
    channels = 1 if mono else src.channels
    out = np.empty((channels, max(src.frames, 0)), dtype=np.float32)
    filled = 0
    for block in src.blocks(DEFAULT_BLOCK_FRAMES):
        piece = _mix(block, mono).reshape(channels, -1)
        n = piece.shape[1]
        if filled + n > out.shape[1]:  # mp3 frame counts are estimates
            grown = np.empty((channels, max(2 * out.shape[1], filled + n)), dtype=np.float32)
            grown[:, :filled] = out[:, :filled]
            out = grown
        out[:, filled:filled + n] = piece
        filled += n
    out = out[:, :filled]
    return out[0] if mono else out


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Silence C-level writes to stderr (mpg123 prints "Note: ..." lines on damaged mp3s) for a while.

    Process-wide (file descriptor 2), so it is meant for command-line tools that promise one-line errors,
    not for the editor's worker threads. Python's own ``sys.stderr`` writes are not affected.
    """
    import os
    import sys

    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr (embedded, closed): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
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

"""Audio decoders: open a file with whichever decoder can read it and stream ``[channels, n]`` float32 blocks.

:mod:`audio.decode` is the public face (``load_audio``, ``iter_blocks``, ``audio_info``); this module holds the
decoder choice behind it, measured on this project's song set (80 files, 57 ogg, 23 mp3):

* libsndfile (via ``soundfile``) reads ogg/vorbis, mp3 (mpg123, gapless), wav, flac, aiff; it decoded 79 of 80.
* The one failure was an mp3 whose ID3v2 tag libsndfile rejects ("Unspecified internal error"); the same bytes
  decode once the tag is skipped, so a failed mp3 is retried from the first byte after its ID3v2 tags.
* Files libsndfile cannot open at all go to ``audioread`` (which uses ffmpeg/GStreamer where installed).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from audio import mp3 as _mp3

MIN_SR_HZ = 1_000  # below this a header is garbage, not audio
MAX_SR_HZ = 768_000


class AudioError(Exception):
    """An audio file that cannot be read (missing, empty, corrupt, unsupported); the message is one line."""


class AudioWarning(UserWarning):
    """The file decoded only in part (truncated or damaged); the samples before the damage are returned."""


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class Source:
    """An open decoder: rate, channel count, frame count and a block reader yielding ``[channels, n]`` float32."""

    def __init__(self, path: Path) -> None:
        self.path = path
        #: called with (one-line message, seconds short of the header's length) when the file is damaged or ends
        #: early; without it that is an AudioWarning
        self.on_warning: Callable[[str, float], None] | None = None
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
            detail = one_line(first).split(": ", 1)[-1]
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
                           f"({one_line(exc)}); using the part before it", done)
                return
        # mp3 headers only estimate the length (off by up to 0.3 s on the song set), so allow more slack there
        slack = max(self.sr // 2, self.frames // 20) if self.format == "MP3" else self.sr // 10
        if self.frames > 0 and done < self.frames - slack:
            self._warn(f"audio {self.path.name} ends at {done / self.sr:.2f} s of "
                       f"{self.frames / self.sr:.2f} s (truncated?)", done)

    def _warn(self, message: str, done_frames: int) -> None:
        if self.on_warning is not None:
            self.on_warning(message, max(self.frames - done_frames, 0) / self.sr)
        else:
            warnings.warn(message, AudioWarning, stacklevel=4)

    def _raw_blocks(self, block_frames: int) -> Iterator[np.ndarray]:
        if self._sf is None:
            yield from audioread_blocks(self._ar, self.channels, block_frames)
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


def audioread_blocks(reader, channels: int, block_frames: int) -> Iterator[np.ndarray]:
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
def opened(path: str | Path) -> Iterator[Source]:
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
    src = Source(path)
    try:
        yield src
    finally:
        src.close()

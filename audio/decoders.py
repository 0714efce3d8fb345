"""Audio decoders: open a file with whichever decoder can read it and stream ``[channels, n]`` float32 blocks.

:mod:`audio.decode` is the public face (``load_audio``, ``iter_blocks``, ``audio_info``); this module holds the
decoder choice behind it, measured on this project's song set (80 files, 57 ogg, 23 mp3):

* libsndfile (via ``soundfile``) reads ogg/vorbis, mp3 (mpg123, gapless), wav, flac, aiff; it decoded 79 of 80.
* The one failure was an mp3 whose ID3v2 tag libsndfile rejects ("Unspecified internal error"); the same bytes
  decode once the tag is skipped, so a failed mp3 is retried from the first byte after its ID3v2 tags.
* Files libsndfile cannot open at all go to ``audioread`` (which uses ffmpeg/GStreamer where installed). M4A/AAC
  (and the other :data:`NEEDS_FFMPEG` formats) decode only that way: without ffmpeg the error says that no
  decoder for the format is installed, not that the file is unreadable.

What every decoder's blocks get on the way out (:meth:`Source.blocks`), so that no caller has to care:

* Frame counts are not trusted blindly. libsndfile reports SF_COUNT_MAX for a FLAC whose header says "length
  unknown" (total samples 0, what encoders streaming to a pipe write), and a damaged header can claim days; a
  count of more than :data:`MAX_PLAUSIBLE_S` is treated as unknown (``frames`` 0, ``length_known`` False) and
  the file is read until it ends. Reads call libsndfile directly: ``SoundFile.read`` seeks to the new position
  after every read, and for a FLAC that ends before its header says (or says nothing) that seek fails at the
  end of the file and the last block was lost.
* Samples that are not finite (NaN or infinity, from a broken float export) become 0, with one
  :class:`AudioWarning` saying how many there were: a single NaN otherwise spreads through every FFT, resampler
  and filter downstream (no beat found, a crashed separation, NaN waveform pixels).
* Vorbis and Opus files with 3 to 8 channels are reordered from their own channel order to WAV order, so the
  stereo downmix (:mod:`audio.downmix`) finds the centre channel where it is in every other format.
* A VBR mp3 without a Xing/VBRI header (some encoders and cutters leave it out) has no length in it: libsndfile
  guesses one from the file size and the first frame's bitrate and stops reading there, so a file whose first
  frames are loud was cut short without a warning and one with a quiet intro "ended early". Such a file's frames
  are counted from their headers (:func:`chart.mp3_header.vbr_samples_without_header`, ~10 ms for a 5 MB
  file) and that is its length; where the guess is shorter, libsndfile reads it through
  :class:`audio.mp3.LongView`. Every frame is walked (a sampled check for a constant bitrate missed a stretch
  at another bitrate between its samples); the count is kept per file, size and modification time. Files with a
  length header, and those whose frames all share one bitrate, are left as they were.
* A WAV file whose ``data`` chunk declares more than the file holds warns as truncated (:mod:`audio.wav`):
  libsndfile shrinks the length to the bytes present, so a cut file otherwise decodes shorter without any sign.
* An Ogg file whose last page is not flagged end-of-stream warns as truncated (:mod:`audio.ogg`): libsndfile
  takes an Ogg file's length from its last page, so a cut file otherwise decodes shorter without any sign.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from audio import mp3 as _mp3
from audio import ogg as _ogg
from audio import wav as _wav
from audio.downmix import VORBIS_TO_WAV_ORDER
from chart.song import NEEDS_FFMPEG as NEEDS_FFMPEG

MIN_SR_HZ = 1_000  # below this a header is garbage, not audio
MAX_SR_HZ = 768_000
#: A header that claims a longer file is damaged or means "unknown" (libsndfile's SF_COUNT_MAX): 24 hours.
MAX_PLAUSIBLE_S = 24 * 3600
# NEEDS_FFMPEG: formats libsndfile cannot read, decoded only by audioread's ffmpeg (or GStreamer) backend, by file
# extension; it lives in chart.song beside AUDIO_EXTENSIONS, the one list of audio files the CLI and editor open.


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
        self._order: tuple[int, ...] | None = None  # channel reorder to WAV order (Vorbis/Opus), else None
        self._pending: Exception | None = None  # a read error to raise after the frames read before it
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
        self.frames = self._plausible(int(self._sf.frames))
        self.format = str(self._sf.format)
        if self.format == "MP3":
            self._count_vbr_frames(sf)
        elif self.format == "WAV":  # a cut WAV: the length its data chunk declares, so that blocks() warns
            self.frames = self._plausible(_wav.declared_frames(self.path, self.frames) or 0) or self.frames
        self._order = (VORBIS_TO_WAV_ORDER.get(self.channels) if self._sf.subtype in ("VORBIS", "OPUS")
                       else None)

    def _count_vbr_frames(self, sf) -> None:
        """A VBR mp3 without a Xing/VBRI header: its length is its counted frames, not libsndfile's guess from
        the file size (a complete file looked truncated, or was cut short where the guess was short: then it is
        reopened through :class:`audio.mp3.LongView`, which lets libsndfile read on to the end)."""
        counted = _mp3.vbr_samples_without_header(self.path)
        if counted is None:
            return
        if int(self._sf.frames) < counted:
            with open(self.path, "rb") as fh:
                view = _mp3.LongView(self.path, _mp3.id3v2_end(fh))
            try:
                handle = sf.SoundFile(view)
            except Exception:  # keep the handle that opened, and its guess
                view.close()
                return
            self.close()
            self._sf, self._raw = handle, view
        self.frames = counted

    def _plausible(self, frames: int) -> int:
        """The header's frame count, or 0 (unknown) when it is negative or longer than MAX_PLAUSIBLE_S."""
        return frames if 0 < frames <= MAX_PLAUSIBLE_S * max(self.sr, 1) else 0

    @property
    def length_known(self) -> bool:
        """Whether ``frames`` comes from a usable header count (else it is 0 and only a full decode can tell)."""
        return self.frames > 0

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
            if (missing := _missing_decoder(self.path)) is not None:
                raise AudioError(f"cannot decode audio {self.path.name}: {missing}") from exc
            detail = one_line(first).split(": ", 1)[-1]
            # libsndfile says "does not exist" when its mp3 probe fails on garbage; the file does exist
            why = "" if "does not exist" in detail else f" ({detail})"
            raise AudioError(f"cannot decode audio {self.path.name}: not a readable audio file{why}") from exc
        self.sr, self.channels = int(self._ar.samplerate), int(self._ar.channels)
        self.frames = self._plausible(int(round(float(self._ar.duration or 0) * self.sr)))
        self.format = "audioread"

    def blocks(self, block_frames: int) -> Iterator[np.ndarray]:
        """Yield ``[channels, n]`` float32 blocks (non-finite samples zeroed); warn and stop where the file is
        damaged."""
        done = nonfinite = 0
        while True:
            try:
                for block in self._raw_blocks(block_frames):
                    nonfinite += _zero_nonfinite(block)
                    done += block.shape[1]
                    yield block
                break
            except Exception as exc:  # a decode error mid-stream
                if self._resume_after_tags(done):
                    continue
                self._warn(f"audio {self.path.name} is damaged after {done / self.sr:.2f} s "
                           f"({one_line(exc)}); using the part before it", self._short_s(done))
                self._warn_nonfinite(nonfinite)
                return
        # mp3 headers only estimate the length (off by up to 0.3 s on the song set), so allow more slack there
        slack = max(self.sr // 2, self.frames // 20) if self.format == "MP3" else self.sr // 10
        if self.frames > 0 and done < self.frames - slack:
            self._warn(f"audio {self.path.name} ends at {done / self.sr:.2f} s of "
                       f"{self.frames / self.sr:.2f} s (truncated?)", self._short_s(done))
        elif self.format == "OGG" and done and _ogg.ends_cleanly(self.path) is False:
            # how much is missing is unknown: the length libsndfile reports is that of the pages left
            self._warn(f"audio {self.path.name} ends at {done / self.sr:.2f} s without the end-of-stream mark of "
                       "a complete Ogg file (truncated?)", 0.0)
        self._warn_nonfinite(nonfinite)

    def _short_s(self, done_frames: int) -> float:
        return max(self.frames - done_frames, 0) / self.sr

    def _warn_nonfinite(self, count: int) -> None:
        if count:
            self._warn(f"audio {self.path.name} holds {count} sample{'s' * (count != 1)} that "
                       f"{'are' if count != 1 else 'is'} not a number (NaN or infinity, a broken float export); "
                       "silenced", 0.0)

    def _warn(self, message: str, short_s: float) -> None:
        if self.on_warning is not None:
            self.on_warning(message, short_s)
        else:
            warnings.warn(message, AudioWarning, stacklevel=4)

    def _raw_blocks(self, block_frames: int) -> Iterator[np.ndarray]:
        if self._sf is None:
            yield from audioread_blocks(self._ar, self.channels, block_frames)
            return
        sizes = _mp3.read_sizes(self.path, block_frames, self._sf.tell()) if self.format == "MP3" else None
        size = next(sizes) if sizes else block_frames
        # not SoundFile.blocks(): it yields stale buffer contents past a short read (truncated mp3)
        while len(block := self._read(size)):
            yield block.T if self._order is None else block.T[list(self._order)]
            size = next(sizes) if sizes else block_frames

    def _read(self, size: int) -> np.ndarray:
        """Up to ``size`` frames ``[n, channels]`` float32: libsndfile's read call without the seek to the new
        position that ``SoundFile.read`` makes after every read (it fails at the end of a FLAC that is shorter
        than its header says, or of unknown length). Frames read before an error are returned first; the error
        is raised by the next call."""
        import soundfile as sf

        if self._pending is not None:
            error, self._pending = self._pending, None
            raise error
        snd, ffi = getattr(sf, "_snd", None), getattr(sf, "_ffi", None)
        handle = getattr(self._sf, "_file", None)
        if snd is None or ffi is None or handle is None:  # a soundfile without these internals: the usual read
            return self._sf.read(size, dtype="float32", always_2d=True)
        out = np.empty((size, self.channels), np.float32)
        n = max(int(snd.sf_readf_float(handle, ffi.from_buffer(out), size)), 0)
        code = int(snd.sf_error(handle))
        if code:
            error = RuntimeError(ffi.string(snd.sf_error_number(code)).decode("utf-8", "replace"))
            if not n:
                raise error
            self._pending = error
        return out[:n]

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


def _missing_decoder(path: Path) -> str | None:
    """Why a file of a format only ffmpeg decodes (here, through audioread) cannot be read when no such
    decoder is installed; None for other formats, or when one is installed (then the file is at fault)."""
    kind = NEEDS_FFMPEG.get(path.suffix.lower())
    if kind is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import audioread

            backends = audioread.available_backends()
    except Exception:
        backends = []
    if any(getattr(b, "__name__", "") != "RawAudioFile" for b in backends):
        return None
    return f"no decoder for {kind} is installed (install ffmpeg, e.g. apt-get install ffmpeg)"


def _zero_nonfinite(block: np.ndarray) -> int:
    """Set NaN and infinite samples of ``block`` to 0 in place; how many there were."""
    if np.isfinite(block).all():
        return 0
    bad = ~np.isfinite(block)
    block[bad] = 0.0
    return int(bad.sum())


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

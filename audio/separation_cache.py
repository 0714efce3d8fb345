"""Separating audio files: the on-disk stem cache and :class:`StemSet`, what the CLI and the editor use.

A cache entry is a folder ``<cache_dir>/<key>/`` holding ``<stem>.wav`` (32-bit float, the file's rate and
channels, exactly as long as the decoded input) and ``meta.json`` (which also keeps the decoder's warnings, so a
cached result of a truncated file still says so). It is built under a temporary name and renamed when complete;
entries are never modified afterwards (its files are fsynced before the rename), so readers need no lock. A
damaged entry (a file deleted by hand, a stem emptied or cut short: each stem's length, rate and channels are
checked against ``meta.json``) is separated again and replaced whole; work folders of runs that were killed are
swept (:mod:`audio.separation_work`). The file is hashed before it is decoded and again after: bytes that changed
meanwhile (a re-export over the song) are never filed under the old bytes' key.

Files with more than two channels are separated from their stereo downmix (:func:`audio.downmix.to_stereo`, the
one the player uses), so a 5.1 song's centre channel, where its voice is, reaches the stems.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from audio.progress import CancelFn, Cancelled, ProgressFn
from audio.separation import (
    META_FILE,
    SeparationError,
    SeparationParams,
    Separator,
    default_separator,
    separate_stream,
)
from audio.separation_work import make_work_folder, publish, release_work_folder, sweep_stale_work

_READ_BLOCK_FRAMES = 1 << 16
#: Part of the cache key of files with more than two channels: what was separated is their stereo downmix (older
#: entries kept the first two channels and must not be reused).
DOWNMIX_KEY = "stereo downmix BS.775"
#: Errors of a write that mean "free some space or fix the folder's permissions" (one line naming the folder).
_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM})


def default_cache_dir() -> Path:
    """``$GENELIVE_CACHE_DIR/separation``, else ``$XDG_CACHE_HOME/genelive-studio/separation`` (``~/.cache``)."""
    env = os.environ.get("GENELIVE_CACHE_DIR")
    if env:
        return Path(env) / "separation"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "genelive-studio" / "separation"


@dataclass
class StemSet:
    """Separated stems of one song, as float WAV files in a cache folder, loaded on demand.

    ``vocals + accompaniment`` equals the mixture; ``drums`` is the percussive part of ``accompaniment``, so
    :meth:`layers` (vocals, drums, other) are three parts that add up to the mixture, which is what a
    solo/mute/volume control needs.
    """

    folder: Path
    sr: int
    channels: int
    frames: int
    method: str
    stems: tuple[str, ...]
    warnings: tuple[str, ...] = ()  # the decoder's one-line warnings about the input (truncated, damaged)
    _arrays: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, folder: str | Path, name: str | None = None) -> StemSet:
        """Read a cache entry; :class:`SeparationError` when it is missing or damaged. ``name``: the file asked
        about now, which its warnings name (the entry is keyed by the audio's bytes: a copy under another name
        finds the stems of the file separated first, and "audio old_take.mp3 ends at ..." named that one)."""
        folder = Path(folder)
        try:
            meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
            stems = tuple(meta["stems"])
            warnings = tuple(str(w) for w in meta.get("warnings", ()))
            if name is not None and (first := str(meta.get("source_name") or "")) and first != name:
                warnings = tuple(w.replace(f"audio {first} ", f"audio {name} ", 1) for w in warnings)
            result = cls(folder, int(meta["sr"]), int(meta["channels"]), int(meta["frames"]), str(meta["method"]),
                         stems, warnings)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SeparationError(f"no usable separation in {folder} ({exc})") from exc
        for stem in stems:
            result._check(stem)
        return result

    def _check(self, stem: str) -> None:
        """:class:`SeparationError` unless the stem's file is a readable WAV of the rate, channels and length
        ``meta.json`` gives (an emptied or cut file, e.g. after a power loss, counts as missing)."""
        import soundfile as sf

        path = self.path(stem)
        try:
            info = sf.info(str(path))
        except (OSError, RuntimeError) as exc:  # sf.LibsndfileError is a RuntimeError
            raise SeparationError(f"separation in {self.folder}: {path.name} is missing or unreadable") from exc
        if (info.frames, info.channels, info.samplerate) != (self.frames, self.channels, self.sr):
            raise SeparationError(f"separation in {self.folder}: {path.name} holds {info.frames} frames, "
                                  f"{info.channels} channels at {info.samplerate} Hz, not {self.frames}, "
                                  f"{self.channels} at {self.sr} Hz")

    def path(self, stem: str) -> Path:
        """The stem's WAV file."""
        return self.folder / f"{stem}.wav"

    def load(self, stem: str) -> np.ndarray:
        """The stem as ``[channels, frames]`` float32 (read once, then kept): a transposed view of the frames as
        read (``[frames, channels]``, C order), so a stem costs its own size even while it loads, no copy."""
        if stem not in self.stems:
            raise SeparationError(f"no stem {stem!r} (have {', '.join(self.stems)})")
        if stem not in self._arrays:
            import soundfile as sf

            try:
                data, _ = sf.read(self.path(stem), dtype="float32", always_2d=True)
            except (OSError, RuntimeError) as exc:  # deleted or damaged since it was opened
                raise SeparationError(f"cannot read {self.path(stem)}: {exc}; separate the song again") from None
            if data.shape != (self.frames, self.channels):
                raise SeparationError(f"{self.path(stem)} was changed since it was separated (holds "
                                      f"{data.shape[0]} frames, not {self.frames}); separate the song again")
            self._arrays[stem] = data.T  # the player's layout is [frames, channels]: it plays this without a copy
        return self._arrays[stem]

    def layers(self) -> dict[str, np.ndarray]:
        """``vocals``, ``drums`` and ``other`` (accompaniment minus drums): disjoint parts summing to the mix.
        ``other`` is a new song-sized array; the editor plays vocals, drums and accompaniment with gains instead."""
        other = self.load("accompaniment") - self.load("drums")
        return {"vocals": self.load("vocals"), "drums": self.load("drums"), "other": other}

    def release(self) -> None:
        """Forget loaded arrays (the files stay)."""
        self._arrays.clear()


def cache_key(audio_hash: str, separator: Separator) -> str:
    """Cache folder name: BLAKE2b of the audio bytes' hash and everything that changes the separator's output."""
    return hashlib.blake2b(f"{audio_hash}|{separator.cache_key()}".encode(), digest_size=16).hexdigest()


@contextlib.contextmanager
def writing_to(folder: Path) -> Iterator[None]:
    """libsndfile reports a failed write (a full disk, a quota, a file-size limit, a folder made read-only) as a
    ``RuntimeError`` saying only "System error.": make it one line that says what to do and where."""
    import soundfile as sf

    try:
        yield
    except sf.LibsndfileError:
        raise SeparationError(f"disk full or not writable: {folder}") from None
    except OSError as exc:
        if exc.errno not in _FULL_ERRNOS:
            raise
        raise SeparationError(f"disk full or not writable: {folder} ({exc.strerror})") from None


class _StemWriter:
    """Appends emitted pieces to one float WAV per stem in a folder (write failures: :func:`writing_to`)."""

    def __init__(self, folder: Path, stems: tuple[str, ...], sr: int, channels: int) -> None:
        import soundfile as sf

        self.where = folder.parent  # the cache folder: what the user can free or fix
        self.files: dict[str, sf.SoundFile] = {}
        try:
            with writing_to(self.where):
                for s in stems:
                    self.files[s] = sf.SoundFile(folder / f"{s}.wav", "w", sr, channels, subtype="FLOAT",
                                                 format="WAV")
        except BaseException:
            self.close(check=False)
            raise

    def __call__(self, piece: Mapping[str, np.ndarray]) -> None:
        with writing_to(self.where):
            for stem, handle in self.files.items():
                handle.write(np.ascontiguousarray(piece[stem].T))

    def close(self, check: bool) -> None:
        """Close every file; with ``check`` a failure (the header's final update) is raised, not published."""
        failed: BaseException | None = None
        for handle in self.files.values():
            try:
                handle.close()
            except Exception as exc:
                failed = failed or exc
        if check and failed is not None:
            with writing_to(self.where):
                raise failed


def separate_file(path: str | Path, params: SeparationParams | None = None, *,
                  separator_factory: Callable[[int, int], Separator] | None = None,
                  cache_dir: str | Path | None = None, progress: ProgressFn | None = None,
                  cancel: CancelFn | None = None) -> StemSet:
    """Separate an audio file into stems, or return the cached result for the same bytes and parameters.

    Parameters
    ----------
    path : str or Path
        Audio file (anything :mod:`audio.decode` reads).
    params : SeparationParams, optional
        Parameters of the default separator.
    separator_factory : callable, optional
        ``(sr, channels) -> Separator`` for another separator (e.g. an ONNX model); replaces the default.
    cache_dir : str or Path, optional
        Cache root; default :func:`default_cache_dir`.
    progress, cancel : callable, optional
        ``progress(fraction)``; ``cancel()`` -> True stops with :class:`audio.progress.Cancelled`.

    Returns
    -------
    StemSet
        Stems with the file's rate and channel count (files with more than two channels: their stereo
        downmix), exactly as long as the decoded file. Its ``warnings`` are the decoder's (truncated, damaged),
        kept in the cache entry; no :class:`audio.decode.AudioWarning` is raised (this runs on the editor's
        worker threads, where ``warnings.catch_warnings`` is not safe).

    Raises
    ------
    audio.decode.AudioError
        The file cannot be decoded.
    SeparationError
        The separation was refused (e.g. centre extraction of a mono file).
    """
    from audio.decode import audio_digest, audio_info, iter_blocks
    from audio.downmix import to_stereo

    info = audio_info(path)
    channels = min(info.channels, 2)
    separator = (separator_factory(info.sr, channels) if separator_factory
                 else default_separator(params or SeparationParams(), info.sr, channels))
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    sweep_stale_work(root)
    digest = audio_digest(path)
    audio_hash = digest + (f"|{DOWNMIX_KEY}" if info.channels > 2 else "")
    final = root / cache_key(audio_hash, separator)
    with contextlib.suppress(SeparationError):
        return StemSet.open(final, Path(path).name)
    with writing_to(root):
        root.mkdir(parents=True, exist_ok=True)
        work, lock = make_work_folder(root, final.name)
    found: list[str] = []
    failed = True
    try:
        writer = _StemWriter(work, separator.stems, info.sr, channels)
        try:
            decoded = iter_blocks(path, block_frames=_READ_BLOCK_FRAMES, mono=False,
                                  on_warning=lambda message, _short_s: found.append(message))
            frames = separate_stream((to_stereo(b) for b in decoded), info.sr, separator, writer, info.frames,
                                     progress=progress, cancel=cancel)
        except BaseException:
            writer.close(check=False)
            raise
        writer.close(check=True)
        if frames == 0:
            raise SeparationError(f"audio file {Path(path).name} holds no samples")
        if audio_digest(path) != digest:  # what was decoded may be the new bytes, or a mix of old and new
            raise SeparationError(f"audio file {Path(path).name} changed while it was being separated; "
                                  "separate it again")
        with writing_to(root):
            _sync_files(work, separator.stems)  # the entry is durable before it is published
            _write_meta(work, separator, info.sr, channels, frames, Path(path), found)
        publish(work, final, _usable)
        failed = False
    finally:
        release_work_folder(work, lock, remove=failed)
    return StemSet.open(final, Path(path).name)


def _usable(folder: Path) -> bool:
    """A complete cache entry (``meta.json`` and every stem file it names)."""
    try:
        StemSet.open(folder)
    except SeparationError:
        return False
    return True


def _sync_files(folder: Path, stems: tuple[str, ...]) -> None:
    """fsync each stem file, so a power loss after the rename cannot leave an empty or cut stem in the entry."""
    for stem in stems:
        fd = os.open(folder / f"{stem}.wav", os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_meta(folder: Path, separator: Separator, sr: int, channels: int, frames: int, source: Path,
                warnings: list[str]) -> None:
    from chart.fileio import atomic_write_text

    meta = {"sr": sr, "channels": channels, "frames": frames, "method": separator.name,
            "stems": list(separator.stems), "source_name": source.name, "params": separator.cache_key(),
            "warnings": warnings}
    atomic_write_text(folder / META_FILE, json.dumps(meta, indent=2) + "\n")


__all__ = ["Cancelled", "StemSet", "cache_key", "default_cache_dir", "separate_file"]

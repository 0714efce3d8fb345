"""Min/max peak pyramid (waveform mipmap) for drawing long audio at any zoom.

Level 0 holds the minimum and maximum of every ``base_frames`` (default 64) samples; each higher level halves
the resolution (pairwise min of mins, max of maxes), so the whole pyramid is about twice level 0. The editor
asks :meth:`PeakPyramid.query` for the visible time range and its width in pixels and gets one (min, max) pair
per pixel from the coarsest level that still has at least one bin per pixel: drawing cost depends on the
screen, not on the song's length. Min/max (not point sampling) keeps every transient visible when zoomed out.

Zoomed in past level 0 (a pixel shorter than 64 samples), a bin's min/max would light every pixel of the bin, so
an attack late in a bin was drawn up to a bin early (2.9 ms at 22.05 kHz: 12 px at the editor's 4000 px/s). A
pyramid given the samples it was built from (:meth:`PeakPyramid.with_samples`: a reference to audio the caller
keeps anyway, never a copy) reads the visible span's own samples there instead; that span is at most 64 samples
per pixel, so the cost still follows the screen; a pyramid of a signal nobody keeps (the mix filtered to a band)
computes just that span instead (:meth:`PeakPyramid.with_reader`). No finer level is stored: one of 8 samples per bin would be 8x
level 0 (26 MB more for a 10-minute song, per stem).

The pyramid is built from a block stream (:func:`audio.decode.iter_blocks`), so a one-hour file needs only
one block plus the pyramid in memory, and it is cached on disk as ``.npz`` keyed by the audio file's digest.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from audio.progress import CancelFn, ProgressFn, check, report

BASE_FRAMES = 64
#: ``reader(first, stop)``: samples ``first:stop`` of the signal a pyramid describes, ``[channels, n]`` float32.
SpanReader = Callable[[int, int], np.ndarray]
CACHE_VERSION = 1


@dataclass
class PeakPyramid:
    """Waveform peaks at ``base_frames * 2**level`` samples per bin.

    Attributes
    ----------
    sr : int
        Sample rate in Hz of the audio the peaks describe.
    n_frames : int
        Length of that audio in samples (per channel).
    base_frames : int
        Samples per bin at level 0.
    mins, maxs : list of np.ndarray, float32, shape [channels, n_bins_level]
        One pair per level, level 0 first. The last bin of a level may cover fewer samples.
    samples : np.ndarray, shape [channels, n_frames], optional
        The audio itself, by reference (see :meth:`with_samples`); read only for pixels shorter than a
        level-0 bin. Not saved, not counted in :attr:`nbytes`.
    reader : callable, optional
        Where the pyramid is of a signal nobody keeps (a filtered band): ``reader(first, stop)`` gives its samples
        ``first:stop`` as ``[channels, stop - first]`` float32, computed for that span (:meth:`with_reader`).
    """

    sr: int
    n_frames: int
    base_frames: int
    mins: list[np.ndarray]
    maxs: list[np.ndarray]
    samples: np.ndarray | None = field(default=None, repr=False, compare=False)
    reader: SpanReader | None = field(default=None, repr=False, compare=False)

    @property
    def channels(self) -> int:
        return int(self.mins[0].shape[0])

    @property
    def n_levels(self) -> int:
        return len(self.mins)

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.mins) + sum(a.nbytes for a in self.maxs)

    @property
    def peak(self) -> float:
        """Largest absolute sample value of the audio (from the coarsest level)."""
        return float(max(np.abs(self.mins[-1]).max(initial=0.0), np.abs(self.maxs[-1]).max(initial=0.0)))

    def with_samples(self, samples: np.ndarray) -> PeakPyramid:
        """Let :meth:`query` read ``samples`` where a pixel is shorter than a level-0 bin; returns self.

        ``samples`` is the audio the pyramid was built from, ``[n]`` or ``[channels, n]``; a mono pyramid of
        several channels mixes them (their float32 mean, as its mono mix was built) for the few samples a query
        reads. Kept by reference: the caller holds that audio anyway (the editor, to play it).
        """
        arr = samples if samples.ndim == 2 else samples[None, :]
        if arr.shape[-1] != self.n_frames or (arr.shape[0] != self.channels and self.channels != 1):
            raise ValueError(f"samples {samples.shape} are not the {self.channels} x {self.n_frames} of these peaks")
        self.samples = arr
        return self

    def with_reader(self, reader: SpanReader) -> PeakPyramid:
        """Let :meth:`query` read the spans it needs from ``reader`` (see :attr:`reader`) where a pixel is shorter
        than a level-0 bin; returns self. For a signal not kept in memory, e.g. the mix filtered to a band: only
        the visible span is computed, so a zoomed-in attack is drawn at its sample, not up to a bin early."""
        self.reader = reader
        return self

    def scaled(self, gain: float) -> PeakPyramid:
        """The same peaks with every value multiplied by ``gain`` (a quiet filtered band drawn at the mix's size).
        Its fine spans are this pyramid's (:attr:`samples` or :attr:`reader`) times ``gain``, read when asked: no
        copy of the audio."""
        g = np.float32(gain)
        scaled = PeakPyramid(self.sr, self.n_frames, self.base_frames, [m * g for m in self.mins],
                             [m * g for m in self.maxs])
        if self.samples is not None or self.reader is not None:
            def read(first: int, stop: int) -> np.ndarray:
                span = self._span(first, stop)
                return span * g if span is not None else np.zeros((self.channels, stop - first), np.float32)

            scaled.reader = read
        return scaled

    def _span(self, first: int, stop: int) -> np.ndarray | None:
        """Samples ``first:stop`` (within the audio) as ``[channels, n]`` float32 from :attr:`reader` or
        :attr:`samples` (a mono pyramid of several channels mixes just this span), or None without either."""
        if self.reader is not None:
            return np.atleast_2d(np.asarray(self.reader(first, stop), dtype=np.float32))
        if self.samples is None:
            return None
        seg = self.samples[:, first:stop]
        if seg.shape[0] != self.channels:  # a mono pyramid of several channels: mix only this span
            seg = seg.mean(axis=0, dtype=np.float32, keepdims=True)
        return seg.astype(np.float32, copy=False)

    # ------------------------------------------------------------------ building
    @classmethod
    def from_blocks(cls, blocks: Iterable[np.ndarray], sr: int, base_frames: int = BASE_FRAMES,
                    total_frames: int | None = None, progress: ProgressFn | None = None,
                    cancel: CancelFn | None = None) -> PeakPyramid:
        """Build from consecutive sample blocks (``[n]`` or ``[channels, n]`` float32), one at a time.

        Parameters
        ----------
        blocks : iterable of np.ndarray
            Consecutive blocks, e.g. from :func:`audio.decode.iter_blocks`.
        sr : int
            Sample rate in Hz.
        base_frames : int
            Samples per level-0 bin.
        total_frames : int, optional
            Expected length, only for ``progress``.
        progress, cancel : callables, optional
            See :mod:`audio.progress`; cancelling raises :class:`audio.progress.Cancelled`.
        """
        if base_frames < 1:
            raise ValueError("base_frames must be >= 1")
        mins: list[np.ndarray] = []
        maxs: list[np.ndarray] = []
        carry: np.ndarray | None = None  # samples of the unfinished last bin
        n_frames = 0
        for block in blocks:
            check(cancel)
            block = np.atleast_2d(np.asarray(block, dtype=np.float32))
            n_frames += block.shape[1]
            if carry is not None and carry.shape[1]:
                block = np.concatenate([carry, block], axis=1)
            full = block.shape[1] // base_frames * base_frames
            if full:
                shaped = block[:, :full].reshape(block.shape[0], -1, base_frames)
                mins.append(shaped.min(axis=2))
                maxs.append(shaped.max(axis=2))
            carry = block[:, full:].copy()
            if total_frames:
                report(progress, n_frames / total_frames)
        if carry is not None and carry.shape[1]:
            mins.append(carry.min(axis=1, keepdims=True))
            maxs.append(carry.max(axis=1, keepdims=True))
        if not mins:
            raise ValueError("no samples to build peaks from")
        level_min, level_max = np.concatenate(mins, axis=1), np.concatenate(maxs, axis=1)
        pyramid = cls(int(sr), n_frames, base_frames, [level_min], [level_max])
        pyramid._build_levels()
        report(progress, 1.0)
        return pyramid

    @classmethod
    def from_samples(cls, samples: np.ndarray, sr: int, base_frames: int = BASE_FRAMES) -> PeakPyramid:
        """Build from an in-memory signal ``[n]`` or ``[channels, n]``."""
        return cls.from_blocks([samples], sr, base_frames)

    @classmethod
    def from_file(cls, path: str | Path, mono: bool = True, base_frames: int = BASE_FRAMES,
                  cache_dir: str | Path | None = None, progress: ProgressFn | None = None,
                  cancel: CancelFn | None = None) -> PeakPyramid:
        """Stream-decode ``path`` and build its peaks, reusing ``cache_dir``'s copy when the audio is unchanged.

        Raises :class:`audio.decode.AudioError` for unreadable audio.
        """
        from audio.decode import audio_digest, audio_info, iter_blocks

        cache_file = None
        if cache_dir is not None:
            tag = "mono" if mono else "multi"
            cache_file = Path(cache_dir) / f"{audio_digest(path)}.peaks-{tag}-{base_frames}.npz"
            cached = cls.load(cache_file)
            if cached is not None:
                report(progress, 1.0)
                return cached
        info = audio_info(path)
        pyramid = cls.from_blocks(iter_blocks(path, mono=mono), info.sr, base_frames, info.frames,
                                  progress, cancel)
        if cache_file is not None:
            Path(cache_file).parent.mkdir(parents=True, exist_ok=True)
            pyramid.save(cache_file)
        return pyramid

    def _build_levels(self) -> None:
        while self.mins[-1].shape[1] > 1:
            lo, hi = self.mins[-1], self.maxs[-1]
            if lo.shape[1] % 2:  # odd: the lone last bin is its own pair
                lo = np.concatenate([lo, lo[:, -1:]], axis=1)
                hi = np.concatenate([hi, hi[:, -1:]], axis=1)
            self.mins.append(np.minimum(lo[:, 0::2], lo[:, 1::2]))
            self.maxs.append(np.maximum(hi[:, 0::2], hi[:, 1::2]))

    # ------------------------------------------------------------------ querying
    def level_for(self, frames_per_pixel: float) -> int:
        """Coarsest level whose bins are no wider than ``frames_per_pixel`` samples (0 when zoomed in further)."""
        if frames_per_pixel <= self.base_frames:
            return 0
        level = int(math.floor(math.log2(frames_per_pixel / self.base_frames) + 1e-9))
        return min(max(level, 0), self.n_levels - 1)

    def query(self, start_s: float, end_s: float, n_pixels: int) -> tuple[np.ndarray, np.ndarray]:
        """Per-pixel minimum and maximum of the audio between ``start_s`` and ``end_s``.

        Parameters
        ----------
        start_s, end_s : float
            Visible time range in seconds (may extend past either end of the audio: silence there).
        n_pixels : int
            Number of columns to fill.

        Returns
        -------
        mins, maxs : np.ndarray, float32, shape [n_pixels] (mono) or [channels, n_pixels]
            Each column covers ``(end_s - start_s) / n_pixels`` seconds. When a pixel is narrower than a
            level-0 bin, it gets the values of its own samples when the pyramid has them (:meth:`with_samples`),
            else those of the bin that contains it (an attack then shows up to a bin early).
        """
        if n_pixels <= 0 or not end_s > start_s:
            raise ValueError("query needs n_pixels > 0 and end_s > start_s")
        frames_per_pixel = (end_s - start_s) * self.sr / n_pixels
        if frames_per_pixel < self.base_frames and (self.samples is not None or self.reader is not None):
            first = min(max(math.floor(start_s * self.sr), 0), self.n_frames)
            stop = min(math.ceil(end_s * self.sr) + 1, self.n_frames)
            seg = self._span(first, max(stop, first))
            if seg is not None:
                return self._per_pixel(seg, seg, 1, first, start_s, frames_per_pixel, n_pixels)
        level = self.level_for(frames_per_pixel)
        return self._per_pixel(self.mins[level], self.maxs[level], self.base_frames * (1 << level), 0, start_s,
                               frames_per_pixel, n_pixels)

    def _per_pixel(self, lo: np.ndarray, hi: np.ndarray, bin_frames: int, first_bin: int, start_s: float,
                   frames_per_pixel: float, n_pixels: int) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`query`'s answer from bins of ``bin_frames`` samples (``lo``/``hi`` [channels, n], the first
        being bin ``first_bin`` of the song): each pixel reduces the bins it overlaps."""
        n_bins = lo.shape[1]
        edges = (start_s * self.sr + np.arange(n_pixels + 1) * frames_per_pixel) / bin_frames - first_bin
        first = np.floor(edges[:-1]).astype(np.int64)
        last = np.maximum(np.ceil(edges[1:]).astype(np.int64), first + 1)  # exclusive
        inside = (last > 0) & (first < n_bins)
        out_lo = np.zeros((lo.shape[0], n_pixels), np.float32)
        out_hi = np.zeros((lo.shape[0], n_pixels), np.float32)
        if inside.any():
            f = np.clip(first[inside], 0, n_bins - 1)
            stops = np.clip(last[inside], 1, n_bins)
            out_lo[:, inside] = _reduce_ranges(np.minimum, lo, f, stops)
            out_hi[:, inside] = _reduce_ranges(np.maximum, hi, f, stops)
        if self.channels == 1:
            return out_lo[0], out_hi[0]
        return out_lo, out_hi

    # ------------------------------------------------------------------ cache
    def save(self, path: str | Path) -> None:
        """Write the pyramid as ``.npz`` atomically (a crash never leaves a half-written cache)."""
        from chart.fileio import atomic_write_bytes

        buf = io.BytesIO()
        np.savez(buf, version=CACHE_VERSION, sr=self.sr, n_frames=self.n_frames,
                 base_frames=self.base_frames, level0_min=self.mins[0], level0_max=self.maxs[0])
        atomic_write_bytes(path, buf.getvalue())

    @classmethod
    def load(cls, path: str | Path) -> PeakPyramid | None:
        """Read a cache written by :meth:`save`; ``None`` when missing, stale or damaged (then rebuild)."""
        try:
            with np.load(path, allow_pickle=False) as z:
                if int(z["version"]) != CACHE_VERSION:
                    return None
                lo, hi = z["level0_min"].astype(np.float32), z["level0_max"].astype(np.float32)
                pyramid = cls(int(z["sr"]), int(z["n_frames"]), int(z["base_frames"]), [lo], [hi])
        except (OSError, KeyError, ValueError, EOFError):
            return None
        expected_bins = -(-pyramid.n_frames // max(pyramid.base_frames, 1))
        if lo.ndim != 2 or lo.shape != hi.shape or lo.shape[1] != expected_bins:
            return None
        pyramid._build_levels()
        return pyramid


def _reduce_ranges(op: np.ufunc, values: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """``op`` over ``values[:, starts[i]:stops[i]]`` for every i (ranges non-empty, ``starts`` increasing)."""
    # reduceat reduces [idx[i], idx[i+1]); interleave starts and stops, then keep the even outputs.
    idx = np.empty(starts.size * 2, dtype=np.int64)
    idx[0::2] = starts
    idx[1::2] = np.minimum(stops, values.shape[1] - 1)
    reduced = op.reduceat(values, idx, axis=1)[:, 0::2]
    # Where a range runs to the very end, reduceat stopped one bin short: fold the last bin in.
    at_end = stops >= values.shape[1]
    if at_end.any():
        reduced[:, at_end] = op(reduced[:, at_end], values[:, -1:])
    return reduced

"""Spectrogram in tiles (time ranges), for a lane the editor fills in the background as the view moves.

A :class:`SpectrogramTiler` cuts the song into tiles of ``tile_s`` seconds on one global frame grid (frame
``k`` centred at ``k * hop_s``), so tiles computed separately, in any order, join into exactly the spectrogram
of the whole song: no seams, and a tile can be recomputed alone. Each tile is one vectorised STFT (strided
frames, one ``rfft``, the mel bands as a sparse product) over that tile's samples plus half a window each side.
The bands are no BLAS matrix product: OpenBLAS ran that small product on all its threads, which then spin between
calls, and on a 2-core machine a tile cost ~9x the CPU (276 ms instead of 30) against the GUI thread. The bands'
few non-zero weights (a triangle each, ~1.4 % of the matrix) are a SciPy CSR matrix, whose product is one thread
of C: 0.47 ms for 1000 frames at 22.05 kHz against 0.50 for multi-threaded BLAS (and 2.8 for the numpy gather
and sum it replaced, which had made a tile 25 % slower on an idle machine), and every frame gets the same sums
whatever the tile or block. :meth:`SpectrogramTiler.tiles` yields tiles one by one and checks ``cancel()`` between them, so a worker
thread stops within one tile's time (milliseconds) when the view moves on.

Values are dB relative to full scale (a full-scale sine in one bin is about 0 dB), not relative to the loudest
tile, so colours mean the same across tiles; :func:`to_uint8` maps a dB range to 0-255 for images.

The window is a time, not a sample count (:attr:`SpectrogramParams.window_s`, 2048 samples at 44.1 kHz): a fixed
2048 samples smeared a click over 256 ms of an 8 kHz song and shrank to 11 ms at 192 kHz. The FFT is the next
power of two (the window zero-padded), and the mel bands stop at 20 kHz (:data:`MAX_MEL_HZ`) however high the
rate, so a 192 kHz file does not spend a third of its bands on ultrasound. By default they also stop at half the
rate, so where a frequency lands depends on the file; :attr:`SpectrogramParams.keep_range` keeps the bands at
``fmin_hz``-``fmax_hz`` whatever the rate (the editor's lane: the same tone in the same column in every song),
leaving the bands above half the rate empty.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from audio.progress import CancelFn, ProgressFn, check, report

FLOOR_DB = -100.0
#: STFT frames transformed at once: with n_fft 2048 that is ~2 MB per temporary instead of ~8 MB for a whole tile.
FRAMES_PER_BLOCK = 128
#: Top of the mel bands unless ``fmax_hz`` says otherwise (or half the rate, when lower): the end of hearing.
MAX_MEL_HZ = 20_000.0
#: A filterbank's non-zero weights (:func:`_band_weights`): a ``scipy.sparse.csr_matrix`` ``[bands, bins]``.
Sparse = Any


@dataclass(frozen=True)
class SpectrogramParams:
    """STFT and band settings.

    Attributes
    ----------
    n_fft : int
        Window (Hann) and FFT length in samples, whatever the rate; 0 (the default): a window of ``window_s``
        seconds and an FFT of the next power of two (see :meth:`frame_lengths`).
    window_s : float
        Window length in seconds when ``n_fft`` is 0 (2048 samples at 44.1 kHz, about 46 ms).
    hop_s : float
        Frame step in seconds (rounded to whole samples).
    scale : str
        ``"mel"`` (``n_mels`` triangular bands, HTK mel formula) or ``"linear"`` (all FFT bins).
    n_mels : int
        Number of mel bands.
    fmin_hz, fmax_hz : float
        Mel band range, capped at half the sample rate unless ``keep_range``; ``fmax_hz`` 0 means
        :data:`MAX_MEL_HZ`.
    keep_range : bool
        Bands at ``fmin_hz``-``fmax_hz`` at every rate: a band centred above half the rate holds nothing (it is at
        :data:`FLOOR_DB`), so band ``i`` is the same frequency in every file.
    """

    n_fft: int = 0
    window_s: float = 2048 / 44100
    hop_s: float = 0.005
    scale: str = "mel"
    n_mels: int = 128
    fmin_hz: float = 30.0
    fmax_hz: float = 0.0
    keep_range: bool = False

    def __post_init__(self) -> None:
        if self.n_fft and (self.n_fft < 16 or self.n_fft & (self.n_fft - 1)):
            raise ValueError("n_fft must be 0 or a power of two >= 16")
        if not self.window_s > 0:
            raise ValueError("window_s must be positive")
        if self.hop_s <= 0:
            raise ValueError("hop_s must be positive")
        if self.scale not in ("mel", "linear"):
            raise ValueError("scale must be 'mel' or 'linear'")

    def frame_lengths(self, sr: int) -> tuple[int, int]:
        """``(window, n_fft)`` in samples at ``sr`` Hz: ``n_fft`` twice when it is set, else ``window_s`` rounded
        to samples (at least 16) and the next power of two."""
        if self.n_fft:
            return self.n_fft, self.n_fft
        window = max(16, int(round(self.window_s * sr)))
        return window, 1 << (window - 1).bit_length()

    def fmax_for(self, sr: int) -> float:
        """Top of the mel bands at ``sr`` Hz (the same at every rate with ``keep_range``)."""
        fmax = self.fmax_hz or MAX_MEL_HZ
        return fmax if self.keep_range else min(fmax, sr / 2)


@dataclass(frozen=True)
class SpectrogramTile:
    """One tile: ``db[band, frame]`` for global frames ``first_frame .. first_frame + n_frames - 1``.

    Attributes
    ----------
    index : int
        Tile number.
    start_s : float
        Time in seconds of the tile's first frame centre.
    hop_s : float
        Seconds between frames.
    first_frame : int
        Global index of the first frame.
    db : np.ndarray, float32, shape [n_bands, n_frames]
        Power in dB relative to full scale, floored at ``FLOOR_DB``.
    """

    index: int
    start_s: float
    hop_s: float
    first_frame: int
    db: np.ndarray


def hz_to_mel(hz: np.ndarray | float) -> np.ndarray:
    """HTK mel scale: ``2595 * log10(1 + hz / 700)``."""
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


def mel_to_hz(mel: np.ndarray | float) -> np.ndarray:
    """Inverse of :func:`hz_to_mel`."""
    return 700.0 * (10.0 ** (np.asarray(mel, dtype=np.float64) / 2595.0) - 1.0)


def mel_filterbank(sr: int, n_fft: int, n_mels: int, fmin_hz: float, fmax_hz: float) -> np.ndarray:
    """Triangular mel filters with unit peak, shape ``[n_mels, n_fft // 2 + 1]`` float32.

    Bands narrower than one FFT bin get their nearest bin, so no band is empty at low frequencies. A band centred
    above half the rate (``fmax_hz`` past it) stays empty: the file holds nothing there.
    """
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin_hz), hz_to_mel(fmax_hz), n_mels + 2))
    lo, mid, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    weights = np.maximum(0.0, np.minimum((freqs - lo) / (mid - lo), (hi - freqs) / (hi - mid)))
    above = mid[:, 0] > sr / 2
    weights[above] = 0.0
    empty = ~weights.any(axis=1) & ~above
    weights[np.flatnonzero(empty), np.abs(freqs[None, :] - mid[empty]).argmin(axis=1)] = 1.0
    return weights.astype(np.float32)


class SpectrogramTiler:
    """Computes spectrogram tiles of one signal on demand.

    Parameters
    ----------
    samples : np.ndarray, float32, shape [n]
        Mono audio (decode with :func:`audio.decode.load_audio`).
    sr : int
        Sample rate in Hz.
    params : SpectrogramParams, optional
    tile_s : float
        Tile length in seconds (rounded to whole frames).
    """

    def __init__(self, samples: np.ndarray, sr: int, params: SpectrogramParams | None = None,
                 tile_s: float = 5.0) -> None:
        self.samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        self.sr = int(sr)
        self.params = params or SpectrogramParams()
        p = self.params
        self.hop = max(1, int(round(p.hop_s * self.sr)))
        self.hop_s = self.hop / self.sr
        self.frames_per_tile = max(1, int(round(tile_s / self.hop_s)))
        self.n_frames = self.samples.size // self.hop + 1
        self.n_tiles = math.ceil(self.n_frames / self.frames_per_tile)
        self.window_len, self.n_fft = p.frame_lengths(self.sr)
        self._window = np.hanning(self.window_len + 1)[:-1].astype(np.float32)
        # Full-scale sine amplitude A in one bin: |X| = A * sum(window) / 2; that power is 0 dB.
        self._ref_power = float((self._window.sum() / 2) ** 2)
        self._bands: np.ndarray | None = None
        self._sparse: Sparse | None = None
        if p.scale == "mel":
            fmax = p.fmax_for(self.sr)
            self._bands, self._sparse = _band_weights(self.sr, self.n_fft, p.n_mels, p.fmin_hz, fmax)
            mids = mel_to_hz(np.linspace(hz_to_mel(p.fmin_hz), hz_to_mel(fmax), p.n_mels + 2))
            self.frequencies_hz = mids[1:-1].astype(np.float32)
        else:
            self.frequencies_hz = np.fft.rfftfreq(self.n_fft, 1.0 / self.sr).astype(np.float32)

    def tile_range_s(self, index: int) -> tuple[float, float]:
        """Start and end time in seconds (frame centres) covered by tile ``index``."""
        first = index * self.frames_per_tile
        last = min(first + self.frames_per_tile, self.n_frames) - 1
        return first * self.hop_s, last * self.hop_s

    def tiles_for(self, start_s: float, end_s: float) -> range:
        """Indices of the tiles that overlap ``[start_s, end_s]`` (clipped to the song)."""
        first = int(math.floor(max(start_s, 0.0) / self.hop_s)) // self.frames_per_tile
        last = int(math.floor(max(end_s, 0.0) / self.hop_s)) // self.frames_per_tile
        return range(min(first, self.n_tiles), min(last, self.n_tiles - 1) + 1)

    def tile(self, index: int) -> SpectrogramTile:
        """Compute tile ``index`` (0-based); raises IndexError outside ``range(n_tiles)``."""
        if not 0 <= index < self.n_tiles:
            raise IndexError(f"tile {index} outside 0..{self.n_tiles - 1}")
        n_fft, window = self.n_fft, self.window_len
        first = index * self.frames_per_tile
        count = min(self.frames_per_tile, self.n_frames - first)
        lo = first * self.hop - window // 2  # sample under the first frame's window start
        hi = lo + (count - 1) * self.hop + window
        seg = np.zeros(hi - lo, np.float32)
        src_lo, src_hi = max(lo, 0), min(hi, self.samples.size)
        if src_hi > src_lo:
            seg[src_lo - lo:src_hi - lo] = self.samples[src_lo:src_hi]
        frames = np.lib.stride_tricks.sliding_window_view(seg, window)[::self.hop][:count]
        n_out = self._bands.shape[0] if self._bands is not None else n_fft // 2 + 1
        db = np.empty((count, n_out), np.float32)
        for a in range(0, count, FRAMES_PER_BLOCK):  # blocks bound the FFT temporaries (a whole tile: ~25 MB)
            power = np.abs(np.fft.rfft(frames[a:a + FRAMES_PER_BLOCK] * self._window, n=n_fft, axis=1)) ** 2
            if self._sparse is not None:
                power = to_bands(power, n_out, self._sparse)
            db[a:a + FRAMES_PER_BLOCK] = 10.0 * np.log10(np.maximum(power / self._ref_power, 10.0 ** (FLOOR_DB / 10)))
        return SpectrogramTile(index, first * self.hop_s, self.hop_s, first, np.ascontiguousarray(db.T))

    def tiles(self, indices: Iterable[int] | None = None, progress: ProgressFn | None = None,
              cancel: CancelFn | None = None) -> Iterator[SpectrogramTile]:
        """Yield tiles (all, or ``indices`` in the order given); ``cancel()`` is checked before each."""
        order = list(range(self.n_tiles) if indices is None else indices)
        for done, index in enumerate(order):
            check(cancel)
            yield self.tile(index)
            report(progress, (done + 1) / max(len(order), 1))

    def full(self, cancel: CancelFn | None = None) -> np.ndarray:
        """Every tile joined: ``[n_bands, n_frames]`` float32 dB (for tests and small files)."""
        return np.concatenate([t.db for t in self.tiles(cancel=cancel)], axis=1)


@lru_cache(maxsize=8)
def _band_weights(sr: int, n_fft: int, n_mels: int, fmin_hz: float, fmax_hz: float) -> tuple[np.ndarray, Sparse]:
    """The :func:`mel_filterbank` (read-only: shared by every tiler of these settings, one per editor tile) and
    its non-zero weights for :func:`to_bands`, as a CSR matrix."""
    from scipy.sparse import csr_matrix

    bands = mel_filterbank(sr, n_fft, n_mels, fmin_hz, fmax_hz)
    sparse = csr_matrix(bands)
    for a in (bands, sparse.data, sparse.indices, sparse.indptr):
        a.setflags(write=False)
    return bands, sparse


def to_bands(power: np.ndarray, n_bands: int, sparse: Sparse) -> np.ndarray:
    """``power @ bands.T`` (``power[frames, bins]``) as ``(bands @ power.T).T`` with the CSR ``bands`` of
    :func:`_band_weights`, without BLAS (module docstring): float32 ``[frames, n_bands]``."""
    out = np.ascontiguousarray(np.asarray(sparse @ power.T, dtype=np.float32).T)
    assert out.shape[1] == n_bands
    return out


def to_uint8(db: np.ndarray, floor_db: float = -80.0, ceil_db: float = 0.0) -> np.ndarray:
    """Map dB values linearly to 0..255 (``floor_db`` and below -> 0, ``ceil_db`` and above -> 255)."""
    if not ceil_db > floor_db:
        raise ValueError("ceil_db must exceed floor_db")
    scaled = (np.asarray(db, dtype=np.float32) - floor_db) * (255.0 / (ceil_db - floor_db))
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)

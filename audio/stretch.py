"""Pitch-preserving slow-down: a streaming WSOLA that runs inside the audio callback.

Why WSOLA and why streaming (measured in ``benchmarks/bench_playback.py``, summed up in docs/audio-sync.md):

* A rhythm-game editor is listened to for transients. WSOLA (waveform-similarity overlap-add) copies whole
  windows of the original, and with a transient lock (below) each attack is played once, within a millisecond of
  its ideal time; on a sustained chord it measured a better tone-to-noise ratio than the phase vocoder of
  ``librosa.effects.time_stretch``, which also has to render the whole song before it can play.
* Output frame ``k`` plays source frame ``src0 + k * rate`` (window centres map exactly; the similarity search
  moves a window by at most ``tolerance`` frames, 11.6 ms at 44.1 kHz), so the clock, the ticks and the plain
  resampling mode all share one position map and the modes can be switched at any block.
* Streaming keeps memory flat (a pre-rendered 10-minute stereo song at 25 % would take 850 MB) and makes seeks,
  loop wraps and rate changes instant: :meth:`Wsola.reset` and go. One analysis frame costs two 2048-point real
  FFTs and one inverse, well under 0.1 ms, and a 512-frame block needs at most two frames.

All buffers are made in the constructor; :meth:`Wsola.render` allocates no arrays (numpy >= 2 ``out=`` FFTs; the
search runs in float64 because a float32 FFT with ``out=`` still makes a float64 copy, 34 kB a frame).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Transient lock: an attack is a candidate span whose loudest 256-frame block holds TRANSIENT_RATIO times the mean
# high-frequency energy of the others; its frame is that block's sharpest sample. Each attack is played once, on
# time: the (two) windows that sound at its ideal output time are placed so that it lands exactly there (their
# overlap-add then rebuilds the original around the attack), the windows before it end ATTACK_PRE frames before
# it and the windows after it start ATTACK_POST frames after it. Placing every window that held an attack at its
# nominal position (the lock before) kept the attack's energy centre on time, but each of the frame_len /
# (hop * rate) windows holding it played a copy, hop * (1 - rate) apart: 4-5 copies over 26 ms at 25 %, the first
# 14 ms early. Both bounds fit the search tolerance (half a window) at every rate down to 25 %. The next attack
# is kept in view too (:meth:`Wsola._next_attack`), so a window after one attack also ends before the next.
TRANSIENT_BLOCK = 256
TRANSIENT_RATIO = 6.0
ATTACK_PRE = 64
ATTACK_POST = 32


def read_frames(src: np.ndarray, start: int, dst: np.ndarray) -> None:
    """Copy ``src[start:start + len(dst)]`` into ``dst``, with zeros where the range leaves ``src``.

    Parameters
    ----------
    src : np.ndarray, shape (n_frames, channels)
    start : int
        First source frame (may be negative or past the end).
    dst : np.ndarray, shape (length, channels)
    """
    n, length = src.shape[0], dst.shape[0]
    a, b = max(start, 0), min(start + length, n)
    if a >= b:
        dst.fill(0.0)
        return
    if a > start:
        dst[:a - start] = 0.0
    dst[a - start:b - start] = src[a:b]
    if b - start < length:
        dst[b - start:] = 0.0


def add_frames(dst: np.ndarray, src: np.ndarray) -> None:
    """``dst += src``, channel by channel.

    ``src`` (n, 1) adds to every channel of ``dst`` (n, c). Column loops instead of numpy broadcasting: a
    broadcast over a 2-wide last axis makes numpy allocate a buffer on every call, which the callback must not.
    """
    wide = src.shape[1] == dst.shape[1]
    for ch in range(dst.shape[1]):
        dst[:, ch] += src[:, ch if wide else 0]


def frame_length_for(sample_rate_hz: float) -> int:
    """Analysis window: the power of two closest to 23 ms (1024 frames at 44.1 and 48 kHz)."""
    return int(2 ** round(np.log2(0.023 * sample_rate_hz)))


class Wsola:
    """Streaming WSOLA time stretch of a weighted sum of sources (music or stems) into ``out_channels``.

    Parameters
    ----------
    sample_rate_hz : float
        Rate of the sources and of the output.
    source_channels : sequence of int
        Channel count of each source (1, or ``out_channels``); the search uses their weighted mono mix, so all
        stems move together and stay phase-aligned.
    out_channels : int
        Output channel count.
    frame_len : int, optional
        Window length in frames (power of two); default :func:`frame_length_for`. Hop = ``frame_len // 2``.
    tolerance : int, optional
        Largest shift of a window from its nominal position, frames; default ``frame_len // 2``. A quarter
        window gave 2-14 dB tone-to-noise on a chord against 30 dB for a half window (benchmark).
    transient_lock : bool
        Play each attack once, on time (see ``TRANSIENT_RATIO``); False: similarity alone (for the benchmark).
    """

    def __init__(self, sample_rate_hz: float, source_channels: Sequence[int], out_channels: int,
                 frame_len: int | None = None, tolerance: int | None = None, transient_lock: bool = True) -> None:
        n = frame_len or frame_length_for(sample_rate_hz)
        self.frame_len, self.hop = n, n // 2
        self.tolerance = tolerance if tolerance is not None else n // 2
        self.transient_lock = transient_lock
        span = n + 2 * self.tolerance
        nfft = 1 << int(np.ceil(np.log2(span)))
        self._window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)).astype(np.float32)
        self._acc = np.zeros((n, out_channels), np.float32)
        self._fifo = np.zeros((self.hop, out_channels), np.float32)
        self._tmp = np.zeros((n, out_channels), np.float32)
        self._cand_src = [np.zeros((span, c), np.float32) for c in source_channels]
        self._nat_src = [np.zeros((n, c), np.float32) for c in source_channels]
        self._cand = np.zeros(nfft, np.float64)  # zero-padded mono search window
        self._nat = np.zeros(nfft, np.float64)
        self._mono = np.zeros(span, np.float32)
        self._mono_sum = np.zeros(span, np.float32)
        self._spec_c = np.zeros(nfft // 2 + 1, np.complex128)
        self._spec_n = np.zeros(nfft // 2 + 1, np.complex128)
        self._corr = np.zeros(nfft, np.float64)
        self._sq = np.zeros(span + 1, np.float64)
        self._score = np.zeros(2 * self.tolerance + 1, np.float64)
        self._energy = np.zeros(2 * self.tolerance + 1, np.float64)
        n_blocks = -(-(span - 2) // TRANSIENT_BLOCK)  # the last one short (its tail stays 0): the whole span is seen
        self._d2 = np.zeros(n_blocks * TRANSIENT_BLOCK, np.float64)
        self._blocks = np.zeros(n_blocks, np.float64)
        self.reset(0.0, 1.0)

    def reset(self, src_frame: float, rate: float) -> None:
        """Restart at ``src_frame`` with ``rate`` (0 < rate <= 1): output frame 0 plays ``src_frame``."""
        self._src0, self._rate = float(src_frame), float(rate)
        self._m = -1  # frame -1 covers output [-hop, hop), so output frame 0 starts at full level
        self._prev: int | None = None
        self._attack: int | None = None  # source frame of the attack being handled (transient lock)
        self._next: int | None = None  # and of the one after it, once the candidate span reaches it
        self._first = self._last = 0  # the window's offset bounds the lock set (see _lock_bounds)
        self._acc.fill(0.0)
        self._fifo_start = self._fifo_len = 0
        self._primed = False

    def render(self, out: np.ndarray, sources: Sequence[np.ndarray], gains: np.ndarray) -> None:
        """Write the next ``len(out)`` stretched frames into ``out`` (shape (n, out_channels)).

        ``sources`` are shaped (n_frames, channels) and ``gains`` (n_sources,) weight them; both must match the
        ``source_channels`` given to the constructor.
        """
        if not self._primed:
            self._synth_frame(sources, gains)  # frame -1: its first half lies before output frame 0
            self._shift()
            self._primed = True
        n = out.shape[0]
        pos = min(n, self._fifo_len - self._fifo_start)
        out[:pos] = self._fifo[self._fifo_start:self._fifo_start + pos]
        self._fifo_start += pos
        hop = self.hop
        while pos < n:
            self._synth_frame(sources, gains)
            take = min(hop, n - pos)
            out[pos:pos + take] = self._acc[:take]
            if take < hop:
                self._fifo[:hop - take] = self._acc[take:hop]
                self._fifo_start, self._fifo_len = 0, hop - take
            self._shift()
            pos += take

    def _shift(self) -> None:
        """Drop the finished first hop of the accumulator and move on one frame."""
        hop = self.hop
        self._acc[:hop] = self._acc[hop:]
        self._acc[hop:] = 0.0
        self._m += 1

    def _synth_frame(self, sources: Sequence[np.ndarray], gains: np.ndarray) -> None:
        """Choose the analysis window for frame ``m`` and overlap-add it into the accumulator."""
        n, hop, tol = self.frame_len, self.hop, self.tolerance
        # Window centres map exactly: centre of output frame m plays source src0 + centre * rate.
        nominal = int(round(self._src0 + (self._m * hop + n / 2) * self._rate - n / 2))
        lo = nominal - tol
        for src, buf in zip(sources, self._cand_src):
            read_frames(src, lo, buf)
        offset = self._choose_offset(sources, gains, lo)
        self._prev = lo + offset
        for buf, gain in zip(self._cand_src, gains):
            gain = float(gain)  # a numpy float64 scalar would promote the float32 maths and allocate (NEP 50)
            if gain == 0.0:
                continue
            c = buf.shape[1]
            tmp = self._tmp[:, :c]
            for ch in range(c):
                np.multiply(buf[offset:offset + n, ch], self._window, out=tmp[:, ch])
            tmp *= gain
            add_frames(self._acc, tmp)  # a mono source goes to every output channel

    def _mono_mix(self, bufs: Sequence[np.ndarray], gains: np.ndarray, dst: np.ndarray) -> None:
        """Weighted mono sum of ``bufs`` into ``dst`` (float64, same length)."""
        length = dst.shape[0]
        total = self._mono_sum[:length]
        total.fill(0.0)
        for buf, gain in zip(bufs, gains):
            if gain == 0.0:
                continue
            c = buf.shape[1]
            for ch in range(c):
                np.multiply(buf[:, ch], float(gain) / c, out=self._mono[:length])
                total += self._mono[:length]
        np.copyto(dst, total)  # float32 -> float64 in one contiguous cast (no buffer)

    def _choose_offset(self, sources: Sequence[np.ndarray], gains: np.ndarray, lo: int) -> int:
        """Offset in ``[0, 2 * tolerance]`` of frame ``m``'s window: where an attack needs it (see ATTACK_PRE),
        else the one most like the natural continuation of the last window, within the attack's bounds."""
        n, tol = self.frame_len, self.tolerance
        span = n + 2 * tol
        self._mono_mix(self._cand_src, gains, self._cand[:span])
        first, last = 0, 2 * tol
        if self.transient_lock:
            placed = self._lock_bounds(lo)
            if placed is not None:
                return placed
            first, last = self._first, self._last
        if self._prev is None:
            return min(max(tol, first), last)
        return self._best_offset(sources, gains, first, last)

    def _lock_bounds(self, lo: int) -> int | None:
        """Transient lock for the window whose candidate span starts at ``lo`` (its mono mix in ``_cand``).

        Returns the offset that puts an attack exactly on time when one sounds in this window; else sets
        ``_first`` and ``_last``, the offsets that keep the window clear of the attacks it must not play: it starts
        ATTACK_POST after the last one played and ends ATTACK_PRE before the next one.
        """
        n, hop, tol = self.frame_len, self.hop, self.tolerance
        span = n + 2 * tol
        if self._attack is not None and self._attack + ATTACK_POST < lo:  # behind the span: the next one's turn
            self._attack, self._next = self._next, None
            if self._attack is not None and self._attack + ATTACK_POST < lo:
                self._attack = None
        if self._has_transient(self._cand[:span]):
            if self._attack is None:
                self._attack = lo + 1 + int(np.argmax(self._d2))  # d2[i] is the second difference at frame i + 1
            if self._next is None:
                self._next = self._next_attack(lo, self._attack)
        first, last = 0, 2 * tol
        out_start = self._m * hop  # this window sounds over output frames [out_start, out_start + n)
        for attack in (self._attack, self._next):
            if attack is None:
                break
            at = (attack - self._src0) / self._rate  # the attack's ideal output frame
            if out_start <= at < out_start + n:  # it sounds here: put it exactly on time
                return min(max(int(round(attack - (at - out_start))) - lo, 0), 2 * tol)
            if at >= out_start + n:
                last = min(attack - ATTACK_PRE - n - lo, last)  # end before the attack
                break
            first = max(attack + ATTACK_POST - lo, first)  # start after it
        self._last = min(max(last, 0), 2 * tol)
        self._first = min(max(first, 0), self._last)
        return None

    def _next_attack(self, lo: int, attack: int) -> int | None:
        """The attack after ``attack`` in the candidate span (``_d2`` filled by :meth:`_has_transient`): the
        sharpest sample more than TRANSIENT_BLOCK frames after ``attack``, if the TRANSIENT_BLOCK frames around it
        hold TRANSIENT_RATIO times the high-frequency energy of the TRANSIENT_BLOCK before them (an onset, not a
        decay; the sharpest sample of a noise burst can come a little after its start) and of the mean
        TRANSIENT_BLOCK of the span away from both attacks (not the beating of a chord)."""
        block, half = TRANSIENT_BLOCK, TRANSIENT_BLOCK // 2
        start = max(attack + block - lo, 3 * half)  # d2 index i is frame lo + 1 + i
        end = self.frame_len + 2 * self.tolerance - 2
        if start >= end:
            return None
        d2 = self._d2
        i = start + int(np.argmax(d2[start:end]))
        rise = float(d2[i - half:i + half].sum())
        before = float(d2[i - 3 * half:i - half].sum())
        a = attack - lo - 1
        quiet = float(self._blocks.sum()) - rise - float(d2[max(a - half, 0):max(a + half, 0)].sum())
        quiet *= block / max(end - 2 * block, block)  # per TRANSIENT_BLOCK
        if not rise > TRANSIENT_RATIO * max(before, quiet) + 1e-12:
            return None
        return lo + 1 + i

    def _best_offset(self, sources: Sequence[np.ndarray], gains: np.ndarray, first: int, last: int) -> int:
        """Offset in ``[first, last]`` of the window most like the natural continuation of the last one (the
        candidate span's mono mix is in ``_cand`` already)."""
        n, tol = self.frame_len, self.tolerance
        assert self._prev is not None
        if first >= last:
            return first
        for src, buf in zip(sources, self._nat_src):
            read_frames(src, self._prev + self.hop, buf)
        span = n + 2 * tol
        self._mono_mix(self._nat_src, gains, self._nat[:n])
        np.fft.rfft(self._cand, out=self._spec_c)
        np.fft.rfft(self._nat, out=self._spec_n)
        np.conjugate(self._spec_n, out=self._spec_n)
        self._spec_c *= self._spec_n
        np.fft.irfft(self._spec_c, n=self._cand.shape[0], out=self._corr)  # corr[j] = sum cand[j+i] nat[i]
        sq = self._sq
        sq[0] = 0.0
        np.square(self._cand[:span], out=sq[1:])
        np.cumsum(sq, out=sq)
        np.subtract(sq[n:n + 2 * tol + 1], sq[:2 * tol + 1], out=self._energy)
        self._energy += 1e-9
        np.sqrt(self._energy, out=self._energy)
        np.divide(self._corr[:2 * tol + 1], self._energy, out=self._score)
        return first + int(np.argmax(self._score[first:last + 1]))


    def _has_transient(self, mono: np.ndarray) -> bool:
        """Whether one short block holds far more high-frequency energy than the rest of the window."""
        d2 = self._d2[:mono.shape[0] - 2]
        np.subtract(mono[2:], mono[1:-1], out=d2)
        d2 -= mono[1:-1]
        d2 += mono[:-2]  # second difference: weights energy by f^4, so bass beating does not count
        np.square(d2, out=d2)
        blocks = self._blocks
        np.add.reduce(self._d2.reshape(blocks.size, TRANSIENT_BLOCK), axis=1, out=blocks)
        peak = float(blocks.max())
        rest = (float(blocks.sum()) - peak) / (blocks.size - 1)
        return peak > TRANSIENT_RATIO * rest + 1e-12


def time_stretch(samples: np.ndarray, sample_rate_hz: float, rate: float, block_frames: int = 4096,
                 transient_lock: bool = True) -> np.ndarray:
    """Offline WSOLA stretch with the same code the player streams (for measurements and exports).

    Parameters
    ----------
    samples : np.ndarray, float32, shape (n_frames,) or (n_frames, channels)
    sample_rate_hz : float
    rate : float
        Playback rate, 0 < rate <= 1; the output is ``n_frames / rate`` frames long.
    block_frames : int
        Frames rendered per call (as the callback would).
    transient_lock : bool
        See :class:`Wsola`.

    Returns
    -------
    np.ndarray, float32, shape (round(n_frames / rate),) or (round(n_frames / rate), channels)
    """
    if not 0.0 < rate <= 1.0:
        raise ValueError(f"rate must be in (0, 1], got {rate}")
    src = np.asarray(samples, dtype=np.float32)
    two_d = src.reshape(src.shape[0], -1)
    stretcher = Wsola(sample_rate_hz, [two_d.shape[1]], two_d.shape[1], transient_lock=transient_lock)
    stretcher.reset(0.0, rate)
    out = np.zeros((int(round(src.shape[0] / rate)), two_d.shape[1]), np.float32)
    gains = np.ones(1)
    for start in range(0, out.shape[0], block_frames):
        stretcher.render(out[start:start + block_frames], [two_d], gains)
    return out if src.ndim == 2 else out[:, 0]

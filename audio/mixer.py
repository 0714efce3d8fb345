"""The block renderer that the audio callback runs: transport, music or stems, rate, loop, ticks, clock entries.

Split from :mod:`audio.player` so that the whole signal path is pure numpy and can be driven block by block in
tests without any thread or device. Threading contract: the GUI thread only *replaces* whole attributes
(``transport``, ``rate``, ``keep_pitch``, ``music_gain``, ``tick_gain``, ``loop``, ``ticks``, ``mix``) with
immutable values; the audio thread reads each attribute once per block and owns every other field. A Python
attribute store is atomic, so no lock is needed and the callback never waits for the GUI.

Allocation: all arrays the callback writes are made in the constructor (or with the :class:`SourceMix` on the GUI
thread); the callback allocates no arrays, only the small scalars and views that any Python code does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from audio.clock import PlaybackClock
from audio.downmix import downmix_matrix
from audio.stretch import Wsola, add_frames, read_frames
from audio.ticks import RateSegments, TickTrack, mix_ticks

MIN_RATE = 0.25
MAX_RATE = 1.0
LIMIT_KNEE = 0.9  # the output's soft limiter leaves samples up to this untouched (see soft_limit)


@dataclass(frozen=True)
class Transport:
    """What the GUI asked for last: request number, play or pause, and where (source frames)."""

    request: int
    playing: bool
    start_frame: float


@dataclass(frozen=True)
class SourceMix:
    """The audio to play: one array (music) or several (stems) with per-source gains (0 = muted).

    Build with :meth:`create` on the GUI thread; use :meth:`with_gains` to change gains without touching the
    arrays or the stretcher state.
    """

    arrays: tuple[np.ndarray, ...]  # each (n_frames, channels), float32, channels 1 or the output's
    gains: np.ndarray  # (n_sources,), float64
    n_frames: int
    stretcher: Wsola
    work_gains: np.ndarray  # (n_sources,) scratch for the callback

    @classmethod
    def create(cls, sources: Sequence[np.ndarray], sample_rate_hz: float, out_channels: int,
               gains: Sequence[float] | None = None) -> SourceMix:
        """Wrap sources shaped (n,) or (channels, n) (the :func:`audio.decode.load_audio` layout)."""
        arrays = tuple(as_frames(src, out_channels) for src in sources)
        if not arrays:
            raise ValueError("a SourceMix needs at least one source")
        n = max(a.shape[0] for a in arrays)
        g = np.ones(len(arrays)) if gains is None else np.asarray(gains, dtype=np.float64)
        if g.shape != (len(arrays),):
            raise ValueError(f"expected {len(arrays)} gains, got {g.shape}")
        stretcher = Wsola(sample_rate_hz, [a.shape[1] for a in arrays], out_channels)
        return cls(arrays, g.copy(), n, stretcher, np.zeros(len(arrays)))

    def with_gains(self, gains: Sequence[float] | np.ndarray) -> SourceMix:
        """Same arrays and stretcher, new gains (shape (n_sources,))."""
        g = np.asarray(gains, dtype=np.float64)
        if g.shape != self.gains.shape:
            raise ValueError(f"expected {self.gains.size} gains, got {g.shape}")
        return SourceMix(self.arrays, g.copy(), self.n_frames, self.stretcher, np.zeros(g.size))


def resample_source(samples: np.ndarray, from_hz: int, to_hz: int) -> np.ndarray:
    """``samples`` ((n,) or (channels, n)) at ``to_hz``, for an output that runs at another rate (JACK plays only
    at the server's); the same array when the rates agree. GUI thread, before a :class:`SourceMix` is made."""
    if int(from_hz) == int(to_hz):
        return samples
    from audio.decode import resample

    return resample(samples, from_hz, to_hz)


def soft_limit(block: np.ndarray, mag: np.ndarray, mask: np.ndarray) -> None:
    """Bend the samples of ``block`` beyond +-``LIMIT_KNEE`` smoothly toward +-1, in place.

    ``|x| -> K + (1 - K) tanh((|x| - K) / (1 - K))`` above the knee ``K``, the identity below it. The music at the
    default volume 0.8 stays under the knee, but a note tick and a beat tock on one frame (0.6 + 0.6 at the
    editor's default volumes) or a tick over a loud passage summed past 1.0 and were cut flat: a harsh click on
    every such beat. The curve is monotonic, keeps the sign, has slope 1 at the knee and is the same for every
    block, so a tick's onset frame does not move and nothing pumps; a sample at 1.0 comes out at 0.976, one at
    1.2 at 0.9995. ``mag`` (float32) and ``mask`` (bool) are scratch buffers shaped like ``block``, so the
    callback allocates nothing.
    """
    np.abs(block, out=mag)
    np.greater(mag, LIMIT_KNEE, out=mask)
    mag -= LIMIT_KNEE  # Python floats keep float32 (NEP 50): no cast buffers
    mag *= 1.0 / (1.0 - LIMIT_KNEE)
    np.tanh(mag, out=mag)
    mag *= 1.0 - LIMIT_KNEE
    mag += LIMIT_KNEE
    np.copysign(mag, block, out=mag)
    np.copyto(block, mag, where=mask)


def as_frames(samples: np.ndarray, out_channels: int) -> np.ndarray:
    """View ``samples`` ((n,) or (channels, n)) as float32 (n, channels); copies only when it must.

    Mono plays as it is (on every output channel). More channels than the output has are mixed down (a copy):
    surround (3 or more) to stereo by :func:`audio.downmix.downmix_matrix`, the rule separation uses too, and
    stereo to a mono output by the plain mean.
    """
    arr = np.asarray(samples)
    if arr.ndim == 1:
        arr = arr[:, None]
    elif arr.ndim == 2:
        arr = arr.T
    else:
        raise ValueError(f"audio must be shaped (n,) or (channels, n), got {arr.shape}")
    if arr.dtype != np.float32:
        arr = arr.astype(np.float32)
    if arr.shape[1] not in (1, out_channels):
        if arr.shape[1] > 2:
            arr = arr @ downmix_matrix(arr.shape[1]).T
        if arr.shape[1] not in (1, out_channels):
            if out_channels != 1:
                raise ValueError(f"cannot play {arr.shape[1]}-channel audio on {out_channels} channels")
            arr = arr.mean(axis=1, keepdims=True, dtype=np.float32)
    return arr


class Renderer:
    """Fills output blocks and records where each block sits in the song (see module docstring).

    Parameters
    ----------
    mix : SourceMix
    sample_rate_hz : float
        Rate of the sources and the output.
    channels : int
        Output channels.
    clock : PlaybackClock
        Receives one entry per block (more at loop wraps).
    max_frames : int
        Largest block rendered at once; bigger host blocks are rendered in pieces.
    """

    def __init__(self, mix: SourceMix, sample_rate_hz: float, channels: int, clock: PlaybackClock,
                 max_frames: int = 8192) -> None:
        self.sample_rate_hz = float(sample_rate_hz)
        self.channels = int(channels)
        self.clock = clock
        self.max_frames = int(max_frames)
        # GUI-written attributes (replaced whole, read once per block)
        self.transport = Transport(0, False, 0.0)
        self.rate = 1.0
        self.keep_pitch = False
        self.music_gain = 1.0
        self.tick_gain = 1.0
        self.loop: tuple[float, float] | None = None  # source frames [start, end)
        self.ticks: tuple[TickTrack, ...] = ()
        self.mix = mix
        # Audio-thread state; the GUI may read these (stale by at most a block)
        self.finished_request = -1
        self.underflows = 0
        self.device_frame = 0
        self._applied = -1
        self._playing = False
        self._ended = False
        self._src = 0.0
        self._segment = 0
        self._seg_ticks = -math.inf  # ticks before this source frame started before the segment: not mixed
        self._pieces = RateSegments()  # the segment's rate changes: a sounding tick goes on across them
        self._timebase = 0
        self._stretch_key: tuple | None = None
        # Scratch buffers
        self._ramp = np.arange(self.max_frames, dtype=np.float64)
        self._pos = np.zeros(self.max_frames, np.float64)
        self._floor = np.zeros(self.max_frames, np.float64)
        self._frac = np.zeros(self.max_frames, np.float32)
        self._idx = np.zeros(self.max_frames, np.intp)  # floor of the positions: shared by every source of a block
        self._rel = np.zeros(self.max_frames, np.intp)  # per source: indices into its window (never into _idx)
        # work buffers per source channel count (1 or the output's), contiguous so gathers need no copies
        self._a0 = {c: np.zeros((self.max_frames, c), np.float32) for c in {1, self.channels}}
        self._a1 = {c: np.zeros((self.max_frames, c), np.float32) for c in {1, self.channels}}
        self._tick_scratch = np.zeros(self.max_frames, np.float32)
        self._lim_mag = np.zeros((self.max_frames, self.channels), np.float32)
        self._lim_mask = np.zeros((self.max_frames, self.channels), bool)
        self._win = {c: np.zeros((self.max_frames + 2, c), np.float32) for c in {1, self.channels}}

    @property
    def src_frame(self) -> float:
        """Source frame the next block starts at (audio-thread state; approximate from other threads)."""
        return self._src

    def render(self, out: np.ndarray, dac_time_s: float, underflow: bool = False) -> None:
        """Fill ``out`` (float32, shape (frames, channels)) for a block that starts to sound at ``dac_time_s``."""
        if underflow:
            self._timebase += 1  # the device timeline broke: the clock must not mix old and new offsets
            self.underflows += 1
        transport = self.transport
        if transport.request != self._applied:
            self._applied = transport.request
            self._playing = transport.playing
            self._src = float(transport.start_frame)
            self._segment += 1
            self._seg_ticks = self._src - 0.5  # tick frames are rounded: the tick *at* the start still sounds
            self._ended = False
            self._stretch_key = None
        frames = out.shape[0]
        for start in range(0, frames, self.max_frames):
            piece = out[start:start + self.max_frames]
            piece.fill(0.0)
            if self._playing and not self._ended:
                self._render_playing(piece, dac_time_s + start / self.sample_rate_hz)
                if piece.max() > LIMIT_KNEE or piece.min() < -LIMIT_KNEE:  # most blocks: two cheap reductions
                    n = piece.shape[0]
                    soft_limit(piece, self._lim_mag[:n], self._lim_mask[:n])
                    np.clip(piece, -1.0, 1.0, out=piece)  # float32 rounding at the top of the curve
            self.device_frame += piece.shape[0]

    def _render_playing(self, out: np.ndarray, dac_time_s: float) -> None:
        """Render a playing block span by span, splitting at loop wraps and at the song end."""
        mix, loop, sr = self.mix, self.loop, self.sample_rate_hz
        rate = min(max(float(self.rate), MIN_RATE), MAX_RATE)
        frames, pos, fresh = out.shape[0], 0, True
        while pos < frames:
            if rate == 1.0 and self._src != math.floor(self._src):
                # A play, seek or pause position, or a wrap after slowed play, between two frames: at rate 1 start on
                # the nearest whole frame (a half frame, 11 us at 44.1 kHz, at most) so that the music is copied.
                # Interpolating at a fixed fraction is a low-pass filter (-9 dB at 16-18 kHz at half a frame) that
                # dulled the highs for the whole play. Half rounds down: the same ticks sound (_seg_ticks).
                self._src = float(math.ceil(self._src - 0.5))
            looping = loop is not None and loop[0] <= self._src < loop[1]
            limit = min(loop[1], mix.n_frames) if looping and loop is not None else float(mix.n_frames)
            remaining = limit - self._src
            if remaining <= 0.0:  # past the song end (a loop wraps below, before it gets here)
                self.clock.record(dac_time_s + pos / sr, self.device_frame + pos, float(mix.n_frames), 0.0,
                                  self._segment, self._applied, self._timebase)
                self._ended = True
                self.finished_request = self._applied
                return
            span = min(frames - pos, math.ceil(remaining / rate))
            if fresh:
                self.clock.record(dac_time_s + pos / sr, self.device_frame + pos, self._src, rate,
                                  self._segment, self._applied, self._timebase)
                fresh = False
            view = out[pos:pos + span]
            if self.keep_pitch and rate < 1.0:
                self._render_stretched(view, mix, rate)
            else:
                self._stretch_key = None
                self._render_resampled(view, mix, rate)
            pieces = self._pieces.advance(self._segment, self._src, self.device_frame + pos, rate)
            for track in self.ticks:
                mix_ticks(view, track, self._src, rate, float(self.tick_gain), self._tick_scratch, self._seg_ticks,
                          pieces)
            self._src += span * rate
            pos += span
            if looping and loop is not None and self._src >= loop[1]:
                self._src = loop[0] + (self._src - loop[1])  # keep the sub-frame overshoot: exact wraps
                self._segment += 1
                self._seg_ticks = loop[0] - 0.5
                fresh = True

    def _render_stretched(self, out: np.ndarray, mix: SourceMix, rate: float) -> None:
        """Pitch-preserving path: the mix's WSOLA, restarted at every discontinuity or rate change."""
        key = (self._applied, self._segment, rate, id(mix.stretcher))
        if key != self._stretch_key:
            mix.stretcher.reset(self._src, rate)
            self._stretch_key = key
        np.multiply(mix.gains, self.music_gain, out=mix.work_gains)
        tmp = self._a0[self.channels][:out.shape[0]]
        mix.stretcher.render(tmp, mix.arrays, mix.work_gains)
        add_frames(out, tmp)

    def _render_resampled(self, out: np.ndarray, mix: SourceMix, rate: float) -> None:
        """Plain path: copy at rate 1 on whole frames, linear interpolation otherwise (pitch follows rate)."""
        f = out.shape[0]
        src = self._src
        whole = rate == 1.0 and src == math.floor(src)
        if not whole:
            pos = self._pos[:f]
            np.multiply(self._ramp[:f], rate, out=pos)
            pos += src
            fl = self._floor[:f]
            np.floor(pos, out=fl)
            np.subtract(pos, fl, out=pos)  # pos is rebuilt every block: reuse it for the fraction
            np.copyto(self._frac[:f], pos)  # one contiguous cast; a casting ufunc would buffer (allocate)
            np.copyto(self._idx[:f], fl, casting="unsafe")
        for arr, gain in zip(mix.arrays, mix.gains):
            g = float(gain) * float(self.music_gain)  # Python floats: numpy scalars would promote (NEP 50)
            if g == 0.0:
                continue
            a0 = self._a0[arr.shape[1]][:f]
            if whole:
                read_frames(arr, int(src), a0)
            else:
                self._interpolate(arr, f, a0)
            a0 *= g
            add_frames(out, a0)

    def _interpolate(self, arr: np.ndarray, f: int, dst: np.ndarray) -> None:
        """Linear interpolation of ``arr`` at ``self._pos[:f]`` into ``dst``; zero outside the array.

        The frames needed are first copied into a small contiguous window (zero-padded at the ends), so the
        gather never touches, or copies, the whole song. ``self._idx`` is read, never written: it is filled once per
        block and every source of the mix (the stems) is interpolated at it, so shifting it in place read the
        second and later stems at the wrong frames.
        """
        first = int(self._floor[0])
        length = int(self._floor[f - 1]) - first + 2
        win = self._win[arr.shape[1]][:length]
        read_frames(arr, first, win)
        rel = self._rel[:f]
        np.subtract(self._idx[:f], first, out=rel)
        a1 = self._a1[arr.shape[1]][:f]
        np.take(win, rel, axis=0, out=dst, mode="clip")
        rel += 1
        np.take(win, rel, axis=0, out=a1, mode="clip")
        a1 -= dst
        for ch in range(a1.shape[1]):
            a1[:, ch] *= self._frac[:f]
        dst += a1

"""Assist ticks: short synthesised clicks mixed into the output buffer at exact frames.

Ticks are mixed by the audio callback, not scheduled by a GUI timer, so they agree with the music to the sample at
every rate (ArrowVortex's approach). A tick at song time ``t`` starts at source frame ``round(t * sr)``; at rate
``r`` it starts ``(frame - block_src_frame) / r`` output frames into the block and is played at its own pitch
(ticks are never stretched). Beat ticks are a low "tock", note ticks a bright "tick", so both can run together.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

BEAT = "beat"
NOTE = "note"


def click_sample(kind: str, sample_rate_hz: int) -> np.ndarray:
    """Synthesise an assist-tick sample.

    Parameters
    ----------
    kind : {"beat", "note"}
        ``beat``: 1.2 kHz tone, 30 ms decay; ``note``: 3.2 kHz tone with a noise burst, 12 ms decay.
    sample_rate_hz : int
        Output sample rate.

    Returns
    -------
    np.ndarray, float32, shape (n_frames,)
        Peak amplitude 1 at frame 0 (the onset is the first frame, so a tick is easy to locate exactly).
    """
    if kind not in (BEAT, NOTE):
        raise ValueError(f"unknown tick kind {kind!r} (expected 'beat' or 'note')")
    freq_hz, decay_s, length_s = (1200.0, 0.030, 0.060) if kind == BEAT else (3200.0, 0.012, 0.030)
    t_s = np.arange(int(round(length_s * sample_rate_hz))) / sample_rate_hz
    env = np.exp(-t_s / decay_s)
    wave = np.cos(2 * np.pi * freq_hz * t_s)
    if kind == NOTE:
        # A fixed-seed noise burst gives the note tick a sharper attack than the beat tock; deterministic.
        noise = np.random.default_rng(7).uniform(-1.0, 1.0, t_s.size) * np.exp(-t_s / 0.003)
        wave = 0.7 * wave + 0.3 * noise
        wave[0] = 1.0
    # Fade the last 2 ms so the truncated tail does not click.
    fade = min(t_s.size, int(0.002 * sample_rate_hz))
    env[-fade:] *= np.linspace(1.0, 0.0, fade)
    return (wave * env).astype(np.float32)


@dataclass(frozen=True)
class TickTrack:
    """Sorted tick positions (source frames) and the sample to play at each; immutable, swapped whole.

    ``gains`` (optional) scales each tick on its own: an osu! map's hitsounds share one track per sample, each
    note at its own volume (:mod:`audio.hitsound_bank`). The frames and gains are also kept as Python lists, made
    here on the GUI thread: the callback bisects and reads them without numpy's per-call and per-scalar cost, which
    came to ~10 us per tick and per track (a map with 200 keysound files has 200 tracks)."""

    frames: np.ndarray  # float64, sorted, shape (n_ticks,)
    sample: np.ndarray  # float32, shape (n_sample,)
    gain: float = 1.0
    gains: np.ndarray | None = None  # float64, shape (n_ticks,), in the order of ``frames``
    starts: list[float] = field(init=False, repr=False, compare=False)  # ``frames`` as a list
    levels: list[float] | None = field(init=False, repr=False, compare=False)  # ``gains`` as a list

    def __post_init__(self) -> None:
        object.__setattr__(self, "starts", np.asarray(self.frames, dtype=np.float64).tolist())
        object.__setattr__(self, "levels", None if self.gains is None else np.asarray(self.gains).tolist())

    @classmethod
    def from_seconds(cls, times_s: np.ndarray, sample: np.ndarray, sample_rate_hz: float,
                     gain: float = 1.0, gains: np.ndarray | None = None) -> TickTrack:
        """Ticks at song seconds ``times_s`` (any order; NaNs dropped), rounded to the nearest frame; ``gains``
        (one per time) go with their ticks."""
        t = np.asarray(times_s, dtype=np.float64).ravel()
        keep = np.isfinite(t)
        order = np.argsort(t[keep], kind="stable")
        per_tick = None if gains is None else np.asarray(gains, dtype=np.float64).ravel()[keep][order]
        return cls(frames=np.round(t[keep][order] * sample_rate_hz), sample=np.ascontiguousarray(sample, np.float32),
                   gain=float(gain), gains=per_tick)


class RateSegments:
    """Where the rate changed since the last discontinuity: the map from source frames to output frames.

    Audio thread only. Within one segment of playback (a play, a seek, a loop pass) the source position runs on
    without a break, at one rate per piece; a rate change (at a block boundary) starts a new piece. A tick that
    started in an earlier piece began ``(frame - src[k]) / rate[k]`` output frames after that piece's start, so its
    tail goes on from the right sample whatever the rate is now. ``advance`` must be called before each span's
    ``mix_ticks``. At most ``MAX_PIECES`` are kept; a tick older than the oldest kept piece is placed as if that
    piece's rate had run since its onset.
    """

    MAX_PIECES = 64

    def __init__(self) -> None:
        self.segment: int | None = None
        self.src: list[float] = []  # source frame at each piece's first output frame
        self.out: list[int] = []  # that output frame (device frames)
        self.rate: list[float] = []
        self.now_out = 0  # output frame of the span being mixed

    def advance(self, segment: int, src_frame: float, out_frame: int, rate: float) -> RateSegments | None:
        """The next span starts at ``src_frame``, output frame ``out_frame``, in segment ``segment``; returns
        ``self`` when the rate has changed in this segment, else ``None`` (``mix_ticks`` then needs no map)."""
        self.now_out = out_frame
        if segment != self.segment:
            self.segment = segment
            self.src[:], self.out[:], self.rate[:] = (src_frame,), (out_frame,), (rate,)
        elif rate != self.rate[-1]:
            self.src.append(src_frame)
            self.out.append(out_frame)
            self.rate.append(rate)
            if len(self.rate) > self.MAX_PIECES:
                del self.src[0], self.out[0], self.rate[0]
        return self if len(self.rate) > 1 else None

    def src_at(self, out_frame: float) -> float:
        """Source frame played at ``out_frame`` (a past output frame of this segment)."""
        k = len(self.out) - 1
        while k > 0 and self.out[k] > out_frame:
            k -= 1
        return self.src[k] + (out_frame - self.out[k]) * self.rate[k]

    def onset(self, frame: float) -> int:
        """Output frame, relative to the span being mixed, at which the tick at source ``frame`` started
        (``frame`` before the current piece's start)."""
        k = len(self.src) - 1
        while k > 0 and self.src[k] > frame:
            k -= 1
        return self.out[k] - self.now_out + math.floor((frame - self.src[k]) / self.rate[k] + 0.5)


def mix_ticks(out: np.ndarray, track: TickTrack, src_frame: float, rate: float, gain: float,
              scratch: np.ndarray | None = None, since_frame: float = -np.inf,
              pieces: RateSegments | None = None) -> None:
    """Add the ticks that overlap one rendered span to ``out`` in place.

    Parameters
    ----------
    out : np.ndarray, float32, shape (n_frames, channels)
        The span being rendered; output frame ``k`` plays source frame ``src_frame + k * rate``.
    track : TickTrack
        Ticks to mix.
    src_frame : float
        Source frame at the first output frame of the span.
    rate : float
        Source frames per output frame (0.25 to 1).
    gain : float
        Master tick volume, multiplied by ``track.gain`` (and by each tick's own gain when the track has them).
    scratch : np.ndarray, float32, shape (>= len(track.sample),), optional
        Work buffer so the audio callback does not allocate; one is made when absent.
    since_frame : float, optional
        Ticks before this source frame are left out: they belong to audio before a discontinuity (a loop wrap,
        a play or a seek start), so their tails must not sound mid-decay at the start of the new segment.
    pieces : RateSegments, optional
        The rate changes of this segment, advanced to this span. Without it (or with one piece) every tick is
        placed as if ``rate`` had run since its onset; with it, a tick still sounding across a rate change goes on
        from the sample it had reached, neither skipping nor replaying part of its sound.
    """
    n_out = out.shape[0]
    length = track.sample.shape[0]
    level = gain * track.gain
    starts, levels = track.starts, track.levels
    if n_out == 0 or length == 0 or level == 0.0 or not starts:
        return
    # Ticks that started up to one sample length before the span still sound in it, unless that is before the
    # segment: a loop's pass starts silent even when a beat lies just before the loop start.
    # When the rate changed less than a sample length ago, ticks that began before the change are placed by the rate
    # they began at (``pieces``); otherwise every tick that can still sound began at the current rate.
    multi = pieces if pieces is not None and pieces.now_out - (length + 1) < pieces.out[-1] else None
    if multi is not None:
        first = max(multi.src_at(multi.now_out - (length + 1)), since_frame)
    else:
        first = max(src_frame - (length + 1) * rate, since_frame)
    end = src_frame + n_out * rate
    if starts[-1] < first or starts[0] >= end:  # most tracks of a keysounded map, most of the time
        return
    lo = bisect_left(starts, first)
    for i in range(lo, bisect_left(starts, end, lo)):
        if multi is not None and starts[i] < multi.src[-1]:
            start = multi.onset(starts[i])  # it began before the last rate change
        else:
            start = math.floor((starts[i] - src_frame) / rate + 0.5)
        a, b = max(start, 0), min(start + length, n_out)
        if a >= b:
            continue
        seg = track.sample[a - start:b - start]
        tick_level = level if levels is None else level * levels[i]
        if tick_level != 1.0:
            if scratch is None or scratch.shape[0] < b - a:
                scratch = np.empty(length, dtype=np.float32)
            seg = np.multiply(seg, tick_level, out=scratch[:b - a])
        for ch in range(out.shape[1]):  # column by column: broadcasting would allocate a buffer
            out[a:b, ch] += seg


class TickTracks:
    """The tracks a player mixes over the music, built on the GUI thread: the beat "tock", the note "tick" and an
    osu! map's hitsounds (one track per distinct sample, each note at its own gain: :mod:`audio.hitsound_bank`)."""

    def __init__(self, sample_rate_hz: float) -> None:
        self.sample_rate_hz = float(sample_rate_hz)
        self._clicks = {kind: click_sample(kind, int(round(self.sample_rate_hz))) for kind in (BEAT, NOTE)}

    def tracks(self, beat_s: np.ndarray | None, note_s: np.ndarray | None,
               hitsounds: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]] | None) -> tuple[TickTrack, ...]:
        """Tracks for ticks at song seconds ``beat_s`` and ``note_s`` and for ``hitsounds`` ((times s, gains,
        sample at this rate) per sound); ``None`` leaves a kind out."""
        out = [TickTrack.from_seconds(times, self._clicks[kind], self.sample_rate_hz)
               for kind, times in ((BEAT, beat_s), (NOTE, note_s)) if times is not None]
        out += [TickTrack.from_seconds(times, sample, self.sample_rate_hz, gains=gains)
                for times, gains, sample in hitsounds or () if len(times) and len(sample)]
        return tuple(out)

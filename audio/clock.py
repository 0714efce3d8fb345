"""The playback clock: maps a time on the output stream's clock to a song position (ARCHITECTURE §4).

The audio callback (one writer) records, for every block it renders, where that block's first frame reaches the
DAC (``dac_time_s``, on the stream's time base), which source frame it starts at, and the rate. The GUI (one
reader) asks :meth:`PlaybackClock.song_seconds` at any time and gets the song position that is *audible now*:
the newest entry whose DAC time has passed, advanced by ``(now - dac) * rate``. This is StepMania's ``pos_map``
idea; the sound card's clock, not a wall-clock timer, drives the playhead.

Lock-free protocol: the ring is preallocated numpy arrays. The writer fills slot ``count % capacity`` and then
publishes ``count + 1``; the reader copies the arrays and keeps only entries that were published before the
copy started and could not have been overwritten before it ended. Neither side waits on the other. The ring must
reach back as far as the reader looks: device latency plus the user's offsets (:func:`ring_capacity`); the player
sizes it with :meth:`PlaybackClock.reserve` before its stream starts.

Jitter: hosts that report no DAC time get ``currentTime + latency`` (:func:`effective_dac_time`), and
``currentTime`` is when the callback happened to run, always a little late. The writer also records the device
frame counter, so the reader rebuilds each entry's DAC time as ``device_frame / sr + offset`` with ``offset`` the
smallest ``dac - device_frame / sr`` among the recent entries of the same time base: late wake-ups are filtered
out and exact hosts (JACK, CoreAudio, ALSA) are unaffected. An underrun starts a new time base.

Offsets stay apart: ``output_latency_s`` (sound heard later than the host says, e.g. Bluetooth) and
``visual_offset_s`` (draw the playhead ahead to make up for display lag) are user settings in real seconds; the
chart's ``#OFFSET`` is chart data and never appears here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

OUTLIER_MADS = 4.0  # calibration: taps this many median absolute deviations from the median are stray
OUTLIER_FLOOR_S = 0.030  # ... but never reject within 30 ms: human tapping spread is about that wide
OFFSET_LEAK = 0.0002  # s/s: 200 ppm, above the usual 20-100 ppm between a system clock and a sound card
MAX_USER_OFFSET_S = 0.5  # output latency and visual offset settings each go to +-500 ms (editor/settings.py)
RING_MARGIN_S = 0.25  # ring span beyond latency + offsets: a block ahead, late GUI reads, hosts' DAC-time guesses
_FIELDS = ("dac", "device_frame", "src_frame", "rate", "segment", "request", "timebase")


def effective_dac_time(dac_time_s: float, current_time_s: float, latency_s: float, now_s: float) -> float:
    """DAC time of a block's first frame, with the fallback for hosts that report none.

    Parameters
    ----------
    dac_time_s : float
        ``outputBufferDacTime`` from the host, seconds on the stream clock; ``0`` means "not reported".
    current_time_s : float
        ``currentTime`` from the host (seconds); ``0`` means "not reported" too.
    latency_s : float
        The stream's output latency in seconds (``stream.latency``).
    now_s : float
        The stream clock read in the callback, used when the host reports neither time.

    Returns
    -------
    float
        Seconds on the stream clock when the block starts to sound.
    """
    if dac_time_s > 0.0:
        return dac_time_s
    base = current_time_s if current_time_s > 0.0 else now_s
    return base + latency_s


def ring_capacity(sample_rate_hz: float, blocksize: int, device_latency_s: float, wraps_per_s: float) -> int:
    """Ring entries that cover everything the reader may look back to.

    The newest entry sounds up to ``device_latency_s`` (and a block) after the reader's "now", and the reader asks
    for ``now - output_latency_s + visual_offset_s``, so the ring spans ``device_latency_s`` plus both offsets at
    their limit plus a margin. Over that span there is one entry per block and one per loop wrap (at most
    ``wraps_per_s``: the shortest loop at rate 1). A fixed 64 entries covered 0.34 s at 96 kHz and less with a
    short loop; when no entry was old enough the playhead froze at the play position.

    Parameters
    ----------
    sample_rate_hz : float
        Output rate.
    blocksize : int
        Frames per callback block (the smallest block the host passes).
    device_latency_s : float
        The stream's output latency (how far ahead of "now" the callback renders).
    wraps_per_s : float
        Most loop wraps per second of output.

    Returns
    -------
    int
        Capacity to pass to :meth:`PlaybackClock.reserve`.
    """
    span_s = max(0.0, device_latency_s) + 2 * MAX_USER_OFFSET_S + RING_MARGIN_S
    per_s = sample_rate_hz / max(1, int(blocksize)) + max(0.0, wraps_per_s)
    return max(4, math.ceil(span_s * per_s) + 4)  # + 4: partial blocks at both ends of the span, the end entry


class PlaybackClock:
    """Source-position map written by the audio thread and read by the GUI thread.

    Parameters
    ----------
    sample_rate_hz : float
        Rate of the source frames recorded (the rate the player renders at).
    capacity : int
        Ring size in entries; the player grows it to :func:`ring_capacity` with :meth:`reserve` (64 blocks of
        512 frames cover 0.74 s at 44.1 kHz but only 0.34 s at 96 kHz, and loop wraps take entries too).
    window : int
        Entries used to filter DAC-time jitter (see module docstring).

    Notes
    -----
    ``record`` is for the audio thread only; ``hold``, ``song_seconds`` and ``audible_seconds`` for one GUI
    thread (the monotonic guard keeps state). Seconds returned are song seconds: ``src_frame / sample_rate_hz``.
    """

    def __init__(self, sample_rate_hz: float, capacity: int = 64, window: int = 32) -> None:
        if sample_rate_hz <= 0 or capacity < 4 or not 1 <= window <= capacity:
            raise ValueError("PlaybackClock needs sample_rate_hz > 0, capacity >= 4 and 1 <= window <= capacity")
        self.sample_rate_hz = float(sample_rate_hz)
        self.capacity = int(capacity)
        self.window = int(window)
        self.smoothing = True  # jitter filter on; False gives the raw host times (for measurements)
        self.output_latency_s = 0.0
        self.visual_offset_s = 0.0
        self._rings = {name: np.zeros(capacity, dtype=np.float64) for name in _FIELDS}
        self._count = 0  # published entries; only the writer increments it
        self._oldest = 0  # first entry still stored (a ring grown by reserve holds no entries before it)
        self._hold_s = 0.0  # shown while paused, and after a seek until the new audio reaches the DAC
        self._min_request = 0
        self._playing = False
        self._last_key: tuple[int, int] | None = None  # (request, segment) of the last playhead returned
        self._last_s = 0.0
        self._offset_state: tuple[float, float, float] | None = None  # (timebase, offset s, at device s)

    # --- writer (audio thread) -------------------------------------------------------------------------

    def record(self, dac_time_s: float, device_frame: float, src_frame: float, rate: float,
               segment: int, request: int, timebase: int = 0) -> None:
        """Publish one entry: the frame at ``src_frame`` sounds at ``dac_time_s`` and advances by ``rate``.

        ``device_frame`` counts frames handed to the device since the stream started; ``segment`` changes at
        every discontinuity (seek, loop wrap); ``request`` is the transport request the entry belongs to;
        ``timebase`` changes when the device timeline breaks (underrun). ``rate`` 0 marks a stop (song end).
        """
        slot = self._count % self.capacity
        rings = self._rings
        rings["dac"][slot] = dac_time_s
        rings["device_frame"][slot] = device_frame
        rings["src_frame"][slot] = src_frame
        rings["rate"][slot] = rate
        rings["segment"][slot] = segment
        rings["request"][slot] = request
        rings["timebase"][slot] = timebase
        self._count += 1  # publish last: readers ignore the slot until this point

    def reserve(self, capacity: int) -> None:
        """Grow the ring to at least ``capacity`` entries, keeping the entries it holds.

        Call before the audio thread starts writing (the player does, between opening and starting its stream):
        the writer may not see the swap in the middle of :meth:`record`. New arrays are made here, never in the
        callback.
        """
        capacity = int(capacity)
        if capacity <= self.capacity:
            return
        kept = np.arange(max(0, self._count - self.capacity), self._count)
        rings = {name: np.zeros(capacity, dtype=np.float64) for name in _FIELDS}
        for name, ring in rings.items():
            ring[kept % capacity] = self._rings[name][kept % self.capacity]
        self._rings, self.capacity, self._oldest = rings, capacity, int(kept[0]) if kept.size else self._count

    @property
    def entries_recorded(self) -> int:
        """Entries written since the clock was made."""
        return self._count

    # --- control (GUI thread) ------------------------------------------------------------------------

    def hold(self, song_s: float, request: int, playing: bool) -> None:
        """Show ``song_s`` until entries of ``request`` (or a later one) reach the DAC; freeze if not playing."""
        self._hold_s = float(song_s)
        self._min_request = int(request)
        self._playing = bool(playing)
        self._last_key = None

    @property
    def playing(self) -> bool:
        """Whether the transport was last set to play."""
        return self._playing

    # --- reader (GUI thread) ------------------------------------------------------------------------

    def audible_seconds(self, now_s: float) -> float:
        """Song seconds sounding at ``now_s`` (stream clock), after the user's output latency."""
        return self._position(now_s - self.output_latency_s)[0]

    def played_seconds(self, now_s: float, device_frame: float) -> float:
        """Song seconds audible at ``now_s``, but no later than the end of the audio the device was given:
        ``device_frame`` frames so far (the renderer's count). Where a stream that stopped by itself left off; the
        plain :meth:`audible_seconds` would extrapolate from the last entry past anything heard."""
        snap = self._snapshot()
        if snap is not None and self._playing:
            end_dac = snap["dac"][-1] + (device_frame - snap["device_frame"][-1]) / self.sample_rate_hz
            now_s = min(now_s, float(end_dac) + self.output_latency_s)
        return self.audible_seconds(now_s)

    def song_seconds(self, now_s: float) -> float:
        """Playhead position in song seconds for a frame drawn at ``now_s`` (stream clock).

        Applies output latency and visual offset; monotonic within one segment while playing; the held
        position while paused or before the first block of a new request has reached the DAC.
        """
        pos_s, key = self._position(now_s - self.output_latency_s + self.visual_offset_s)
        if key is not None and key == self._last_key:
            pos_s = max(pos_s, self._last_s)  # never backwards inside one segment
        self._last_key, self._last_s = key, pos_s
        return pos_s

    def _snapshot(self) -> dict[str, np.ndarray] | None:
        """Chronological copy of the entries that are safe to read, or None when there are none."""
        for _ in range(4):
            before = self._count
            copies = {name: ring.copy() for name, ring in self._rings.items()}
            after = self._count
            # The writer may be filling the slot of entry `after` (= slot of after - capacity): exclude it.
            first = max(self._oldest, after - self.capacity + 1)
            if first < before:
                order = np.arange(first, before) % self.capacity
                return {name: arr[order] for name, arr in copies.items()}
            if before == 0:
                return None
        return None  # the writer lapped the reader four times: treat as no data this frame

    def _position(self, t_s: float) -> tuple[float, tuple[int, int] | None]:
        """Song seconds at stream time ``t_s`` and the (request, segment) it came from (None when held)."""
        if not self._playing:
            return self._hold_s, None
        snap = self._snapshot()
        if snap is None:
            return self._hold_s, None
        dac = self._filtered_dac(snap) if self.smoothing else snap["dac"]
        passed = np.flatnonzero(dac <= t_s)
        if passed.size == 0:
            return self._hold_s, None
        i = int(passed[-1])
        request = int(snap["request"][i])
        if request < self._min_request:
            return self._hold_s, None  # audio of an earlier request (before a seek/pause) is still sounding
        src_s = snap["src_frame"][i] / self.sample_rate_hz + (t_s - dac[i]) * snap["rate"][i]
        return float(src_s), (request, int(snap["segment"][i]))

    def _filtered_dac(self, snap: dict[str, np.ndarray]) -> np.ndarray:
        """DAC times rebuilt from the device frame counter and the earliest offset of each time base.

        Older time bases in the snapshot use the minimum over their newest ``window`` entries. The newest one
        keeps a leaky minimum across calls: every entry seen lowers it, and it rises by ``OFFSET_LEAK`` (seconds
        per second of device time) so that a real drift between the stream clock and the DAC is followed. A
        window alone forgot the good entries after a burst of late wake-ups and erred by up to 1 ms more.
        """
        frame_s = snap["device_frame"] / self.sample_rate_hz
        offset = snap["dac"] - frame_s
        out = snap["dac"].copy()
        timebase = snap["timebase"]
        newest_tb = timebase[-1]
        for tb in np.unique(timebase):
            idx = np.flatnonzero(timebase == tb)
            if tb != newest_tb:
                out[idx] = frame_s[idx] + float(offset[idx[-self.window:]].min())
                continue
            now_s = float(frame_s[idx[-1]])
            # offsets aged to the newest entry: an old low offset counts for less the older it is
            best = float((offset[idx] + OFFSET_LEAK * (now_s - frame_s[idx])).min())
            if self._offset_state is not None and self._offset_state[0] == tb:
                _, prev_best, prev_s = self._offset_state
                best = min(best, prev_best + OFFSET_LEAK * (now_s - prev_s))
            self._offset_state = (float(tb), best, now_s)
            out[idx] = frame_s[idx] + best
        return out


@dataclass(frozen=True)
class LatencyEstimate:
    """Result of :func:`estimate_latency`: add ``latency_s`` to the current output latency setting."""

    latency_s: float
    spread_s: float  # median absolute deviation of the used offsets
    n_used: int
    n_rejected: int


def estimate_latency(tap_s: np.ndarray, click_s: np.ndarray, rate: float = 1.0,
                     min_taps: int = 4) -> LatencyEstimate:
    """Estimate extra output latency from taps made along with a click track.

    Parameters
    ----------
    tap_s : np.ndarray, shape (n_taps,)
        Song seconds of the user's taps, read from :meth:`PlaybackClock.audible_seconds` at each key press.
    click_s : np.ndarray, shape (n_clicks,)
        Song seconds of the clicks (sorted).
    rate : float
        Playback rate during the calibration; offsets in song seconds are divided by it to get real seconds.
    min_taps : int
        Fewest usable taps accepted.

    Returns
    -------
    LatencyEstimate
        Median of ``tap - nearest click`` in real seconds. Taps further than half the click spacing from any
        click are ambiguous, and taps further than ``max(4 MAD, 30 ms)`` from the first median are stray; both
        are rejected. Positive means the sound reaches the user later than the clock says.

    Raises
    ------
    ValueError
        Fewer than ``min_taps`` usable taps, or fewer than two clicks.
    """
    taps = np.asarray(tap_s, dtype=np.float64).ravel()
    clicks = np.sort(np.asarray(click_s, dtype=np.float64).ravel())
    if clicks.size < 2:
        raise ValueError("calibration needs at least two clicks")
    spacing_s = float(np.median(np.diff(clicks)))
    idx = np.clip(np.searchsorted(clicks, taps), 1, clicks.size - 1)
    left, right = clicks[idx - 1], clicks[idx]
    nearest = np.where(np.abs(taps - left) <= np.abs(taps - right), left, right)
    offsets = (taps - nearest) / rate
    ok = np.abs(offsets) < spacing_s / rate / 2  # both in real seconds (a slowed song spreads its clicks out)
    if int(ok.sum()) >= min_taps:
        # Second pass: drop taps far from the first median (a missed beat, a double tap).
        first = float(np.median(offsets[ok]))
        mad = float(np.median(np.abs(offsets[ok] - first)))
        ok &= np.abs(offsets - first) <= max(OUTLIER_MADS * mad, OUTLIER_FLOOR_S)
    if int(ok.sum()) < min_taps:
        raise ValueError(f"calibration needs at least {min_taps} taps near the clicks, got {int(ok.sum())}")
    used = offsets[ok]
    median = float(np.median(used))
    return LatencyEstimate(latency_s=median, spread_s=float(np.median(np.abs(used - median))),
                           n_used=int(ok.sum()), n_rejected=int((~ok).sum()))

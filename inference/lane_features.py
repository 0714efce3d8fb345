"""Lane-model data: arrow rows of a chart, the model's row features and its autoregressive history input.

Pure numpy, shared by training (:mod:`training.lane_data`) and inference (:mod:`inference.lanes`) so that the
lane model never sees features computed differently in the two places. See :mod:`inference.lanes` for what the
model predicts and how decoding uses these.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from operator import add
from typing import Any

import numpy as np

from chart.notes import Note, NoteKind
from chart.snap import quantization

N_LANES = 4
N_ARROW_CLASSES = 15  # class c <-> lane bit mask c + 1
#: Hold lengths in beats the model chooses from (the commonest lengths in the training charts).
HOLD_LENGTHS_BEAT: tuple[Fraction, ...] = tuple(Fraction(x) for x in (
    "1/4", "1/3", "1/2", "2/3", "3/4", "1", "3/2", "2", "5/2", "3", "4", "6", "8"))
MIN_HOLD_BEAT = Fraction(1, 4)  # shorter holds become taps
TAIL_GRID_BEAT = Fraction(1, 4)  # a hold cut short ends on the sixteenth grid before what cuts it


def cut_hold_length(head_beat: Fraction, before_beat: Fraction) -> Fraction:
    """Length of a hold from ``head_beat`` cut to end on the sixteenth grid before ``before_beat`` (a later row in
    its lane, or the end of a drafted range); 0 (a tap) when that leaves less than :data:`MIN_HOLD_BEAT`."""
    length = (math.ceil(before_beat / TAIL_GRID_BEAT) - 1) * TAIL_GRID_BEAT - head_beat
    return length if length >= MIN_HOLD_BEAT else Fraction(0)


SNAP_DIVISORS = (4, 8, 12, 16, 24)  # one-hot of a row's snap; everything finer shares one extra slot
AUDIO_GROUPS = 16  # mel bands are averaged into this many groups
N_SLOTS = 5
TIMING_DIM = 6 + 2 + 4 + (len(SNAP_DIVISORS) + 1) + 1 + N_SLOTS  # gaps, flags, phases, snap, density, slot
AUDIO_DIM = 2 * AUDIO_GROUPS + 1
ROW_DIM = TIMING_DIM + AUDIO_DIM
PREV_ROWS = 4  # previous rows whose arrows the model sees explicitly (the GRU state carries the rest)
COPY_CONTEXTS = (4, 8, 16)  # context lengths (rows) of the copy hints, see CopyMemory
HISTORY_DIM = N_LANES * (PREV_ROWS + 2) + len(COPY_CONTEXTS) * (N_LANES + 1)
HELD_SLICE = slice(N_LANES * (PREV_ROWS + 1), N_LANES * (PREV_ROWS + 2))

#: ``MASK_BITS[m, l]`` is 1 when bit mask ``m`` (0..15) contains lane ``l``.
MASK_BITS = ((np.arange(16)[:, None] >> np.arange(N_LANES)[None, :]) & 1).astype(np.int64)
POPCOUNT = MASK_BITS.sum(axis=1)
#: The same bits as Python floats per mask, and a found hint (bits + found flag) per mask: the decoder builds
#: each row's history as a list (one array per row step, not one per part).
LANE_VALUES: tuple[tuple[float, ...], ...] = tuple(tuple(float(x) for x in row) for row in MASK_BITS)
HINT_VALUES: tuple[tuple[float, ...], ...] = tuple((*row, 1.0) for row in LANE_VALUES)
NO_HINT: tuple[float, ...] = (0.0,) * (N_LANES + 1)
CLASS_MASKS = np.arange(1, 16)  # bit mask of each class


# ---------------------------------------------------------------------------------------------------- rows
@dataclass
class LaneRows:
    """Arrow rows of one chart: row beats plus per-row lane masks and hold lengths.

    ``arrows[i]`` and ``holds[i]`` are bit masks (bit ``l`` = lane ``l``), ``holds[i]`` a subset of
    ``arrows[i]``; ``lengths[i][l]`` is the hold length in beats of lane ``l`` (0 where no hold). A decoded
    chart also has ``confidence[i]``: the lane model's probability of the arrow set it chose (1 for fixed rows).
    """

    beats: list[Fraction]
    arrows: np.ndarray
    holds: np.ndarray
    lengths: list[list[Fraction]] = field(default_factory=list)
    confidence: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.beats)

    def to_notes(self) -> list[Note]:
        """Taps and holds, in canonical order."""
        out: list[Note] = []
        for beat, arrows, holds, lengths in zip(self.beats, self.arrows, self.holds, self.lengths):
            for lane in range(N_LANES):
                if not (int(arrows) >> lane) & 1:
                    continue
                if (int(holds) >> lane) & 1 and lengths[lane] > 0:
                    out.append(Note(beat, lane, NoteKind.HOLD, lengths[lane]))
                else:
                    out.append(Note(beat, lane))
        return out


def rows_from_notes(notes: Sequence[Note]) -> LaneRows:
    """Group a chart's onset notes (taps, holds, rolls, lifts in lanes 0..3) into rows; mines are ignored.

    Rolls count as holds: the lane model outputs holds only (a refine puts its kept rolls and lifts back:
    :func:`inference.lane_context.kept_kinds`).
    """
    by_beat: dict[Fraction, list[Note]] = {}
    for n in notes:
        if n.kind.is_onset and 0 <= n.lane < N_LANES:
            by_beat.setdefault(n.beat, []).append(n)
    beats = sorted(by_beat)
    arrows = np.zeros(len(beats), dtype=np.int64)
    holds = np.zeros(len(beats), dtype=np.int64)
    lengths = [[Fraction(0)] * N_LANES for _ in beats]
    for i, b in enumerate(beats):
        for n in by_beat[b]:
            arrows[i] |= 1 << n.lane
            if n.kind.has_length and n.length > 0:
                holds[i] |= 1 << n.lane
                lengths[i][n.lane] = n.length
    return LaneRows(beats, arrows, holds, lengths)


def length_class(length_beat: float | Fraction) -> int:
    """Index of the nearest :data:`HOLD_LENGTHS_BEAT` entry (in log length)."""
    ref = np.log2(np.asarray([float(x) for x in HOLD_LENGTHS_BEAT]))
    return int(np.argmin(np.abs(ref - np.log2(max(float(length_beat), 1e-3)))))


def held_masks(rows: LaneRows) -> np.ndarray:
    """Lanes held at each row by holds that started on an earlier row (``start < beat <= end``), shape (N,)."""
    out = np.zeros(len(rows), dtype=np.int64)
    beats_f = np.array([float(b) for b in rows.beats], dtype=np.float64)
    for i in np.flatnonzero(rows.holds):
        for lane in range(N_LANES):
            if (int(rows.holds[i]) >> lane) & 1:
                end = float(rows.beats[i] + rows.lengths[i][lane])
                hit = (beats_f > beats_f[i]) & (beats_f <= end + 1e-9)
                out[hit] |= 1 << lane
    return out


def gap_keys(beats: Sequence[Fraction]) -> list[tuple[int, int] | None]:
    """Gap to the previous row of every row as an exact (numerator, denominator) pair in lowest terms (None for
    row 0): equal exactly when the Fractions are, much cheaper to hash and to compute (no Fraction objects)."""
    out: list[tuple[int, int] | None] = [None]
    for a, b in zip(beats, beats[1:]):
        num = b.numerator * a.denominator - a.numerator * b.denominator
        den = a.denominator * b.denominator
        g = math.gcd(num, den)
        out.append((num // g, den // g))
    return out


#: The chart memories' context keys pack each row into one int: its lane mask (or renamed code, 0..15) plus
#: this times an id of the gap after it (:func:`gap_codes`), so equal keys are exactly equal rows and rhythm.
CONTEXT_SYMBOLS = 1 << N_LANES


def gap_codes(beats: Sequence[Fraction]) -> list[int]:
    """Every row's gap to the previous row (:func:`gap_keys`) as :data:`CONTEXT_SYMBOLS` times a small id, one id
    per distinct gap of the chart (0 for row 0): equal exactly when the gaps are, and ready to add to a row's
    lane mask in a context key (the cheapest thing to hash)."""
    ids: dict[tuple[int, int] | None, int] = {None: 0}
    return [CONTEXT_SYMBOLS * ids.setdefault(key, len(ids)) for key in gap_keys(beats)]


def context_symbols(arrows: Sequence[int], gaps: Sequence[int], lo: int, hi: int) -> tuple[int, ...]:
    """The packed rows ``lo:hi`` (oldest first): each row's lane mask plus its :func:`gap_codes` entry."""
    return tuple(map(add, arrows[lo:hi], gaps[lo + 1:hi + 1]))


class MemoryPart:
    """A chart memory: :meth:`write` appends row ``i``'s values to a history list (the decoder builds one list per
    row, one array per step); :meth:`query` returns them as an array."""

    def write(self, out: list[float], arrows: Sequence[int], i: int) -> None:
        raise NotImplementedError

    def query(self, arrows: Sequence[int], i: int) -> np.ndarray:
        """Row ``i``'s values (what :meth:`write` appends), float32."""
        out: list[float] = []
        self.write(out, arrows, i)
        return np.array(out, dtype=np.float32)


class CopyMemory(MemoryPart):
    """Charts repeat themselves: when the last ``k`` rows (arrows and rhythm) occurred before in this chart,
    the arrows that followed them then are a strong hint now. For each ``k`` of :data:`COPY_CONTEXTS`, remembers
    the arrows that followed the most recent occurrence of every context of ``k`` rows.

    Works on the reference (teacher forcing) and on the decoder's own choices alike: :meth:`query` row ``i``
    before choosing it, :meth:`record` it after.
    """

    def __init__(self, beats: Sequence[Fraction], gaps: list[int] | None = None) -> None:
        self.gaps = gaps if gaps is not None else gap_codes(beats)
        self.seen: list[dict[tuple, int]] = [{} for _ in COPY_CONTEXTS]
        self._cached: tuple[int, list[tuple | None]] = (-1, [])

    def _keys(self, arrows: Sequence[int], i: int) -> list[tuple | None]:
        """Keys of the contexts ending before row ``i`` (:func:`context_symbols`; cached: query and record of a
        row use the same)."""
        if self._cached[0] != i:
            recent = context_symbols(arrows, self.gaps, max(0, i - COPY_CONTEXTS[-1]), i)
            self._cached = (i, [recent[len(recent) - k:] if i >= k else None for k in COPY_CONTEXTS])
        return self._cached[1]

    def write(self, out: list[float], arrows: Sequence[int], i: int) -> None:
        """Append row ``i``'s hints to ``out``: per context length, the remembered arrows (4 bits) and a found
        flag (5 values each). ``arrows`` holds ints (a list is fastest); only rows before ``i`` are read."""
        for seen, key in zip(self.seen, self._keys(arrows, i)):
            found = seen.get(key) if key is not None else None
            out.extend(NO_HINT if found is None else HINT_VALUES[found])

    def record(self, arrows: Sequence[int], i: int) -> None:
        """Remember that ``arrows[i]`` followed the contexts ending at row ``i`` (call after :meth:`query`)."""
        for j, key in enumerate(self._keys(arrows, i)):
            if key is not None:
                self.seen[j][key] = int(arrows[i])


def history_head(arrows: Sequence[int], holds: Sequence[int], i: int, held: int) -> list[float]:
    """The fixed part of row ``i``'s history (:func:`history_features` without the chart memory), as a list."""
    out: list[float] = []
    for j in range(i - 1, i - PREV_ROWS - 1, -1):
        out.extend(LANE_VALUES[int(arrows[j])] if j >= 0 else LANE_VALUES[0])
    out.extend(LANE_VALUES[int(holds[i - 1]) if i else 0])
    out.extend(LANE_VALUES[held])
    return out


def history_features(arrows: Sequence[int], holds: Sequence[int], i: int, held: int,
                     copy: np.ndarray | Sequence[float]) -> np.ndarray:
    """What the decoder already chose, as the model's autoregressive input for row ``i``.

    Parameters
    ----------
    arrows, holds : sequence of int, shape (N,)
        Lane bit masks of the chart's rows (only rows before ``i`` are read).
    i : int
        The row about to be chosen.
    held : int
        Lanes held at row ``i`` by earlier holds (bit mask).
    copy : array or sequence of float, shape (M,)
        The chart memory of row ``i``: :meth:`CopyMemory.query` (15,), or with a richer layout
        :meth:`inference.lane_memory.ChartMemory.query`.

    Returns
    -------
    np.ndarray, float32, shape (24 + M,)
        Arrows of the previous :data:`PREV_ROWS` rows (4 bits each, newest first, 0 before the chart), hold
        heads of the previous row, held lanes, then ``copy``.
    """
    out = history_head(arrows, holds, i, held)
    out.extend(copy.tolist() if isinstance(copy, np.ndarray) else copy)
    return np.array(out, dtype=np.float32)


def held_from_history(history: np.ndarray) -> np.ndarray:
    """Held-lane bit masks (B,) back from history features (B, HISTORY_DIM)."""
    bits = history[:, HELD_SLICE].astype(np.int64)
    return (bits << np.arange(N_LANES)).sum(axis=1)


def teacher_history(rows: LaneRows, layout: Any = None) -> np.ndarray:
    """History features of a reference chart (teacher forcing), shape (N, layout.dim).

    ``layout`` is an :class:`inference.lane_memory.HistoryLayout` (default: lane-v1's, ``HISTORY_DIM`` wide).
    """
    from inference.lane_memory import DEFAULT_LAYOUT, ChartMemory  # it builds on CopyMemory above

    layout = layout or DEFAULT_LAYOUT
    held = held_masks(rows).tolist()
    memory = ChartMemory(rows.beats, layout)
    arrows, holds = rows.arrows.tolist(), rows.holds.tolist()  # ints: the memories hash and slice them
    out = []
    for i in range(len(rows)):
        row = history_head(arrows, holds, i, held[i])
        memory.write(row, arrows, i)
        out.append(row)
        memory.record(arrows, i)
    return np.array(out, dtype=np.float32).reshape(len(rows), layout.dim)


# ---------------------------------------------------------------------------------------------------- features
def _log_gap(gap: np.ndarray, lo: float, hi: float, scale: float) -> np.ndarray:
    return (np.log2(np.clip(gap, lo, hi)) / scale).astype(np.float32)


def timing_features(beats: np.ndarray, seconds: np.ndarray, slot: int) -> np.ndarray:
    """Timing part of the row features.

    Parameters
    ----------
    beats : np.ndarray, float64, shape (N,)
        Row positions in beats (sorted).
    seconds : np.ndarray, float64, shape (N,)
        The same rows in seconds (from the chart's timing).
    slot : int
        Difficulty index, Beginner=0 .. Challenge=4.

    Returns
    -------
    np.ndarray, float32, shape (N, TIMING_DIM)
        Log time (s) and beat gaps to the previous, next and next-but-one row, first/last flags, beat and
        measure phase (sin, cos), snap one-hot, local density (rows within ±2 s), slot one-hot.
    """
    n = len(beats)
    big_s, big_beat = 8.0, 16.0
    pad_t = np.concatenate([[seconds[0] - big_s] if n else [], seconds, [seconds[-1] + big_s] * 2 if n else []])
    pad_b = np.concatenate([[beats[0] - big_beat] if n else [], beats, [beats[-1] + big_beat] * 2 if n else []])
    cols = []
    for pad, lo, hi, scale in ((pad_t, 1 / 32, big_s, 5.0), (pad_b, 1 / 48, big_beat, 6.0)):
        cols += [_log_gap(pad[1:n + 1] - pad[:n], lo, hi, scale), _log_gap(pad[2:n + 2] - pad[1:n + 1], lo, hi, scale),
                 _log_gap(pad[3:n + 3] - pad[1:n + 1], lo, hi, scale)]
    index = np.arange(n)
    cols += [(index == 0).astype(np.float32), (index == n - 1).astype(np.float32)]
    for period in (1.0, 4.0):
        angle = 2 * np.pi * np.mod(beats / period, 1.0)
        cols += [np.sin(angle), np.cos(angle)]
    out = np.stack(cols, axis=1).astype(np.float32) if n else np.zeros((0, 12), np.float32)
    snap = np.zeros((n, len(SNAP_DIVISORS) + 1), dtype=np.float32)
    for i, b in enumerate(beats):
        q = quantization(Fraction(float(b)).limit_denominator(192))
        snap[i, SNAP_DIVISORS.index(q) if q in SNAP_DIVISORS else len(SNAP_DIVISORS)] = 1
    density = (np.searchsorted(seconds, seconds + 2.0, "right") - np.searchsorted(seconds, seconds - 2.0)) / 16.0
    slot_hot = np.zeros((n, N_SLOTS), dtype=np.float32)
    slot_hot[:, min(max(int(slot), 0), N_SLOTS - 1)] = 1
    return np.concatenate([out, snap, density[:, None].astype(np.float32), slot_hot], axis=1)


def audio_features_at_rows(feats: np.ndarray | None, frame_rate_hz: float, n_mels: int,
                           seconds: np.ndarray) -> np.ndarray:
    """Audio part of the row features: song-standardised mel-band groups around each row and their rise.

    Parameters
    ----------
    feats : np.ndarray, float32, shape (T, C) or None
        :func:`inference.features.compute_features` output (``C`` a multiple of ``n_mels``); None = no audio.
    frame_rate_hz : float
        Feature frames per second.
    n_mels : int
        Mel bands per FFT size (the FFT sizes are averaged).
    seconds : np.ndarray, float64, shape (N,)
        Row times in seconds.

    Returns
    -------
    np.ndarray, float32, shape (N, AUDIO_DIM)
        ``AUDIO_GROUPS`` band levels (±2 frames around the row), ``AUDIO_GROUPS`` rises (the 4 frames from the
        row minus the 6 before), and a 1/0 "audio present" flag. All zero without audio.
    """
    n = len(seconds)
    out = np.zeros((n, AUDIO_DIM), dtype=np.float32)
    if feats is None or n == 0 or len(feats) == 0:
        return out
    t_frames, c = feats.shape
    bands = feats.reshape(t_frames, c // n_mels, n_mels).mean(axis=1)
    groups = np.stack([g.mean(axis=1) for g in np.array_split(bands, AUDIO_GROUPS, axis=1)], axis=1)
    groups = (groups - groups.mean(axis=0)) / np.maximum(groups.std(axis=0), 1e-3)
    csum = np.concatenate([np.zeros((1, AUDIO_GROUPS)), np.cumsum(groups, axis=0)], axis=0)

    def window_mean(start: np.ndarray, stop: np.ndarray) -> np.ndarray:
        lo, hi = np.clip(start, 0, t_frames), np.clip(stop, 0, t_frames)
        width = np.maximum(hi - lo, 1)[:, None]
        return (csum[hi] - csum[lo]) / width

    centre = np.rint(np.asarray(seconds) * frame_rate_hz).astype(np.int64)
    out[:, :AUDIO_GROUPS] = window_mean(centre - 2, centre + 3)
    out[:, AUDIO_GROUPS:2 * AUDIO_GROUPS] = window_mean(centre, centre + 4) - window_mean(centre - 6, centre)
    out[:, -1] = 1.0
    return out


def row_features(beats: Sequence[Fraction] | np.ndarray, seconds: np.ndarray, slot: int,
                 feats: np.ndarray | None = None, frame_rate_hz: float = 100.0, n_mels: int = 80) -> np.ndarray:
    """Every non-autoregressive input of the lane model, shape (N, ROW_DIM) float32 (see the parts above)."""
    beats_f = np.array([float(b) for b in beats], dtype=np.float64)
    seconds = np.asarray(seconds, dtype=np.float64)
    return np.concatenate([timing_features(beats_f, seconds, slot),
                           audio_features_at_rows(feats, frame_rate_hz, n_mels, seconds)], axis=1)

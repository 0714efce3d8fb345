"""Snapping: the only code that rounds beats to a grid (editor, decoder and checks all call it).

A *divisor* counts notes per 4-beat measure, as designers say it: 4 = quarter notes (1 per beat),
8 = eighths, 12 = triplet eighths, 16 = sixteenths, ... 192 = StepMania's finest row.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from fractions import Fraction

import numpy as np

from chart.notes import Note, NoteKind, sort_notes

DIVISORS: tuple[int, ...] = (4, 8, 12, 16, 24, 32, 48, 64, 96, 192)
#: On StepMania's grid, but rarely meant: Verify warns about them (``chart.checks.unsnapped``) and the decoder
#: uses them only when no other snap of its slot is near (``inference.decode.snap_rows``).
UNUSUAL_DIVISORS: tuple[int, ...] = (96, 192)


def step(divisor: int) -> Fraction:
    """Grid step in beats for a divisor (4 beats per measure)."""
    if divisor <= 0:
        raise ValueError(f"snap divisor must be positive, got {divisor}")
    return Fraction(4, divisor)


def snap_beat(beat: Fraction | float, divisor: int) -> Fraction:
    """Nearest grid beat (ties round half to even)."""
    s = step(divisor)
    b = beat if isinstance(beat, Fraction) else Fraction(beat)
    return round(b / s) * s


def is_on_grid(beat: Fraction, divisor: int) -> bool:
    """Whether ``beat`` lies exactly on the grid of ``divisor``."""
    if divisor <= 0:
        raise ValueError(f"snap divisor must be positive, got {divisor}")
    b = Fraction(beat)
    # beat / (4 / divisor) is whole  <=>  4 * denominator divides numerator * divisor (integers only: fast)
    return (b.numerator * divisor) % (4 * b.denominator) == 0


def finest_divisor(beat: Fraction, divisors: Sequence[int] = DIVISORS) -> int | None:
    """Coarsest divisor of ``divisors`` whose grid contains ``beat`` (None if none does)."""
    for d in sorted(divisors):
        if is_on_grid(beat, d):
            return d
    return None


def quantization(beat: Fraction) -> int:
    """Coarsest divisor (multiple of 4) whose grid holds ``beat``: e.g. 1/2 -> 8, 1/3 -> 12, 1/48 -> 192."""
    b = Fraction(beat)
    # beat / 4 in lowest terms has denominator 4 * d / gcd(n, 4) (n, d coprime)
    return math.lcm(4 * b.denominator // math.gcd(b.numerator, 4), 4)


def move(beat: Fraction, divisor: int, direction: int) -> Fraction:
    """Next grid beat strictly after (direction > 0) or before (direction < 0) ``beat``."""
    s = step(divisor)
    q = Fraction(beat) / s
    if direction > 0:
        return (math.floor(q) + 1) * s
    return (math.ceil(q) - 1) * s


def snap_beats_array(beats: np.ndarray, divisor: int) -> np.ndarray:
    """Vectorised snap of float beats to the grid of ``divisor`` (float64 result)."""
    s = 4.0 / divisor
    return np.round(np.asarray(beats, dtype=np.float64) / s) * s


def snap_preferring_coarse(
    beats: np.ndarray,
    divisors: Iterable[int],
    tolerance_beats: float | np.ndarray,
    fallback: str = "finest",
) -> list[Fraction]:
    """Snap each float beat to the coarsest divisor whose grid point lies within ``tolerance_beats``.

    A beat with no grid point that close goes to the finest divisor given (``fallback="finest"``) or to the
    nearest grid point of any divisor given, the coarser on a tie (``fallback="nearest"``). Used by the
    decoder so that low difficulties stay on quarter/eighth notes unless the audio clearly sits between them.
    """
    if fallback not in ("finest", "nearest"):
        raise ValueError(f"fallback must be 'finest' or 'nearest', got {fallback!r}")
    order = sorted(set(divisors))
    b = np.asarray(beats, dtype=np.float64)
    tol = np.broadcast_to(np.asarray(tolerance_beats, dtype=np.float64), b.shape)
    chosen = np.full(b.shape, order[-1])
    done = np.zeros(b.shape, dtype=bool)
    nearest = np.full(b.shape, np.inf)
    for d in order:
        err = np.abs(snap_beats_array(b, d) - b)
        pick = ~done & (err <= tol)
        chosen[pick] = d
        done |= pick
        if fallback == "nearest":
            closer = ~done & (err < nearest - 1e-12)
            chosen[closer] = d
            nearest = np.minimum(nearest, err)
    return [_snap_float(float(x), int(d)) for x, d in zip(b, chosen)]


#: Grid positions (beats / step) this close to a half are rounded exactly, as :func:`snap_beat` would.
_TIE_MARGIN = 1e-6


def _snap_float(x: float, divisor: int) -> Fraction:
    """:func:`snap_beat` of the float beat ``x`` read as ``Fraction(x).limit_denominator(2**20)``, without
    building that Fraction unless ``x`` lies within :data:`_TIE_MARGIN` grid steps of a tie: elsewhere both
    round to the same grid index (the limited Fraction is within 1e-12 of ``x``), and the grid beat is built
    directly (10x faster; the decoder snaps thousands of rows per draft)."""
    q = x * divisor / 4.0
    if abs(abs(q - math.floor(q)) - 0.5) < _TIE_MARGIN:
        return snap_beat(Fraction(x).limit_denominator(1 << 20), divisor)
    return Fraction(4 * round(q), divisor)


def merge_rank(note: Note) -> tuple[bool, Fraction]:
    """Which of two notes meeting on one cell a merge keeps, the greater: a step before a mine (or a fake), then
    the longest (:func:`quantize_notes`, and the editor's Quantize onto a note outside the selection)."""
    return note.kind.is_onset, note.length


def quantize_notes(notes: Iterable[Note], divisor: int, others: Iterable[Note] = ()) -> list[Note]:
    """Notes moved to the nearest line of the ``divisor`` grid (the editor's Quantize): heads, and the tails of
    holds and rolls (a hold keeps at least one grid step). Notes that land on one beat in one lane become one: a
    step before a mine, then the longest (:func:`merge_rank`). A hold whose tail would reach the next head of its
    lane (among the moved notes and ``others``, the chart's notes that stay) ends one grid step before it, or becomes
    a tap when that leaves no room: a note inside a hold cannot be played. Sorted."""
    return quantize_counting(notes, divisor, others)[0]


def quantize_counting(notes: Iterable[Note], divisor: int,
                      others: Iterable[Note] = ()) -> tuple[list[Note], set[tuple[Fraction, int]]]:
    """(:func:`quantize_notes`, the cells (beat, lane) of the holds and rolls it turned into taps for want of room
    before the next head of their lane)."""
    s = step(divisor)
    out: dict[tuple[Fraction, int], Note] = {}
    for n in notes:
        beat = snap_beat(n.beat, divisor)
        new = n.replace(beat=beat, length=max(s, snap_beat(n.end_beat, divisor) - beat)) if n.kind.has_length \
            else n.replace(beat=beat)
        key = (beat, n.lane)
        keep = out.get(key)
        if keep is None or merge_rank(new) > merge_rank(keep):
            out[key] = new
    heads: dict[int, list[Fraction]] = {}
    for n in [*out.values(), *others]:
        heads.setdefault(n.lane, []).append(n.beat)
    for lane_heads in heads.values():
        lane_heads.sort()
    tapped: set[tuple[Fraction, int]] = set()
    for key, n in out.items():
        if n.kind.has_length:
            lane_heads = heads[n.lane]
            k = bisect_right(lane_heads, n.beat)
            if k < len(lane_heads) and lane_heads[k] <= n.end_beat:
                room = lane_heads[k] - s - n.beat
                if room > 0:
                    out[key] = n.replace(length=room)
                else:
                    out[key] = n.replace(kind=NoteKind.TAP, length=Fraction(0))
                    tapped.add(key)
    return sort_notes(out.values()), tapped

"""What a chart has already done, as lane-model inputs: repeats, mirrored repeats and the chart's own habits.

Step charts repeat themselves, often with the lanes swapped (a mirrored or rotated phrase for the second verse),
and each chart has a style of its own (crossovers, jacks, jumps on the downbeat). Three memories read the rows
chosen so far, for the decoder's own choices and for the reference (teacher forcing) alike:

* :class:`inference.lane_features.CopyMemory`: the arrows that followed the last exact occurrence of the
  last ``k`` rows (arrows and rhythm);
* :class:`inference.lane_perm.PermMemory`: the same with lanes renamed by first appearance, so a phrase that
  recurs under any lane permutation predicts the next arrows through that permutation (measured on the monitor
  and training charts, contexts of 6 rows recur 2.8 times as often this way as exactly, at 0.66 vs 0.74
  accuracy);
* :class:`CountMemory`: how often each arrow set followed the last ``d`` rows (arrows and rhythm) so far in
  this chart, a per-chart n-gram (the cache language model idea);
* :class:`BackMemory`: the arrows exactly 4, 8, ... beats earlier (phrases repeat by the measure).

:class:`HistoryLayout` says which of them a model reads; it is stored in the lane manifest (``extra.history``)
so that a model and its decoder always build the same history vector. The default layout is lane-v1's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from inference.lane_features import (
    COPY_CONTEXTS,
    HINT_VALUES,
    N_ARROW_CLASSES,
    N_LANES,
    NO_HINT,
    PREV_ROWS,
    CopyMemory,
    MemoryPart,
    context_symbols,
    gap_codes,
)
from inference.lane_perm import PermMemory

Gaps = list[int]  # inference.lane_features.gap_codes of a chart's rows

HINT = N_LANES + 1  # one hint: the 4 lane bits of the arrows it names and a found flag
HINT_OFFSET = N_LANES * (PREV_ROWS + 2)  # history: previous rows, previous holds, held lanes, then the hints
COUNT_BLOCK = N_ARROW_CLASSES + 1  # per depth: the share of each arrow set and log(1 + occurrences) / 4
FOOT_DIM = 5 + 5 + 3 + 1  # left foot's panel (or none), right foot's, next foot (left/right/either), crossed
ALTERNATE_BEAT = Fraction(1)  # steps closer than this alternate feet; after a longer gap either foot may lead


@dataclass(frozen=True)
class HistoryLayout:
    """Which memories the history vector holds, in this order after the fixed part: exact copy hints
    (:data:`COPY_CONTEXTS`), permuted copy hints (``perm_contexts``), rows-back hints (``back_beats``),
    in-chart counts (``count_depths``), rows-back match flags."""

    perm_contexts: tuple[int, ...] = ()
    count_depths: tuple[int, ...] = ()
    back_beats: tuple[int, ...] = ()
    foot: bool = False
    lookahead: int = 0

    @property
    def hint_groups(self) -> int:
        """Number of 5-wide hint groups starting at :data:`HINT_OFFSET` (exact, permuted, beats back)."""
        return len(COPY_CONTEXTS) + len(self.perm_contexts) + len(self.back_beats)

    @property
    def counts_offset(self) -> int:
        return HINT_OFFSET + HINT * self.hint_groups

    @property
    def dim(self) -> int:
        """Length of the history vector: after the counts, one match flag per ``back_beats``, the foot state
        (:data:`FOOT_DIM`, when ``foot``) and the rhythm ahead (``lookahead + 2``, when ``lookahead``)."""
        return (self.counts_offset + COUNT_BLOCK * len(self.count_depths) + len(self.back_beats)
                + FOOT_DIM * self.foot + (self.lookahead + 2 if self.lookahead else 0))

    def hints(self, history: np.ndarray) -> np.ndarray:
        """All hint groups of history features (B, dim) as (B, hint_groups, 5)."""
        return history[:, HINT_OFFSET:self.counts_offset].reshape(len(history), self.hint_groups, HINT)

    def to_dict(self) -> dict:
        return {"perm_contexts": list(self.perm_contexts), "count_depths": list(self.count_depths),
                "back_beats": list(self.back_beats), "foot": self.foot, "lookahead": self.lookahead}

    @classmethod
    def from_dict(cls, data: dict | None) -> HistoryLayout:
        data = data or {}

        def ints(name: str) -> tuple[int, ...]:
            return tuple(int(k) for k in data.get(name, ()))

        return cls(ints("perm_contexts"), ints("count_depths"), ints("back_beats"), bool(data.get("foot", False)),
                   int(data.get("lookahead", 0)))

    @classmethod
    def of(cls, model: Any) -> HistoryLayout:
        """The layout a stepper or manifest uses (lane-v1's when it names none)."""
        layout = getattr(model, "layout", None)
        if isinstance(layout, HistoryLayout):
            return layout
        extra = getattr(getattr(model, "manifest", model), "extra", None) or {}
        return cls.from_dict(extra.get("history"))


DEFAULT_LAYOUT = HistoryLayout()


_NO_COUNTS = (0.0,) * COUNT_BLOCK
_LOG_COUNTS: list[float] = []


def _log_count(total: int) -> float:
    """log(1 + total) / 4 in float32 (cached per total)."""
    while len(_LOG_COUNTS) <= total:
        _LOG_COUNTS.append(float(np.log1p(np.float32(len(_LOG_COUNTS))) / np.float32(4.0)))
    return _LOG_COUNTS[total]


class CountMemory(MemoryPart):
    """Per-chart n-gram: for each depth ``d``, counts of the arrow sets that followed the last ``d`` rows
    (arrows and rhythm) earlier in this chart."""

    def __init__(self, beats: Sequence[Fraction], depths: Sequence[int], gaps: Gaps | None = None) -> None:
        self.depths = tuple(depths)
        self.gaps = gaps if gaps is not None else gap_codes(beats)
        self.deepest = max(self.depths, default=0)
        self.counts: list[dict[tuple, list[int]]] = [{} for _ in self.depths]
        self._cached: tuple[int, list[tuple | None]] = (-1, [])

    def _keys(self, arrows: Sequence[int], i: int) -> list[tuple | None]:
        """Per depth, the key of the rows before ``i`` (:func:`inference.lane_features.context_symbols`; cached:
        query and record of a row use the same)."""
        if self._cached[0] != i:
            symbols = context_symbols(arrows, self.gaps, max(0, i - self.deepest), i)
            self._cached = (i, [symbols[len(symbols) - d:] if i >= d else None for d in self.depths])
        return self._cached[1]

    def write(self, out: list[float], arrows: Sequence[int], i: int) -> None:
        """Append row ``i``'s counts to ``out``: per depth, the share of each arrow set and log(1 + total) / 4
        (zeros for a context not seen before)."""
        for table, key in zip(self.counts, self._keys(arrows, i)):
            counts = table.get(key) if key is not None else None
            if counts is None:
                out.extend(_NO_COUNTS)
                continue
            total = sum(counts)
            # exact float32 results: a quotient of two small ints rounded to double, then to float32, is the
            # float32 quotient (double has more than 2 * 24 + 2 bits); the log is taken in float32 as before
            out.extend([c / total for c in counts])
            out.append(_log_count(total))

    def record(self, arrows: Sequence[int], i: int) -> None:
        arrow = int(arrows[i]) - 1
        for table, key in zip(self.counts, self._keys(arrows, i)):
            if key is not None:
                counts = table.get(key)
                if counts is None:
                    table[key] = counts = [0] * N_ARROW_CLASSES
                counts[arrow] += 1


class BackMemory:
    """Phrases repeat by the measure: for each ``b`` of ``back_beats``, the arrows of the row exactly ``b``
    beats earlier (a hint; not found when no row sits there), and whether the row before that one had the
    same arrows and gap as the row before this one (the repeat is under way)."""

    def __init__(self, beats: Sequence[Fraction], back_beats: Sequence[int], gaps: Gaps | None = None) -> None:
        self.beats = list(beats)
        # exact keys without Fraction arithmetic: b - off is (n - off * d) / d, still in lowest terms
        index = {(b.numerator, b.denominator): i for i, b in enumerate(self.beats)}
        self.back = [[index.get((b.numerator - off * b.denominator, b.denominator)) for off in back_beats]
                     for b in self.beats]
        self.gaps = gaps if gaps is not None else gap_codes(self.beats)

    def write_hints(self, out: list[float], arrows: Sequence[int], i: int) -> None:
        """Append row ``i``'s hints (5 per ``back_beats``) to ``out``."""
        for k in self.back[i]:
            out.extend(NO_HINT if k is None else HINT_VALUES[int(arrows[k])])

    def write_matches(self, out: list[float], arrows: Sequence[int], i: int) -> None:
        """Append row ``i``'s match flags (1 per ``back_beats``) to ``out``."""
        for k in self.back[i]:
            out.append(float(k is not None and k >= 1 and i >= 1 and int(arrows[k - 1]) == int(arrows[i - 1])
                             and self.gaps[k] == self.gaps[i]))

    def query(self, arrows: Sequence[int], i: int) -> tuple[np.ndarray, np.ndarray]:
        """Hints (len(back_beats) * 5,) and match flags (len(back_beats),), float32."""
        hints: list[float] = []
        match: list[float] = []
        self.write_hints(hints, arrows, i)
        self.write_matches(match, arrows, i)
        return np.array(hints, dtype=np.float32), np.array(match, dtype=np.float32)

    def record(self, arrows: Sequence[int], i: int) -> None:
        """Nothing to remember: the rows back are read from ``arrows``."""


_ONE_HOT5 = tuple(tuple(float(j == k) for j in range(5)) for k in range(5))
_ONE_HOT3 = tuple(tuple(float(j == k) for j in range(3)) for k in range(3))


class FootMemory(MemoryPart):
    """Which foot is on which panel, from a simple parse of the rows so far: steps closer than
    :data:`ALTERNATE_BEAT` alternate feet (a step on the far panel with the other foot is a crossover), a
    repeated arrow (jack) keeps its foot, after a longer gap Left is stepped with the left foot and Right with
    the right one, Down/Up with the foot that did not step last; a jump puts the left foot on its left lane."""

    def __init__(self, beats: Sequence[Fraction]) -> None:
        self.beats = list(beats)
        # row i follows row i-1 closely enough for the feet to alternate (computed once: Fractions are slow)
        self.alternates = [False, *(b - a < ALTERNATE_BEAT for a, b in zip(self.beats, self.beats[1:]))]
        self.panel = [-1, -1]  # lane under the left and the right foot, -1 before any step
        self.last_foot = -1  # foot of the last single step (0 left, 1 right), -1 after a jump or at the start
        self.last_single = 0

    def _next_foot(self, i: int) -> int:
        """Foot expected on row ``i`` by alternation (-1: either)."""
        if self.last_foot < 0 or not self.alternates[i]:
            return -1
        return 1 - self.last_foot

    def write(self, out: list[float], arrows: Sequence[int], i: int) -> None:
        """Append row ``i``'s foot state to ``out`` (:data:`FOOT_DIM` values): panel one-hots of both feet
        (index 4 = not placed), next foot (left/right/either), crossed flag."""
        left, right = self.panel
        foot = self._next_foot(i)
        out.extend(_ONE_HOT5[left if left >= 0 else 4])
        out.extend(_ONE_HOT5[right if right >= 0 else 4])
        out.extend(_ONE_HOT3[foot if foot >= 0 else 2])
        out.append(float(left == N_LANES - 1 or right == 0))

    def record(self, arrows: Sequence[int], i: int) -> None:
        mask = int(arrows[i])
        lanes = [lane for lane in range(N_LANES) if (mask >> lane) & 1]
        if len(lanes) != 1:
            self.panel, self.last_foot = [lanes[0], lanes[-1]], -1
            return
        lane, foot = lanes[0], self._next_foot(i)
        if mask == self.last_single and self.last_foot >= 0:
            foot = self.last_foot  # a jack: the same foot again
        elif foot < 0:
            foot = 0 if lane == 0 else 1 if lane == N_LANES - 1 else (1 - self.last_foot if self.last_foot >= 0 else 0)
        self.panel[foot], self.last_foot, self.last_single = lane, foot, mask


def lookahead_features(beats: Sequence[Fraction], rows: int) -> np.ndarray:
    """The rhythm ahead of every row (the decoder knows all onset rows before it chooses arrows).

    Returns
    -------
    np.ndarray, float32, shape (N, rows + 2)
        log2 of the beat gaps between the next ``rows`` rows (row ``i`` to ``i+1``, ``i+1`` to ``i+2``, ...,
        clipped to 1/48..16 beats, divided by 6; 16 beats past the end), then log2(1 + rows) until the gap
        changes and since it last changed, divided by 6.
    """
    n = len(beats)
    if n == 0:  # a chart with no onset rows (a slot the model left empty)
        return np.zeros((0, rows + 2), dtype=np.float32)
    beats_f = np.array([float(b) for b in beats], dtype=np.float64)
    gaps = np.full(n + rows, 16.0)
    gaps[:max(n - 1, 0)] = np.diff(beats_f)
    out = np.zeros((n, rows + 2), dtype=np.float32)
    for j in range(rows):
        out[:, j] = np.log2(np.clip(gaps[j:j + n], 1 / 48, 16.0)) / 6.0
    change = np.ones(n, dtype=bool)  # row i starts a new gap (its gap to the next row differs from the last)
    change[1:] = np.abs(gaps[1:n] - gaps[:n - 1]) > 1e-9
    since = np.zeros(n)
    until = np.zeros(n)
    for i in range(1, n):
        since[i] = 0 if change[i] else since[i - 1] + 1
    for i in range(n - 2, -1, -1):
        until[i] = 0 if change[i + 1] else until[i + 1] + 1
    out[:, rows] = np.log2(1 + until) / 6.0
    out[:, rows + 1] = np.log2(1 + since) / 6.0
    return out


class ChartMemory(MemoryPart):
    """All memories of one chart in ``layout`` order; :meth:`query` row ``i`` before choosing it, then
    :meth:`record` it."""

    def __init__(self, beats: Sequence[Fraction], layout: HistoryLayout = DEFAULT_LAYOUT) -> None:
        gaps = gap_codes(beats)  # once for all memories
        self.parts: list[Any] = [CopyMemory(beats, gaps)]
        if layout.perm_contexts:
            self.parts.append(PermMemory(beats, layout.perm_contexts, gaps))
        self.back = BackMemory(beats, layout.back_beats, gaps) if layout.back_beats else None
        self.counts = CountMemory(beats, layout.count_depths, gaps) if layout.count_depths else None
        self.foot = FootMemory(beats) if layout.foot else None
        # float32 values as Python floats (exact): rows are appended to the history lists
        self.ahead = lookahead_features(beats, layout.lookahead).tolist() if layout.lookahead else None

    def write(self, out: list[float], arrows: Sequence[int], i: int) -> None:
        """Append the memory part of row ``i``'s history vector (``layout.dim - HINT_OFFSET`` values) to ``out``.
        ``arrows`` holds the rows' lane masks as ints (a list is fastest); only rows before ``i`` are read."""
        for p in self.parts:
            p.write(out, arrows, i)
        if self.back is not None:
            self.back.write_hints(out, arrows, i)
        if self.counts is not None:
            self.counts.write(out, arrows, i)
        if self.back is not None:
            self.back.write_matches(out, arrows, i)
        if self.foot is not None:
            self.foot.write(out, arrows, i)
        if self.ahead is not None:
            out.extend(self.ahead[i])

    def record(self, arrows: Sequence[int], i: int) -> None:
        for p in self.parts:
            p.record(arrows, i)
        for extra in (self.counts, self.foot):
            if extra is not None:
                extra.record(arrows, i)

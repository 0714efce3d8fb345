"""Pace rules of lane decoding: jumps in fast runs, jacks that involve a jump, jacks faster than the song's eighths.

Audited drafts of 8 validation songs (session 23, MODEL_CARD) put 39 % of their Hard jumps and 55 % of their
Challenge jumps inside fast runs (a row less than :data:`FAST_NEIGHBOUR_S` before or after), the songs' own charts
22 % and 31 %; 109 of their 138 jacks under 0.2 s involved a jump, which the fast-repeat cap
(:class:`inference.lane_decision.DecisionRule` ``fast_repeat_cap``: single after the same single) never counts;
and their fastest jack beat the human chart's fastest in 5 of 8 Hard songs. Like the other caps these rules only
take classes away from a row (the model gives it its next-best allowed class), never the last allowed one:

* the running share of rows that are a jump with a neighbour row less than :data:`FAST_NEIGHBOUR_S` away stays
  within the slot's :data:`FAST_JUMP_SHARE_CAP` (jump classes masked on such a row at the cap);
* the running share of rows that are a fast jack involving a jump (the row shares a panel with the row before, less
  than :data:`inference.lane_decision.FAST_REPEAT_S` after it, and one of the two rows is a jump) stays within
  :data:`JUMP_JACK_SHARE_CAP`;
* at Medium and Hard no row shares a panel with the row before when it comes less than :data:`JACK_MIN_BEATS`
  after it (a jack faster than an eighth note at the song's tempo); the slot's ``MIN_JACK_S`` in seconds stays;
* both floors also look forward to a fixed row (``LaneRequest.fixed``: a refine keeps the lower chart's arrows
  on its rows as they are): a decoded row right before one takes none of its panels when it is closer than a
  floor (a decoded row and a kept one after it made 26-101 such jacks a Hard/Challenge refine, session 23).

The bounds are per-chart medians (the jack floor: what 84-96 % of the charts keep) of the text-only human charts
(``../shared/data/charts-only``, 240-384 charts a slot; MODEL_CARD.md, session 23). They need the rows' times
(``LaneRequest.seconds``) and shape free-running drafts only: teacher-forced scoring never calls them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction

import numpy as np

from inference.lane_decision import FAST_REPEAT_S, JUMP_CLASSES, MIN_JACK_S, within_cap, without_jacks
from inference.lane_features import CLASS_MASKS, N_SLOTS, POPCOUNT

#: A row with a neighbour row less than this far (seconds) sits in a fast run (the auditor's measure).
FAST_NEIGHBOUR_S = 0.25
#: Per slot (Beginner..Challenge): running share of rows that are jumps in a fast run a draft may reach: the median
#: of the human charts' per-chart share (75th percentiles 0, 0, 0.007, 0.042, 0.074).
FAST_JUMP_SHARE_CAP = (0.0, 0.0, 0.0, 0.02, 0.032)
#: Per slot: running share of rows that are fast jacks involving a jump: the human charts' per-chart median (75th
#: percentiles 0, 0, 0, 0.020, 0.033; 56 % of Hard and 66 % of Challenge charts have one).
JUMP_JACK_SHARE_CAP = (0.0, 0.0, 0.0, 0.003, 0.006)
#: Per slot: a row less than this many beats after the row before takes none of its panels (None: no floor). Human
#: charts with a jack under half a beat: 0.3 % Beginner, 1.4 % Easy, 4.2 % Medium, 15.6 % Hard, 36.7 % Challenge.
JACK_MIN_BEATS: tuple[float | None, ...] = (0.5, 0.5, 0.5, 0.5, None)
_POP: list[int] = POPCOUNT.tolist()
_MASKS: list[int] = CLASS_MASKS.tolist()


class LanePace:
    """One draft's gaps (seconds and beats) and its counts of fast jumps and jump jacks, and the classes a row may
    still take under the pace rules (:meth:`allowed`); rows are recorded in order (:meth:`record`)."""

    def __init__(self, slot: int, beats: Sequence[Fraction], seconds: np.ndarray | None,
                 fixed: Mapping[int, tuple[int, int, list[Fraction]]] | None = None) -> None:
        self.slot = k = min(max(int(slot), 0), N_SLOTS - 1)
        n = len(beats)
        self.timed = seconds is not None
        # seconds since the row before (inf for the first row and without the times)
        self.gaps = [math.inf] * n if seconds is None else np.diff(
            np.asarray(seconds, dtype=np.float64), prepend=-np.inf).tolist()
        self.beat_gaps = [math.inf] + [float(b - a) for a, b in zip(beats, beats[1:])]
        after = self.gaps[1:] + [math.inf]
        self.near_fast = [g < FAST_NEIGHBOUR_S or a < FAST_NEIGHBOUR_S for g, a in zip(self.gaps, after)]
        self.fast_jump_cap, self.jump_jack_cap, self.min_beats = (
            FAST_JUMP_SHARE_CAP[k], JUMP_JACK_SHARE_CAP[k], JACK_MIN_BEATS[k])
        self.rows = self.fast_jumps = self.jump_jacks = 0
        self.ahead = self._ahead(fixed or {}, n)

    def _ahead(self, fixed: Mapping[int, tuple[int, int, list[Fraction]]], n: int) -> list[int]:
        """Per row: the arrows (lane mask) of the fixed row right after it when that one comes closer than a jack
        floor (MIN_JACK_S, or the slot's JACK_MIN_BEATS), else 0; nothing without the times or for fixed rows."""
        out = [0] * n
        if not self.timed:
            return out
        for i in range(n - 1):
            if i + 1 in fixed and i not in fixed and (
                    self.gaps[i + 1] < MIN_JACK_S[self.slot] - 1e-6
                    or (self.min_beats is not None and self.beat_gaps[i + 1] < self.min_beats - 1e-9)):
                out[i] = int(fixed[i + 1][0])
        return out

    def _jump_jack(self, masks: list[int], i: int, m: int) -> bool:
        prev = masks[i - 1] if i else 0
        return bool(prev & m) and self.gaps[i] < FAST_REPEAT_S and (_POP[m] >= 2 or _POP[prev] >= 2)

    def record(self, masks: list[int], i: int) -> None:
        """Row ``i`` (lane mask ``masks[i]``) is decided."""
        m = masks[i]
        self.fast_jumps += int(_POP[m] >= 2 and self.near_fast[i])
        self.jump_jacks += int(self._jump_jack(masks, i, m))
        self.rows += 1

    def allowed(self, allowed: np.ndarray, masks: list[int], i: int) -> np.ndarray:
        """``allowed`` (15,) less the classes the pace rules (and ``lane_decision.without_jacks``) take from row
        ``i``; a rule that would leave no class takes none. The forward floor (a fixed row next, :meth:`_ahead`)
        comes last and backs off alone."""
        prev = masks[i - 1] if i else 0
        allowed = without_jacks(allowed, prev, self.gaps[i], self.slot)
        if not self.timed:
            return allowed
        ban = np.zeros(len(allowed), dtype=bool)
        if self.min_beats is not None and prev and self.beat_gaps[i] < self.min_beats - 1e-9:
            ban |= (CLASS_MASKS & prev) != 0
        if self.near_fast[i] and not within_cap(self.fast_jumps, self.rows, self.fast_jump_cap):
            ban |= JUMP_CLASSES
        if prev and self.gaps[i] < FAST_REPEAT_S and not within_cap(self.jump_jacks, self.rows, self.jump_jack_cap):
            ban |= np.array([self._jump_jack(masks, i, m) for m in _MASKS])
        out = allowed & ~ban
        out = out if out.any() else allowed
        if self.ahead[i]:
            ok = out & ((CLASS_MASKS & self.ahead[i]) == 0)
            return ok if ok.any() else out
        return out

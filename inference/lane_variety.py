"""Running variety rules of lane decoding: no endless short arrow loops, no Beginner/Easy chart all on Left/Right.

Greedy decoding reads its own choices (the previous rows, :mod:`inference.lane_memory`'s repeat hints), so once a
draft falls into a short cycle it copies it: audited drafts of 8 validation songs (session 23) had loops in which
every row equals the row 4 back (a 2- or 4-row cycle such as L D R D L D R D) of 32-54 rows on average per slot
(longest 125), where the songs' own charts had 8.5-11 (longest 19); 44-68 % of the drafted rows equalled the row
4 back against 22-29 %; and 91 % of the Beginner arrows were Left or Right against 55 %. Like the jump and repeat
caps of :class:`inference.lane_decision.DecisionRule`, these rules only take classes away from a row (the model
then gives it its next-best allowed class), and never the last allowed one (a run of one arrow or one jump counts
as a loop too, as it does in the human charts' figures below):

* a loop of period 2, 3 or 4 may run the slot's :data:`LOOP_MAX_ROWS` rows: the class that would make it longer is
  masked;
* the running share of rows equal to the row 4 back stays within the slot's :data:`BACK4_SHARE_CAP` (with the
  caps' warm-up, :func:`inference.lane_decision.within_cap`);
* at Beginner and Easy the running share of arrows on Left/Right stays within :data:`SIDE_SHARE_CAP`.

The bounds are quantiles of per-chart figures of the text-only human charts (``../shared/data/charts-only``,
240-384 charts a slot; MODEL_CARD.md, session 23).
They shape free-running drafts only: teacher-forced scoring (``main.py eval``'s lane accuracy) never calls them.
"""

from __future__ import annotations

import numpy as np

from inference.lane_decision import within_cap
from inference.lane_features import CLASS_MASKS, N_SLOTS, POPCOUNT

#: Periods (rows) of the arrow loops the decoder breaks; period 1 (a repeat) has its own cap.
LOOP_PERIODS = (2, 3, 4)
#: Per slot (Beginner..Challenge): longest loop a draft may have, in rows counted as the audit counts them (the
#: rows equal to the row one period back plus the period's first rows): the 90th percentile of the longest loop
#: per human chart (text-only charts: medians 7, 8, 9, 9, 10; a free draft's longest loop comes out at the cap).
LOOP_MAX_ROWS = (10, 12, 13, 16, 18)
#: Per slot: running share of rows equal to the row 4 back a draft may reach: the 75th percentile of the human
#: charts' per-chart share (medians 0.23-0.27). A share cap, like the jump cap, is where self-copying drafts sit.
BACK4_SHARE_CAP = (0.28, 0.28, 0.3, 0.29, 0.32)
#: Left and Right lanes (0 and 3).
SIDE_LANES = 0b1001
#: Per slot: running share of arrows on Left/Right a draft may reach (None: no cap): the 75th percentile of the
#: human charts' (medians 0.58 and 0.52; Medium and up, whose drafts were at 0.52-0.60, have none).
SIDE_SHARE_CAP: tuple[float | None, ...] = (0.65, 0.55, None, None, None)
_NO_SIDE = (CLASS_MASKS & SIDE_LANES) == 0  # the classes with no arrow on Left or Right (Down, Up, Down+Up)
_POP: list[int] = POPCOUNT.tolist()


class LaneVariety:
    """One draft's loop runs and shares, updated row by row (:meth:`record`), and the classes a row may still
    take under the variety rules (:meth:`allowed`)."""

    def __init__(self, slot: int) -> None:
        k = min(max(int(slot), 0), N_SLOTS - 1)
        self.loop_max, self.back4_cap, self.side_cap = LOOP_MAX_ROWS[k], BACK4_SHARE_CAP[k], SIDE_SHARE_CAP[k]
        self.runs = dict.fromkeys(LOOP_PERIODS, 0)  # rows up to the last recorded equal to the row ``p`` back
        self.rows = self.back4 = self.side = self.arrows = 0

    def record(self, masks: list[int], i: int) -> None:
        """Row ``i`` (lane mask ``masks[i]``; rows recorded in order) is decided."""
        m = masks[i]
        for p in LOOP_PERIODS:
            self.runs[p] = self.runs[p] + 1 if i >= p and m == masks[i - p] else 0
        self.back4 += int(i >= 4 and m == masks[i - 4])
        self.rows += 1
        self.side += _POP[m & SIDE_LANES]
        self.arrows += _POP[m]

    def allowed(self, allowed: np.ndarray, masks: list[int], i: int) -> np.ndarray:
        """``allowed`` (15,) less the classes the variety rules take from row ``i``; a rule that would leave no
        class takes none."""
        ban = np.zeros(len(allowed), dtype=bool)
        for p in LOOP_PERIODS:
            if i >= p and masks[i - p] and self.runs[p] + p >= self.loop_max:
                ban[masks[i - p] - 1] = True
        if i >= 4 and masks[i - 4] and not within_cap(self.back4, self.rows, self.back4_cap):
            ban[masks[i - 4] - 1] = True
        out = allowed & ~ban
        if not out.any():
            out = allowed
        if self.side_cap is not None and not within_cap(self.side, self.arrows, self.side_cap):
            centre = out & _NO_SIDE
            if centre.any():
                out = centre
        return out

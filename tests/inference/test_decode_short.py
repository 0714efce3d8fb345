"""inference.decode on a song of a few seconds: an NPS target sizes the draft by a span the Stats panel would use,
not by the second or so where the model is sure (a 5 s song's Medium draft had 2 notes, its Easy draft 11)."""

from __future__ import annotations

import numpy as np
import pytest

from chart.notes import Note
from chart.song import Chart, Slot
from chart.stats import chart_stats
from chart.timing import TimingData
from inference.decode import decode_onsets, rows_for_nps
from inference.manifest import SlotDecode

FPS = 100.0
T120 = TimingData.constant(120)

# The model's Medium rows on a synthetic 5 s song (audit repro): every eighth note from 0.1 s, only four of them,
# within one second, at Medium's base threshold of 0.6.
SECONDS = np.arange(20) * 0.25 + 0.1
PROBS = np.array([0.488, 0.235, 0.409, 0.401, 0.611, 0.518, 0.618, 0.625, 0.752, 0.284, 0.544, 0.290, 0.470,
                  0.277, 0.475, 0.265, 0.528, 0.242, 0.463, 0.453])


def test_rows_the_model_is_sure_of_within_a_second_do_not_size_the_draft() -> None:
    per_row = 1.076  # the lane model's expected notes per Medium row
    n = rows_for_nps(SECONDS, PROBS, 0.6, 3.38, 5.0, per_row)
    assert n == 15  # was 2: 3.38 notes/s over the span of the four sure rows, then of the three best
    chosen = np.sort(SECONDS[np.argsort(-PROBS, kind="stable")[:n]])
    shown = n * per_row / max(float(chosen[-1] - chosen[0]), 2.0)  # the Stats panel's mean NPS of such a draft
    assert shown == pytest.approx(3.38, rel=0.1)
    # an Easy draft of the same song (one sure row: the whole range) is no denser than the Medium one
    assert rows_for_nps(SECONDS, PROBS, 0.75, 2.35, 5.0, 1.0) <= n


def test_a_tiny_chart_is_measured_over_the_stats_window() -> None:
    # Three rows 0.25 s apart: the Stats panel shows them as 3 notes over its 2 s window (1.5 NPS), so a target
    # of 1.5 is three rows, not one (0.5 s x 1.5 rounds to 1)
    p = np.full(500, 0.01)
    p[[50, 75, 100]] = 0.9, 0.85, 0.8
    cfg = SlotDecode(threshold=0.5, min_gap_s=0.05, divisors=[4, 8], snap_tolerance_s=0.03)
    out = decode_onsets(p, FPS, T120, cfg, nps_target=1.5)
    assert len(out) == 3
    notes = [Note(b, 0) for b in out.beats]
    assert chart_stats(Chart(slot=Slot.EASY, notes=notes), T120).mean_nps == pytest.approx(1.5)

"""inference.lane_variety: drafts do not loop a 2-4 row arrow cycle for ever, Beginner/Easy not all Left/Right."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from inference.lane_decision import RATE_WARMUP_ROWS
from inference.lane_features import HOLD_LENGTHS_BEAT, row_features
from inference.lane_rules import prev_masks
from inference.lane_variety import BACK4_SHARE_CAP, LOOP_MAX_ROWS, SIDE_SHARE_CAP, LaneVariety
from inference.lanes import LaneRequest, decode_rows


class LoopStepper:
    """A model over single arrows that copies the row ``period`` back (+``bias``): left alone it draws one
    cycle for the whole chart (Left > Right > Down > Up first, so at Beginner it is L R L R ...)."""

    def __init__(self, period: int = 2, bias: float = 4.0) -> None:
        self.period, self.bias = period, bias

    def initial_state(self, batch: int) -> None:
        return None

    def step(self, rows, history, state):
        b = len(rows)
        arrow = np.full((b, 15), -9.0, np.float32)
        arrow[:, [0, 7, 1, 3]] = [0.3, 0.2, 0.1, 0.0]  # singles Left > Right > Down > Up
        back = prev_masks(history)[:, self.period - 1]
        for k in range(b):
            if back[k] in (1, 2, 4, 8):
                arrow[k, back[k] - 1] += self.bias
            else:  # no row that far back yet: avoid repeating the row before (start the cycle)
                prev = prev_masks(history)[k, 0]
                if prev in (1, 2, 4, 8):
                    arrow[k, prev - 1] -= 2.0
        return {"arrow_logits": arrow, "hold_logits": np.full((b, 4), -9.0, np.float32),
                "length_logits": np.zeros((b, len(HOLD_LENGTHS_BEAT)), np.float32)}, state


def _draft(slot: int, period: int, n: int = 200) -> list[int]:
    beats = [Fraction(i) for i in range(n)]
    seconds = np.array([0.5 * i for i in range(n)])  # 120 BPM, a row a beat: no jack rule in play
    feats = row_features(beats, seconds, slot, None)
    rows = decode_rows(LoopStepper(period), [LaneRequest(beats, feats, slot, seconds)])[0]
    return [int(a) for a in rows.arrows]


def longest_loop(masks: list[int]) -> int:
    """The audit's measure: longest run of rows equal to the row p back (p = 2, 3, 4), plus p."""
    best = 0
    for p in (2, 3, 4):
        cur = 0
        for i in range(p, len(masks)):
            cur = cur + 1 if masks[i] == masks[i - p] else 0
            if cur:
                best = max(best, cur + p)
    return best


def back4_share(masks: list[int]) -> float:
    return float(np.mean([masks[i] == masks[i - 4] for i in range(4, len(masks))]))


def side_share(masks: list[int]) -> float:
    return sum(bin(m & 0b1001).count("1") for m in masks) / sum(bin(m).count("1") for m in masks)


@pytest.mark.parametrize("slot", [0, 2, 4])
@pytest.mark.parametrize("period", [2, 3, 4])
def test_a_self_copying_model_does_not_loop_for_ever(slot: int, period: int) -> None:
    masks = _draft(slot, period)
    assert longest_loop(masks) <= LOOP_MAX_ROWS[slot]
    assert back4_share(masks) <= BACK4_SHARE_CAP[slot] * (len(masks) + RATE_WARMUP_ROWS + 1) / (len(masks) - 4)


def test_without_the_rules_the_same_model_loops_the_whole_chart(monkeypatch: pytest.MonkeyPatch) -> None:
    """The control: the stepper above really loops when nothing stops it (the rules are what the tests see)."""
    monkeypatch.setattr(LaneVariety, "allowed", lambda self, allowed, masks, i: allowed)
    masks = _draft(0, 2)
    assert longest_loop(masks) == len(masks)
    assert side_share(masks) == 1.0  # L R L R ...


@pytest.mark.parametrize("slot", [0, 1])
def test_beginner_and_easy_keep_off_an_all_left_right_chart(slot: int) -> None:
    masks = _draft(slot, 2)
    assert SIDE_SHARE_CAP[slot] is not None
    # a running cap with the caps' warm-up rows (lane_decision.within_cap)
    assert side_share(masks) <= SIDE_SHARE_CAP[slot] * (len(masks) + RATE_WARMUP_ROWS + 1) / len(masks)
    assert {m for m in masks} & {2, 4}  # Down and Up are used


def test_the_loop_cap_masks_only_the_class_that_would_continue_the_loop() -> None:
    masks = [1, 8] * 10  # L R L R ...: 20 rows, each equal to the row 2 back from the third on
    v = LaneVariety(slot=4)  # Challenge: no Left/Right cap
    for i in range(len(masks)):
        v.record(masks, i)
    masks.append(0)
    out = v.allowed(np.ones(15, dtype=bool), masks, 20)
    assert not out[0]  # Left (row 18's class) would make the loop longer
    assert out.sum() == 14
    # a short loop is left alone
    short = LaneVariety(slot=4)
    few = [1, 8, 1, 8, 1, 0]
    for i in range(5):
        short.record(few, i)
    assert short.allowed(np.ones(15, dtype=bool), few, 5).all()


def test_a_rule_never_takes_the_last_allowed_class() -> None:
    masks = [1, 8] * 10 + [0]
    v = LaneVariety(slot=0)
    for i in range(20):
        v.record(masks, i)
    only_left = np.zeros(15, dtype=bool)
    only_left[0] = True
    assert v.allowed(only_left, masks, 20)[0]

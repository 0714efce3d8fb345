"""inference.lane_pace: few jumps in fast runs, few jacks involving a jump, no jack under an eighth at Medium/Hard;
inference.slot_rise.rising_jumps: a slot has no more jumps than the slot above it."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from chart.notes import Note
from chart.song import Slot
from inference.draft_types import Provenance, SlotDraft
from inference.lane_decision import JUMP_CLASSES
from inference.lane_features import CLASS_MASKS, HOLD_LENGTHS_BEAT, row_features
from inference.lane_pace import FAST_JUMP_SHARE_CAP, LanePace
from inference.lane_rules import prev_masks
from inference.lanes import LaneRequest, decode_rows
from inference.slot_rise import jump_rows, rising_jumps

ALL = np.ones(15, dtype=bool)


def _pace(slot: int, beats: list[Fraction], seconds: list[float], masks: list[int]) -> tuple[LanePace, list[int]]:
    pace = LanePace(slot, beats, np.array(seconds))
    full = list(masks) + [0] * (len(beats) - len(masks))
    for i in range(len(masks)):
        pace.record(full, i)
    return pace, full


def test_no_jack_under_half_a_beat_at_hard_but_at_challenge():
    beats, seconds = [Fraction(0), Fraction(1, 4)], [0.0, 0.3]  # a slow sixteenth: 0.3 s, over MIN_JACK_S
    pace, masks = _pace(3, beats, seconds, [1])
    ok = pace.allowed(ALL, masks, 1)
    assert not ok[(CLASS_MASKS & 1) != 0].any()
    assert ok[(CLASS_MASKS & 1) == 0].all()
    pace, masks = _pace(4, beats, seconds, [1])
    assert pace.allowed(ALL, masks, 1).all()
    pace, masks = _pace(3, [Fraction(0), Fraction(1, 2)], seconds, [1])  # an eighth: a jack may come
    assert pace.allowed(ALL, masks, 1).all()


def test_no_jump_in_a_fast_run_at_medium_and_no_jump_jack_at_hard():
    beats = [Fraction(i, 2) for i in range(3)]
    fast, slow = [0.0, 0.15, 0.3], [0.0, 1.0, 2.0]
    pace, masks = _pace(2, beats, fast, [1])
    ok = pace.allowed(ALL, masks, 1)
    assert not ok[JUMP_CLASSES].any()
    assert ok[~JUMP_CLASSES].all()
    pace, masks = _pace(2, beats, slow, [1])
    assert pace.allowed(ALL, masks, 1).all()
    # Hard, a jump (Left+Right) 0.15 s before: a single on Left or Right would be a jack involving a jump
    pace, masks = _pace(3, beats, fast, [9])
    ok = pace.allowed(ALL, masks, 1)
    assert not ok[[0, 7]].any()
    assert ok[[1, 3]].all()


class JumpStepper:
    """A model that wants a jump on every row, the one that shares no panel with the row before (L+U, D+R)."""

    def initial_state(self, batch: int) -> None:
        return None

    def step(self, rows, history, state):
        b = len(rows)
        arrow = np.full((b, 15), -3.0, np.float32)
        arrow[:, [0, 1, 3, 7]] = -1.0  # singles
        for k, prev in enumerate(prev_masks(history)[:, 0]):
            arrow[k, 9 if prev == 5 else 4] = 3.0  # D+R after L+U, else L+U
        return {"arrow_logits": arrow, "hold_logits": np.full((b, 4), -9.0, np.float32),
                "length_logits": np.zeros((b, len(HOLD_LENGTHS_BEAT)), np.float32)}, state


def test_jumps_in_fast_runs_are_capped_at_the_human_median(monkeypatch):
    from inference.lane_variety import LaneVariety

    monkeypatch.setattr(LaneVariety, "allowed", lambda self, allowed, masks, i: allowed)  # a 2-row loop is fine
    n = 400
    beats = [Fraction(i, 2) for i in range(n)]
    fast_rows = np.array([(i // 50) % 2 == 0 for i in range(n)])  # 50 rows at 0.15 s, then 50 at 0.6 s, ...
    seconds = np.cumsum(np.where(fast_rows, 0.15, 0.6)) - 0.15
    rows = decode_rows(JumpStepper(), [LaneRequest(beats, row_features(beats, seconds, 3, None), 3, seconds)])[0]
    jumps = np.array([bin(int(a)).count("1") >= 2 for a in rows.arrows])
    gaps = np.diff(seconds)
    near = np.r_[False, gaps < 0.25] | np.r_[gaps < 0.25, False]
    assert jumps[~near].all()  # away from fast runs the model keeps its jumps
    assert (jumps & near).sum() <= FAST_JUMP_SHARE_CAP[3] * (n + 17)  # in them, no more than the cap


def _draft(slot: Slot, jump_beats: list[int], single_beats: list[int]) -> SlotDraft:
    notes = [Note(Fraction(b), lane) for b in jump_beats for lane in (0, 3)]
    notes += [Note(Fraction(b), 1) for b in single_beats]
    conf = {Fraction(b): 0.5 + 0.01 * b for b in jump_beats + single_beats}
    return SlotDraft(slot, notes, Fraction(0), Fraction(100), 0.5, Provenance("m", 1, "", "", "", 0), conf)


def test_a_slot_has_no_more_jumps_than_the_slot_above():
    hard = _draft(Slot.HARD, [0, 2, 4, 6, 8], [1, 3])
    challenge = _draft(Slot.CHALLENGE, [0, 4], [1, 2, 3, 5, 6, 7, 8])
    medium = _draft(Slot.MEDIUM, [2, 6, 8], [])
    rising_jumps([4, 3, 2], [challenge, hard, medium])
    assert [jump_rows(d.notes) for d in (challenge, hard, medium)] == [2, 2, 2]
    assert {n.beat for n in hard.notes if n.lane == 3} == {Fraction(6), Fraction(8)}  # the most probable kept
    assert len(hard.notes) == 5 * 2 + 2 - 3  # a split row keeps one arrow
    twin = _draft(Slot.HARD, [0, 2, 4, 6, 8], [])
    rising_jumps([3, 3], [hard, twin])  # variants of one slot: no order between them
    assert jump_rows(twin.notes) == 5


class LeftStepper:
    """A model that wants Left on every row (Down next)."""

    def initial_state(self, batch: int) -> None:
        return None

    def step(self, rows, history, state):
        b = len(rows)
        arrow = np.full((b, 15), -3.0, np.float32)
        arrow[:, 0], arrow[:, 1] = 3.0, 1.0  # Left, then Down
        return {"arrow_logits": arrow, "hold_logits": np.full((b, 4), -9.0, np.float32),
                "length_logits": np.zeros((b, len(HOLD_LENGTHS_BEAT)), np.float32)}, state


def _before_fixed_left(slot: int, beats: list[Fraction], seconds: list[float], fixed: bool = True) -> int:
    """Row 0's arrows, decoded before a fixed Left row (row 1) or before a decoded row."""
    secs = np.array(seconds)
    request = LaneRequest(beats, row_features(beats, secs, slot, None), slot, secs,
                          fixed={1: (1, 0, [Fraction(0)] * 4)} if fixed else None)
    return int(decode_rows(LeftStepper(), [request])[0].arrows[0])


def test_no_jack_into_the_next_fixed_row_under_the_floors():
    quarter = [Fraction(0), Fraction(1, 4)]
    # Hard: a fixed Left a sixteenth (0.15 s) after: the eighth floor looking forward takes Left away
    assert _before_fixed_left(3, quarter, [0.0, 0.15]) == 2
    assert _before_fixed_left(3, quarter, [0.0, 0.15], fixed=False) == 1  # plain: the row before decides alone
    assert _before_fixed_left(3, [Fraction(0), Fraction(1, 2)], [0.0, 0.3]) == 1  # an eighth after: a jack may come
    # Challenge: no eighth floor, MIN_JACK_S (0.1 s) only
    assert _before_fixed_left(4, quarter, [0.0, 0.15]) == 1
    assert _before_fixed_left(4, quarter, [0.0, 0.06]) == 2


def test_the_forward_floor_never_takes_the_last_class():
    beats, seconds = [Fraction(0), Fraction(1, 4)], np.array([0.0, 0.15])
    pace = LanePace(3, beats, seconds, {1: (1, 0, [Fraction(0)] * 4)})
    only_left = (CLASS_MASKS == 1)
    assert (pace.allowed(only_left, [0, 1], 0) == only_left).all()
    ok = pace.allowed(ALL, [0, 1], 0)
    assert not ok[(CLASS_MASKS & 1) != 0].any()
    assert ok[[1, 3, 7]].all()  # Down, Up, Right stay
    assert LanePace(3, beats, None, {1: (1, 0, [Fraction(0)] * 4)}).allowed(ALL, [0, 1], 0).all()  # no times

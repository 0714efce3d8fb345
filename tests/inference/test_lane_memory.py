"""Chart memories of the lane history: permuted repeats, in-chart counts, layouts, decoder/teacher agreement."""

from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest

from chart.notes import Note, NoteKind
from inference.lane_features import (
    held_masks,
    history_features,
    row_features,
    rows_from_notes,
    teacher_history,
)
from inference.lane_memory import (
    COUNT_BLOCK,
    DEFAULT_LAYOUT,
    HINT_OFFSET,
    ChartMemory,
    CountMemory,
    FootMemory,
    HistoryLayout,
    lookahead_features,
)
from inference.lane_perm import PermMemory
from inference.lane_rules import CopyNgramStepper, NgramStepper, PermCopyNgramStepper
from inference.lanes import LaneRequest, decode_rows, teacher_forced_classes

# Lanes of a ten-row phrase (chosen so that no renamed 4-row context recurs inside it with another follow-up)
PATTERN = [1, 1, 3, 0, 2, 3, 2, 1, 1, 3]
MIRROR = [1, 1, 0, 3, 2, 0, 2, 1, 1, 0]  # the same phrase with Left <-> Right


def _beats(n: int) -> list[Fraction]:
    return [Fraction(i, 2) for i in range(n)]


def _perm_hints(lanes: list[int], contexts: tuple[int, ...]) -> np.ndarray:
    """PermMemory's hint for every row of a single-arrow chart in even eighths, queried before recording it."""
    arrows = np.array([1 << lane for lane in lanes])
    memory = PermMemory(_beats(len(lanes)), contexts)
    hints = []
    for i in range(len(lanes)):
        hints.append(memory.query(arrows, i))
        memory.record(arrows, i)
    return np.array(hints)


def test_perm_memory_follows_a_mirrored_phrase():
    lanes = PATTERN + MIRROR
    hints = _perm_hints(lanes, (4,))
    for i in range(len(PATTERN) + 4, len(lanes)):  # four mirrored rows in: the context matches renamed
        assert hints[i, 4] == 1
        assert list(hints[i, :4]) == [float(lane == lanes[i]) for lane in range(4)]
    # exact copies see nothing in the mirrored half (no context of 4 rows repeats exactly)
    exact = teacher_history(rows_from_notes([Note(b, lane) for b, lane in zip(_beats(len(lanes)), lanes)]))
    assert exact[len(PATTERN):, HINT_OFFSET:].reshape(-1, 3, 5)[:, :, 4].sum() == 0


def test_perm_memory_leaves_an_unknown_lane_undecided():
    lanes = [0, 1, 2, 3, 3, 2, 0]  # L D U R R U L, even rhythm
    out = _perm_hints(lanes, (2,))
    # [L, D] -> U (a lane new to the context); at row 3 the renamed context [D, U] leaves L and R free:
    # which of them is "the new lane" is undecided, so no hint (likewise at row 4)
    assert out[3][4] == 0
    assert out[4][4] == 0
    # [U, R] -> R (the newest lane repeated), so at row 6 the renamed context [R, U] predicts U
    assert out[6][4] == 1
    assert list(out[6][:4]) == [0.0, 0.0, 1.0, 0.0]


def test_count_memory_shares_and_rhythm():
    arrows = np.array([1, 2, 1, 2, 1, 8, 1])  # after L (half-beat gap): D, D, R
    beats = _beats(len(arrows))
    memory = CountMemory(beats, (1,))
    for i in range(len(arrows) - 1):
        memory.record(arrows, i)
    out = memory.query(arrows, len(arrows) - 1)  # previous row is R: seen never before
    assert out.sum() == 0
    out = memory.query(arrows, 5)  # previous row L: followed by D twice and by R once (rows 1, 3, 5)
    shares = out[:15]
    assert shares[1] == pytest.approx(2 / 3)
    assert shares[7] == pytest.approx(1 / 3)
    assert out[15] == pytest.approx(np.log1p(3) / 4)
    other = CountMemory([Fraction(31, 10) if i == 6 else b for i, b in enumerate(beats)], (1,))
    for i in range(6):
        other.record(arrows, i)
    assert other.query(arrows, 6)[:15].sum() == 0  # same previous arrow, different gap: a different context


def test_layout_sizes_round_trip_and_lookup():
    layout = HistoryLayout((4, 8), (1, 2), (4, 8, 16))
    assert DEFAULT_LAYOUT.dim == 39
    assert layout.hint_groups == 8
    assert layout.dim == HINT_OFFSET + 8 * 5 + 2 * COUNT_BLOCK + 3
    assert HistoryLayout.from_dict(layout.to_dict()) == layout
    manifest = SimpleNamespace(extra={"history": layout.to_dict()})
    assert HistoryLayout.of(manifest) == layout
    assert HistoryLayout.of(SimpleNamespace(extra={})) == DEFAULT_LAYOUT
    rows = rows_from_notes([Note(b, lane) for b, lane in zip(_beats(30), PATTERN * 3)])
    assert teacher_history(rows, layout).shape == (30, layout.dim)
    np.testing.assert_array_equal(teacher_history(rows, layout)[:, :HINT_OFFSET + 15], teacher_history(rows))


class _Oracle:
    """Steps the reference arrows back to the decoder and keeps the histories it was given."""

    def __init__(self, arrows: np.ndarray, layout: HistoryLayout) -> None:
        self.arrows, self.layout, self.seen = arrows, layout, []

    def initial_state(self, batch):
        return 0

    def step(self, rows, history, state):
        self.seen.append(history[0].copy())
        logits = np.full((1, 15), -5.0, np.float32)
        logits[0, self.arrows[state] - 1] = 5.0
        return {"arrow_logits": logits, "hold_logits": np.full((1, 4), -9.0, np.float32),
                "length_logits": np.zeros((1, 13), np.float32)}, state + 1


def test_decoder_builds_the_teacher_history_of_the_layout():
    rng = np.random.default_rng(0)
    lanes = PATTERN + MIRROR + [int(x) for x in rng.integers(4, size=30)] + PATTERN
    rows = rows_from_notes([Note(b, lane) for b, lane in zip(_beats(len(lanes)), lanes)])
    layout = HistoryLayout((3, 4, 8), (1, 2), (4, 8))
    oracle = _Oracle(rows.arrows, layout)
    feats = row_features(rows.beats, np.array([float(b) / 2 for b in rows.beats]), 3)
    out = decode_rows(oracle, [LaneRequest(rows.beats, feats, 3)])[0]
    np.testing.assert_array_equal(out.arrows, rows.arrows)
    np.testing.assert_array_equal(np.array(oracle.seen), teacher_history(rows, layout))


def test_perm_copy_rule_follows_mirrored_repeats_that_copy_misses():
    lanes = PATTERN * 2 + MIRROR
    rows = rows_from_notes([Note(b, lane) for b, lane in zip(_beats(len(lanes)), lanes)])
    feats = row_features(rows.beats, np.array([float(b) / 2 for b in rows.beats]), 2)
    flat = NgramStepper([np.array([2])], [np.ones((1, 15), np.float32)])  # no preference at all
    perm_rule = PermCopyNgramStepper(flat)
    pred = teacher_forced_classes(perm_rule, [feats], [teacher_history(rows, perm_rule.layout)], [2])[0]
    start = 2 * len(PATTERN) + 4  # four mirrored rows in
    np.testing.assert_array_equal(pred[start:], rows.arrows[start:])
    copy = teacher_forced_classes(CopyNgramStepper(flat), [feats], [teacher_history(rows)], [2])[0]
    assert (copy[start:] != rows.arrows[start:]).any()


def test_back_memory_reads_rows_whole_beats_back():
    beats = [Fraction(x) for x in ("0", "1", "3/2", "4", "5", "11/2", "6")]
    lanes = [0, 1, 2, 0, 1, 3, 2]
    rows = rows_from_notes([Note(b, lane) for b, lane in zip(beats, lanes)])
    layout = HistoryLayout(back_beats=(4,))
    hist = teacher_history(rows, layout)
    assert hist.shape == (7, layout.dim)
    hints = layout.hints(hist)[:, 3]  # after the three exact-copy groups
    match = hist[:, -1]
    assert list(hints[:, 4]) == [0, 0, 0, 1, 1, 1, 0]  # rows 4 beats back exist for beats 4, 5, 11/2
    assert list(hints[5, :4]) == [0, 0, 1, 0]  # beat 11/2 - 4 = 3/2: Up
    # beat 5: the row before (4, Left) matches the row before beat 1 (0, Left) with the same gap
    assert list(match) == [0, 0, 0, 0, 1, 1, 0]


def test_foot_memory_alternates_in_streams_and_resets_after_gaps():
    # L D R U in eighths (left, right, left: a crossover on Right, right), a two-beat gap, then R
    beats = [Fraction(0), Fraction(1, 2), Fraction(1), Fraction(3, 2), Fraction(7, 2)]
    arrows = np.array([1, 2, 8, 4, 8])
    memory = FootMemory(beats)
    out = []
    for i in range(len(beats)):
        out.append(memory.query(arrows, i))
        memory.record(arrows, i)
    assert list(out[0][[4, 9, 12]]) == [1, 1, 1]  # no foot placed, either foot may start
    assert list(out[2][:5]) == [1, 0, 0, 0, 0]  # left foot on Left, right foot on Down, left foot next
    assert out[2][10] == 1
    assert out[3][3] == 1  # the left foot stepped on Right: crossed
    assert out[3][13] == 1
    assert out[4][12] == 1  # after two beats either foot may step


def test_lookahead_reads_the_rhythm_ahead():
    beats = [Fraction(i, 2) for i in range(4)] + [Fraction(4)]
    ahead = lookahead_features(beats, 2)
    assert ahead.shape == (5, 4)
    np.testing.assert_allclose(ahead[0, :2] * 6, [-1, -1])  # two half-beat gaps ahead
    np.testing.assert_allclose(ahead[2, :2] * 6, [-1, np.log2(2.5)])
    np.testing.assert_allclose(ahead[4, :2] * 6, [4, 4])  # past the end
    np.testing.assert_allclose(ahead[:, 2] * 6, np.log2(1 + np.array([2, 1, 0, 0, 0])))  # rows until the gap changes


def test_renaming_table_matches_renaming_row_by_row():
    """The 65-state automaton of PermMemory renames lanes exactly as a plain first-appearance renaming does."""
    from inference.lane_perm import _RENAME_NAMES, _renamed_newest_first

    def plain(context, k):
        names, out = {}, []
        for mask in list(reversed(context))[:k]:
            code = 0
            for lane in range(4):
                if (mask >> lane) & 1:
                    names.setdefault(lane, len(names))
                    code |= 1 << names[lane]
            out.append(code)
        return tuple(out), names

    rng = np.random.default_rng(3)
    for _ in range(300):
        context = rng.integers(0, 16, size=int(rng.integers(1, 20))).tolist()
        codes, states = _renamed_newest_first(context)
        assert len(codes) == len(states) == len(context)
        for k in (1, 4, 6, 16, len(context)):
            if k <= len(context):
                assert (tuple(codes[:k]), _RENAME_NAMES[states[k - 1]]) == plain(context, k)


def test_history_features_is_a_row_of_the_teacher_history() -> None:
    """The one-row history (arrays in) and the teacher history (lists inside) build the same vector."""
    rng = np.random.default_rng(2)
    beats = list(np.cumsum([Fraction(0)] + [Fraction(int(g), 4) for g in rng.integers(1, 5, size=59)]))
    notes = [Note(b, int(lane), NoteKind.HOLD, Fraction(1, 2)) if i % 7 == 3 else Note(b, int(lane))
             for i, (b, lane) in enumerate(zip(beats, rng.integers(0, 4, size=60)))]
    rows = rows_from_notes(notes)
    layout = HistoryLayout((3, 4, 8), (1, 2), (1, 4), foot=True, lookahead=4)
    teacher = teacher_history(rows, layout)
    memory = ChartMemory(rows.beats, layout)
    held = held_masks(rows)
    for i in range(len(rows)):
        row = history_features(rows.arrows, rows.holds, i, int(held[i]), memory.query(rows.arrows, i))
        memory.record(rows.arrows, i)  # the memories read numpy arrays as well as lists
        np.testing.assert_array_equal(row, teacher[i])
    assert teacher.shape == (len(rows), layout.dim)
    assert teacher[:, 16:20].any()  # previous holds (after 4 rows of arrows): the holds reach the history

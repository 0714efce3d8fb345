"""Lane assignment: rows <-> notes, features, post-rules under adversarial and random models, baselines."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chart.notes import Note, NoteKind
from inference.lane_decision import (
    FAST_REPEAT_S,
    RATE_CAP_FACTOR,
    RATE_FLOOR_FACTOR,
    RATE_WARMUP_ROWS,
    DecisionRule,
    allowed_classes,
    expected_notes_per_row,
    masked_choice,
)
from inference.lane_features import (
    AUDIO_DIM,
    HISTORY_DIM,
    HOLD_LENGTHS_BEAT,
    ROW_DIM,
    TIMING_DIM,
    held_from_history,
    held_masks,
    length_class,
    row_features,
    rows_from_notes,
    teacher_history,
)
from inference.lane_memory import HistoryLayout
from inference.lane_rules import AlternationStepper, CopyNgramStepper, NgramStepper
from inference.lanes import LaneRequest, assign_lanes, decode_rows, teacher_forced_classes
from training.lane_data import SYMMETRIES, _permute_history, permute_masks


def rule_violations(notes: list[Note], slot: int) -> list[str]:
    """Independent check of the post-rules on a list of notes."""
    problems = []
    rows: dict[Fraction, list[Note]] = {}
    for n in notes:
        rows.setdefault(n.beat, []).append(n)
        if n.kind not in (NoteKind.TAP, NoteKind.HOLD):
            problems.append(f"kind {n.kind} at {n.beat}")
        if n.kind == NoteKind.HOLD and n.length <= 0:
            problems.append(f"zero-length hold at {n.beat}")
        if not 0 <= n.lane < 4:
            problems.append(f"lane {n.lane}")
    holds = [n for n in notes if n.kind == NoteKind.HOLD]
    for beat, row in rows.items():
        lanes = [n.lane for n in row]
        if len(set(lanes)) != len(lanes):
            problems.append(f"duplicate lane at {beat}")
        held = {h.lane for h in holds if h.beat < beat <= h.end_beat}
        if held & set(lanes):
            problems.append(f"note inside a hold at {beat}")
        if len(held) + len(lanes) > 2:
            problems.append(f"{len(held) + len(lanes)} panels at {beat}")
        if slot == 0 and len(lanes) > 1:
            problems.append(f"jump at Beginner at {beat}")
    return problems


class FixedStepper:
    """Returns the same logits every row (an adversarial model: jumps, holds everywhere, longest length)."""

    def __init__(self, arrow: np.ndarray, hold: float, length: int) -> None:
        self.arrow, self.hold, self.length = arrow, hold, length

    def initial_state(self, batch: int) -> None:
        return None

    def step(self, rows, history, state):
        b = len(rows)
        length = np.full((b, len(HOLD_LENGTHS_BEAT)), -5.0, np.float32)
        length[:, self.length] = 5.0
        return {"arrow_logits": np.tile(self.arrow, (b, 1)), "hold_logits": np.full((b, 4), self.hold, np.float32),
                "length_logits": length}, state


class RandomStepper:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def initial_state(self, batch: int) -> None:
        return None

    def step(self, rows, history, state):
        b = len(rows)
        return {"arrow_logits": self.rng.normal(size=(b, 15)) * 3, "hold_logits": self.rng.normal(size=(b, 4)),
                "length_logits": self.rng.normal(size=(b, len(HOLD_LENGTHS_BEAT)))}, state


@pytest.fixture
def no_variety(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loop and Left/Right caps of inference.lane_variety and the pace caps of inference.lane_pace off (the
    jack floor in seconds stays): a runaway model's one arrow (or jump) all song long is a loop too, and its jumps
    fill fast runs, which they would break; tests of another cap see that cap alone."""
    from inference.lane_decision import without_jacks
    from inference.lane_pace import LanePace
    from inference.lane_variety import LaneVariety

    monkeypatch.setattr(LaneVariety, "allowed", lambda self, allowed, masks, i: allowed)
    monkeypatch.setattr(LanePace, "allowed", lambda self, allowed, masks, i: without_jacks(
        allowed, masks[i - 1] if i else 0, self.gaps[i], self.slot))


def _rows(n: int, step: Fraction = Fraction(1, 2)) -> tuple[list[Fraction], np.ndarray]:
    beats = [i * step for i in range(n)]
    return beats, np.array([float(b) * 0.5 for b in beats])  # 120 BPM


def test_rows_round_trip_and_rolls_become_holds():
    notes = [Note(Fraction(0), 0), Note(Fraction(0), 3, NoteKind.HOLD, Fraction(2)), Note(Fraction(1), 1),
             Note(Fraction(1), 2, NoteKind.MINE), Note(Fraction(3, 2), 2, NoteKind.ROLL, Fraction(1))]
    rows = rows_from_notes(notes)
    assert [int(a) for a in rows.arrows] == [0b1001, 0b0010, 0b0100]
    assert [int(h) for h in rows.holds] == [0b1000, 0, 0b0100]
    out = rows.to_notes()
    assert Note(Fraction(3, 2), 2, NoteKind.HOLD, Fraction(1)) in out
    assert not any(n.kind == NoteKind.MINE for n in out)
    assert len(out) == 4
    # lane 3 is held at beats 1 and 3/2 (inside its hold), nothing is held at beat 0
    assert [int(h) for h in held_masks(rows)] == [0, 0b1000, 0b1000]


def test_history_is_previous_rows_holds_and_held_lanes():
    rows = rows_from_notes([Note(Fraction(0), 0, NoteKind.HOLD, Fraction(1)), Note(Fraction(1, 2), 3),
                            Note(Fraction(2), 1)])
    hist = teacher_history(rows)
    assert hist.shape == (3, HISTORY_DIM)
    assert hist[0].sum() == 0
    bits = lambda mask: [(mask >> lane) & 1 for lane in range(4)]  # noqa: E731
    # row 1: previous rows [L, -, -, -], previous hold heads L, L still held, no copy hint yet
    assert list(hist[1][:24]) == bits(1) + bits(0) * 3 + bits(1) + bits(1)
    # row 2: previous rows [R, L, -, -], no hold head on the previous row, the hold ended at beat 1
    assert list(hist[2][:24]) == bits(8) + bits(1) + bits(0) * 2 + bits(0) + bits(0)
    assert list(held_from_history(hist)) == [0, 1, 0]
    assert hist[:, 24:].sum() == 0


def test_copy_memory_finds_repeated_patterns():
    pattern = [0, 1, 3, 2, 0, 2, 3, 1]  # eight rows, repeated with the same rhythm
    lanes = pattern * 5
    rows = rows_from_notes([Note(Fraction(i, 2), lane) for i, lane in enumerate(lanes)])
    hist = teacher_history(rows)
    copy = hist[:, 24:].reshape(len(lanes), 3, 5)
    for i in range(len(lanes)):
        for j, k in enumerate((4, 8, 16)):
            if i >= k + 8:  # the same k rows were seen one pattern earlier
                assert copy[i, j, 4] == 1
                assert list(copy[i, j, :4]) == [float(lane == lanes[i]) for lane in range(4)]
            if i < k:
                assert copy[i, j, 4] == 0
    # a different rhythm breaks the match
    beats = [Fraction(i, 2) for i in range(16)] + [Fraction(8) + Fraction(i, 3) for i in range(16)]
    rows2 = rows_from_notes([Note(b, lanes[i]) for i, b in enumerate(beats)])
    assert teacher_history(rows2)[17:28, 24:].reshape(-1, 3, 5)[:, :, 4].sum() == 0  # until it repeats itself


@pytest.mark.parametrize("perm", SYMMETRIES)
def test_lane_symmetry_permutes_history_consistently(perm):
    rng = np.random.default_rng(3)
    notes = [Note(Fraction(i, 2), int(rng.integers(4)), NoteKind.HOLD if i % 7 == 0 else NoteKind.TAP,
                  Fraction(1) if i % 7 == 0 else Fraction(0)) for i in range(60)]
    notes = [n for n in notes if not any(o.kind == NoteKind.HOLD and o.lane == n.lane and
                                         o.beat < n.beat <= o.end_beat for o in notes)]
    moved = [n.replace(lane=perm[n.lane]) for n in notes]
    hist = teacher_history(rows_from_notes(notes))
    assert np.array_equal(_permute_history(hist, perm), teacher_history(rows_from_notes(moved)))
    assert np.array_equal(permute_masks(rows_from_notes(notes).arrows, perm), rows_from_notes(moved).arrows)


def test_length_class_picks_nearest_length():
    assert HOLD_LENGTHS_BEAT[length_class(Fraction(1))] == 1
    assert HOLD_LENGTHS_BEAT[length_class(Fraction(17, 8))] == 2
    assert length_class(100) == len(HOLD_LENGTHS_BEAT) - 1


def test_row_features_shape_audio_flag_and_slot():
    beats, seconds = _rows(40)
    no_audio = row_features(beats, seconds, 2)
    assert no_audio.shape == (40, ROW_DIM)
    assert no_audio.dtype == np.float32
    assert np.all(no_audio[:, TIMING_DIM:] == 0)
    assert np.all(no_audio[:, TIMING_DIM - 5:TIMING_DIM].argmax(axis=1) == 2)
    feats = np.random.default_rng(0).normal(size=(3000, 240)).astype(np.float32)
    with_audio = row_features(beats, seconds, 2, feats, 100.0, 80)
    assert np.all(with_audio[:, -1] == 1)
    assert np.all(np.isfinite(with_audio))
    assert np.array_equal(with_audio[:, :TIMING_DIM], no_audio[:, :TIMING_DIM])
    assert AUDIO_DIM == ROW_DIM - TIMING_DIM


def test_allowed_classes_rules():
    assert allowed_classes(0, 1).sum() == 4 + 6  # singles and jumps, no hands
    assert allowed_classes(0, 0).sum() == 4  # Beginner: singles only
    held_left = allowed_classes(0b0001, 3)
    assert held_left.sum() == 3
    assert not held_left[0]
    assert not allowed_classes(0b0011, 3).any()  # both feet busy: the decoder must release


@pytest.mark.parametrize("slot", [0, 2, 4])
def test_adversarial_model_cannot_break_rules(slot):
    greedy_hands = np.full(15, -5.0, np.float32)
    greedy_hands[14] = 10.0  # all four lanes
    greedy_hands[2] = 8.0  # Left+Down jump
    stepper = FixedStepper(greedy_hands, hold=10.0, length=len(HOLD_LENGTHS_BEAT) - 1)
    beats, seconds = _rows(64, Fraction(1, 4))
    notes = assign_lanes(beats, seconds, slot, None, stepper)
    assert rule_violations(notes, slot) == []
    assert {n.beat for n in notes} == set(beats)  # every onset row keeps at least one arrow
    assert any(n.kind == NoteKind.HOLD for n in notes)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), slot=st.integers(0, 4), n=st.integers(1, 60),
       temperature=st.sampled_from([0.0, 1.0]))
def test_random_models_always_satisfy_rules(seed, slot, n, temperature):
    rng = np.random.default_rng(seed)
    gaps = rng.choice([Fraction(1, 4), Fraction(1, 2), Fraction(1), Fraction(1, 3)], size=n)
    beats = list(np.cumsum([Fraction(0), *gaps[1:]]))
    seconds = np.array([float(b) * 0.4 for b in beats])
    notes = assign_lanes(beats, seconds, slot, None, RandomStepper(seed), seed=seed, temperature=temperature)
    assert rule_violations(notes, slot) == []
    assert sorted({n.beat for n in notes}) == sorted(set(beats))


def test_sampling_is_seeded_and_greedy_is_deterministic():
    beats, seconds = _rows(200)
    stepper = FixedStepper(np.linspace(0, 1, 15).astype(np.float32), hold=-5.0, length=0)
    a = assign_lanes(beats, seconds, 2, None, stepper, seed=1, temperature=1.0)
    b = assign_lanes(beats, seconds, 2, None, stepper, seed=1, temperature=1.0)
    c = assign_lanes(beats, seconds, 2, None, stepper, seed=2, temperature=1.0)
    assert a == b
    assert a != c
    g1 = assign_lanes(beats, seconds, 2, None, stepper, seed=1)
    g2 = assign_lanes(beats, seconds, 2, None, stepper, seed=2)
    assert g1 == g2


def test_batched_decoding_equals_one_by_one():
    stepper = AlternationStepper()
    reqs = []
    for slot, n in ((0, 5), (3, 17), (4, 1)):
        beats, seconds = _rows(n)
        reqs.append(LaneRequest(beats, row_features(beats, seconds, slot), slot))
    together = decode_rows(stepper, reqs)
    for req, rows in zip(reqs, together):
        alone = decode_rows(stepper, [req])[0]
        assert rows.to_notes() == alone.to_notes()


def test_a_chart_without_rows_decodes_to_nothing_beside_the_others():
    """A slot the onset model left empty (seen on an 8 kHz file) is one of the batch: with the shipped layout's
    rhythm look-ahead it once raised a numpy broadcast error."""
    stepper = RandomStepper(3)
    stepper.layout = HistoryLayout((3, 4, 8), (1, 2), (1, 4), foot=True, lookahead=4)
    beats, seconds = _rows(9)
    reqs = [LaneRequest([], row_features([], np.zeros(0), 0), 0, np.zeros(0)),
            LaneRequest(beats, row_features(beats, seconds, 3), 3, seconds)]
    empty, full = decode_rows(stepper, reqs)
    assert empty.to_notes() == []
    assert len(full.beats) == 9
    assert full.to_notes()


def test_alternation_rule_alternates_feet():
    beats, seconds = _rows(8)
    notes = assign_lanes(beats, seconds, 1, None, None)
    lanes = [n.lane for n in sorted(notes)]
    assert all(a != b for a, b in zip(lanes, lanes[1:]))
    assert lanes[2:4] == lanes[0:2]  # L R L R ... repeats every two rows


def test_teacher_forced_oracle_and_ngram():
    notes = [Note(Fraction(i, 2), lane) for i, lane in enumerate([0, 3, 0, 3, 1, 2, 1, 2])]
    rows = rows_from_notes(notes)
    beats = rows.beats
    seconds = np.array([float(b) / 2 for b in beats])
    feats = row_features(beats, seconds, 2)

    class Oracle:
        def initial_state(self, batch):
            return 0

        def step(self, r, h, state):
            logits = np.zeros((len(r), 15), np.float32)
            logits[:, int(rows.arrows[state]) - 1] = 1
            return {"arrow_logits": logits}, state + 1

    preds = teacher_forced_classes(Oracle(), [feats], [teacher_history(rows)], [2])
    assert np.array_equal(preds[0], rows.arrows)
    # bigram "after Left comes Right" (and back) for slot 2: keys are slot + 5 * previous mask
    unigram = np.ones((1, 15), np.float32)
    after = np.zeros((2, 15), np.float32)
    after[0, 7] = 10.0  # key 2 + 5 * 1 (after L) -> R
    after[1, 0] = 10.0  # key 2 + 5 * 8 (after R) -> L
    stepper = NgramStepper([np.array([2]), np.array([7, 42])], [unigram, after])
    pred = teacher_forced_classes(stepper, [feats], [teacher_history(rows)], [2])[0]
    assert list(pred[1:4]) == [8, 1, 8]
    assert pred[5] in (1, 8)  # unseen context (after D): backs off to the flat unigram


def test_jump_threshold_turns_probable_jumps_into_jumps():
    logits = np.full(15, -20.0)
    logits[0] = np.log(0.4)  # Left
    logits[8] = np.log(0.3)  # Left+Right (mask 9)
    logits[2] = np.log(0.3)  # Left+Down (mask 3)
    allowed = allowed_classes(0, 3)
    rng = np.random.default_rng(0)
    assert masked_choice(logits, allowed, 0.0, rng) == 0  # plain argmax: the single
    assert masked_choice(logits, allowed, 0.0, rng, jump_threshold=0.5) in (2, 8)  # jump mass 0.6
    assert masked_choice(logits, allowed, 0.0, rng, jump_threshold=0.7) == 0
    assert masked_choice(logits, allowed_classes(0, 0), 0.0, rng, jump_threshold=0.1) == 0  # Beginner


def test_decision_rule_thresholds_reach_the_decoder():
    beats, seconds = _rows(64)
    arrow = np.full(15, -3.0, np.float32)
    arrow[0], arrow[8] = 0.0, -0.5  # single Left likelier than the Left+Right jump
    plain = FixedStepper(arrow, hold=-1.0, length=2)
    tuned = FixedStepper(arrow, hold=-1.0, length=2)
    tuned.rule = DecisionRule(jump=(None, 0.2, 0.2, 0.2, 0.2), hold=(0.5, 0.2, 0.2, 0.2, 0.2))
    assert not any(n.kind == NoteKind.HOLD for n in assign_lanes(beats, seconds, 2, None, plain))
    notes = assign_lanes(beats, seconds, 2, None, tuned)
    assert any(n.kind == NoteKind.HOLD for n in notes)  # hold p = 0.27 >= 0.2
    rows = {}
    for n in notes:
        rows.setdefault(n.beat, set()).add(n.lane)
    assert any(len(lanes) == 2 for lanes in rows.values())
    assert rule_violations(notes, 2) == []


def test_rate_caps_stop_jumps_and_holds_from_feeding_on_themselves(no_variety):
    beats, seconds = _rows(400, Fraction(1, 4))
    arrow = np.full(15, -3.0, np.float32)
    arrow[4] = 2.0  # Left+Up (mask 5): a model that wants a jump on every row, each a hold
    greedy = FixedStepper(arrow, hold=3.0, length=0)
    capped = FixedStepper(arrow, hold=3.0, length=0)
    capped.rule = DecisionRule(jump_cap=(None, 0.1, 0.1, 0.1, 0.1), hold_cap=(0.2,) * 5)
    rows_of = lambda notes: {b: [n for n in notes if n.beat == b] for b in {n.beat for n in notes}}  # noqa: E731
    free = rows_of(assign_lanes(beats, seconds, 2, None, greedy))
    assert sum(len(r) >= 2 for r in free.values()) > 0.4 * len(free)
    capped_rows = rows_of(assign_lanes(beats, seconds, 2, None, capped))
    n = len(capped_rows)
    jumps = sum(len(r) >= 2 for r in capped_rows.values())
    heads = sum(x.kind == NoteKind.HOLD for r in capped_rows.values() for x in r)  # hold cap: per arrow
    arrows = sum(len(r) for r in capped_rows.values())
    assert 0 < jumps <= 0.1 * (n + RATE_WARMUP_ROWS)
    assert 0 < heads <= 0.2 * (arrows + RATE_WARMUP_ROWS)
    assert rule_violations([x for r in capped_rows.values() for x in r], 2) == []


def test_shipped_style_manifest_caps_are_a_multiple_of_the_reference_rates():
    class M:
        extra = {"decision": {"jump_threshold": [None, 0.2, 0.2, 0.2, 0.2], "hold_threshold": [0.3] * 5,
                              "rates": {"jump_reference": [0.0, 0.1, 0.1, 0.12, 0.2],
                                        "hold_reference": [0.17, 0.12, 0.12, 0.09, 0.09]}}}

    rule = DecisionRule.from_manifest(M())
    assert rule.jump_cap[4] == pytest.approx(RATE_CAP_FACTOR * 0.2)
    assert rule.hold_cap[0] == pytest.approx(RATE_CAP_FACTOR * 0.17)
    M.extra = {"decision": {"hold_threshold": [0.3] * 5}}
    assert DecisionRule.from_manifest(M()).jump_cap == (None,) * 5


def test_expected_notes_per_row_is_one_plus_the_drafted_jump_rate():
    class M:
        extra = {"decision": {"rates": {"jump": [0.0, 0.1, 0.09, 0.12, 0.21]}}}

    assert expected_notes_per_row(M(), 4) == pytest.approx(1.21)
    assert expected_notes_per_row(M(), 0) == pytest.approx(1.0)
    M.extra = {"decision": {}}
    assert expected_notes_per_row(M(), 3) == pytest.approx(1.0)
    assert expected_notes_per_row(None, 3) == pytest.approx(1.0)  # no lane model: the alternation rule


def test_copy_ngram_rule_follows_the_longest_repeat():
    pattern = [0, 1, 3, 2, 0, 2, 3, 1]
    lanes = pattern * 4
    rows = rows_from_notes([Note(Fraction(i, 2), lane) for i, lane in enumerate(lanes)])
    beats = rows.beats
    feats = row_features(beats, np.array([float(b) / 2 for b in beats]), 2)
    flat = NgramStepper([np.array([2])], [np.ones((1, 15), np.float32)])  # no preference at all
    pred = teacher_forced_classes(CopyNgramStepper(flat), [feats], [teacher_history(rows)], [2])[0]
    # from the second period on, every row repeats a context seen before
    assert np.array_equal(pred[12:], rows.arrows[12:])


class PulseStepper:
    """A model that never wants a jump (jump mass < 1 %) but ranks every 4th row's jump above the others'."""

    def __init__(self) -> None:
        self.arrow = np.full(15, -9.0, np.float32)
        self.arrow[0] = 0.0  # Left
        self.arrow[1] = 0.0  # Down

    def initial_state(self, batch: int) -> np.ndarray:
        return np.zeros(batch, np.int64)

    def step(self, rows, history, state):
        b = len(rows)
        arrow = np.tile(self.arrow, (b, 1))
        arrow[state % 4 == 0, 8] = -6.0  # Left+Right: mass ~ 0.1 % on the pulse rows, ~ 0.006 % elsewhere
        length = np.zeros((b, len(HOLD_LENGTHS_BEAT)), np.float32)
        return {"arrow_logits": arrow, "hold_logits": np.full((b, 4), -9.0, np.float32),
                "length_logits": length}, state + 1


def test_jump_floor_keeps_a_draft_from_settling_at_no_jumps():
    beats, seconds = _rows(400, Fraction(1, 2))
    plain = PulseStepper()
    plain.rule = DecisionRule(jump=(None, 0.2, 0.2, 0.2, 0.2))
    floored = PulseStepper()
    floored.rule = DecisionRule(jump=(None, 0.2, 0.2, 0.2, 0.2), jump_floor=(None, 0.1, 0.1, 0.1, 0.1))
    jump_rows = lambda notes: sorted(b for b in {n.beat for n in notes}  # noqa: E731
                                     if sum(n.beat == b for n in notes) >= 2)
    assert jump_rows(assign_lanes(beats, seconds, 3, None, plain)) == []
    notes = assign_lanes(beats, seconds, 3, None, floored)
    jumps = jump_rows(notes)
    assert len(jumps) >= 0.1 * 400 - RATE_WARMUP_ROWS  # held at the floor once past the warm-up ...
    assert len(jumps) <= 0.1 * 400 + 2  # ... and no more: the floor is not a target
    assert all((b / Fraction(1, 2)) % 4 == 0 for b in jumps)  # on the rows the model ranks likeliest
    assert rule_violations(notes, 3) == []
    assert jump_rows(assign_lanes(beats, seconds, 0, None, floored)) == []  # Beginner: still no jumps


def test_jump_range_in_the_manifest_sets_the_floor_and_cap():
    class M:
        extra = {"decision": {"jump_threshold": [None, 0.2, 0.2, 0.2, 0.2], "hold_threshold": [0.3] * 5,
                              "rates": {"jump_reference": [0.0, 0.1, 0.1, 0.12, 0.2],
                                        "hold_reference": [0.17, 0.12, 0.12, 0.09, 0.09]},
                              "jump_range": {"low": [None, 0.03, 0.04, 0.05, 0.04],
                                             "high": [None, 0.1, 0.12, 0.11, 0.12]}}}

    rule = DecisionRule.from_manifest(M())
    assert rule.jump_floor == (None, 0.03, 0.04, 0.05, 0.04)
    assert rule.jump_cap == (None, 0.1, 0.12, 0.11, 0.12)
    assert rule.hold_cap[0] == pytest.approx(RATE_CAP_FACTOR * 0.17)
    del M.extra["decision"]["jump_range"]
    assert DecisionRule.from_manifest(M()).jump_floor[4] == pytest.approx(RATE_FLOOR_FACTOR * 0.2)


class RepeatStepper:
    """A model over single arrows that reads its own previous row: the row before's arrow gets ``bias`` (+4: it
    copies itself for ever; -3: it never repeats), plus ``pulse`` on every 4th row (ranks those repeats first)."""

    def __init__(self, bias: float, pulse: float = 0.0) -> None:
        self.bias, self.pulse = bias, pulse

    def initial_state(self, batch: int) -> np.ndarray:
        return np.zeros(batch, np.int64)

    def step(self, rows, history, state):
        from inference.lane_rules import prev_masks

        b = len(rows)
        arrow = np.full((b, 15), -9.0, np.float32)
        arrow[:, [0, 1, 3, 7]] = [0.3, 0.2, 0.1, 0.0]  # singles Left > Down > Up > Right
        prev = prev_masks(history)[:, 0]
        for k in range(b):
            if prev[k] in (1, 2, 4, 8):
                arrow[k, prev[k] - 1] += self.bias + (self.pulse if state[k] % 4 == 0 else 0.0)
        length = np.zeros((b, len(HOLD_LENGTHS_BEAT)), np.float32)
        return {"arrow_logits": arrow, "hold_logits": np.full((b, 4), -9.0, np.float32),
                "length_logits": length}, state + 1


def _repeat_share(notes: list[Note]) -> tuple[float, np.ndarray]:
    from inference.lane_decision import repeat_rows

    rows = rows_from_notes(notes)
    rep = repeat_rows(rows.arrows)
    return float(rep.mean()), np.flatnonzero(rep)


@pytest.mark.parametrize("slot", [0, 2])
def test_repeat_cap_stops_a_draft_that_copies_its_own_arrow(slot, no_variety):
    beats, seconds = _rows(400, Fraction(1))
    runaway = RepeatStepper(4.0)
    share, _ = _repeat_share(assign_lanes(beats, seconds, slot, None, runaway))
    assert share > 0.95  # without a cap: the same arrow all song long
    runaway.rule = DecisionRule(repeat_cap=(0.3,) * 5)
    notes = assign_lanes(beats, seconds, slot, None, runaway)
    share, _ = _repeat_share(notes)
    assert 0.25 <= share <= 0.3 + RATE_WARMUP_ROWS / 400  # at the cap, not below it: the model still wants them
    assert rule_violations(notes, slot) == []


def test_repeat_floor_lifts_the_rows_the_model_ranks_likeliest_to_repeat():
    beats, seconds = _rows(400, Fraction(1))
    shy = RepeatStepper(-3.0, pulse=1.0)
    share, _ = _repeat_share(assign_lanes(beats, seconds, 1, None, shy))
    assert share == 0.0  # without a floor: never the same panel twice
    shy.rule = DecisionRule(repeat_floor=(0.2,) * 5)
    share, where = _repeat_share(assign_lanes(beats, seconds, 1, None, shy))
    assert 0.2 - RATE_WARMUP_ROWS / 400 <= share <= 0.2 + 2 / 400  # held at the floor, no more
    assert all(i % 4 == 0 for i in where)  # on the pulse rows, which the model ranks likeliest to repeat
    sampled = assign_lanes(beats, seconds, 1, None, shy, seed=3, temperature=1.0)
    assert _repeat_share(sampled)[0] < 0.1  # sampling draws from the model; the floor only steers greedy drafts


def test_repeat_range_in_the_manifest_sets_the_repeat_floor_and_cap():
    class M:
        extra = {"decision": {"repeat_range": {"low": [0.21, 0.08, 0.04, 0.035, 0.02],
                                               "high": [0.31, 0.13, 0.08, 0.06, 0.04]}}}

    rule = DecisionRule.from_manifest(M())
    assert rule.repeat_floor == (0.21, 0.08, 0.04, 0.035, 0.02)
    assert rule.repeat_cap == (0.31, 0.13, 0.08, 0.06, 0.04)
    M.extra = {"decision": {}}
    assert DecisionRule.from_manifest(M()).repeat_cap == (None,) * 5  # older manifests: no bound


def _stream_rows(n: int) -> tuple[list[Fraction], np.ndarray, np.ndarray]:
    """Rows alternating a beat and a sixteenth apart (120 BPM): odd rows come 0.125 s after the row before (a
    repeat there is a fast jack), even rows 0.5 s after. Returns beats, seconds and which rows are quick."""
    beats = [Fraction(0)]
    for i in range(1, n):
        beats.append(beats[-1] + (Fraction(1, 4) if i % 2 else Fraction(1)))
    seconds = np.array([float(b) * 0.5 for b in beats])
    quick = np.diff(seconds, prepend=-np.inf) < FAST_REPEAT_S
    return beats, seconds, quick


def test_fast_repeat_cap_stops_jacks_in_streams_and_leaves_slow_repeats(no_variety):
    beats, seconds, quick = _stream_rows(400)
    runaway = RepeatStepper(4.0)
    _, where = _repeat_share(assign_lanes(beats, seconds, 3, None, runaway))
    assert quick[where].sum() > 190  # without a cap: a jack on every sixteenth
    runaway.rule = DecisionRule(fast_repeat_cap=(0.01,) * 5)
    notes = assign_lanes(beats, seconds, 3, None, runaway)
    _, where = _repeat_share(notes)
    assert quick[where].sum() <= 0.01 * (400 + RATE_WARMUP_ROWS)  # fast repeats held at the cap
    assert (~quick[where]).sum() >= 190  # repeats a beat apart are not fast jacks: the model keeps them
    assert rule_violations(notes, 3) == []
    # without the rows' times (an older caller) there is nothing to tell fast from slow: no cap
    feats = row_features(beats, seconds, 3)
    rows = decode_rows(runaway, [LaneRequest(beats, feats, 3)])[0]
    from inference.lane_decision import repeat_rows

    assert quick[repeat_rows(rows.arrows)].sum() > 190


class JitterRepeatStepper(RepeatStepper):
    """A repeat-shy model (-3) whose wish to repeat varies from row to row (a deterministic jitter up to
    ``pulse``), so that a floor ranks rows by it."""

    def step(self, rows, history, state):
        out, new_state = super().step(rows, history, state)
        from inference.lane_rules import prev_masks

        prev = prev_masks(history)[:, 0]
        for k in range(len(rows)):
            if prev[k] in (1, 2, 4, 8):
                out["arrow_logits"][k, prev[k] - 1] += self.pulse * ((int(state[k]) * 37) % 101) / 101
        return out, new_state


def test_repeat_floor_counts_all_rows_when_fast_repeats_are_blocked():
    beats, seconds, quick = _stream_rows(400)
    shy = JitterRepeatStepper(-3.0, pulse=1.0)
    shy.rule = DecisionRule(repeat_floor=(0.2,) * 5, fast_repeat_cap=(0.0,) * 5)
    share, where = _repeat_share(assign_lanes(beats, seconds, 3, None, shy))
    assert not quick[where].any()  # no fast jack at all
    # only the slow half of the rows can take a repeat, and the floor still holds 20 % of *all* rows
    assert 0.2 - RATE_WARMUP_ROWS / 400 <= share <= 0.2 + 2 / 400


def test_cut_hold_length_ends_on_the_sixteenth_before_the_cut_or_makes_a_tap() -> None:
    from inference.lane_features import cut_hold_length

    assert cut_hold_length(Fraction(0), Fraction(2)) == Fraction(7, 4)  # on the grid: the sixteenth before
    assert cut_hold_length(Fraction(0), Fraction(13, 6)) == Fraction(2)  # off the grid: the sixteenth below
    assert cut_hold_length(Fraction(1), Fraction(3, 2)) == Fraction(1, 4)  # exactly the shortest hold
    assert cut_hold_length(Fraction(1), Fraction(5, 4)) == 0  # nothing left: a tap
    assert cut_hold_length(Fraction(1, 3), Fraction(3, 4)) == 0  # 1/6 beat left: shorter than a hold, a tap



def test_given_rows_are_kept_and_the_decoder_continues_from_them():
    from inference.lane_features import row_features, rows_from_notes

    beats, seconds = _rows(10)
    context = [Note(beats[0], 2), Note(beats[1], 1), Note(beats[2], 3, NoteKind.HOLD, Fraction(1))]
    given = rows_from_notes(context)
    feats = row_features(beats, seconds, 2, None, 100.0, 80)
    plain = decode_rows(AlternationStepper(), [LaneRequest(beats, feats, 2, seconds)])[0]
    continued = decode_rows(AlternationStepper(), [LaneRequest(beats, feats, 2, seconds, given=given)])[0]
    notes = continued.to_notes()
    assert [n for n in notes if n.beat < beats[3]] == sorted(context)  # given rows come out as given
    assert not rule_violations(notes, 2)
    assert all(n.lane != 3 for n in notes if beats[2] < n.beat <= beats[2] + 1)  # the given hold is respected
    # alternation continues from the given Up, Down, Right: the next row repeats two rows back (Down), where the
    # plain decode of the same rows, which knows nothing before row 3, had chosen its own
    assert continued.arrows[3] == 1 << 1
    assert list(plain.arrows[3:]) != list(continued.arrows[3:])


@pytest.mark.parametrize("seed", range(6))
def test_a_given_hold_running_into_the_passage_is_never_ended_for_room(seed):
    """A chart's hold that starts before a regenerated passage and runs into it is the chart's, not the
    decoder's: when a decoded hold made two held lanes, the decoder ended both (to make room), and the passage got
    notes inside the chart's hold (the demo song: 17 of 24 regenerations of a passage under a 10-beat hold)."""
    from inference.lane_features import row_features, rows_from_notes

    beats, seconds = _rows(40, Fraction(1, 2))
    context = [Note(beats[0], 1), Note(beats[1], 0, NoteKind.HOLD, Fraction(12))]  # lane 0 held to beat 12.5
    given = rows_from_notes(context)
    feats = row_features(beats, seconds, 3, None, 100.0, 80)
    rows = decode_rows(RandomStepper(seed), [LaneRequest(beats, feats, 3, seconds, given=given)], 0.0, seed)[0]
    notes = rows.to_notes()
    assert Note(beats[1], 0, NoteKind.HOLD, Fraction(12)) in notes  # kept whole
    assert not [n for n in notes if n.lane == 0 and beats[1] < n.beat <= beats[1] + 12]
    assert any(n.kind == NoteKind.HOLD and n.lane != 0 and n.beat > beats[1] for n in notes)  # decoded holds too
    # two such holds: the rows between take single arrows beside them (a hand, as the chart has it)
    both = rows_from_notes([*context, Note(beats[1], 3, NoteKind.HOLD, Fraction(12))])
    notes = decode_rows(RandomStepper(seed), [LaneRequest(beats, feats, 3, seconds, given=both)], 0.0, seed)[0].to_notes()
    inside = [n for n in notes if beats[1] < n.beat <= beats[1] + 12]
    assert inside
    assert all(n.lane in (1, 2) for n in inside)
    assert len({n.beat for n in inside}) == len(inside)  # one arrow a row


@pytest.mark.parametrize("slot", [1, 4])
def test_fixed_rows_anywhere_are_kept_and_the_rules_still_hold(slot):
    from inference.lane_features import row_features

    beats, seconds = _rows(24, Fraction(1, 4))
    feats = row_features(beats, seconds, slot, None, 100.0, 80)
    # an adversarial model wanting long holds everywhere, and fixed rows in the middle in the lanes it holds
    arrow = np.full(15, -5.0, np.float32)
    arrow[0] = 5.0  # Left
    stepper = FixedStepper(arrow, 5.0, len(HOLD_LENGTHS_BEAT) - 1)
    fixed = {5: (1, 0, [Fraction(0)] * 4), 9: (0b0011, 0b0001, [Fraction(1, 2), 0, 0, 0]), 17: (8, 0, [Fraction(0)] * 4)}
    rows = decode_rows(stepper, [LaneRequest(beats, feats, slot, seconds, fixed=fixed)])[0]
    for i, (arrows, holds, _lengths) in fixed.items():
        assert int(rows.arrows[i]) == arrows
        assert int(rows.holds[i]) == holds
    assert not rule_violations(rows.to_notes(), slot)


def test_decoded_rows_carry_the_models_confidence_in_its_choice():
    from inference.lane_decision import choice_probability
    from inference.lane_features import row_features

    beats, seconds = _rows(12)
    feats = row_features(beats, seconds, 2, None, 100.0, 80)
    sure = np.full(15, -8.0, np.float32)
    sure[0] = 8.0  # Left, nearly certain
    flat = np.zeros(15, np.float32)  # no preference at all
    fixed = {3: (2, 0, [Fraction(0)] * 4)}
    for logits, low, high in ((sure, 0.99, 1.0), (flat, 0.0, 0.2)):
        rows = decode_rows(FixedStepper(logits, -10.0, 0), [LaneRequest(beats, feats, 2, seconds, fixed=fixed)])[0]
        assert rows.confidence is not None
        free = [c for i, c in enumerate(rows.confidence) if i not in fixed]
        assert all(low <= c <= high for c in free), free
        assert rows.confidence[3] == 1.0  # a fixed row is not the model's guess
    allowed = np.ones(15, dtype=bool)
    assert choice_probability(flat, allowed, 4) == pytest.approx(1 / 15)
    allowed[4] = False
    assert choice_probability(flat, allowed, 4) == 0.0

"""Foot parity (chart.parity) on hand-built dance-single charts, and the parity Verify check's severities per slot.

Lanes: 0 Left, 1 Down, 2 Up, 3 Right. At 150 BPM a half beat (1/8 note) is 0.2 s: full hurry.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from fractions import Fraction

import numpy as np
import pytest

from chart import parity
from chart.checks.base import CheckContext, Severity
from chart.checks.parity import CheckParity
from chart.checks.registry import all_checks
from chart.notes import Note, NoteKind
from chart.parity import Foot, parse_feet, pressure
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from tests.chart.helpers import hold, tap

L, R = Foot.LEFT, Foot.RIGHT
FAST = TimingData.constant(150)  # 1/2 beat = 0.2 s
PANEL = {c: i for i, c in enumerate("LDUR")}


def taps(pattern: str, step=Fraction(1, 2), start=0) -> list[Note]:
    """One tap per letter of ``pattern`` (L D U R), ``step`` beats apart."""
    return [tap(start + i * Fraction(step), PANEL[c]) for i, c in enumerate(pattern)]


def feet(parse) -> list:
    return [r.feet[0] if len(r.feet) == 1 else r.feet for r in parse.rows]


# ---------------------------------------------------------------------------------------------- parse
def test_alternating_stream_has_no_double_step_or_crossover() -> None:
    parse = parse_feet(taps("LDURLDURLDURLDUR"), FAST)
    assert feet(parse) == [L, R] * 8
    assert parse.double_steps == parse.crossovers == parse.footswitches == parse.jacks == 0
    assert parse.cost == 0


def test_left_down_right_up_left_at_eighths_is_one_crossover() -> None:
    # Alternating: the left foot goes over to Right at row 3 and comes back on row 5. Any other parse double-steps
    # at 0.2 s (3.1 each), which costs more than one crossover (1.8) held for one row (0.2).
    parse = parse_feet(taps("LDRUL"), FAST)
    assert feet(parse) == [L, R, L, R, L]
    assert [r.crossover for r in parse.rows] == [False, False, True, False, False]
    assert parse.double_steps == 0
    assert parse.cost == pytest.approx(parity.CROSSOVER_COST + parity.CROSSOVER_FAST_COST + parity.CROSSED_ROW_COST)


def test_same_pattern_after_long_gaps_double_steps_harmlessly() -> None:
    parse = parse_feet(taps("LDRUL", step=4), TimingData.constant(120))  # 2 s between rows
    assert parse.crossovers == 0
    assert parse.double_steps == 2
    assert parse.fast_double_steps() == []
    assert all(r.gap_s == pytest.approx(2.0) for r in parse.rows[1:])
    assert parse.cost == pytest.approx(2 * parity.DOUBLE_STEP_COST)


def test_parity_flip_forces_one_fast_double_step() -> None:
    # L D U R then D L D U R: alternating through it would put the right foot on Left and later the left foot on
    # Right (two crossovers); one double step is cheaper, and it is fast (0.2 s).
    parse = parse_feet(taps("LDURDLDUR"), FAST)
    assert parse.crossovers == 0
    (double,) = parse.fast_double_steps()
    assert double.gap_s == pytest.approx(0.2)
    assert feet(parse)[:4] == [L, R, L, R]
    assert feet(parse)[-4:] == [L, R, L, R]


def test_jack_is_one_foot_and_not_a_double_step() -> None:
    parse = parse_feet(taps("DDDD"), FAST)
    assert len(set(feet(parse))) == 1
    assert [r.jack for r in parse.rows] == [False, True, True, True]
    assert parse.double_steps == parse.footswitches == 0


def test_hold_pins_its_foot_and_the_other_foot_is_not_double_stepping() -> None:
    notes = [hold(0, 0, 4), *taps("DURDUR", start=1), tap(4, 2)]  # the left foot holds Left until beat 4
    parse = parse_feet(notes, FAST)
    assert feet(parse)[0] == L
    assert feet(parse)[1:7] == [R] * 6
    assert parse.double_steps == 0  # the left foot is busy: nothing else can step them
    assert parse.crossovers == 0
    # on the hold's end beat either foot may take Up at no cost: the left is free again, and the right stepping
    # once more is no double step (the left foot was holding until then)
    assert parse.cost == 0


def test_hold_forces_a_crossover() -> None:
    # The left foot holds Down; the Left arrow under it can only be taken by the right foot.
    notes = [tap(0, 0), tap(Fraction(1, 2), 3), hold(1, 1, 2), tap(2, 0)]
    parse = parse_feet(notes, FAST)
    assert feet(parse) == [L, R, L, R]
    assert parse.rows[3].crossover
    assert not parse.rows[3].hands


def test_jump_uses_both_feet_uncrossed() -> None:
    parse = parse_feet([tap(0, 0), tap(0, 3), tap(1, 1), tap(1, 2), tap(2, 0), tap(2, 3)], FAST)
    lr = parse.rows[0]
    assert lr.feet == (L, R)
    assert parse.rows[2].feet == (L, R)
    assert parse.crossovers == parse.hands == 0
    assert set(parse.rows[1].feet) == {L, R}


def test_three_arrows_need_a_hand() -> None:
    parse = parse_feet([tap(0, 0), tap(0, 1), tap(0, 3), tap(1, 2), tap(2, 0), tap(2, 1), tap(2, 2), tap(2, 3)], FAST)
    three, _, four = parse.rows
    assert three.hands
    assert four.hands
    assert sorted(f for f in three.feet if f is not None) == [L, R]
    assert three.feet.count(None) == 1
    assert four.feet.count(None) == 2
    assert parse.hands == 2
    assert not parse.rows[1].hands


def test_jump_while_a_hold_is_down_needs_a_hand() -> None:
    parse = parse_feet([hold(0, 0, 2), tap(1, 1), tap(1, 3), tap(2, 2)], FAST)
    assert parse.rows[1].hands
    assert parse.rows[1].feet.count(None) == 1
    assert not parse.rows[2].hands  # the hold ended at beat 2


def test_mines_and_fakes_are_not_steps() -> None:
    notes = [*taps("LDRUL"), Note(Fraction(1, 4), 2, NoteKind.MINE), Note(Fraction(3, 4), 3, NoteKind.FAKE)]
    parse = parse_feet(notes, FAST)
    assert len(parse.rows) == 5
    assert feet(parse) == [L, R, L, R, L]


def test_timing_change_turns_double_steps_into_crossovers() -> None:
    # The same L D R pattern every half beat: at 40 BPM (0.75 s a row) it double-steps, after the change to
    # 150 BPM (0.2 s) it crosses over.
    timing = TimingData(bpms=((Fraction(0), Fraction(40)), (Fraction(6), Fraction(150))))
    parse = parse_feet(taps("LDRDLDRDLDRDLDRDLDRDLDRD"), timing)
    slow = [r for r in parse.rows if r.beat < 6]
    fast = [r for r in parse.rows if r.beat > 6]
    assert not any(r.crossover for r in slow)
    assert any(r.double_step for r in slow)
    assert any(r.crossover for r in fast)
    assert not any(r.double_step for r in fast)
    assert parse.rows[1].gap_s == pytest.approx(0.75)


def test_a_stop_makes_the_next_double_step_harmless() -> None:
    notes = taps("LDR")
    plain = parse_feet(notes, FAST)
    stopped = parse_feet(notes, TimingData(bpms=((Fraction(0), Fraction(150)),), stops=((Fraction(1, 2), Fraction(2)),)))
    assert feet(plain) == [L, R, L]
    assert plain.crossovers == 1
    assert stopped.rows[2].gap_s == pytest.approx(2.2)
    assert feet(stopped) == [L, R, R]
    assert stopped.crossovers == 0
    assert stopped.rows[2].double_step
    assert stopped.fast_double_steps() == []


def test_pressure_is_one_when_fast_and_zero_after_a_rest() -> None:
    assert pressure(0.1) == 1
    assert pressure(parity.FAST_GAP_S) == 1
    assert pressure(parity.REST_GAP_S) == 0
    assert pressure(math.inf) == 0
    assert 0 < pressure(0.35) < 1


def test_counts_and_empty_chart() -> None:
    assert parse_feet([], FAST).rows == ()
    counts = parse_feet(taps("LDRUL"), FAST).counts()
    assert counts == {"rows": 5, "crossovers": 1, "double_steps": 0, "fast_double_steps": 0, "footswitches": 0,
                      "jacks": 0, "hands": 0}


def test_lane_outside_the_pad_is_refused() -> None:
    with pytest.raises(ValueError, match="lane 5"):
        parse_feet([tap(0, 5)], FAST)


def _brute_force_cost(lanes: list[int], gaps: list[float]) -> float:
    """Cheapest cost of one-arrow rows over every sequence of feet, simulated step by step (no holds)."""
    best = math.inf
    for choice in itertools.product((0, 1), repeat=len(lanes)):
        pos, last, cost = [0, 3], 2, 0.0
        for lane, gap, f in zip(lanes, gaps, choice, strict=True):
            p = float(pressure(gap))
            other = 1 - f
            was_crossed = pos[0] == 3 or pos[1] == 0
            if lane == pos[other]:
                cost += parity.FOOTSWITCH_COST + parity.FOOTSWITCH_FAST_COST * p
                pos[other] = parity.AIR
            if last == f and lane == pos[f]:
                cost += parity.JACK_FAST_COST * p
            elif last == f:
                cost += parity.DOUBLE_STEP_COST + parity.DOUBLE_STEP_FAST_COST * p
            pos[f], last = lane, f
            if (pos[0] == 3 or pos[1] == 0) and math.isinf(gap):  # the first row is never stepped crossed
                cost = math.inf
            elif pos[0] == 3 or pos[1] == 0:
                cost += (parity.CROSSED_ROW_COST if was_crossed
                         else parity.CROSSOVER_COST + parity.CROSSOVER_FAST_COST * p)
        best = min(best, cost)
    return best


def test_viterbi_finds_the_brute_force_minimum() -> None:
    rng = random.Random(7)
    for _ in range(40):
        n = rng.randint(2, 9)
        lanes = [rng.randrange(4) for _ in range(n)]
        steps = [Fraction(rng.choice([1, 2, 3, 4, 8]), 4) for _ in range(n)]
        beats = list(itertools.accumulate(steps))
        parse = parse_feet([tap(b, lane) for b, lane in zip(beats, lanes, strict=True)], FAST)
        gaps = [math.inf] + [float(b - a) * 0.4 for a, b in itertools.pairwise(beats)]
        assert parse.cost == pytest.approx(_brute_force_cost(lanes, gaps)), (lanes, steps)


def test_ten_thousand_notes_parse_quickly() -> None:
    rng = np.random.default_rng(0)
    notes = [tap(Fraction(i, 4), int(lane)) for i, lane in enumerate(rng.integers(0, 4, 10_000))]
    started = time.perf_counter()
    parse = parse_feet(notes, FAST)
    assert len(parse.rows) == 10_000
    assert time.perf_counter() - started < 2.0  # about 0.25 s on the development machine


# ---------------------------------------------------------------------------------------------- the Verify check
def parity_issues(slot: Slot, notes: list[Note], mode: str = "dance-single"):
    song = Song(title="T", timing=FAST, charts=[Chart(slot=slot, meter=3, notes=sorted(notes), mode=mode)])
    return list(CheckParity().run(CheckContext(song, song.charts[0])))


CROSSOVERS = taps("LDRUL") + taps("LDRUL", start=8)  # two crossovers at 1/8
FAST_DOUBLE = taps("LDURDLDUR")  # one unavoidable fast double step


def test_check_is_registered_next_to_hands() -> None:
    ids = [c.meta.id for c in all_checks()]
    assert ids[ids.index("hands") + 1] == "parity"
    assert CheckParity.meta.category == "Playability"


def test_beginner_warns_on_every_crossover() -> None:
    found = parity_issues(Slot.BEGINNER, CROSSOVERS)
    assert [i.severity for i in found] == [Severity.WARNING, Severity.WARNING]
    assert [i.beat for i in found] == [1, 9]
    assert "left foot on Right" in found[0].message
    assert "200 ms" in found[0].message
    assert found[0].notes == (tap(1, 3),)


@pytest.mark.parametrize("slot", [Slot.BEGINNER, Slot.EASY])
def test_fast_double_step_warns_at_beginner_and_easy(slot: Slot) -> None:
    (issue,) = parity_issues(slot, FAST_DOUBLE)
    assert issue.severity == Severity.WARNING
    assert "fast double step" in issue.message
    assert "200 ms apart" in issue.message


def test_easy_counts_crossovers_in_one_info() -> None:
    (issue,) = parity_issues(Slot.EASY, CROSSOVERS)
    assert issue.severity == Severity.INFO
    assert issue.message == "2 crossovers when stepped with alternating feet, first at beat 1"
    assert issue.beat == 1
    assert len(issue.notes) == 2


@pytest.mark.parametrize("slot", [Slot.MEDIUM, Slot.HARD, Slot.CHALLENGE, Slot.EDIT])
def test_higher_slots_get_one_info_with_both_counts(slot: Slot) -> None:
    notes = FAST_DOUBLE + taps("LDRUL", start=10)
    (issue,) = parity_issues(slot, notes)
    assert issue.severity == Severity.INFO
    assert issue.message.startswith("1 crossover and 1 fast double step when stepped with alternating feet")


def test_slow_double_steps_and_alternating_streams_are_quiet() -> None:
    for slot in Slot:
        assert parity_issues(slot, taps("LDRUL", step=4)) == []
        assert parity_issues(slot, taps("LDURLDURLDUR")) == []


@pytest.mark.parametrize("mode", ["dance-double", "pump-single", "kb7-single"])
def test_other_modes_are_skipped(mode: str) -> None:
    assert parity_issues(Slot.BEGINNER, CROSSOVERS, mode=mode) == []

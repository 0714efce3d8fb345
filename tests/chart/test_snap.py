"""chart.snap: grid membership, quantization, nearest snap, stepping, coarse-first snapping."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chart.snap import (
    DIVISORS,
    finest_divisor,
    is_on_grid,
    move,
    quantization,
    snap_beat,
    snap_beats_array,
    snap_preferring_coarse,
    step,
)

beats = st.builds(Fraction, st.integers(-10_000, 10_000), st.integers(1, 400))
divisors = st.sampled_from([*DIVISORS, 5, 7, 20, 36])


@settings(max_examples=500, deadline=None)
@given(beats, divisors)
def test_is_on_grid_matches_definition(beat: Fraction, divisor: int) -> None:
    assert is_on_grid(beat, divisor) == ((beat / step(divisor)).denominator == 1)


@settings(max_examples=500, deadline=None)
@given(beats)
def test_quantization_is_the_coarsest_grid_holding_the_beat(beat: Fraction) -> None:
    q = quantization(beat)
    assert q % 4 == 0
    assert is_on_grid(beat, q)
    assert not any(is_on_grid(beat, d) for d in range(4, q, 4))


@settings(max_examples=300, deadline=None)
@given(beats, divisors)
def test_snap_is_nearest_grid_point(beat: Fraction, divisor: int) -> None:
    snapped = snap_beat(beat, divisor)
    assert is_on_grid(snapped, divisor)
    assert abs(snapped - beat) <= step(divisor) / 2


@settings(max_examples=300, deadline=None)
@given(beats, divisors)
def test_move_goes_to_the_next_grid_point(beat: Fraction, divisor: int) -> None:
    after, before = move(beat, divisor, 1), move(beat, divisor, -1)
    assert before < beat < after
    assert is_on_grid(after, divisor)
    assert is_on_grid(before, divisor)
    assert after - beat <= step(divisor)
    assert beat - before <= step(divisor)


def test_examples() -> None:
    assert [quantization(Fraction(x)) for x in ("0", "1/2", "1/3", "1/4", "1/48", "3/16")] == [4, 8, 12, 16, 192, 64]
    assert finest_divisor(Fraction(1, 3)) == 12
    assert finest_divisor(Fraction(1, 5)) is None
    np.testing.assert_allclose(snap_beats_array(np.array([0.26, 0.74]), 8), [0.5, 0.5])
    with pytest.raises(ValueError, match="positive"):
        is_on_grid(Fraction(1), 0)


def test_snap_preferring_coarse() -> None:
    got = snap_preferring_coarse(np.array([1.02, 1.26, 1.34]), (4, 8, 16, 12), tolerance_beats=0.03)
    assert got == [Fraction(1), Fraction(5, 4), Fraction(4, 3)]
    assert snap_preferring_coarse(np.array([1.1]), (4, 8), tolerance_beats=0.01) == [Fraction(1)]


@given(st.integers(-2000, 20000), st.sampled_from(DIVISORS), st.sampled_from([0.0, 0.5, 0.25, 0.4999999, 0.5000001,
                                                                            0.49999999999, 0.123]),
       st.floats(-1e-9, 1e-9))
def test_fast_float_snap_equals_the_exact_rational_snap(k: int, divisor: int, frac: float, eps: float) -> None:
    """The decoder's shortcut rounds like snap_beat of the limited Fraction, at ties and near them too."""
    from chart.snap import _snap_float

    x = (k + frac) * 4.0 / divisor + eps
    assert _snap_float(x, divisor) == snap_beat(Fraction(x).limit_denominator(1 << 20), divisor)


@given(st.floats(-100.0, 2000.0, allow_nan=False), st.sampled_from(DIVISORS))
def test_fast_float_snap_equals_the_exact_rational_snap_anywhere(x: float, divisor: int) -> None:
    from chart.snap import _snap_float

    assert _snap_float(x, divisor) == snap_beat(Fraction(x).limit_denominator(1 << 20), divisor)


def test_quantize_notes_moves_heads_and_tails_and_merges() -> None:
    from chart.notes import Note, NoteKind
    from chart.snap import quantize_notes

    f = Fraction
    notes = [Note(f(1, 3), 0), Note(f(3, 8), 1, NoteKind.MINE), Note(f(1, 2), 1),  # mine meets a tap: the tap stays
             Note(f(2, 3), 2, NoteKind.HOLD, f(1, 3)),  # tail 1 stays, head 2/3 -> 1/2
             Note(f(7, 4), 3, NoteKind.ROLL, f(1, 12)),  # too short after snapping: one step
             Note(f(3), 0), Note(f(3), 0, NoteKind.HOLD, f(1)),  # same beat and lane: the longer one
             Note(f(13, 6), 2)]
    got = quantize_notes(notes, 8)
    assert got == [Note(f(1, 2), 0), Note(f(1, 2), 1), Note(f(1, 2), 2, NoteKind.HOLD, f(1, 2)),
                   Note(f(2), 2), Note(f(2), 3, NoteKind.ROLL, f(1, 2)), Note(f(3), 0, NoteKind.HOLD, f(1))]
    assert quantize_notes(got, 8) == got  # already on the grid: unchanged
    assert all(is_on_grid(n.beat, 16) for n in quantize_notes(notes, 16))


def test_quantized_holds_stop_a_grid_step_before_the_next_head_of_their_lane():
    from chart.snap import quantize_notes

    """A tail snapped (or stretched to one grid step) onto the next note of its lane would put that note inside the
    hold: the hold ends one step before it, or becomes a tap when that leaves no room."""
    from chart.notes import Note, NoteKind

    roll = Note(Fraction(6), 1, NoteKind.ROLL, Fraction(1, 8))
    lift = Note(Fraction(25, 4), 1, NoteKind.LIFT)
    assert quantize_notes([roll, lift], 16) == [Note(Fraction(6), 1), lift]  # 1/4-beat roll would reach 6.25
    hold = Note(Fraction(0), 0, NoteKind.HOLD, Fraction(15, 8))
    assert quantize_notes([hold], 4, [Note(Fraction(2), 0)]) == [hold.replace(length=Fraction(1))]
    assert quantize_notes([hold], 4, [Note(Fraction(3), 0)]) == [hold.replace(length=Fraction(2))]  # room: kept
    assert quantize_notes([hold], 4, [Note(Fraction(2), 1)]) == [hold.replace(length=Fraction(2))]  # other lane

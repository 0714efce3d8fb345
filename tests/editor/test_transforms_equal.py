"""The helpers behind the faster whole-selection transforms give exactly what the code they replace gave: Quantize
meets only the chart's notes near the selection's holds, Expand/Compress compute each beat from integers."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from chart.snap import quantize_notes, step
from editor.controllers.reshape import _hold_neighbours, _scaling
from tests.chart import edit_reference as ref


@pytest.mark.parametrize("seed", range(30))
def test_quantize_meets_the_same_notes_as_with_the_whole_chart(seed):
    """The chart's notes quantize_notes is given (the heads a quantized hold's tail stops before) are only those
    near the selection's holds, in their lanes: the result is what passing every other note of the chart gave."""
    rng = random.Random(seed)
    chart = ref.random_notes(rng, rng.randrange(1, 160), span=rng.choice((6, 24)))
    picked = sorted({*rng.sample(chart, rng.randrange(1, len(chart) + 1))})
    divisor = rng.choice((4, 8, 12, 16, 3))
    moving = set(picked)
    everything = quantize_notes(picked, divisor, [n for n in chart if n not in moving])
    assert quantize_notes(picked, divisor, _hold_neighbours(chart, picked, step(divisor))) == everything


def test_scaling_is_the_fraction_arithmetic():
    rng = random.Random(3)
    for _ in range(500):
        b0, beat = ref.random_beat(rng), ref.random_beat(rng)
        ratio = Fraction(rng.randrange(1, 9), rng.randrange(1, 9))
        assert _scaling(b0, ratio)(beat) == b0 + (beat - b0) * ratio

"""Drafter requests that cannot give a useful draft are refused in one line that says why."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.timing import TimingData
from inference.drafter import Drafter, DraftError
from tests.inference.tiny_models import click_track, drafting_model

TIMING = TimingData.constant(120, Fraction(-1, 2))  # beat 0 at 0.5 s


@pytest.fixture(scope="module")
def drafter(tmp_path_factory):
    pytest.importorskip("onnx")
    return Drafter(drafting_model(tmp_path_factory.mktemp("refusals")))


@pytest.fixture(scope="module")
def audio():
    return (click_track(120, 0.5, 10.0), 22050)


def test_refine_from_a_chart_without_notes_is_refused(drafter, audio):
    """Conditioned on a lower chart that steps nowhere, the model drafted a 'Hard' thinner than a plain Easy."""
    with pytest.raises(DraftError, match=r"^the Beginner chart has no notes to refine from$"):
        drafter.refine(audio, TIMING, [], "beginner", ["hard"])


def test_a_range_before_beat_0_says_so(drafter, audio):
    """Regenerate with the cursor in the measure before beat 0 said 'beats -4 to 0 is an empty range'."""
    with pytest.raises(DraftError, match=r"^nothing to draft: beats -4 to 0 lie before beat 0, and a chart has no "
                                         r"beats there$"):
        drafter.variants(audio, TIMING, "easy", 2, start_beat=Fraction(-4), end_beat=Fraction(0))

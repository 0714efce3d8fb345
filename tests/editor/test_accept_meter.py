"""Accept sets the estimated difficulty as the meter of a chart still at its placeholder meter (audit 23 F3):
an accepted Medium draft kept the placeholder 6 whatever its notes and was exported as "Medium Lv.6", where
``main.py draft`` writes the estimate (one function for both: :func:`chart.stats.estimated_meter`). A meter the
designer set is never touched. No model needed: drafts are put in the ghost store directly."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.commands import SetChartMeta
from chart.notes import Note
from chart.song import Slot
from chart.stats import estimated_meter, placeholder_meter

pytestmark = pytest.mark.qt


def draft_into(win, chart, b0: int, b1: int, step: Fraction) -> None:
    """Ghosts on ``chart`` every ``step`` beats over ``[b0, b1)``."""
    from editor.controllers.ghosts import GhostDraft

    notes, beat = [], Fraction(b0)
    while beat < b1:
        notes.append(Note(beat, int(beat / step) % 4))
        beat += step
    win.drafting.ghosts.put(GhostDraft(chart, notes, {}, {"model_id": "onset-v1", "seed": 0},
                                       regions=[(Fraction(b0), Fraction(b1))]))


def accept(win, b0: int, b1: int) -> int:
    win.session.set_range((Fraction(b0), Fraction(b1)))
    return win.accept_drafts()


def new_hard(win):
    chart = win.charts_panel.add_chart(Slot.HARD)
    assert win.session.chart is chart
    assert chart.meter == placeholder_meter(Slot.HARD) == 9
    return chart


def test_accept_into_a_placeholder_chart_sets_the_estimate_in_the_same_undo_step(opened):
    win = opened
    chart = new_hard(win)
    draft_into(win, chart, 0, 32, Fraction(1, 4))  # 8 notes/s at 120 BPM: far above a 9
    steps = len(win.session.doc.history.undo_commands())
    assert win.accept_drafts(everything=True) == 128
    timing = win.session.doc.song.timing_for(chart)
    assert chart.meter == estimated_meter(chart, timing) > 9
    assert win.charts_panel.meter.value() == chart.meter
    assert f"meter {chart.meter}, the estimated difficulty (was 9)" in win.statusBar().currentMessage()
    assert len(win.session.doc.history.undo_commands()) == steps + 1  # one step: notes, credit and meter
    win.session.doc.undo()
    assert chart.notes == []
    assert chart.meter == 9
    win.session.doc.redo()
    assert len(chart.notes) == 128
    assert chart.meter > 9


def test_the_meter_follows_accepts_until_the_designer_sets_one(opened):
    win = opened
    chart = new_hard(win)
    timing = win.session.doc.song.timing_for(chart)
    draft_into(win, chart, 0, 64, Fraction(1, 1))
    accept(win, 0, 16)  # a sparse first part
    first = chart.meter
    assert first == estimated_meter(chart, timing)
    draft_into(win, chart, 16, 48, Fraction(1, 4))  # then a dense one
    accept(win, 16, 48)
    assert chart.meter == estimated_meter(chart, timing) > first
    win.session.push(SetChartMeta(chart, meter=11))  # the designer's
    draft_into(win, chart, 48, 64, Fraction(1, 8))
    accept(win, 48, 64)
    assert chart.meter == 11


def test_a_meter_the_designer_set_on_an_empty_chart_stays(opened):
    win = opened
    chart = new_hard(win)
    win.session.push(SetChartMeta(chart, meter=4))
    draft_into(win, chart, 0, 32, Fraction(1, 4))
    win.accept_drafts(everything=True)
    assert len(chart.notes) == 128
    assert chart.meter == 4
    assert "meter" not in win.statusBar().currentMessage()


def test_the_meter_goes_on_following_after_an_accept_is_undone(opened):
    """The editor remembered only the last meter an accept set: after an Undo the chart was at an earlier one (the
    editor's too), and later accepts left it there whatever the notes."""
    win = opened
    chart = new_hard(win)
    timing = win.session.doc.song.timing_for(chart)
    draft_into(win, chart, 0, 16, Fraction(1, 1))
    accept(win, 0, 16)
    sparse = chart.meter
    draft_into(win, chart, 16, 48, Fraction(1, 4))
    accept(win, 16, 48)
    assert chart.meter > sparse
    win.session.doc.undo()
    assert chart.meter == sparse
    draft_into(win, chart, 16, 64, Fraction(1, 4))
    accept(win, 16, 64)
    assert chart.meter == estimated_meter(chart, timing) != sparse


def test_a_meter_the_designer_set_to_an_earlier_estimate_stays(opened):
    win = opened
    chart = new_hard(win)
    draft_into(win, chart, 0, 16, Fraction(1, 1))
    accept(win, 0, 16)
    sparse = chart.meter
    draft_into(win, chart, 16, 48, Fraction(1, 4))
    accept(win, 16, 48)
    win.session.push(SetChartMeta(chart, meter=sparse))  # the designer's, the same value the editor once set
    draft_into(win, chart, 48, 64, Fraction(1, 8))
    accept(win, 48, 64)
    assert chart.meter == sparse
    win.session.doc.undo()  # the accept, then the designer's meter: the editor's meter follows again
    win.session.doc.undo()
    draft_into(win, chart, 48, 64, Fraction(1, 8))
    accept(win, 48, 64)
    assert chart.meter == estimated_meter(chart, win.session.doc.song.timing_for(chart))

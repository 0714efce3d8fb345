"""View > Foot Labels: the current chart's foot parse drawn as badges, kept up to date while editing."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from chart.commands import AddChart, AddNotes
from chart.notes import Note
from chart.song import Chart, Slot
from editor.controllers.feet import REFRESH_MS
from editor.timeline.overlay_items import FOOT_LEFT, FOOT_RIGHT, MARK_CROSSOVER, MARK_NONE

pytestmark = pytest.mark.qt


def easy(win):
    return next(c for c in win.session.doc.song.charts if c.slot == Slot.EASY)


def test_labels_follow_the_parse_and_the_edits(opened, qtbot):
    win = opened
    item = win.timeline.feet_item
    win.session.set_chart(easy(win))  # Left, Down, Up, Right on every half beat, 4 times
    assert not item.isVisible()
    assert len(item.time_s) == 0
    win.actions["view.feet"].trigger()
    assert item.isVisible()
    assert win.settings.get("view/feet") is True
    assert len(item.time_s) == 16
    assert item.lane.tolist() == [k % 4 for k in range(16)]
    assert item.foot.tolist() == [FOOT_LEFT, FOOT_RIGHT] * 8  # stepped with alternating feet, never crossed
    assert (item.mark == MARK_NONE).all()
    assert "0 crossovers" in win.statusBar().currentMessage()

    # after the last Right (right foot): Left, Down, Right on half beats turns the feet (L R L, crossed on Right)
    win.session.push(AddNotes(win.session.chart, [Note(Fraction(8), 0), Note(Fraction(17, 2), 1),
                                                  Note(Fraction(9), 3)]))
    qtbot.waitUntil(lambda: len(item.time_s) == 19, timeout=REFRESH_MS * 20)
    crossed = np.flatnonzero(item.mark == MARK_CROSSOVER)
    assert item.lane[crossed].tolist() == [3]
    assert item.foot[crossed].tolist() == [FOOT_LEFT]
    assert item.time_s[crossed][0] == pytest.approx(float(win.session.timing().beat_to_seconds(9)))

    win.session.doc.history.undo()
    qtbot.waitUntil(lambda: len(item.time_s) == 16, timeout=REFRESH_MS * 20)
    assert (item.mark == MARK_NONE).all()

    win.actions["view.feet"].trigger()  # off: hidden, nothing parsed on edits
    assert not item.isVisible()
    assert len(item.time_s) == 0
    win.session.push(AddNotes(win.session.chart, [Note(Fraction(8), 0)]))
    qtbot.wait(REFRESH_MS * 2)
    assert len(item.time_s) == 0
    assert win.settings.get("view/feet") is False


def test_beginner_hold_pins_a_foot_and_mines_get_no_label(opened):
    win = opened
    win.session.set_chart(next(c for c in win.session.doc.song.charts if c.slot == Slot.BEGINNER))
    win.actions["view.feet"].trigger()
    item = win.timeline.feet_item
    chart = win.session.chart
    steps = [n for n in chart.notes if n.kind.is_onset]
    assert len(item.time_s) == len(steps)  # the mine at beat 5 is not a step
    assert set(item.foot.tolist()) <= {FOOT_LEFT, FOOT_RIGHT}


def test_other_pads_and_chart_switches(opened, qtbot):
    win = opened
    win.actions["view.feet"].trigger()
    item = win.timeline.feet_item
    double = Chart(slot=Slot.HARD, mode="dance-double", meter=7, notes=[Note(Fraction(k), k % 8) for k in range(8)])
    win.session.push(AddChart(double))
    win.session.set_chart(double)
    assert len(item.time_s) == 0  # the parse knows dance-single's four panels only
    win.actions["view.feet"].trigger()
    win.actions["view.feet"].trigger()
    assert "dance-single charts only" in win.statusBar().currentMessage()
    win.session.set_chart(easy(win))
    assert len(item.time_s) == 16


def test_a_pending_draft_is_labelled_as_if_accepted(opened, qtbot):
    from editor.controllers.ghosts import GhostDraft

    win = opened
    item = win.timeline.feet_item
    chart = easy(win)
    win.session.set_chart(chart)
    win.actions["view.feet"].trigger()
    assert len(item.time_s) == 16
    assert (item.mark == MARK_NONE).all()
    # an AI draft after the chart's last Right: Left, Down, Right on half beats would turn the feet (as above)
    ghosts = [Note(Fraction(8), 0), Note(Fraction(17, 2), 1), Note(Fraction(9), 3)]
    store = win.drafting.ghosts
    store.put(GhostDraft(chart=chart, notes=ghosts, confidence={}, provenance={"model": "test"}))
    qtbot.waitUntil(lambda: len(item.time_s) == 19, timeout=REFRESH_MS * 20)
    crossed = np.flatnonzero(item.mark == MARK_CROSSOVER)
    assert item.lane[crossed].tolist() == [3]
    assert item.time_s[crossed][0] == pytest.approx(float(win.session.timing().beat_to_seconds(9)))
    assert len(chart.notes) == 16  # the chart itself is untouched
    # a ghost at beat 0 joins the draft, whose span now covers the whole chart: accepting it all would leave the
    # four ghosts only, and that is what gets labelled
    store.put(GhostDraft(chart=chart, notes=[Note(Fraction(0), 3)], confidence={}, provenance={}))
    qtbot.waitUntil(lambda: len(item.time_s) == 4, timeout=REFRESH_MS * 20)
    assert item.lane.tolist() == [3, 0, 1, 3]
    store.reject(chart)
    qtbot.waitUntil(lambda: len(item.time_s) == 16, timeout=REFRESH_MS * 20)
    assert (item.mark == MARK_NONE).all()
    assert item.lane[0] == 0

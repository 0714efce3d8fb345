"""Which charts the AI drafts (audit 21): the models are dance-single (an osu! 4K map reads as it), but a 4-lane
chart of another game (kickbox-human, maniax-single, techno-single4) got ghosts and new charts in its mode; and on
a 7K map the refusal said "Add or pick a dance-single chart (Charts panel)", which the Charts panel cannot add."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtWidgets import QMessageBox

from chart.commands import AddChart, RemoveChart
from chart.formats.registry import load, save_split
from chart.keyboard import KEYBOARD, OSU_MANIA, is_keyboard
from chart.notes import Note
from chart.song import Chart, Slot
from tests.editor.conftest import wait_job

pytestmark = pytest.mark.qt

F = Fraction


def current(win, chart: Chart) -> Chart:
    assert win.session.push(AddChart(chart))
    win.session.set_chart(chart)
    return chart


@pytest.mark.parametrize("mode", ["kickbox-human", "maniax-single", "techno-single4"])
def test_four_lane_charts_of_other_games_get_no_draft(ai, boxes, mode):
    win = ai
    song = win.session.doc.song
    chart = current(win, Chart(mode=mode, lanes=4, slot=Slot.HARD, notes=[Note(F(b), b % 4) for b in range(4, 30)]))
    for call in (lambda: win.drafting.regenerate((F(4), F(12)), 2), lambda: win.drafting.arrows((F(4), F(12)), 2),
                 lambda: win.drafting.simplify_down(Slot.EASY)):
        assert call() is None
        assert "4-panel dance-single" in boxes[-1][2]
        assert "Charts panel: Beginner, Easy" in boxes[-1][2]  # the song's own dance-single charts, to pick
    charts = list(song.charts)
    assert win.drafting.draft_slots([Slot.BEGINNER], {}) is None  # asked, and declined (the boxes' answer)
    assert boxes[-1][0] == "question"
    assert "4-panel" in boxes[-1][2]
    assert song.charts == charts
    assert win.drafting.ghosts.get(chart) is None
    assert not win.drafting.busy


def test_an_osu_4k_map_is_drafted(ai, qtbot):
    """An osu!mania 4K map reads as dance-single, marked a keyboard chart: the models serve it."""
    win = ai
    four = current(win, Chart(slot=Slot.HARD, extra=[(KEYBOARD, OSU_MANIA)],
                              notes=[Note(F(b), b % 4) for b in range(4, 30)]))
    win.session.set_range((F(4), F(12)))
    assert win.ai_panel.regenerate() is not None
    wait_job(qtbot, win)
    assert win.drafting.ghosts.get(four).variant_region == (4, 12)


def test_a_7k_map_drafts_into_a_4k_difficulty_when_asked(ai, boxes, qtbot, tmp_path):
    """The refusal's advice could not be followed: Charts panel > Add makes a 7K chart on a 7K map."""
    win = ai
    song = win.session.doc.song
    for chart in list(song.charts):  # a 7K-only set
        assert win.session.push(RemoveChart(chart))
    seven = current(win, Chart(mode="kb7-single", slot=Slot.HARD, extra=[(KEYBOARD, OSU_MANIA)],
                               notes=[Note(F(b), b % 7) for b in range(4, 30)]))
    assert win.drafting.regenerate((F(4), F(12)), 2) is None
    assert "Draft difficulties (AI panel) offers to add 4K charts" in boxes[-1][2]
    boxes.answers = [QMessageBox.StandardButton.Yes]
    assert win.drafting.draft_slots([Slot.EASY], {}) is not None
    assert "Draft Easy as 4K charts of this song instead?" in boxes[-1][2]
    wait_job(qtbot, win)
    easy = song.chart(Slot.EASY)
    assert easy is not None
    assert easy.lanes == 4
    assert is_keyboard(easy)  # a 4K osu! difficulty, played with fingers
    assert win.session.chart is easy
    assert win.drafting.ghosts.get(easy) is not None
    assert seven in song.charts
    (tmp_path / "out").mkdir()
    written = save_split(song, tmp_path / "out" / "s.osu")  # an ordinary osu! set: a 4K difficulty beside the 7K
    assert sorted(load(p).charts[0].lanes for p in written) == [4, 7]

"""View > Compare: another difficulty drawn as pale outlines under the edited chart, its density in the minimap,
and how many of its rows the edited chart keeps (Stats)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.commands import AddNotes, RemoveChart
from chart.notes import Note
from chart.song import Chart, Slot
from chart.timing import TimingData
from editor.session import easier_chart
from editor.timeline import geometry as geo
from editor.timeline.note_index import NoteIndex
from editor.timeline.view import TimelineWidget

pytestmark = pytest.mark.qt
TIMING = TimingData.constant(120)


def test_easier_chart_is_the_hardest_below_else_the_easiest_above():
    b, e, h, c = (Chart(slot=s, meter=1) for s in (Slot.BEGINNER, Slot.EASY, Slot.HARD, Slot.CHALLENGE))
    double = Chart(slot=Slot.MEDIUM, meter=1, mode="dance-double")
    charts = [c, b, double, h, e]
    assert easier_chart(charts, c) is h
    assert easier_chart(charts, h) is e
    assert easier_chart(charts, b) is e  # nothing below: the easiest above
    assert easier_chart(charts, double) is None  # no other chart of its mode
    assert easier_chart([b], b) is None


def _near(c, want, tol: int) -> bool:
    return abs(c.red() - want.red()) <= tol and abs(c.green() - want.green()) <= tol and abs(c.blue() - want.blue()) <= tol


def _head_pixels(w: TimelineWidget, beat, lane: int):
    img = w.grab().toImage()
    centre = w.viewport().mapTo(w, w.widget_pos(float(TIMING.beat_to_seconds(Fraction(beat))), lane + 0.5).toPoint())
    return [img.pixelColor(centre.x() + dx, centre.y() + dy) for dx in range(-24, 25) for dy in range(-24, 25)]


def test_reference_is_drawn_pale_and_under_the_charts_notes(make_timeline):
    w = make_timeline(TIMING)
    w.set_cursor(float(TIMING.beat_to_seconds(2)))
    pale = geo.REFERENCE_COLOR
    assert not any(_near(c, pale, 40) for c in _head_pixels(w, 5, 3))  # nothing there yet
    w.set_notes(NoteIndex([Note(Fraction(4), 0)], TIMING))
    alone = _head_pixels(w, 4, 0)
    w.set_reference(NoteIndex([Note(Fraction(4), 0), Note(Fraction(5), 3)], TIMING))
    assert any(_near(c, pale, 40) for c in _head_pixels(w, 5, 3))  # a step only the reference has: its outline
    centre = len(alone) // 2
    assert _near(alone[centre], geo.quant_color(4), 30)
    assert _head_pixels(w, 4, 0)[centre] == alone[centre]  # a step both have: the chart's own head is on top
    w.set_reference(None)
    assert not any(_near(c, pale, 40) for c in _head_pixels(w, 5, 3))


def test_compare_shows_the_easier_chart_follows_edits_and_stats(opened, qtbot):
    win = opened  # the synthetic song: Beginner (edited, 9 notes) and Easy (16 taps on eighths)
    s = win.session
    beginner, easy = s.doc.song.charts
    assert s.chart is beginner
    assert s.reference is None
    assert [win.compare_combo.itemText(i) for i in range(win.compare_combo.count())] == ["none", "Easy 4"]
    win.actions["view.compare"].trigger()  # nothing easier than Beginner: the easiest above
    assert s.reference is easy
    assert win.actions["view.compare"].isChecked()
    assert win.compare_combo.currentText() == "Easy 4"
    assert len(win.timeline.reference) == 16
    assert win.minimap._reference is not None
    win.stats_panel.refresh()
    # Beginner's onset rows 0,1,2,3,4,6,6.5,8 (the mine at 5 is no step); Easy's 0..7.5 by halves
    assert win.stats_panel.labels["Compared with"].text() == "Easy 4: keeps 7/16 rows (44%), +1"

    s.push(AddNotes(easy, [Note(Fraction(10), 1)]))  # an edit of the compared chart (e.g. an undo reaching it)
    assert len(win.timeline.reference) == 17

    win.step_chart(1)  # editing Easy itself: nothing to compare with it, the choice is kept
    assert s.chart is easy
    assert s.reference is easy
    assert win.timeline.reference is None
    assert win.minimap._reference is None
    assert win.compare_combo.currentText() == "none"
    assert not win.actions["view.compare"].isChecked()
    win.step_chart(-1)
    assert len(win.timeline.reference) == 17

    s.push(RemoveChart(easy))  # the compared chart is deleted: comparing stops
    assert s.reference is None
    assert win.timeline.reference is None
    assert [win.compare_combo.itemText(i) for i in range(win.compare_combo.count())] == ["none"]
    win.actions["view.compare"].trigger()  # no other chart: stays off, says why
    assert s.reference is None
    assert not win.actions["view.compare"].isChecked()


def test_choosing_in_the_compare_list_and_off_again(opened):
    win = opened
    win.compare_combo.activated.emit(1)
    assert win.session.reference is win.session.doc.song.charts[1]
    win.actions["view.compare"].trigger()  # checked -> off
    assert win.session.reference is None
    assert win.timeline.reference is None
    with pytest.raises(ValueError, match="chart of the open song"):
        win.session.set_reference(Chart(slot=Slot.HARD, meter=1))  # not a chart of the song

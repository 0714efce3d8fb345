"""Note heads at the top and bottom edges of the notefield: a head is centred on its time, so one whose time is a
few pixels past the edge still shows part of itself. The notes were culled by their time alone, so heads popped
in and out whole at the edges while scrolling."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.notes import Note
from chart.timing import TimingData
from editor.timeline.note_index import NoteIndex

pytestmark = pytest.mark.qt

TIMING = TimingData.constant(120, "-0.5")  # beat 0 at 0.5 s


def red_rows(w, t_s: float, lane: int) -> list[int]:
    """Widget rows of the lane's centre column painted in the quarter-note red."""
    image = w.grab().toImage()
    x = int(w.viewport().mapTo(w, w.widget_pos(t_s, lane + 0.5).toPoint()).x())
    return [y for y in range(image.height())
            if (c := image.pixelColor(x, y)).red() > 150 and c.green() < 120 and c.blue() < 120]


@pytest.mark.parametrize("reverse", [False, True])
def test_a_head_just_past_an_edge_shows_its_part_inside(make_timeline, qtbot, reverse):
    w = make_timeline(TIMING)
    w.grid_item.setVisible(False)  # its beat lines are red too
    w.cursor_item.setVisible(False)
    w.set_notes(NoteIndex([Note(Fraction(0), 1)], TIMING))
    w.set_reverse(reverse)
    w.set_zoom(240.0)
    t_note = 0.5
    for edge in ("bottom", "top"):
        y0, y1 = w.vb.viewRange()[1]
        span = y1 - y0
        # the view's y range puts the head's centre 4 px past the edge: below the bottom (or above the top)
        past = 4.0 / w.pps
        later_edge_below = (edge == "bottom") != reverse  # which end of the y range is at this edge on screen
        top = t_note - span - past if later_edge_below else t_note + past
        w.vb.setYRange(top, top + span, padding=0.0)
        qtbot.wait(10)
        centre = w.viewport().mapTo(w, w.widget_pos(t_note, 1.5).toPoint()).y()
        rows = red_rows(w, t_note, 1)
        assert rows, (edge, reverse, centre)  # part of the head is drawn (it was culled whole)
        assert all(abs(y - centre) <= 24 for y in rows)

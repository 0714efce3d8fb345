"""The grid's texts stay readable and next to what they name: zoomed out over a BPM change every measure, each
timing text was pushed a line below the one before, so the pile ended measures away from its beats (and moved as
the view scrolled, laid out from the marker at its top); measure numbers sat inside lane 0 under its notes; a
long label was cut at the view's edge with no "…"."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from PySide6.QtCore import QPointF

from chart.formats import display_segments as ds
from chart.timing import TimingData
from editor.timeline.grid_item import MARKER_LINE_PX, marker_text_ys, timing_markers

pytestmark = pytest.mark.qt

PUSH_PX = 2 * MARKER_LINE_PX  # how far below its tick a crowded text may go


class Recorder:
    """A painter stand-in: forwards everything, and notes the texts drawn (rect, text) and the short lines."""

    def __init__(self, painter):
        self._painter, self.texts, self.lines = painter, [], []

    def __getattr__(self, name):
        return getattr(self._painter, name)

    def drawText(self, rect, flags, text):  # noqa: N802 - Qt API
        self.texts.append((rect, text))
        return self._painter.drawText(rect, flags, text)

    def drawLine(self, a, b):  # noqa: N802 - Qt API
        self.lines.append((a, b))
        return self._painter.drawLine(a, b)


def paint_grid(widget, at_s: float, pps: float) -> Recorder:
    """One paint of the grid at cursor ``at_s`` and zoom ``pps``, recorded (as the view sets the painter up)."""
    from PySide6.QtGui import QImage, QPainter

    widget.set_zoom(pps)
    widget.set_cursor(at_s)
    widget.vb.updateMatrix()
    image = QImage(widget.viewport().size(), QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    painter.setTransform(widget.grid_item.deviceTransform(widget.viewportTransform()))
    recorder = Recorder(painter)
    widget.grid_item.paint(recorder, None, None)
    painter.end()
    return recorder


def y_of(widget, beat) -> float:
    t = float(widget.timing.beat_to_seconds(F(beat)))
    return widget.grid_item.deviceTransform(widget.viewportTransform()).map(QPointF(0.0, float(t))).y()


def busy_timing() -> TimingData:
    """A BPM change every measure, a stop every other measure and every third, labels and scrolls (the audit's)."""
    bpms = [(F(0), F(120))] + [(F(4 * i), F(120 + (i % 7) * 17)) for i in range(1, 40)]
    stops = sorted([(F(4 * i + 1), F(1, 4)) for i in range(2, 40, 2)]
                   + [(F(4 * i) + F(5, 2), F(1, 10)) for i in range(3, 40, 3)])
    timing = TimingData.constant(120, "-0.1").with_changes(
        bpms=tuple(bpms), stops=tuple(stops), delays=((F(10), F(1, 5)), (F(10) + F(1, 4), F(1, 5))),
        warps=((F(30), F(1, 2)),))
    timing = ds.with_entries(timing, "LABELS", [(F(0), "Intro"), (F(8), "Verse"), (F(33), "B"), (F(34), "C")])
    return ds.with_entries(timing, "SCROLLS", [(F(8), F(1, 2)), (F(9), F(2))])


@pytest.mark.parametrize("reverse", [False, True])
def test_zoomed_out_timing_texts_stay_beside_their_beats(make_timeline, reverse):
    from editor.timeline.view import MIN_PPS

    timing = busy_timing()
    w = make_timeline(timing)
    w.set_reverse(reverse)
    rec = paint_grid(w, 8.0, MIN_PPS)
    markers = timing_markers(timing)
    drawn = [(r.center().y(), text) for r, text in rec.texts if not text.isdigit()]
    assert len(drawn) > 20
    for row, text in drawn:
        gaps = [row - y_of(w, beat) for beat, t, _ in markers if t == text]
        assert any(-0.5 <= g <= PUSH_PX + 0.5 for g in gaps), (text, row, sorted(gaps, key=abs)[:2])
    rows = sorted(row for row, _ in drawn)
    assert all(b - a >= MARKER_LINE_PX - 0.01 for a, b in zip(rows, rows[1:]))  # none overlap
    # the warp at beat 30 is a timing change: kept, beside its beat (it was printed beside measure 10)
    assert any(text == "warp 0.5 beats" for _, text in drawn)


def test_timing_texts_do_not_move_as_the_view_scrolls(make_timeline):
    from editor.timeline.view import MIN_PPS

    timing = busy_timing()
    w = make_timeline(timing)
    views = []
    first, last = (float(timing.seconds_to_beats_array([t])[0]) for t in (20.0, 54.0))
    for at in (26.0, 31.0):  # views from 12 s and 17 s to 59 s and 64 s: a busy stretch at the top of each
        rec = paint_grid(w, at, MIN_PPS)
        origin = y_of(w, 0)
        top, bottom = y_of(w, first), y_of(w, last)  # on screen in both views, away from their edges
        views.append({(text, round(r.center().y() - origin, 1)) for r, text in rec.texts
                      if not text.isdigit() and top <= r.center().y() <= bottom})
    assert len(views[0]) > 10
    assert views[0] == views[1]


def test_crowded_texts_keep_tempo_changes_and_stops_first():
    # a scroll, a label, a BPM change and a stop within 4 px: the last two get the rows near their ticks
    out = marker_text_ys([100.0, 101.0, 102.0, 103.0], priorities=[2, 1, 0, 0])
    assert out[2] == 102.0
    assert out[3] == 114.0
    assert out[0] is None
    assert out[1] is None  # its row would be below the stop's text: out of its ticks' order
    assert marker_text_ys([100.0, 100.0, 100.0, 100.0]) == [100.0, 112.0, 124.0, None]


@pytest.mark.parametrize("reverse", [False, True])
def test_measure_numbers_sit_left_of_the_lanes_inside_their_measures(make_timeline, reverse):
    w = make_timeline(TimingData.constant(120))
    w.set_reverse(reverse)
    rec = paint_grid(w, 4.0, 60.0)
    numbers = [(r, int(text)) for r, text in rec.texts if text.isdigit()]
    assert len(numbers) >= 4
    lanes_left = w.grid_item.deviceTransform(w.viewportTransform()).map(QPointF(0.0, 0.0)).x()
    for rect, number in numbers:
        line = y_of(w, 4 * number)
        assert rect.right() <= lanes_left  # no note, ghost or badge of lane 0 covers it
        assert rect.left() >= 0
        if reverse:  # inside its measure: above its line in reverse scroll, below it otherwise
            assert rect.bottom() <= line + 0.5
        else:
            assert rect.top() >= line - 0.5


def test_a_long_label_is_cut_with_an_ellipsis_at_the_views_edge(make_timeline):
    name = "Second chorus with the key change and the long build into the final drop"
    timing = ds.with_entries(TimingData.constant(120), "LABELS", [(F(8), name)])
    w = make_timeline(timing)
    rec = paint_grid(w, 4.0, 240.0)
    shown = [(r, text) for r, text in rec.texts if text.startswith("Second")]
    assert len(shown) == 1
    rect, text = shown[0]
    assert text.endswith("…")
    assert name.startswith(text[:-1])
    assert rect.right() <= w.viewport().width()

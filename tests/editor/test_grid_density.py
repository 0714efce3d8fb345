"""The snap grid picks its line density stretch by stretch of the view, not from the beat at its top: below a
tempo change or a stop the lines used to be far denser than 5 px (8,781 lines 0.06 px apart at 10000 BPM: a smear
and a slow paint) or coarser than the snap where there was room; measure lines never thinned out (a white block
zoomed out at 10000 BPM, numbers struck through by a 1/64 time signature)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from chart.timing import TimingData
from editor.timeline import grid_item

pytestmark = pytest.mark.qt


class Recorder:
    """A painter stand-in: forwards everything, and notes each line drawn with the pen width it had."""

    def __init__(self, painter, out: list):
        self._painter, self._out, self._width = painter, out, 1.0

    def __getattr__(self, name):
        return getattr(self._painter, name)

    def setPen(self, pen):  # noqa: N802 - Qt API
        self._width = pen.widthF() if hasattr(pen, "widthF") else 1.0
        return self._painter.setPen(pen)

    def drawLines(self, lines):  # noqa: N802 - Qt API
        self._out += [(line.y1(), self._width) for line in lines]
        return self._painter.drawLines(lines)

    def drawText(self, rect, *args):  # noqa: N802 - Qt API
        self._out.append((rect.y(), "label"))
        return self._painter.drawText(rect, *args)


def grid_lines(widget, timing: TimingData, divisor: int, pps: float, at_s: float):
    """(subdivision line ys, measure line ys, measure label ys) in pixels, from one paint of the grid (called
    from Python with a recording painter set up as the view sets up the item's)."""
    from PySide6.QtGui import QImage, QPainter

    widget.set_divisor(divisor)
    widget.set_zoom(pps)
    widget.set_cursor(at_s)
    widget.vb.updateMatrix()  # the view box maps its range to pixels lazily, at its next paint
    out: list = []
    image = QImage(widget.viewport().size(), QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    painter.setTransform(widget.grid_item.deviceTransform(widget.viewportTransform()))
    widget.grid_item.paint(Recorder(painter, out), None, None)
    painter.end()
    lines = np.array(sorted(y for y, w in out if w == 1.0))
    measures = np.array(sorted(y for y, w in out if w == 2.0))
    labels = np.array(sorted(y for y, w in out if w == "label"))
    return lines, measures, labels


def y_of(widget, beat) -> float:
    """Pixel row of a beat in the grid's device coordinates (after :func:`grid_lines`)."""
    t = float(widget.timing.beat_to_seconds(Fraction(beat)))
    return widget.grid_item.deviceTransform(widget.viewportTransform()).map(QPointF(0.0, t)).y()


@pytest.mark.parametrize(("bpms", "fast_side"), [(((0, 60), (8, 240)), "below"), (((0, 240), (8, 60)), "above")])
def test_each_tempo_stretch_gets_the_finest_lines_that_fit(make_timeline, bpms, fast_side):
    timing = TimingData(bpms=bpms)
    w = make_timeline(timing)
    at = float(timing.beat_to_seconds(Fraction(15, 2)))
    lines, _m, _l = grid_lines(w, timing, 64, 240.0, at)
    split = y_of(w, 8)
    slow = lines[lines < split - 1] if fast_side == "below" else lines[lines > split + 1]
    fast = lines[lines > split + 1] if fast_side == "below" else lines[lines < split - 1]
    assert len(slow) > 10
    assert len(fast) > 10
    # 60 BPM at 240 px/s: 240 px per beat, 1/64 lines 15 px apart fit; 240 BPM: 1/64 would be 3.75 px, 1/48 is 5
    assert np.median(np.diff(slow)) == pytest.approx(15.0, abs=0.6)
    assert np.median(np.diff(fast)) == pytest.approx(5.0, abs=0.6)
    assert np.diff(fast).min() >= 4.0


def test_after_a_long_stop_zoomed_out_only_beat_lines_are_drawn(make_timeline):
    timing = TimingData(bpms=((0, 120),), stops=((8, 30),))
    w = make_timeline(timing)
    lines, _m, _l = grid_lines(w, timing, 16, 15.0, float(timing.beat_to_seconds(8)) + 25.0)
    assert len(lines) > 10
    assert np.diff(lines).min() >= 7.0  # 120 BPM at 15 px/s: 7.5 px per beat, no 1/16 lines 1.9 px apart


def test_a_10000_bpm_section_gets_no_subdivisions_and_thinned_measures(make_timeline):
    timing = TimingData(bpms=((0, 120), (8, 10000), (2008, 120)))
    w = make_timeline(timing)
    lines, measures, labels = grid_lines(w, timing, 192, 240.0, float(timing.beat_to_seconds(10)))
    split = y_of(w, 8)
    assert len(lines[lines > split + 1]) == 0  # 1.4 px per beat: not even beat lines fit (there were 8,781)
    below = measures[measures > split + 1]
    assert len(below) > 10
    assert np.diff(below).min() >= 5.0
    assert np.diff(labels[labels > split + 1]).min() >= 13.5


def test_a_tiny_time_signature_thins_measure_lines_and_numbers(make_timeline):
    timing = TimingData(bpms=((0, 120),), time_signatures=((0, 1, 64),))  # a measure every 1/16 beat
    w = make_timeline(timing)
    _lines, measures, labels = grid_lines(w, timing, 4, 60.0, 20.0)
    assert len(measures) > 10
    assert np.diff(measures).min() >= 5.0
    assert np.diff(labels).min() >= 13.5


def test_thinning_keeps_every_line_that_has_room():
    numbers = np.arange(10)
    assert grid_item.thinned(numbers, np.arange(10) * 20.0, 10.0).all()
    assert grid_item.thinned(numbers, np.arange(10) * 3.0, 10.0).tolist() == [n % 4 == 0 for n in range(10)]

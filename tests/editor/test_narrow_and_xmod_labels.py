"""Texts of the notefield that ran into each other: X-mod's time axis repeated labels in a stretched passage (ticks
5 ms of song time apart, two decimals) and named a stop's end on the stop's row; in a narrow notefield the measure
numbers ran into the spectrogram lane and its "1k" label into "10k"."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from PySide6.QtGui import QImage, QPainter

from chart.timing import TimingData
from editor.timeline import geometry as geo
from editor.timeline.time_axis import label_decimals

pytestmark = pytest.mark.qt

# 90 BPM (the reference: the song spends the most time there), 180 BPM from beat 8, a 0.5 s stop at beat 16,
# 90 BPM again from beat 24: the 180 BPM part is drawn twice as tall as C-mod would draw it.
FAST = TimingData(bpms=((Fraction(0), Fraction(90)), (Fraction(8), Fraction(180)), (Fraction(24), Fraction(90))),
                  stops=((Fraction(16), Fraction(1, 2)),))


def drawn_labels(w) -> list[tuple[int, str]]:
    """(row, text) of the labels the time axis draws now, top to bottom."""
    ax = w.time_axis_item
    ax.picture = None
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    texts = ax.generateDrawSpecs(painter)[2]
    painter.end()
    return sorted((round(w.mapFromScene(ax.mapToScene(rect.center())).y()), text) for rect, _f, text in texts)


def test_xmod_labels_in_a_stretched_passage_differ(make_timeline, qtbot):
    w = make_timeline(FAST)
    w.set_beat_spaced(True)
    w.set_zoom(4000.0)
    w.set_cursor(float(FAST.beat_to_seconds(12)))
    qtbot.wait(10)
    labels = [text for _row, text in drawn_labels(w)]
    assert len(labels) >= 10
    assert len(set(labels)) == len(labels), labels  # were pairs: 0:07.98, 0:07.98, 0:07.99, ...
    assert {len(text) for text in labels} == {len("0:07.983")}, labels  # every level as exact as the closest ticks
    w.set_beat_spaced(False)  # C-mod keeps two decimals at the same zoom
    qtbot.wait(10)
    assert {len(text) for _row, text in drawn_labels(w)} == {len("0:07.98")}
    assert [label_decimals(s) for s in (0.005, 0.01, 0.05, 0.1, 1.0)] == [3, 2, 2, 1, 0]


def test_the_tick_on_a_stops_row_names_the_stops_start():
    axis = geo.TimeAxis(FAST, beat_spaced=True, end_s=30.0)
    start = float(FAST.beat_to_seconds(16))
    y = float(axis.beat_to_y(16))
    for noisy in (y, y + 1e-12, y - 1e-12, np.nextafter(y, np.inf)):
        assert axis.tick_times([noisy]) == [pytest.approx(start)]  # the end (start + 0.5 s) above float noise
    assert axis.tick_times([y + 0.01])[0] > start + 0.5  # a tick truly after the row is after the stop
    assert geo.TimeAxis(FAST).tick_times([5.0]) == [5.0]  # C-mod: y is the time


def test_time_axis_label_on_a_stop_row(make_timeline, qtbot):
    from editor.timeline.time_axis import TimeAxisItem

    ax = TimeAxisItem(orientation="left")
    ax.time_axis = geo.TimeAxis(FAST, beat_spaced=True, end_s=30.0)
    y = float(ax.time_axis.beat_to_y(16)) + 1e-12
    start = float(FAST.beat_to_seconds(16))
    assert ax.tickStrings([y], 1, 0.1) == [f"0:{start:04.1f}"]


def test_spectrogram_labels_never_overlap():
    from editor.timeline.spectrogram_item import tick_label_lefts

    widths = [17.0, 10.0, 16.0]  # "100", "1k", "10k"
    assert tick_label_lefts([70.0, 118.0, 228.0], widths, 66.0, 233.0) == [72.0, 120.0, 210.0]  # 10k left of its tick
    for lane in (8.0, 19.0, 31.0, 46.0):  # the lane widths of 700-1024 px windows
        x0, x1 = 60.0, 60.0 + 2.2 * lane
        xs = [x0 + f * (x1 - x0) for f in (0.08, 0.37, 0.96)]
        lefts = tick_label_lefts(xs, widths, x0, x1)
        spans = sorted((left, left + wd) for left, wd in zip(lefts, widths, strict=True) if left is not None)
        assert all(a[1] < b[0] for a, b in zip(spans, spans[1:])), (lane, spans)
        assert all(x0 <= a and b <= x1 for a, b in spans), (lane, spans)


@pytest.mark.parametrize("width", [330, 420, 600])
def test_measure_numbers_stay_out_of_the_spectrogram_lane(make_timeline, qtbot, width):
    from editor.timeline.spectrogram_item import SpectrogramItem

    w = make_timeline(TimingData.constant(120))
    w.set_spectrogram_item(SpectrogramItem())
    w.set_show_spectrogram(True)
    w.resize(width, 700)
    qtbot.wait(10)
    w.set_zoom(240.0)
    w.set_cursor(22.0)  # measures 10-12 on screen
    qtbot.wait(10)
    for item in (w.spectrogram_item, w.cursor_item, w.notes_item, w.waveform_item, w.background_item):
        item.setVisible(False)

    def grab() -> np.ndarray:
        image = w.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
        rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
        return rows[:, :3 * image.width()].reshape(image.height(), image.width(), 3).astype(int)

    left = int(w.viewport().mapTo(w, w.widget_pos(0.0, geo.SPECTRO_X0).toPoint()).x())
    right = int(w.viewport().mapTo(w, w.widget_pos(0.0, geo.SPECTRO_X1).toPoint()).x())
    lanes = int(w.viewport().mapTo(w, w.widget_pos(0.0, 0.0).toPoint()).x())
    with_grid = grab()
    w.grid_item.setVisible(False)
    changed = np.abs(with_grid - grab()).max(axis=2) > 40
    assert not changed[:, left:right + 1].any(), width  # nothing of the grid over the spectrogram lane
    numbers_drawn = changed[:, right + 2:lanes - 2].any()
    # the numbers show where they fit, in a smaller font where the gutter is narrow (down to 6 pt), never over the
    # lane: at 330 px even 6 pt does not fit two digits
    assert numbers_drawn == (width >= 420), width

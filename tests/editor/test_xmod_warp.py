"""Beat-Spaced view (X-mod) at a warp: y jumps over the warp's beats, and the waveform and spectrogram piece that
ends at the warp must end at the warp's first beat. Stretched to ``to_y`` of its end (the far side of the jump), a
2-beat warp at 120 BPM put beat 25's click 53 px below its beat line at 120 px/s."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from PySide6.QtGui import QImage

from chart.timing import TimingData
from editor.timeline import geometry as geo

pytestmark = pytest.mark.qt

# 120 BPM, beat 0 at 0.5 s, beats 26-28 warped over (no time), 240 BPM from beat 40.
TIMING = TimingData(offset=Fraction(-1, 2), bpms=((Fraction(0), Fraction(120)), (Fraction(40), Fraction(240))),
                    warps=((Fraction(26), Fraction(2)),))
CLICK_BEATS = [18, 20, 22, 23, 24, 25, 28, 29, 30, 32]


def beat_s(beat) -> float:
    return float(TIMING.beat_to_seconds(Fraction(beat)))


def test_piece_ends_are_the_rows_their_own_beats_reach():
    axis = geo.TimeAxis(TIMING, beat_spaced=True, end_s=40.0)
    warp_s = beat_s(26)
    assert warp_s == pytest.approx(beat_s(28))  # the warp takes no time
    pieces = axis.pieces(10.0, 16.0)
    assert [round(b, 9) for _a, b in pieces][0] == pytest.approx(warp_s)
    before, after = pieces[0], pieces[1]
    y_beat = lambda b: axis._t0 + b * 60.0 / axis.ref_bpm  # noqa: E731 - every beat equally tall
    assert axis.span_y(*before)[1] == pytest.approx(y_beat(26))  # not beat 28's row, where to_y(warp_s) is
    assert axis.span_y(*after)[0] == pytest.approx(y_beat(28))
    for a, b in pieces:  # inside a piece y is linear between its two ends
        ya, yb = axis.span_y(a, b)
        for t in np.linspace(a, b, 7)[1:-1]:
            assert axis.to_y(t) == pytest.approx(ya + (t - a) / (b - a) * (yb - ya))
    pm = geo.PixelMap(sx=1.0, dx=0.0, sy=-30.0, dy=5.0, axis=axis)  # reverse scroll: rows turn over, ends stay
    assert pm.rows(*before)[1] == pytest.approx(-30.0 * y_beat(26) + 5.0)
    # a stop right before a warp takes no room either
    stop_warp = TIMING.with_changes(stops=((Fraction(26), Fraction(1)),))
    axis2 = geo.TimeAxis(stop_warp, beat_spaced=True, end_s=40.0)
    for a, b in axis2.pieces(10.0, 16.0):
        assert not (a >= beat_s(26) - 1e-9 and b <= beat_s(26) + 1.0 + 1e-9), (a, b)


class Clicks:
    """A peak source loud in exactly the pixel row whose time span holds a click."""

    def __init__(self, times):
        self.times = np.asarray(times)

    def query(self, start_s, end_s, n):
        edges = start_s + np.arange(n + 1) * (end_s - start_s) / n
        amp = np.zeros(n)
        for t in self.times:
            k = int(np.searchsorted(edges, t, side="right")) - 1
            if 0 <= k < n:
                amp[k] = 0.9
        return -amp, amp


def column(w, draw, x: float) -> np.ndarray:
    """How much showing ``draw`` changes column ``x`` (lane units) of the widget, per row."""
    col = int(w.viewport().mapTo(w, w.widget_pos(0.0, x).toPoint()).x())

    def grab() -> np.ndarray:
        image = w.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
        rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
        return rows[:, 3 * col:3 * col + 3].astype(int).copy()

    draw.setVisible(False)
    without = grab()
    draw.setVisible(True)
    return np.abs(grab() - without).max(axis=1)


def lit_rows(w, draw, x: float) -> list[float]:
    """Centres of the runs of rows (widget pixels) where showing ``draw`` changes column ``x``."""
    changed = np.flatnonzero(column(w, draw, x) > 25).tolist()
    runs: list[list[int]] = []
    for r in changed:
        if runs and r - runs[-1][-1] <= 1:
            runs[-1].append(r)
        else:
            runs.append([r])
    return [(run[0] + run[-1]) / 2 for run in runs]


def expected_rows(w, beats) -> list[float]:
    return [float(w.viewport().mapTo(w, w.widget_pos(beat_s(b), 2.0).toPoint()).y()) for b in beats]


def test_waveform_clicks_sit_on_their_beats_across_a_warp(make_timeline, qtbot):
    w = make_timeline(TIMING)
    w.set_beat_spaced(True)
    w.grid_item.setVisible(False)
    w.cursor_item.setVisible(False)
    w.set_peaks(Clicks([beat_s(b) for b in CLICK_BEATS]), 60.0)
    w.set_zoom(120.0)
    for cursor_beat in (22, 23.5):  # the misplacement grew with the part of the piece above the view's top
        w.set_cursor(beat_s(cursor_beat))
        qtbot.wait(10)
        rows = lit_rows(w, w.waveform_item, 1.9)  # off the centre column, which is lit at silence too
        want = [y for y in expected_rows(w, CLICK_BEATS) if 3 < y < w.height() - 3]
        assert len(want) >= 8
        for y in want:
            assert min(abs(r - y) for r in rows) <= 1.5, (cursor_beat, y, rows)


def test_spectrogram_frames_sit_on_their_beats_across_a_warp(make_timeline, qtbot):
    from editor.timeline.spectrogram_item import SpectrogramItem

    w = make_timeline(TIMING)
    w.set_beat_spaced(True)
    w.grid_item.setVisible(False)
    w.cursor_item.setVisible(False)
    item = SpectrogramItem()
    w.set_spectrogram_item(item)
    w.set_show_spectrogram(True)
    hop = 0.02  # 2.4 px at 120 px/s: frame k is centred at 10 s + k * hop
    n = 300
    beats = [b for b in CLICK_BEATS if beat_s(b) >= 10.0]
    pixels = np.zeros((n, 8), np.uint32)
    for b in beats:
        pixels[int(round((beat_s(b) - 10.0) / hop))] = 0xFFFFFFFF
    image = QImage(pixels.tobytes(), 8, n, 32, QImage.Format.Format_RGB32).copy()
    item.add_tile(0, 10.0, 10.0 + n * hop, image)
    w.set_zoom(120.0)
    w.set_cursor(beat_s(23))
    qtbot.wait(10)
    x = (geo.SPECTRO_X0 + geo.SPECTRO_X1) / 2
    rows = lit_rows(w, item, x)
    want = [y for y in expected_rows(w, beats) if 3 < y < w.height() - 3]
    assert len(want) >= 8
    for y in want:
        assert min(abs(r - y) for r in rows) <= 1.5, (y, rows)

"""Beat-Spaced view (X-mod) at a stop: the stop's seconds take no room and a note on a stop sounds at the stop's
start, so its row (where the stop ends) showed the audio from the stop's end and the note's own attack was not
drawn at all (waveform 0 px wide at the note's row, the spectrogram's frame cut in half). Now the first
``STOP_HEAD_S`` after a stop show its opening; a delay needs nothing (its note sounds when the delay ends)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from PySide6.QtGui import QImage

from chart.timing import TimingData
from editor.timeline import geometry as geo
from tests.editor.test_xmod_warp import Clicks, column

pytestmark = pytest.mark.qt

# 120 BPM, beat 0 at 0.5 s; a 0.5 s stop at beat 10 (5.5 s to 6.0 s), a 0.4 s delay at beat 14 (7.5 s to 7.9 s).
TIMING = TimingData(offset=Fraction(-1, 2), bpms=((Fraction(0), Fraction(120)),),
                    stops=((Fraction(10), Fraction(1, 2)),), delays=((Fraction(14), Fraction(2, 5)),))
CLICK_BEATS = [8, 9, 10, 11, 12, 13, 14, 15]


def beat_s(beat) -> float:
    return float(TIMING.beat_to_seconds(Fraction(beat)))


def test_pieces_after_a_stop_start_with_its_opening():
    axis = geo.TimeAxis(TIMING, beat_spaced=True, end_s=30.0)
    assert beat_s(10) == pytest.approx(5.5)
    pieces = axis.drawn_pieces(5.0, 7.0)
    head = [p for p in pieces if p[0] == pytest.approx(6.0)]
    assert head == [pytest.approx((6.0, 6.0 + geo.STOP_HEAD_S, 5.5))]  # the stop's first 40 ms, below its row
    assert all(src == a for a, _b, src in pieces if a != pytest.approx(6.0))  # nothing else moves
    assert [(a, b) for a, b, _src in pieces] == [pytest.approx(p) for p in
                                                 [(5.0, 5.5), (6.0, 6.0 + geo.STOP_HEAD_S), (6.0 + geo.STOP_HEAD_S, 7.0)]]
    # a view starting inside the head shows the rest of it
    assert axis.drawn_pieces(6.01, 6.5)[0] == pytest.approx((6.01, 6.0 + geo.STOP_HEAD_S, 5.51))
    # a delay's note sounds at the delay's end, where the piece after it starts: nothing to add
    assert all(src == a for a, _b, src in axis.drawn_pieces(7.0, 9.0))
    # C-mod: the pieces as they are
    assert geo.TimeAxis(TIMING, beat_spaced=False).drawn_pieces(5.0, 7.0) == [(5.0, 7.0, 5.0)]
    # a short stop shows all of itself; a tempo change right after it keeps the head inside the piece before it
    short = geo.TimeAxis(TIMING.with_changes(stops=((Fraction(10), Fraction(1, 100)),)), beat_spaced=True)
    assert short._stop_heads() == [pytest.approx((5.51, 5.5, 0.01))]
    close = TIMING.with_changes(stops=((Fraction(10), Fraction(1, 10)),),
                                bpms=((Fraction(0), Fraction(120)), (Fraction(201, 20), Fraction(240))))
    (leave, judged, length), = geo.TimeAxis(close, beat_spaced=True, end_s=30.0)._stop_heads()
    assert (leave, judged) == pytest.approx((5.6, 5.5))
    assert length == pytest.approx(0.0125)  # half of the 0.025 s (0.05 beat) before the tempo change


def row_of(w, beat) -> int:
    return int(round(w.viewport().mapTo(w, w.widget_pos(beat_s(beat), 2.0).toPoint()).y()))


def timeline(make_timeline):
    w = make_timeline(TIMING)
    w.set_beat_spaced(True)
    w.grid_item.setVisible(False)
    w.cursor_item.setVisible(False)
    w.notes_item.setVisible(False)
    return w


@pytest.mark.parametrize("reverse", [False, True])
def test_waveform_draws_the_attack_of_a_note_on_a_stop(make_timeline, qtbot, reverse):
    w = timeline(make_timeline)
    w.set_reverse(reverse)
    w.set_peaks(Clicks([beat_s(b) for b in CLICK_BEATS]), 60.0)
    w.set_zoom(240.0)
    for cursor_beat in (10, 14):
        w.set_cursor(beat_s(cursor_beat))
        qtbot.wait(10)
        lit = np.flatnonzero(column(w, w.waveform_item, 1.9) > 25)
        for b in CLICK_BEATS:
            y = row_of(w, b)
            if 3 < y < w.height() - 3:
                assert np.abs(lit - y).min() <= 1, (b, y, lit.tolist())


def test_spectrogram_draws_both_halves_of_a_stop_notes_frame(make_timeline, qtbot):
    from editor.timeline.spectrogram_item import SpectrogramItem

    w = timeline(make_timeline)
    item = SpectrogramItem()
    w.set_spectrogram_item(item)
    w.set_show_spectrogram(True)
    hop = 0.02  # 20 px at 1000 px/s: frame k is centred at 5 s + k * hop, half of it either side of its row
    pixels = np.zeros((100, 8), np.uint32)
    pixels[int(round((beat_s(10) - 5.0) / hop))] = 0xFFFFFFFF
    item.add_tile(0, 5.0, 5.0 + 100 * hop, QImage(pixels.tobytes(), 8, 100, 32, QImage.Format.Format_RGB32).copy())
    w.set_zoom(1000.0)
    w.set_cursor(beat_s(10))
    qtbot.wait(10)
    lit = column(w, item, (geo.SPECTRO_X0 + geo.SPECTRO_X1) / 2) > 25
    y = row_of(w, 10)
    assert lit[y - 8:y - 2].all()  # the half before the note, from the piece above the stop
    assert lit[y + 2:y + 8].all()  # and the half after it: the stop's opening (was the stop's end, dark)
    assert not lit[y + 14:y + 60].any()

"""The spectrogram lane: each frame drawn centred on its time (it was drawn from it: half a hop, ~2.5 ms, late),
and a fixed frequency range, so a tone sits in the same column whatever the file's sample rate, with ticks and a
tooltip saying what the columns are."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QImage

from chart.timing import TimingData
from editor.timeline import geometry as geo

pytestmark = pytest.mark.qt


def tone(hz: float, sr: int, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(sr * seconds)) / sr
    return (0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def test_a_frame_is_drawn_centred_on_its_time(make_timeline, qtbot):
    from editor.timeline.spectrogram_item import SpectrogramItem

    w = make_timeline(TimingData.constant(120))
    item = SpectrogramItem()
    w.set_spectrogram_item(item)
    w.set_show_spectrogram(True)
    w.cursor_item.setVisible(False)
    w.grid_item.setVisible(False)
    n, hop = 200, 0.005  # frame k centred at 10 s + k * hop, as audio.spectrogram computes them
    pixels = np.zeros((n, 8), np.uint32)
    pixels[100] = 0xFFFFFFFF  # the frame centred at 10.5 s
    image = QImage(pixels.tobytes(), 8, n, 32, QImage.Format.Format_RGB32).copy()
    item.add_tile(0, 10.0, 10.0 + n * hop, image)
    w.set_zoom(4000.0)  # a frame is 20 px tall
    w.set_cursor(10.5)
    qtbot.wait(10)
    for reverse in (False, True):
        w.set_reverse(reverse)
        qtbot.wait(10)
        centre = w.viewport().mapTo(w, w.widget_pos(10.5, (geo.SPECTRO_X0 + geo.SPECTRO_X1) / 2).toPoint())
        image = w.grab().toImage()
        bright = [y for y in range(w.height()) if image.pixelColor(centre.x(), y).lightness() > 200]
        assert bright, reverse
        assert 18 <= len(bright) <= 22, reverse
        assert (bright[0] + bright[-1]) / 2 == pytest.approx(centre.y(), abs=1.5), reverse  # was 10 px late


def test_slice_tiler_frames_are_centred_on_their_times():
    """The premise of the drawing: frame k's window is centred at k * hop (an impulse there peaks in frame k,
    its neighbours equal), so row k belongs at that time, not half a hop later."""
    from editor.timeline.spectrogram_item import SliceTiler

    sr = 22050
    tiler = SliceTiler(np.zeros((2, sr * 3), np.float32), sr)
    x = np.zeros((2, sr * 3), np.float32)
    x[:, 300 * tiler.hop] = 1.0
    start_s, end_s, db = SliceTiler(x, sr).tile(0)
    level = db.mean(axis=0)
    assert int(np.argmax(level)) == 300
    assert level[299] == pytest.approx(level[301], abs=0.01)
    assert start_s == 0.0
    assert end_s == pytest.approx(db.shape[1] * tiler.hop_s)


def test_a_tone_lands_in_the_same_column_at_every_sample_rate():
    from editor.timeline.spectrogram_item import LANE_PARAMS, SliceTiler, lane_fraction

    n = LANE_PARAMS.n_mels
    for hz in (100.0, 1000.0, 4000.0, 10_000.0):
        bands = []
        for sr in (22050, 44100, 48000):
            _s0, _s1, db = SliceTiler(tone(hz, sr)[None, :], sr).tile(0)
            bands.append(int(np.argmax(db[:, 20:-20].mean(axis=1))))
        assert max(bands) - min(bands) <= 1, (hz, bands)  # was 7 bands apart for 1 kHz (22.05 vs 44.1 kHz)
        assert (bands[1] + 0.5) / n == pytest.approx(lane_fraction(hz), abs=1.0 / n)  # where its tick is drawn


def test_bands_above_half_the_rate_are_empty():
    """A 16 kHz file reaches 8 kHz: the lane's columns above that stay at the floor (dark), not a copy of the
    top bin."""
    from audio.spectrogram import FLOOR_DB, hz_to_mel, mel_to_hz
    from editor.timeline.spectrogram_item import SliceTiler

    sr = 16000
    noise = (0.3 * np.random.default_rng(0).standard_normal(sr * 2)).astype(np.float32)
    tiler = SliceTiler(noise[None, :], sr)
    _s0, _s1, db = tiler.tile(0)
    p = tiler.params
    centres = mel_to_hz(np.linspace(hz_to_mel(p.fmin_hz), hz_to_mel(p.fmax_hz), p.n_mels + 2))[1:-1]
    above = centres > sr / 2
    assert above.any()
    assert (~above).any()
    assert np.all(db[above] <= FLOOR_DB + 1e-3)
    assert np.all(db[~above].mean(axis=1) > FLOOR_DB + 20)


def test_the_lane_says_what_its_columns_are(make_timeline, qtbot):
    from editor.timeline.spectrogram_item import LANE_TICKS, SpectrogramItem, lane_fraction

    item = SpectrogramItem()
    assert "11 kHz" in item.toolTip()
    assert "30 Hz" in item.toolTip()
    fractions = [lane_fraction(hz) for hz, _label in LANE_TICKS]
    assert fractions == sorted(fractions)
    assert fractions[0] > 0.0
    assert fractions[-1] < 1.0
    w = make_timeline(TimingData.constant(120))
    w.set_spectrogram_item(item)
    w.set_show_spectrogram(True)
    w.set_cursor(5.0)
    qtbot.wait(10)
    image = w.grab().toImage()
    top = int(w.viewport().mapTo(w, w.widget_pos(w.visible_times()[0], 0.0).toPoint()).y())
    for fraction in fractions:  # a faint tick at the top edge of the lane, over the dark lane
        x = geo.SPECTRO_X0 + fraction * (geo.SPECTRO_X1 - geo.SPECTRO_X0)
        px = int(w.viewport().mapTo(w, w.widget_pos(5.0, x).toPoint()).x())
        assert max(image.pixelColor(px + d, top + 2).lightness() for d in (-1, 0, 1)) > 80

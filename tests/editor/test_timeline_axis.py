"""The notefield's time axis keeps its labels on long songs; the spectrogram lane's window follows the rate."""

from __future__ import annotations

import numpy as np
import pytest

from chart.timing import TimingData

pytestmark = pytest.mark.qt


def _lit_axis_pixels(widget, qtbot, t_s: float) -> int:
    widget.set_cursor(t_s)
    qtbot.wait(20)
    image = widget.grab().toImage()
    width = int(widget.time_axis_item.width())
    return sum(1 for x in range(width) for y in range(0, image.height(), 2)
               if image.pixelColor(x, y).lightness() > 120)


def test_time_labels_show_after_ten_minutes(make_timeline, qtbot):
    """From 10:00 on, 'mm:ss.s' did not fit the fixed 46 px axis and pyqtgraph dropped every label (and the
    '-0:05.0' of the lead-in before the song starts never fitted)."""
    w = make_timeline(TimingData.constant(120))
    narrow = w.time_axis_item.width()
    short = _lit_axis_pixels(w, qtbot, 30.0)
    w.set_song(TimingData.constant(120), 4, 99 * 60 + 59.0)
    for t in (605.0, 95 * 60.0, 99 * 60 + 50.0):
        assert w.time_axis_item.tickStrings([t], 1, 0.5)[0].count(":") == 1
        assert _lit_axis_pixels(w, qtbot, t) > short / 2, t
    x0, x1 = w.vb.viewRange()[0]
    assert w.vb.width() / (x1 - x0) == pytest.approx(76.0, abs=0.5)  # lanes keep their width beside a wider axis
    assert w.time_axis_item.width() > narrow
    w.set_song(TimingData.constant(120), 4, 60.0)
    assert w.time_axis_item.width() == narrow  # only long songs pay for the extra digit
    assert _lit_axis_pixels(w, qtbot, -4.0) > short / 2


@pytest.mark.parametrize("sr", [8000, 48000])
def test_slice_tiler_matches_the_whole_song_at_any_rate(sr):
    """The lane's tiles cut their slices with the window's length in samples, which now depends on the rate."""
    from audio.spectrogram import SpectrogramTiler
    from editor.timeline.spectrogram_item import LANE_PARAMS, SliceTiler

    stereo = (0.3 * np.random.default_rng(1).standard_normal((2, sr * 11))).astype(np.float32)
    whole = SpectrogramTiler(stereo.mean(axis=0), sr, LANE_PARAMS, tile_s=5.0)
    sliced = SliceTiler(stereo, sr, tile_s=5.0)
    assert sliced.window_len == whole.window_len
    for i in range(whole.n_tiles):
        start_s, _end_s, db = sliced.tile(i)
        ref = whole.tile(i)
        assert start_s == pytest.approx(ref.start_s)
        assert np.max(np.abs(db - ref.db)) < 1e-3


def test_zoomed_in_ticks_have_labels_of_their_own(make_timeline):
    """At 1000-4000 px/s the ticks are 0.01-0.05 s apart, and with one decimal eight ticks in a row read
    '5:20.0'; the decimals now follow the tick spacing (and X-mod's uneven ticks use their closest two)."""
    w = make_timeline(TimingData.constant(120))
    axis = w.time_axis_item
    ticks = [320.0 + 0.01 * k for k in range(10)]
    labels = axis.tickStrings(ticks, 1, 0.01)
    assert len(set(labels)) == len(labels), labels
    assert labels[0] == "5:20.00"
    assert axis.tickStrings([320.0, 320.5], 1, 0.5) == ["5:20.0", "5:20.5"]
    assert axis.tickStrings([59.0, 60.0], 1, 1.0) == ["0:59", "1:00"]
    assert axis.tickStrings([59.996], 1, 0.01) == ["1:00.00"]  # rounding carries into the minute
    assert axis.tickStrings([-0.25], 1, 0.05) == ["-0:00.25"]
    axis.time_axis = type("A", (), {"beat_spaced": True, "tick_times": staticmethod(lambda ys: [y * 0.02 for y in ys])})()
    labels = axis.tickStrings([1.0, 2.0, 3.0], 1, 1.0)  # beats 0.02 s apart
    assert len(set(labels)) == 3, labels

"""The notefield on its own: visible-range queries, hit testing, snap-coloured heads and grid, ghosts drawn
differently from notes, zoom limits."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from PySide6.QtGui import QColor

from chart.notes import Note, NoteKind
from chart.timing import TimingData
from editor.timeline import geometry as geo
from editor.timeline.note_index import NoteIndex
from editor.timeline.view import MAX_PPS, MIN_PPS

pytestmark = pytest.mark.qt
TIMING = TimingData.constant(120, "-0.5")  # beat 0 at 0.5 s


def many_notes(n: int) -> list[Note]:
    return [Note(Fraction(k, 4), k % 4) for k in range(n)]


def test_index_visible_range_and_holds_reaching_in():
    notes = [*many_notes(400), Note(Fraction(200), 0, NoteKind.HOLD, Fraction(40))]
    index = NoteIndex(sorted(notes), TIMING)
    t0, t1 = float(TIMING.beat_to_seconds(210)), float(TIMING.beat_to_seconds(212))
    idx = index.visible(t0, t1)
    assert {index.notes[i] for i in idx} >= {Note(Fraction(200), 0, NoteKind.HOLD, Fraction(40))}
    assert all(index.end_s[i] >= t0 and index.start_s[i] <= t1 for i in idx)
    assert len(idx) < 20  # only what is on screen


def test_index_hit_and_box():
    index = NoteIndex(many_notes(16), TIMING)
    t = float(TIMING.beat_to_seconds(Fraction(5, 4)))
    assert index.notes[index.hit(t + 0.01, 1, 0.02)] == Note(Fraction(5, 4), 1)
    assert index.hit(t + 0.01, 2, 0.02) is None
    box = index.in_box(float(TIMING.beat_to_seconds(0)), float(TIMING.beat_to_seconds(1)), 0, 1)
    assert box == [Note(Fraction(0), 0), Note(Fraction(1, 4), 1), Note(Fraction(1), 0)]


def test_quantisation_colours():
    assert geo.quant_divisor(1.0) == 4
    assert geo.quant_divisor(1.5) == 8
    assert geo.quant_divisor(1 / 3) == 12
    assert geo.quant_divisor(0.25) == 16
    assert geo.quant_divisor(1 / 48) == 192
    assert geo.ghost_color(0.0) != geo.ghost_color(1.0)


@pytest.fixture
def timeline(make_timeline):
    return make_timeline(TIMING)


def pixel(w, beat, lane) -> QColor:
    img = w.grab().toImage()
    p = w.widget_pos(float(TIMING.beat_to_seconds(Fraction(beat))), lane + 0.5).toPoint()
    p = w.viewport().mapTo(w, p)
    return img.pixelColor(p)


def test_heads_are_drawn_in_noteskin_colours(timeline):
    notes = [Note(Fraction(4), 0), Note(Fraction(9, 2), 1), Note(Fraction(19, 4), 2)]
    timeline.set_notes(NoteIndex(notes, TIMING))
    timeline.set_cursor(float(TIMING.beat_to_seconds(3)))  # not on a head: the cursor line would cover it
    for note, divisor in zip(notes, (4, 8, 16)):
        got = pixel(timeline, note.beat, note.lane)
        want = geo.quant_color(divisor)
        assert (got.red(), got.green(), got.blue()) == pytest.approx((want.red(), want.green(), want.blue()), abs=30)


def test_ghosts_look_different_from_notes(timeline):
    timeline.set_cursor(float(TIMING.beat_to_seconds(3)))
    timeline.set_ghosts(NoteIndex([Note(Fraction(5), 3)], TIMING, [1.0]))
    got = pixel(timeline, 5, 3)
    red = geo.quant_color(4)
    assert abs(got.red() - red.red()) + abs(got.green() - red.green()) > 80  # not a quarter-note red head


def test_zoom_limits_and_cursor_anchor(timeline):
    timeline.set_zoom(1e9)
    assert timeline.pps == MAX_PPS
    timeline.set_zoom(0.0)
    assert timeline.pps == MIN_PPS
    timeline.set_zoom(300.0)
    timeline.set_cursor(10.0)
    (_x0, _x1), (t0, t1) = timeline.vb.viewRange()
    assert (10.0 - t0) / (t1 - t0) == pytest.approx(0.3, abs=0.01)


def test_grid_falls_back_to_coarser_lines_when_zoomed_out(timeline):
    timeline.set_divisor(192)
    assert timeline.grid_item._effective_divisor(px_per_beat=20.0) <= 16
    assert timeline.grid_item._effective_divisor(px_per_beat=2000.0) == 192


def test_ten_thousand_notes_render_only_visible(timeline):
    notes = many_notes(10_000)
    index = NoteIndex(notes, TIMING)
    timeline.set_notes(index)
    timeline.set_cursor(float(TIMING.beat_to_seconds(1200)))
    (_x, _y), (t0, t1) = timeline.vb.viewRange()
    visible = index.visible(t0, t1)
    assert 0 < len(visible) < 200
    assert np.all(np.diff(index.start_s) >= 0)


def test_slice_tiler_matches_the_whole_song_spectrogram():
    """Tiles cut from stereo slices equal the tiles of the full mono spectrogram (no seams, no full copy)."""
    from audio.spectrogram import SpectrogramTiler
    from editor.timeline.spectrogram_item import LANE_PARAMS, SliceTiler

    rng = np.random.default_rng(3)
    stereo = (0.3 * rng.standard_normal((2, 22050 * 12))).astype(np.float32)
    whole = SpectrogramTiler(stereo.mean(axis=0), 22050, LANE_PARAMS, tile_s=5.0)
    sliced = SliceTiler(stereo, 22050, tile_s=5.0)
    assert sliced.n_tiles == whole.n_tiles
    for i in range(whole.n_tiles):
        start_s, end_s, db = sliced.tile(i)
        ref = whole.tile(i)
        assert start_s == pytest.approx(ref.start_s)
        assert db.shape == ref.db.shape
        assert np.max(np.abs(db - ref.db)) < 1e-3


@pytest.mark.parametrize("spectrogram", [False, True])
def test_timing_markers_stay_in_view_right_of_the_ai_curve(make_timeline, spectrogram):
    """The AI panel's onset curve strip sits right of the lanes; the BPM/stop/label markers move past it and the
    view keeps room for their text (they were covered by the strip, then cut by the view's edge)."""
    from editor.timeline import geometry as geo

    w = make_timeline(TimingData.constant(150))
    w.show_spectrogram = spectrogram
    w.set_show_curve(True)
    assert w.grid_item.markers_x == pytest.approx(geo.CURVE_GAP + 1.0)  # the strip: gap + its width
    right = w.vb.viewRange()[0][1]
    assert right >= w.lanes + w.grid_item.markers_x + 1.0  # about a line of marker text fits
    w.set_show_curve(False)
    assert w.grid_item.markers_x == 0.0


def test_the_density_graph_counts_judged_notes_only():
    timing = TimingData.constant(120).with_changes(warps=((Fraction(4), Fraction(4)),))
    notes = [Note(Fraction(b), b % 4) for b in range(12)]
    times = NoteIndex(notes, timing).onset_times_s()
    assert len(times) == 8  # beats 4-7 are passed over (they all sat at one instant: a spike)
    assert len(NoteIndex(notes, TimingData.constant(120)).onset_times_s()) == 12


def test_a_beat_off_every_grid_is_indexed_and_drawn():
    """A JSON beat from milliseconds (0.12345 = 2469/20000) overflowed the int16 quantisation: OverflowError, and
    none of the chart's notes were drawn."""
    notes = [Note(Fraction(2469, 20000), 0), Note(Fraction(1), 1), Note(Fraction(33333, 100000), 2)]
    index = NoteIndex(notes, TimingData.constant(120))
    assert len(index) == 3
    assert index.quant.tolist() == [384, 4, 384]

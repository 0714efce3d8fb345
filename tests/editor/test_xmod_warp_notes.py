"""Beat-Spaced view (X-mod) inside a warp: the warp gets its beats' room, so what sits on those beats must be drawn
there and clicks there must land on them. Placed through their time (one instant for the whole warp), the notes
all piled up on the row of the warp's last beat, the grid left the room empty, and a click in the room landed on
the warp's last beat and picked that beat's note."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from chart.notes import Note, NoteKind
from chart.timing import TimingData
from editor.timeline import geometry as geo
from editor.timeline.note_index import NoteIndex
from tests.editor.test_xmod_warp import lit_rows

pytestmark = pytest.mark.qt

# 120 BPM, beat 0 at 0.5 s, a 4-beat warp at beat 16 (beats 16-20 share one instant): 60 px a beat at 120 px/s.
TIMING = TimingData(offset=Fraction(-1, 2), bpms=((Fraction(0), Fraction(120)),), warps=((Fraction(16), Fraction(4)),))
WARP_BEATS = [16, 17, 18, 19, 20]


def beat_s(beat) -> float:
    return float(TIMING.beat_to_seconds(Fraction(beat)))


def beat_row(w, beat: float, x: float = 0.5) -> float:
    """Widget row where X-mod puts ``beat``: every beat equally tall, y linear in beats."""
    scene = w.vb.mapViewToScene(QPointF(x, w.axis._t0 + beat * w.axis.beat_height))
    return float(w.mapFromScene(scene).y())


def xmod(make_timeline, notes):
    w = make_timeline(TIMING)
    w.set_notes(NoteIndex(notes, TIMING))
    w.set_beat_spaced(True)
    w.set_zoom(120.0)
    w.set_cursor(beat_s(15))
    return w


def test_axis_places_beats_of_its_timing_by_beat():
    axis = geo.TimeAxis(TIMING, beat_spaced=True, end_s=40.0)
    assert axis.by_beat()
    assert axis.by_beat(TimingData(**{f: getattr(TIMING, f) for f in ("offset", "bpms", "warps")}))
    assert not axis.by_beat(TimingData.constant(120, "-0.5"))  # a compared chart's own timing: placed by time
    assert not geo.TimeAxis(TIMING, beat_spaced=False).by_beat(TIMING)
    ys = axis.beat_to_y(np.array(WARP_BEATS, dtype=float))
    assert np.allclose(np.diff(ys), axis.beat_height)  # each warp beat has its row
    assert axis.y_to_beat(axis.beat_to_y(17.5)) == pytest.approx(17.5)
    # outside the warp, by beat and by time agree
    for b in (3.0, 15.5, 21.0, 30.0):
        assert axis.beat_to_y(b) == pytest.approx(axis.to_y(beat_s(b)))
    c_mod = geo.TimeAxis(TIMING, beat_spaced=False)
    assert c_mod.beat_to_y(18.0) == pytest.approx(beat_s(18))  # C-mod: through time, the warp takes no room


def test_notes_inside_a_warp_are_drawn_on_their_own_rows(make_timeline, qtbot):
    notes = [Note(Fraction(b), 0) for b in (14, 15, *WARP_BEATS, 21, 22)]
    w = xmod(make_timeline, notes)
    w.grid_item.setVisible(False)
    w.cursor_item.setVisible(False)
    qtbot.wait(10)
    rows = lit_rows(w, w.notes_item, 0.5)
    want = [beat_row(w, b) for b in (14, 15, *WARP_BEATS, 21, 22)]
    assert all(3 < y < w.height() - 3 for y in want)
    assert want[-1] - want[0] > 8 * 50  # 8 beats of room, the warp's 4 included
    for y in want:
        assert min(abs(r - y) for r in rows) <= 3.0, (y, rows)
    assert len(rows) >= len(want)  # not all on one row


def test_hold_inside_a_warp_has_its_body(make_timeline, qtbot):
    hold = Note(Fraction(17), 1, NoteKind.HOLD, Fraction(2))
    w = xmod(make_timeline, [hold])
    w.grid_item.setVisible(False)
    w.cursor_item.setVisible(False)
    qtbot.wait(10)
    rows = lit_rows(w, w.notes_item, 1.5)
    # head at beat 17 and the body with its tail cap down to beat 19 (one run, or head and body: its centre)
    assert min(abs(r - beat_row(w, 17)) for r in rows) <= 3.0, rows
    assert max(rows) >= beat_row(w, 18) - 3, rows
    hit = w.hit_at(QPointF(w.widget_pos(0, 1.5).x(), beat_row(w, 18)))
    assert hit.note == 0
    assert not hit.head
    assert not hit.tail
    tail = w.hit_at(QPointF(w.widget_pos(0, 1.5).x(), beat_row(w, 19) - 2))
    assert tail.note == 0
    assert tail.tail


def test_click_in_a_warps_room_lands_on_the_beat_under_it(make_timeline):
    notes = [Note(Fraction(b, 2), 1) for b in range(32, 41)]  # every half beat, 16 to 20, in lane 1
    w = xmod(make_timeline, notes)
    x = w.widget_pos(0, 1.5).x()
    for beat in (16.5, 17, 18, 19.5):
        hit = w.hit_at(QPointF(x, beat_row(w, beat)))
        assert hit.beat == pytest.approx(beat, abs=0.02)
        assert hit.snapped == Fraction(beat).limit_denominator(4)
        assert hit.time_s == pytest.approx(beat_s(16))  # the warp's one instant
        assert w.index.notes[hit.note].beat == Fraction(beat).limit_denominator(4)
    empty = w.hit_at(QPointF(w.widget_pos(0, 2.5).x(), beat_row(w, 18)))
    assert empty.note is None
    assert empty.snapped == 18
    after = w.hit_at(QPointF(x, beat_row(w, 22)))  # past the warp, as before
    assert after.beat == pytest.approx(22, abs=0.02)
    assert after.time_s == pytest.approx(beat_s(22), abs=0.01)


def test_drags_and_boxes_inside_a_warps_room(make_timeline, qtbot):
    notes = [Note(Fraction(b), lane) for b in WARP_BEATS for lane in (0, 2)]
    w = xmod(make_timeline, notes)
    x = w.widget_pos(0, 0.2).x()
    a, b = (w.hit_at(QPointF(x, beat_row(w, beat))) for beat in (16.8, 18.2))
    assert w.hit_rows_px(a, b) == pytest.approx(1.4 * w.axis.beat_height * w.pps, abs=2.0)
    x2 = w.widget_pos(0, 2.8).x()
    b = w.hit_at(QPointF(x2, beat_row(w, 18.2)))
    assert sorted((n.beat, n.lane) for n in w.notes_in_box(a, b, 0, 2)) == [(17, 0), (17, 2), (18, 0), (18, 2)]
    w.show_box(a, b)
    assert w.box_item.by_beat
    assert w.box_item.box[1] == pytest.approx(a.beat)
    w.show_box(None)
    assert w.box_item.box is None
    w.set_beat_spaced(False)  # C-mod: the warp takes no time and no room, boxes go by time as before
    c, d = (w.hit_at(QPointF(x, w.widget_pos(beat_s(bt), 0).y())) for bt in (15, 21))
    assert len(w.notes_in_box(c, d, 0, 2)) == len(notes)
    w.show_box(c, d)
    assert not w.box_item.by_beat


def test_grid_and_markers_fill_the_warps_room(make_timeline, qtbot):
    w = xmod(make_timeline, [])
    qtbot.wait(10)
    pm = geo.PixelMap.from_transform(w.grid_item.deviceTransform(w.viewportTransform()), w.axis)
    lines = w.grid_item.line_beats(pm, 14.0, 22.0)
    assert {16.25, 17.0, 18.5, 19.75} <= set(np.round(lines, 6).tolist())
    beats, numbers, _ = w.grid_item.measure_lines(pm, 14.0, 22.0)
    assert 16.0 in beats.tolist()
    assert 20.0 in beats.tolist()
    units, _ = w.grid_item.marker_layout(pm)
    assert units[1] == pytest.approx(w.axis.beat_to_y(16.0))  # the warp's tick at its first beat, not its last
    w.set_beat_spaced(False)  # C-mod: nothing inside the warp, it takes no time
    pm = geo.PixelMap.from_transform(w.grid_item.deviceTransform(w.viewportTransform()), w.axis)
    assert not [b for b in w.grid_item.line_beats(pm, 14.0, 22.0) if 16 < b < 20]


def test_playhead_in_a_warp_and_notes_at_stops_and_delays(make_timeline, qtbot):
    timing = TIMING.with_changes(stops=((Fraction(8), Fraction(1)),), delays=((Fraction(10), Fraction(1, 2)),))
    w = make_timeline(timing)
    notes = [Note(Fraction(b), 0) for b in (7, 8, 9, 10, 11)]
    w.set_notes(NoteIndex(notes, timing))
    w.set_beat_spaced(True)
    w.set_zoom(120.0)
    w.set_cursor(float(timing.beat_to_seconds(Fraction(9))))
    w.grid_item.setVisible(False)
    w.cursor_item.setVisible(False)
    qtbot.wait(10)
    rows = lit_rows(w, w.notes_item, 0.5)
    want = [beat_row(w, b) for b in (7, 8, 9, 10, 11)]
    assert np.allclose(np.diff(want), w.axis.beat_height * w.pps, atol=1.5)  # a stop or delay takes no room
    for y in want:
        assert min(abs(r - y) for r in rows) <= 3.0, (y, rows)
    assert len(rows) == len(want)  # one head per beat: the delay's beat is not drawn twice
    w.cursor_item.setVisible(True)
    w.set_cursor(float(timing.beat_to_seconds(Fraction(16))), playing=True)  # the playhead at the warp's instant
    qtbot.wait(10)
    w.grab()


def test_markers_show_when_the_view_starts_inside_a_warps_room(make_timeline, qtbot, monkeypatch):
    """The markers were culled by the view's times: with the view's top inside a warp's room (whose rows all share
    the warp's one instant, mapped to its last beat's row) a tempo change plainly on screen was not drawn."""
    import editor.timeline.grid_item as gi

    timing = TimingData(offset=Fraction(0), bpms=((Fraction(0), Fraction(120)), (Fraction(20), Fraction(150))),
                        warps=((Fraction(16), Fraction(8)),))
    drawn: list[str] = []

    class Recording(gi.QFontMetricsF):
        def elidedText(self, text, *args):
            drawn.append(text)
            return super().elidedText(text, *args)

    monkeypatch.setattr(gi, "QFontMetricsF", Recording)
    w = make_timeline(timing)
    w.set_beat_spaced(True)
    w.set_zoom(120.0)
    for b0, b1 in ((12, 22), (18, 28)):
        w.vb.setYRange(w.axis.beat_to_y(b0), w.axis.beat_to_y(b1), padding=0.0, update=True)
        qtbot.wait(5)
        drawn.clear()
        w.grab()
        assert "150 BPM" in drawn, (b0, b1, drawn)

"""View > Beat-Spaced (X-mod): every beat equally tall and stops taking no room, with hit testing, the cursor and
the items all still in song seconds."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from chart.commands import SetTiming
from chart.notes import Note
from chart.timing import TimingData
from editor.timeline import geometry as geo
from editor.timeline.note_index import NoteIndex

pytestmark = pytest.mark.qt

# 120 BPM, then 240 BPM from beat 8 with a 1-s stop at beat 12, then 60 BPM from beat 16; beat 0 at 0.5 s.
TIMING = TimingData(offset=Fraction(-1, 2), bpms=((Fraction(0), Fraction(120)), (Fraction(8), Fraction(240)),
                                                   (Fraction(16), Fraction(60))),
                    stops=((Fraction(12), Fraction(1)),))


def beat_s(beat) -> float:
    return float(TIMING.beat_to_seconds(Fraction(beat)))


def test_axis_spaces_beats_evenly_and_gives_stops_no_room():
    axis = geo.TimeAxis(TIMING, beat_spaced=True, end_s=30.0)
    # 120 BPM for 4 s, 240 BPM for 2 s (+ 1 s stop), 60 BPM for the rest (14 s to 30 s): 60 BPM lasts longest
    assert axis.ref_bpm == 60.0
    beats = np.arange(0, 24, 0.5)
    ys = axis.to_y(np.array([beat_s(b) for b in beats]))
    assert np.allclose(np.diff(ys), 0.5)  # half a beat is half a second at 60 BPM, in every section
    assert axis.to_y(beat_s(0)) == pytest.approx(0.5)  # y of beat 0 is its time
    stop_start, stop_end = beat_s(12), beat_s(12) + 1.0
    assert axis.to_y(stop_start) == pytest.approx(axis.to_y(stop_end))  # the stop takes no room
    ts = np.array([1.0, 4.7, 7.0, 9.0, 20.0])  # outside the stop, to_t inverts to_y
    assert np.allclose(axis.to_t(axis.to_y(ts)), ts)
    assert isinstance(axis.to_y(3.0), float)
    assert isinstance(axis.to_t(3.0), float)
    # linear pieces: y is linear in t inside each; cut at the tempo changes and around the stop, left out
    pieces = axis.pieces(0.0, 20.0)
    starts = [round(a, 6) for a, _b in pieces]
    assert {4.5, 6.5, 7.5} <= set(starts)
    assert 5.5 not in starts
    for a, b in pieces:
        assert axis.to_y((a + b) / 2) == pytest.approx((axis.to_y(a) + axis.to_y(b)) / 2)
        assert b <= stop_start + 1e-9 or a >= stop_end - 1e-9
    assert sum(b - a for a, b in pieces) == pytest.approx(19.0)  # everything but the stop's second


def test_c_mod_and_one_tempo_are_the_identity():
    c_mod = geo.TimeAxis(TIMING, beat_spaced=False)
    assert c_mod.to_y(7.25) == 7.25
    assert c_mod.pieces(1.0, 9.0) == [(1.0, 9.0)]
    constant = geo.TimeAxis(TimingData.constant(150, "-0.2"), beat_spaced=True)
    assert not constant.beat_spaced  # one tempo, no stops: X-mod would change nothing, so it is C-mod
    assert constant.to_t(3.3) == 3.3


def note_centre_px(w, beat) -> float:
    return float(w.widget_pos(beat_s(beat), 0.5).y())


def test_timeline_in_x_mod_draws_hits_and_keeps_the_cursor(make_timeline, qtbot):
    w = make_timeline(TIMING)
    notes = [Note(Fraction(b), 0) for b in (6, 7, 10, 11, 17, 18)]
    w.set_notes(NoteIndex(notes, TIMING))
    w.seek(beat_s(10))
    c_gaps = [note_centre_px(w, b + 1) - note_centre_px(w, b) for b in (6, 10, 17)]
    assert c_gaps[0] == pytest.approx(2 * c_gaps[1], rel=0.02)  # C-mod: a beat at 120 BPM is twice one at 240
    w.set_beat_spaced(True)
    assert w.axis.beat_spaced
    assert w.vb.time_axis is w.axis
    assert w.time_axis_item.time_axis is w.axis
    assert w.cursor_s == pytest.approx(beat_s(10))  # the cursor stays put
    x_gaps = [note_centre_px(w, b + 1) - note_centre_px(w, b) for b in (6, 10, 17)]
    assert x_gaps == pytest.approx([w.pps] * 3, rel=0.02)  # X-mod: one beat = one second at 60 BPM everywhere
    # the cursor line (painted from its time through the axis) sits at the anchor, and the view covers it
    t0, t1 = w.visible_times()
    assert t0 < w.cursor_s < t1
    # hit testing goes back through the axis: a click on a note's head finds that note, and the beat under it
    for beat in (10, 11):
        hit = w.hit_at(w.widget_pos(beat_s(beat), 0.5))
        assert hit.note == notes.index(Note(Fraction(beat), 0))
        assert hit.snapped == beat
        assert hit.lane == 0
    # a click inside the stop (no room in X-mod) lands on the stop's beat
    hit = w.hit_at(w.widget_pos(beat_s(12) + 0.5, 1.5))
    assert hit.snapped == 12
    assert hit.lane == 1
    assert w.pixels_between(beat_s(12), beat_s(12) + 1.0) == pytest.approx(0.0, abs=1e-6)
    # the picture differs between the two modes, and comes back the same in C-mod
    qtbot.wait(50)
    x_img = w.grab().toImage()
    w.set_beat_spaced(False)
    qtbot.wait(50)
    assert not w.axis.beat_spaced
    assert note_centre_px(w, 11) - note_centre_px(w, 10) == pytest.approx(c_gaps[1], rel=0.02)
    assert w.grab().toImage() != x_img


def test_view_action_switches_and_remembers(opened, qtbot):
    win = opened
    win.session.push(SetTiming(TIMING))
    action = win.actions["view.beat_spaced"]
    assert action.shortcut().toString() == "Ctrl+Shift+X"
    win.seek(beat_s(10))
    c_gap = win.timeline.pixels_between(beat_s(10), beat_s(11))
    action.trigger()
    assert win.timeline.beat_spaced
    assert win.settings.get("view/beat_spaced") is True
    assert win.timeline.pixels_between(beat_s(10), beat_s(11)) == pytest.approx(4 * c_gap)  # 240 -> 60
    win.actions["nav.down"].trigger()  # navigation still walks the grid in song time
    assert win.timeline.cursor_s > beat_s(10)
    win.session.doc.history.undo()  # back to the song's one tempo: X-mod on, but nothing to space differently
    assert not win.timeline.axis.beat_spaced
    assert win.timeline.beat_spaced
    action.trigger()
    assert not win.timeline.beat_spaced
    assert win.settings.get("view/beat_spaced") is False


def test_every_item_spans_the_song_in_x_mod_when_most_beats_are_fast(make_timeline):
    """A song that spends most of its time at 60 BPM but most of its beats at 240 BPM (Ripassa-like) reaches
    y = 220 at 100 s in X-mod. The beat grid's extent was in seconds, so Qt culled it past y = 115: no grid, no
    BPM markers in the second half. Every item must cover the whole song in y."""
    timing = TimingData(bpms=((Fraction(0), Fraction(60)), (Fraction(60), Fraction(240))))
    w = make_timeline(timing)
    w.set_song(timing, 4, 100.0)
    w.set_beat_spaced(True)
    end_y = float(w.axis.to_y(100.0))
    assert end_y > 200.0
    items = w.vb.childGroup.childItems()
    assert w.grid_item in items
    for item in items:
        rect = item.boundingRect()
        if rect.height() > 0:
            assert rect.bottom() >= end_y, type(item).__name__

"""The cursor across and inside a warp (its beats share one instant): snap and measure steps go back past it,
a jump or Go to onto a beat inside it keeps that beat (lane keys, status bar, X-mod cursor line), C-mod measure
lines a warp lays on one row are drawn once, the stream jump skips notes the warp passes over, and pausing
refreshes the read-out."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
from PySide6.QtCore import Qt

from chart.commands import AddNotes, SetTiming
from chart.notes import Note
from chart.timing import TimingData
from editor.controllers.jumps import go_to_beat, streams
from editor.timeline import grid_item

pytestmark = pytest.mark.qt

WARPED = TimingData(offset=F(-1, 10), bpms=((F(0), F(120)),), warps=((F(16), F(4)),))  # beats 16..20: one instant


def beat_s(beat) -> float:
    return float(WARPED.beat_to_seconds(F(beat)))


def walk(w, move, count: int) -> list[F]:
    seen = []
    for _ in range(count):
        move()
        seen.append(w.cursor_beat())
    return seen


def test_up_and_page_up_go_back_past_a_warp_in_c_mod(make_timeline):
    w = make_timeline(WARPED)
    w.seek(beat_s(21))
    assert walk(w, lambda: w.step_cursor(-1), 6) == [F(83, 4), F(41, 2), F(81, 4), 20, F(63, 4), F(31, 2)]
    w.seek(beat_s(21))
    assert walk(w, lambda: w.step_measure(-1), 3) == [20, 12, 8]  # measure 4 (beat 16) shares measure 5's row
    w.seek(beat_s(15))
    assert walk(w, lambda: w.step_cursor(4), 2) == [20, 21]  # down: the warp's row once (read as its last beat)


def test_steps_walk_the_warps_rows_in_x_mod(make_timeline):
    w = make_timeline(WARPED)
    w.set_beat_spaced(True)
    w.seek(beat_s(21))
    assert walk(w, lambda: w.step_cursor(-4), 3) == [20, 19, 18]
    assert w.cursor_s == pytest.approx(beat_s(20))  # one instant ...
    y = float(w.axis.beat_to_y(18.0))  # ... but the cursor is on beat 18's row, the view around it
    assert w.cursor_item.beat == 18.0
    top, bottom = w.vb.viewRange()[1]
    assert top + 0.3 * (bottom - top) == pytest.approx(y)
    w.seek(beat_s(21))
    assert walk(w, lambda: w.step_measure(-1), 3) == [20, 16, 12]


def test_a_jump_into_a_warp_edits_shows_and_draws_that_beat(opened, qtbot):
    win, tl = opened, opened.timeline
    s = win.session
    s.push(SetTiming(s.timing().with_changes(warps=((F(10), F(4)),))))  # beats 10..14: one instant
    s.push(AddNotes(s.chart, [Note(F(41, 4), 1), Note(F(12), 0)]))
    go_to_beat(win, F(9))
    qtbot.keyClick(tl, Qt.Key.Key_Period)
    assert tl.cursor_beat() == F(41, 4)
    assert win.position_label.text().startswith("measure 2 beat 2.25")  # not measure 3 beat 2.00 (beat 14)
    count = len(s.chart.notes)
    qtbot.keyClick(tl, Qt.Key.Key_2)  # lane 2 holds the note jumped to: it goes, no note lands on beat 14
    assert len(s.chart.notes) == count - 1
    assert not any(n.beat == F(41, 4) or n.beat == 14 for n in s.chart.notes)
    win.actions["view.beat_spaced"].trigger()
    assert tl.cursor_item.beat == 10.25  # X-mod: the line on the note's row, not the warp's end
    assert win.timestamps.go_to("b11")
    assert tl.cursor_beat() == 11
    assert tl.cursor_item.beat == 11.0
    assert win.position_label.text().startswith("measure 2 beat 3.00")
    tl.step_cursor(1)  # X-mod: on to the warp's next row
    assert tl.cursor_beat() == F(45, 4)
    tl.seek(float(s.timing().beat_to_seconds(F(15))))  # a move to another time forgets the beat
    assert tl.exact_beat() is None
    assert tl.cursor_item.beat is None


def test_measure_lines_a_warp_lays_on_one_row_are_drawn_once():
    assert grid_item.thinned(np.array([4, 5]), np.array([477.1, 477.1]), 10.0).tolist() == [False, True]
    ys = np.array([400.0, 477.1, 477.1, 554.2])  # measures 3, 4 (the warp's start), 5 (its end), 6
    assert grid_item.thinned(np.array([3, 4, 5, 6]), ys, 10.0).tolist() == [True, False, True, True]
    assert grid_item.thinned(np.array([3, 4, 5, 6]), ys, 14.0, np.array([1, 1, 1, 1])).tolist() == \
        [True, False, True, True]


def test_the_stream_jump_skips_notes_a_warp_passes_over():
    notes = [Note(F(16) + F(k, 4), k % 4) for k in range(17)]  # 16..20 in 16ths: only beat 20 is judged
    assert streams(notes) == [(F(16), 17)]
    assert streams(notes, WARPED) == []
    notes += [Note(F(20) + F(k, 4), k % 4) for k in range(1, 8)]
    assert streams(notes, WARPED) == [(F(20), 8)]


def test_pausing_shows_where_the_cursor_stopped(fake):
    from editor.timeline.time_axis import time_label

    win, clock = fake
    win.actions["play.toggle"].trigger()
    clock.advance(1.0)
    win.playback.tick()
    clock.advance(0.04)  # heard 40 ms on when Space comes, between two frames
    win.actions["play.toggle"].trigger()
    assert not win.playback.playing
    assert win.position_label.text().split(" | ")[1] == time_label(win.timeline.cursor_s, 3)


def test_a_verify_or_ai_region_jump_into_a_warp_keeps_its_beat(opened):
    """MainWindow.jump_to (a Verify issue, an AI region) onto a beat inside a warp: the lane keys and the status
    bar take that beat, not the warp's last one."""
    win, tl = opened, opened.timeline
    s = win.session
    s.push(SetTiming(s.timing().with_changes(warps=((F(10), F(4)),))))
    win.jump_to(s.chart, F(23, 2))
    assert tl.cursor_beat() == F(23, 2)
    assert win.position_label.text().startswith("measure 2 beat 3.50"), win.position_label.text()

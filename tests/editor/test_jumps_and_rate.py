"""Cursor jumps to the previous/next note and stream start, and the playback rate keys."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import Qt

from chart.commands import AddNotes, SetTiming
from chart.notes import Note, NoteKind
from editor.controllers.jumps import STREAM_MIN_ROWS, streams

pytestmark = pytest.mark.qt

SHIFT, CTRL = Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.ControlModifier


def seek_beat(win, beat) -> None:
    win.seek(float(win.session.timing().beat_to_seconds(Fraction(beat))))


def here(win) -> Fraction:
    return Fraction(win.timeline.cursor_beat())


def run(start, count: int, gap, lane_of=lambda k: k % 4, kind=NoteKind.TAP) -> list[Note]:
    return [Note(Fraction(start) + k * Fraction(gap), lane_of(k), kind) for k in range(count)]


def test_streams_are_runs_of_sixteenths_or_closer():
    notes = (run(0, 8, Fraction(1, 4))  # 8 sixteenths: a stream
             + run(4, 7, Fraction(1, 4))  # 7: too short
             + run(8, 12, Fraction(1, 3))  # 8th-note triplets: too far apart
             + run(16, 10, Fraction(1, 6))  # 24ths: a stream
             + [Note(Fraction(16), 3)]  # a jump is one row
             + run(20, 8, Fraction(1, 4), kind=NoteKind.MINE))  # mines are not stepped
    assert streams(notes) == [(Fraction(0), 8), (Fraction(16), 10)]
    assert STREAM_MIN_ROWS == 8


def test_comma_and_period_go_to_the_previous_and_next_note(opened, qtbot):
    win = opened  # Beginner: notes at 0 1 2 3 4(hold) 5(mine) 6 6.5 8(roll)
    seek_beat(win, Fraction(9, 2))
    qtbot.keyClick(win.timeline, Qt.Key.Key_Period)
    assert here(win) == 5  # the mine too: every note of the chart
    qtbot.keyClick(win.timeline, Qt.Key.Key_Period)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Period)
    assert here(win) == Fraction(13, 2)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Comma)
    assert here(win) == 6
    seek_beat(win, 8)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Period)
    assert here(win) == 8
    assert "No note after the cursor" in win.statusBar().currentMessage()


def test_note_jumps_walk_rows_a_warp_gives_one_time(opened, qtbot):
    win = opened
    timing = win.session.timing()
    win.session.push(SetTiming(timing.with_changes(warps=((Fraction(1), Fraction(2)),))))  # beats 1-3 in no time
    seek_beat(win, 0)
    for beat in (1, 2, 3):  # all at one time: each jump goes on from the row it went to
        qtbot.keyClick(win.timeline, Qt.Key.Key_Period)
        assert win.timeline.cursor_s == pytest.approx(float(win.session.timing().beat_to_seconds(beat)))
    qtbot.keyClick(win.timeline, Qt.Key.Key_Period)
    assert here(win) == 4
    qtbot.keyClick(win.timeline, Qt.Key.Key_Comma)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Comma)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Comma)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Comma)
    assert here(win) == 0


def test_stream_keys_go_to_stream_starts(opened, qtbot):
    win = opened
    chart = win.session.chart
    win.session.push(AddNotes(chart, run(10, 8, Fraction(1, 4)) + run(16, 16, Fraction(1, 8), lambda k: k % 2)))
    seek_beat(win, 0)
    qtbot.keyClick(win.timeline, Qt.Key.Key_PageDown, CTRL | SHIFT)
    assert here(win) == 10
    assert "Stream of 8 rows from beat 10" in win.statusBar().currentMessage()
    seek_beat(win, 11)  # inside it: the next one
    qtbot.keyClick(win.timeline, Qt.Key.Key_PageDown, CTRL | SHIFT)
    assert here(win) == 16
    qtbot.keyClick(win.timeline, Qt.Key.Key_PageDown, CTRL | SHIFT)
    assert here(win) == 16
    assert "No stream starts after the cursor" in win.statusBar().currentMessage()
    seek_beat(win, 17)
    qtbot.keyClick(win.timeline, Qt.Key.Key_PageUp, CTRL | SHIFT)
    assert here(win) == 16  # the start of the stream the cursor is in
    qtbot.keyClick(win.timeline, Qt.Key.Key_PageUp, CTRL | SHIFT)
    assert here(win) == 10


def test_rate_keys_step_through_the_panel_rates(fake, qtbot):
    win, _clock = fake
    assert win.playback.player.rate == 1.0
    qtbot.keyClick(win.timeline, Qt.Key.Key_Left, SHIFT)
    assert win.playback.player.rate == pytest.approx(0.95)
    assert win.settings.get("audio/rate") == pytest.approx(0.95)
    assert win.playback_panel.rate.value() == 95
    assert win.statusBar().currentMessage() == "Playback rate 95 %"
    for _ in range(20):
        qtbot.keyClick(win.timeline, Qt.Key.Key_Left, SHIFT)
    assert win.playback.player.rate == pytest.approx(0.25)
    assert "already the slowest" in win.statusBar().currentMessage()
    qtbot.keyClick(win.timeline, Qt.Key.Key_Right, SHIFT)
    assert win.playback_panel.rate.value() == 30
    qtbot.keyClick(win.timeline, Qt.Key.Key_Right, CTRL | SHIFT)
    assert win.playback.player.rate == 1.0
    assert win.playback_panel.rate.value() == 100
    assert win.statusBar().currentMessage() == "Playback rate 100 %"
    qtbot.keyClick(win.timeline, Qt.Key.Key_Right, SHIFT)
    assert "already the fastest" in win.statusBar().currentMessage()


def test_a_rate_off_the_panels_steps_goes_to_the_next_one():
    from editor.controllers.rate_keys import next_rate

    assert next_rate(33, 1) == 35
    assert next_rate(33, -1) == 30
    assert next_rate(25, -1) is None


def test_default_keys_are_each_one_actions():
    from collections import Counter

    from PySide6.QtGui import QKeySequence

    from editor.actions import SPECS

    keys = Counter(QKeySequence(s.shortcut).toString() for s in SPECS if s.shortcut)
    assert [k for k, n in keys.items() if n > 1] == []

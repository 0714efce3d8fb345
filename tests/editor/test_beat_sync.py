"""Sync the beat at the cursor to the audio (editor.controllers.beat_sync): Shift+Alt+click and Shift+V move the
timing (offset, then the BPM since the anchor), notes stay on their beats, one undo step, split timing edits the
chart's own timing, absurd results are refused with a warning line."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from chart.commands import SetTiming
from chart.formats.values import format_number
from chart.timing import TimingData

pytestmark = pytest.mark.qt
SHIFT_ALT = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier


def seek_beat(win, beat) -> None:
    win.seek(float(win.session.timing().beat_to_seconds(F(beat))))


def point_at(win, t_s: float) -> tuple[QPoint, F]:
    """The viewport pixel at ``t_s`` in lane 2, and the time (0.1 ms) a sync there aims at."""
    pos = win.timeline.widget_pos(t_s, 1.5).toPoint()
    at_s = F(win.timeline.hit_at(QPointF(pos)).time_s).limit_denominator(10**7)
    return pos, round(at_s * 10000) / F(10000)


def notes(win):
    return list(win.session.chart.notes)


def test_shift_alt_click_moves_the_offset_in_the_first_stretch_and_undoes_in_one_step(opened, qtbot):
    win = opened
    doc, song = win.session.doc, win.session.doc.song
    before, steps = notes(win), len(doc.undo_stack_names())
    seek_beat(win, 8)
    pos, target = point_at(win, float(song.timing.beat_to_seconds(8)) + 0.04)
    qtbot.mouseClick(win.timeline.viewport(), Qt.MouseButton.LeftButton, SHIFT_ALT, pos)
    assert song.timing.bpms == ((0, 120),)
    assert song.timing.beat_to_seconds(8) == target
    assert song.timing.offset == F("-0.1") - (target - F("4.1"))
    assert notes(win) == before  # the notes stay on their beats
    assert not win.session.selection
    assert doc.undo_stack_names()[steps:] == ["Sync beat"]
    assert win.timeline.cursor_beat() == 8  # the cursor follows the beat
    assert "#OFFSET -0.1000 ->" in win.statusBar().currentMessage()
    doc.undo()
    assert song.timing == TimingData.constant(120, "-0.1")


def test_the_key_syncs_a_later_beat_by_the_bpm_since_the_beat_synced_before(opened, qtbot):
    win = opened
    song, vp = win.session.doc.song, win.timeline.viewport()
    seek_beat(win, 4)
    pos, first = point_at(win, float(song.timing.beat_to_seconds(4)) - 0.02)
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, SHIFT_ALT, pos)
    seek_beat(win, 24)
    pos, target = point_at(win, float(song.timing.beat_to_seconds(24)) + 0.05)
    QTest.mouseMove(vp, pos)
    QTest.keyClick(win.timeline, Qt.Key.Key_V, Qt.KeyboardModifier.ShiftModifier)
    timing = song.timing
    assert [b for b, _ in timing.bpms] == [0, 4, 24]  # the synced beat holds; a BPM change on the new one
    assert timing.beat_to_seconds(4) == first
    assert abs(timing.beat_to_seconds(24) - target) < F(1, 10**6)
    assert dict(timing.bpms)[F(24)] == 120  # later beats keep the tempo
    message = win.statusBar().currentMessage()
    assert message.startswith(f"Sync beat: BPM 120.000 -> {format_number(dict(timing.bpms)[F(4)], 3, 9)} from beat 4 to 24; "
                              "beat 24 at 0:")


def test_without_keep_later_the_new_tempo_runs_on(opened, qtbot, settings):
    win = opened
    song, vp = win.session.doc.song, win.timeline.viewport()
    win.session.push(SetTiming(song.timing.with_changes(bpms=((F(0), F(120)), (F(4), F(120))))))
    win.actions["timing.sync_keep_later"].setChecked(False)
    assert settings.get("timing/sync_keep_later") is False
    seek_beat(win, 20)
    pos, target = point_at(win, float(song.timing.beat_to_seconds(20)) - 0.03)
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, SHIFT_ALT, pos)
    assert [b for b, _ in song.timing.bpms] == [0, 4]
    assert abs(song.timing.beat_to_seconds(20) - target) < F(1, 10**6)
    assert song.timing.bpms[1][1] > 120


def test_split_timing_syncs_the_chart_s_own_timing(opened, qtbot):
    win = opened
    song, chart = win.session.doc.song, win.session.chart
    own = TimingData(offset=F("-0.1"), bpms=((F(0), F(120)), (F(8), F(150))))
    win.session.push(SetTiming(own, chart=chart))
    seek_beat(win, 16)
    pos, target = point_at(win, float(own.beat_to_seconds(16)) + 0.03)
    qtbot.mouseClick(win.timeline.viewport(), Qt.MouseButton.LeftButton, SHIFT_ALT, pos)
    assert song.timing == TimingData.constant(120, "-0.1")
    assert abs(chart.timing.beat_to_seconds(16) - target) < F(1, 10**6)
    assert chart.timing.beat_to_seconds(8) == own.beat_to_seconds(8)
    assert "Beginner's own timing" in win.statusBar().currentMessage()


def test_a_beat_before_its_anchor_is_refused_with_a_warning(opened, qtbot):
    win = opened
    song, doc = win.session.doc.song, win.session.doc
    win.session.push(SetTiming(song.timing.with_changes(bpms=((F(0), F(120)), (F(8), F(120))))))
    timing, steps = song.timing, len(doc.undo_stack_names())
    seek_beat(win, 12)
    pos, _target = point_at(win, float(timing.beat_to_seconds(6)))
    qtbot.mouseClick(win.timeline.viewport(), Qt.MouseButton.LeftButton, SHIFT_ALT, pos)
    assert song.timing == timing
    assert len(doc.undo_stack_names()) == steps
    message = win.statusBar().currentMessage()
    assert "cannot sound at" in message
    assert "\n" not in message
    QTest.mouseMove(win.timeline.viewport(), pos)
    assert win.beat_sync.sync_to_mouse() is False  # the key: refused the same way
    assert song.timing == timing


def test_the_key_without_the_pointer_on_the_notefield_says_where_to_point(opened):
    win = opened
    win.timeline._hover_pos = None
    assert win.beat_sync.sync_to_mouse() is False
    assert "point at the onset" in win.statusBar().currentMessage()

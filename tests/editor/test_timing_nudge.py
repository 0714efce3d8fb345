"""Nudge keys (editor.controllers.timing_nudge): F7/F8 the BPM at the cursor, F11/F12 the offset (Shift: ten
steps); a run of nudges is one undo step, Keep notes in time re-beats from where the run started, the current
chart's own timing is the target, and playback goes on with its beat ticks re-timed."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from chart.commands import SetTiming
from chart.timing import TimingData

pytestmark = pytest.mark.qt
K, SHIFT = Qt.Key, Qt.KeyboardModifier.ShiftModifier


def press(win, key, times: int = 1, mod=Qt.KeyboardModifier.NoModifier) -> None:
    """The key on the notefield (the nudge keys act while it has the focus)."""
    for _ in range(times):
        QTest.keyClick(win.timeline, key, mod)


class Clock:
    def __init__(self):
        self.now_s = 0.0

    def __call__(self) -> float:
        return self.now_s


def test_offset_nudges_merge_into_one_undo_step(opened):
    win = opened
    doc, song = win.session.doc, win.session.doc.song
    steps = len(doc.undo_stack_names())
    press(win, K.Key_F12, 3)
    assert song.timing.offset == F("-0.097")
    press(win, K.Key_F12, mod=SHIFT)
    assert song.timing.offset == F("-0.087")
    assert "#OFFSET -0.087 s" in win.statusBar().currentMessage()
    assert win.properties_panel.offset.value() == pytest.approx(-0.087)
    assert doc.undo_stack_names()[steps:] == ["Nudge offset"]
    doc.undo()
    assert song.timing.offset == F("-0.1")
    press(win, K.Key_F11)  # after an undo, a new run
    assert song.timing.offset == F("-0.101")
    assert len(doc.undo_stack_names()) == steps + 1


def test_a_pause_a_save_or_another_kind_ends_the_run(opened):
    win = opened
    doc, song = win.session.doc, win.session.doc.song
    win.timing_nudges.clock = clock = Clock()
    steps = len(doc.undo_stack_names())
    press(win, K.Key_F11)
    clock.now_s += 0.5
    press(win, K.Key_F11)
    assert len(doc.undo_stack_names()) == steps + 1
    clock.now_s += 2.0  # longer than the history's merge window
    press(win, K.Key_F11)
    assert len(doc.undo_stack_names()) == steps + 2
    doc.mark_clean()  # saved: the saved state is never merged into
    press(win, K.Key_F11)
    assert len(doc.undo_stack_names()) == steps + 3
    press(win, K.Key_F8)  # the BPM: another kind
    assert len(doc.undo_stack_names()) == steps + 4
    assert song.timing.offset == F("-0.104")
    assert song.timing.bpms[0][1] == F("120.01")
    for _ in range(4):
        doc.undo()
    assert song.timing == TimingData.constant(120, "-0.1")


def test_bpm_nudges_change_the_segment_at_the_cursor(opened):
    win = opened
    doc, song = win.session.doc, win.session.doc.song
    doc.push(SetTiming(song.timing.with_changes(bpms=((F(0), F(120)), (F(8), F(130))))))
    before, steps = song.timing, len(doc.undo_stack_names())
    win.seek(float(song.timing.beat_to_seconds(10)))
    press(win, K.Key_F8, 2)
    press(win, K.Key_F7, mod=SHIFT)
    assert song.timing.bpms == ((F(0), F(120)), (F(8), F("129.92")))
    assert "BPM at beat 8: 129.92 (-0.08 since 130" in win.statusBar().currentMessage()
    assert doc.undo_stack_names()[steps:] == ["Nudge BPM"]
    win.seek(float(song.timing.beat_to_seconds(2)))  # another segment: another run
    press(win, K.Key_F8)
    assert song.timing.bpms[0][1] == F("120.01")
    assert len(doc.undo_stack_names()) == steps + 2
    doc.undo()
    doc.undo()
    assert song.timing == before


def test_keep_notes_in_time_re_beats_from_where_the_run_started(opened):
    """Ten 1-ms nudges are 10 ms: the notes go to the next 1/48 row (0.4 ms from where they sounded). Re-beaten
    after each nudge, every one would have stayed on its beat (1 ms is under half a row) and the grid would have
    slid 10 ms under notes that did not follow."""
    win = opened
    doc, song = win.session.doc, win.session.doc.song
    win.timing_panel.keep_in_time.setChecked(True)
    chart = song.charts[0]
    notes = list(chart.notes)
    times = [float(song.timing.beat_to_seconds(n.beat)) for n in notes]
    steps = len(doc.undo_stack_names())
    press(win, K.Key_F12, 10)
    assert song.timing.offset == F("-0.09")
    assert [n.beat for n in chart.notes] == [n.beat + F(1, 48) for n in notes]
    after = [float(song.timing.beat_to_seconds(n.beat)) for n in chart.notes]
    assert after == pytest.approx(times, abs=0.0005)
    assert doc.undo_stack_names()[steps:] == ["Nudge offset, notes kept in time"]
    doc.undo()
    assert list(chart.notes) == notes
    assert song.timing.offset == F("-0.1")


def test_nudges_change_a_split_timing_chart_s_own_timing(opened):
    win = opened
    doc, song = win.session.doc, win.session.doc.song
    easy = song.charts[1]
    own = TimingData.constant(150, "-0.2")
    doc.push(SetTiming(own, chart=easy))
    win.session.set_chart(easy)
    press(win, K.Key_F12, 2)
    press(win, K.Key_F8)
    assert easy.timing.offset == F("-0.198")
    assert easy.timing.bpms[0][1] == F("150.01")
    assert song.timing == TimingData.constant(120, "-0.1")
    win.session.set_chart(song.charts[0])  # the song's timing again: a run of its own
    press(win, K.Key_F12)
    assert song.timing.offset == F("-0.099")
    assert easy.timing.offset == F("-0.198")


def test_playback_goes_on_with_the_beat_ticks_re_timed(fake):
    win, clock = fake
    if not win.actions["play.beat_ticks"].isChecked():
        win.actions["play.beat_ticks"].trigger()
    win.playback.toggle()
    clock.advance(1.0)
    player = win.playback.player
    before = np.array(player.ticks[0])
    press(win, K.Key_F12)
    assert win.playback.playing
    assert np.array(player.ticks[0])[:10] == pytest.approx(before[:10] - 0.001, abs=1e-9)
    press(win, K.Key_F8)
    beats = np.array(player.ticks[0])
    assert np.diff(beats[:5]) == pytest.approx(60 / 120.01, abs=1e-9)
    assert win.playback.playing


def test_song_panel_offset_steps_are_one_undo_step_with_notes_kept_in_time(opened):
    """The Song panel's Offset box steps 1 ms per arrow key; with Keep notes in time on, each step was a
    transaction of its own (ten steps, ten undo steps, and the notes never moved: 1 ms is under half a row)."""
    win = opened
    doc, song = win.session.doc, win.session.doc.song
    win.timing_panel.keep_in_time.setChecked(True)
    chart = song.charts[0]
    notes = list(chart.notes)
    steps = len(doc.undo_stack_names())
    box = win.properties_panel.offset
    for _ in range(10):
        box.stepBy(1)
    assert song.timing.offset == F("-0.09")
    assert doc.undo_stack_names()[steps:] == ["Change offset, notes kept in time"]
    assert [n.beat for n in chart.notes] == [n.beat + F(1, 48) for n in notes]
    doc.undo()
    assert list(chart.notes) == notes
    assert song.timing.offset == F("-0.1")
    assert box.value() == pytest.approx(-0.1)

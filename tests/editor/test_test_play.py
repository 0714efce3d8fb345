"""Test play: keys judged against the chart on the audio clock (a fake clock here), keys swallowed while it runs,
the results panel and its trouble spots."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from PySide6.QtCore import Qt

from chart.judge import Grade
from chart.song import Slot

pytestmark = pytest.mark.qt

K = Qt.Key
LANE_KEYS = (K.Key_D, K.Key_F, K.Key_J, K.Key_K)


def beginner(win):
    return next(c for c in win.session.doc.song.charts if c.slot == Slot.BEGINNER)


def hit(win, qtbot, clock, lane, at_s, hold_s=0.04, key=None):
    """Move the fake clock to ``at_s`` (song seconds), press the lane's key, keep it ``hold_s``, release."""
    player = win.playback.player
    clock.advance((at_s - player.position_s()) / player.rate)  # the clock runs in real time
    qtbot.keyPress(win.timeline, key or LANE_KEYS[lane])
    clock.advance(hold_s)
    qtbot.keyRelease(win.timeline, key or LANE_KEYS[lane])


@pytest.fixture
def playing(fake, qtbot):
    """Test play of the Beginner chart from the song start (beat 0 at 0.1 s, 120 BPM)."""
    win, clock = fake
    win.session.set_chart(beginner(win))
    win.seek(0.0)
    assert win.test_play.start()
    assert win.playback.playing
    assert win.test_play.active
    return win, clock


def test_judges_keys_on_the_audio_clock(playing, qtbot):
    win, clock = playing
    # beats 0-3 at 0.1, 0.6, 1.1, 1.6 s in lanes 0-3: on time, 30 ms late, 60 ms early, arrow key 10 ms early
    hit(win, qtbot, clock, 0, 0.100)
    hit(win, qtbot, clock, 1, 0.630)
    hit(win, qtbot, clock, 2, 1.040)
    hit(win, qtbot, clock, 3, 1.590, key=K.Key_Right)
    judge = win.test_play.judge
    grades = [r.grade for r in judge.results]
    assert grades == [Grade.MARVELOUS, Grade.PERFECT, Grade.GREAT, Grade.MARVELOUS]
    assert [round(r.offset_ms) for r in judge.results] == [0, 30, -60, -10]
    assert "Marvelous" in win.test_play.hud.text()
    assert win.test_play.hud.isVisible()


def test_other_keys_are_swallowed_while_playing(playing, qtbot):
    win, clock = playing
    notes_before = list(beginner(win).notes)
    divisor = win.session.divisor
    for key in (K.Key_1, K.Key_Left, K.Key_T, K.Key_Delete):  # place, coarser snap (lane key here), mirror, delete
        qtbot.keyClick(win.timeline, key)
    qtbot.keyClick(win.timeline, K.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert beginner(win).notes == notes_before
    assert win.session.divisor == divisor
    assert not win.session.doc.history.can_undo
    assert win.test_play.active


def test_escape_ends_and_the_panel_shows_results(playing, qtbot):
    win, clock = playing
    hit(win, qtbot, clock, 0, 0.100)
    hit(win, qtbot, clock, 1, 0.630)
    clock.advance(2.4 - win.playback.player.position_s())  # beats 2, 3 and the hold head at 2.1 s missed
    qtbot.wait(60)  # frames settle the misses as the song plays
    qtbot.keyClick(win.timeline, K.Key_Escape)
    assert not win.test_play.active
    assert not win.playback.playing
    panel = win.test_play_panel
    assert win.lower_panels.currentWidget().widget() is panel  # its tab (a scroll area) is brought forward
    assert "Marvelous 1" in panel.labels["Judgments"].text()
    assert "Perfect 1" in panel.labels["Judgments"].text()
    assert "Miss 3" in panel.labels["Judgments"].text()
    spots = [panel.list.item(i).text() for i in range(panel.list.count())]
    assert spots[:3] == ["beat 2: Miss", "beat 3: Miss", "beat 4: Miss"]
    assert spots[3] == "beat 4: hold dropped"
    # clicking a spot goes there and selects its note
    panel._activated(panel.list.item(1))  # noqa: SLF001
    assert win.session.selection == {n for n in beginner(win).notes if n.beat == 3}
    assert abs(win.timeline.cursor_s - 1.6) < 1e-6
    assert panel.start_button.isEnabled()


def test_hold_mine_and_end_of_song(playing, qtbot):
    win, clock = playing
    for lane, t in ((0, 0.1), (1, 0.6), (2, 1.1), (3, 1.6)):
        hit(win, qtbot, clock, lane, t)
    hit(win, qtbot, clock, 0, 2.1, hold_s=1.05)  # the hold, 2.1-3.1 s, kept; no step on the mine at 2.6 s
    hit(win, qtbot, clock, 1, 3.1)
    hit(win, qtbot, clock, 2, 3.35, hold_s=0.1)
    hit(win, qtbot, clock, 2, 3.50)  # stray step: judges nothing
    # the roll at 4.1-4.6 s: tapped every 0.2 s
    for t in (4.1, 4.3, 4.5):
        hit(win, qtbot, clock, 3, t, hold_s=0.05)
    clock.advance(0.5)
    qtbot.waitUntil(lambda: not win.test_play.active, timeout=2000)  # every note played: it ends by itself
    text = win.test_play_panel.labels["Holds / mines"].text()
    assert text.startswith("2/2 holds kept; 0/1 mines hit")
    assert win.test_play_panel.labels["Score"].text().startswith("100.00 %")


def test_rate_scales_the_windows(fake, qtbot):
    win, clock = fake
    win.session.set_chart(beginner(win))
    win.playback.set_rate(0.5)
    win.seek(0.0)
    assert win.test_play.start()
    hit(win, qtbot, clock, 0, 0.115)  # 15 ms of song time at 50 % = 30 ms real
    (r,) = win.test_play.judge.results
    assert r.offset_ms == pytest.approx(30)
    assert r.grade == Grade.PERFECT


def test_changing_the_rate_ends_a_test_play_and_a_recording(playing, qtbot):
    """The windows (and record's hold threshold) are real time for the rate the run started with: switching to
    50 % mid-run judged a press 30 ms late in real time as +15 ms. A new rate now ends the run first."""
    win, clock = playing
    assert win.test_play.active
    win.playback.set_rate(0.5)
    assert not win.test_play.active
    assert "the rate changed" in win.statusBar().currentMessage()
    assert win.playback.player.rate == 0.5
    win.seek(0.0)
    assert win.record.start()
    win.playback.set_rate(0.5)  # the same rate: nothing ends
    assert win.record.active
    win.playback.set_rate(0.75)
    assert not win.record.active


def test_starting_needs_notes_after_the_cursor(fake, qtbot):
    win, _clock = fake
    win.session.set_chart(beginner(win))
    win.seek(15.0)
    assert not win.test_play.start()
    assert not win.playback.playing


def test_switching_chart_ends_it(playing, qtbot):
    win, _clock = playing
    other = next(c for c in win.session.doc.song.charts if c.slot == Slot.EASY)
    win.session.set_chart(other)
    assert not win.test_play.active


def test_notes_before_the_cursor_are_not_judged(fake, qtbot):
    win, clock = fake
    win.session.set_chart(beginner(win))
    win.seek(float(win.session.timing().beat_to_seconds(Fraction(6))))  # 3.1 s
    assert win.test_play.start()
    assert win.playback.player.position_s() == pytest.approx(2.1)  # one second of lead-in
    judge = win.test_play.judge
    assert judge.total_taps == 3  # beats 6, 6.5 and the roll at 8


def test_marks_show_where_hits_landed(playing, qtbot):
    win, clock = playing
    hit(win, qtbot, clock, 0, 0.100)
    hit(win, qtbot, clock, 1, 0.650)  # 50 ms late
    clock.advance(1.5 - win.playback.player.position_s())
    qtbot.wait(60)  # beat 2 (1.1 s) missed
    marks = win.timeline.marks_item
    assert list(marks.lane) == [0, 1, 2]
    assert marks.note_s == pytest.approx([0.1, 0.6, 1.1])
    assert marks.hit_s[:2] == pytest.approx([0.1, 0.65])
    assert np.isnan(marks.hit_s[2])
    qtbot.keyClick(win.timeline, K.Key_Escape)
    assert len(marks.note_s) == 3  # kept after the run
    win.session.set_chart(next(c for c in win.session.doc.song.charts if c.slot == Slot.EASY))
    assert len(marks.note_s) == 0  # they belong to the chart that was played

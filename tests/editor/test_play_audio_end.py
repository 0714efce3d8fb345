"""Space at or past the end of the audio says so and leaves the cursor (it played nothing and said nothing, and
with the cursor past the end the playhead jumped back to the audio's end); a loop past the end says that it lies
there (it was refused as "too short")."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.qt


@pytest.mark.parametrize("past_s", [0.0, 1.0])
def test_space_at_the_end_of_the_audio_says_so(fake, qtbot, past_s: float):
    win, clock = fake
    end_s = win.playback.player.duration_s
    win.seek(end_s + past_s)
    cursor = win.timeline.cursor_s
    assert cursor >= end_s
    said, states = [], []
    win.session.status.connect(said.append)
    win.playback.state_changed.connect(states.append)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Space)
    clock.advance(0.5)
    qtbot.wait(60)
    assert not win.playback.playing
    assert states == []
    assert win.timeline.cursor_s == cursor
    assert said
    assert "end of the audio" in said[-1]
    assert f"{end_s:.2f} s" in said[-1]


def test_space_just_before_the_end_still_plays(fake, qtbot):
    win, _clock = fake
    win.seek(win.playback.player.duration_s - 0.5)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Space)
    assert win.playback.playing


def test_a_loop_past_the_end_of_the_audio_says_where_it_lies(opened, qtbot):
    win = opened
    qtbot.waitUntil(lambda: win.playback.player is not None, timeout=10000)
    said = []
    win.session.status.connect(said.append)
    win.session.set_range((Fraction(44), Fraction(48)))  # 22.1-24.1 s; the audio ends at 20 s
    qtbot.keyClick(win.timeline, Qt.Key.Key_P)
    assert win.playback.loop_s is None
    assert said[-1] == "Loop: the loop lies past the audio's end (20.00 s)"


def test_a_loop_before_the_audio_start_loops_what_is_drawn(opened, qtbot):
    win = opened
    qtbot.waitUntil(lambda: win.playback.player is not None, timeout=10000)
    win.session.set_range((Fraction(-2), Fraction(0)))  # -0.9-0.1 s: the lead-in, then 0.1 s of the audio
    qtbot.keyClick(win.timeline, Qt.Key.Key_P)
    assert win.playback.loop_s == pytest.approx((-0.9, 0.1))
    assert win.playback.player.loop_s == pytest.approx((-0.9, 0.1), abs=1e-4)  # it looped (0.0, 0.1) s
    assert win.timeline.range_item.loop_s == pytest.approx((-0.9, 0.1))

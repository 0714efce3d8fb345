"""Playback: the playhead follows the audio clock (a fake one, and the real null output), ticks, loop, rate and
the latency calibration. No sound device is needed."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.qt


def test_playhead_follows_the_audio_clock(fake, qtbot):
    win, clock = fake
    win.seek(2.0)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Space)
    assert win.playback.playing
    for step_s in (0.25, 0.5, 1.0):
        clock.advance(step_s)
        expected = win.playback.player.position_s()
        qtbot.waitUntil(lambda e=expected: abs(win.timeline.cursor_s - e) < 1e-9, timeout=2000)
    assert win.timeline.cursor_s == pytest.approx(3.75)
    assert win.timeline.cursor_item.playing
    qtbot.keyClick(win.timeline, Qt.Key.Key_Space)
    assert not win.playback.playing
    clock.advance(5.0)
    qtbot.wait(50)
    assert win.timeline.cursor_s == pytest.approx(3.75)  # paused: the clock moving changes nothing


def test_latency_and_visual_offset_reach_the_clock(fake, qtbot):
    win, clock = fake
    win.playback_panel.latency.setValue(40.0)
    win.playback_panel.visual.setValue(10.0)
    assert win.playback.player.output_latency_s == pytest.approx(0.040)
    assert win.playback.player.visual_offset_s == pytest.approx(0.010)
    assert win.session.doc.song.timing.offset == Fraction(-1, 10)  # chart offset untouched
    win.playback.play_from(1.0)
    clock.advance(1.0)
    qtbot.waitUntil(lambda: abs(win.timeline.cursor_s - (2.0 - 0.030)) < 1e-9, timeout=2000)


def test_user_seek_while_playing_moves_the_audio(fake, qtbot):
    win, clock = fake
    win.playback.play_from(1.0)
    win.seek(6.0)
    assert win.playback.player.position_s() == pytest.approx(6.0)


def test_ticks_follow_timing_and_notes(fake, qtbot):
    win, _clock = fake
    qtbot.keyClick(win.timeline, Qt.Key.Key_F3)
    beat_s, note_s = win.playback.player.ticks
    assert beat_s[:3] == pytest.approx([0.1, 0.6, 1.1])  # 120 BPM, beat 0 at 0.1 s
    assert note_s is None
    qtbot.keyClick(win.timeline, Qt.Key.Key_F4)
    _beat_s, note_s = win.playback.player.ticks
    assert note_s[:4] == pytest.approx([0.1, 0.6, 1.1, 1.6])
    win.editing.place(Fraction(15), 0, win.session.place_kind)
    assert float(win.playback.player.ticks[1][-1]) == pytest.approx(0.1 + 15 * 0.5)


def test_loop_plays_the_selected_range(fake, qtbot):
    win, _clock = fake
    win.session.set_range((Fraction(4), Fraction(8)))
    qtbot.keyClick(win.timeline, Qt.Key.Key_P)
    assert win.playback.player.loop == pytest.approx((2.1, 4.1))
    assert win.playback.playing
    assert win.timeline.range_item.loop_s == pytest.approx((2.1, 4.1))
    qtbot.keyClick(win.timeline, Qt.Key.Key_P)
    assert win.playback.player.loop is None


def test_rate_setting(fake):
    win, _clock = fake
    win.playback_panel.rate.setValue(50)
    assert win.playback.player.rate == pytest.approx(0.5)
    win.playback_panel.keep_pitch.setChecked(True)
    assert win.playback.player.keep_pitch


def test_calibration_estimates_and_applies_latency(fake):
    from editor.dialogs.calibration import CalibrationDialog

    win, _clock = fake
    dialog = CalibrationDialog(win, win.playback)
    assert dialog.start()
    rng = np.random.default_rng(1)
    for click_s in dialog.clicks_s[2:14]:  # taps 35 ms late with a little human jitter
        dialog.record_tap(click_s + 0.035 + rng.normal(0, 0.004))
    assert dialog.estimate.latency_s == pytest.approx(0.035, abs=0.006)
    value = dialog.apply()
    assert win.settings.get("audio/latency_ms") == pytest.approx(value)
    assert win.playback.player.output_latency_s == pytest.approx(value / 1000)
    dialog.done(0)


def test_space_taps_in_the_calibration_dialog(fake, qtbot):
    """Space is the tap key, as the dialog says: the editor's Space shortcut (play/pause) took it, and after a
    click on Start the button kept the focus, so Space pressed Start again and cleared the taps."""
    from PySide6.QtCore import Qt

    from editor.dialogs.calibration import CalibrationDialog

    win, clock = fake
    dialog = CalibrationDialog(win, win.playback)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert win.playback.playing
    toggles = []
    win.actions["play.toggle"].triggered.connect(lambda *_: toggles.append(1))
    for _ in range(6):
        clock.advance(0.5)
        qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Space)
    assert len(dialog.taps_s) == 6
    assert not toggles  # the editor's play/pause shortcut did not take the key
    assert win.playback.playing
    dialog.done(0)


def test_null_output_plays_without_a_sound_device(window, song_files, qtbot):
    """The real player on its null output (what runs where PortAudio has no device): the playhead moves with the
    paced clock and the window says there is no sound."""
    from audio.player import Player

    window.playback.player_factory = lambda samples, sr: Player.open(samples, sr, output="null")
    assert window.open_path(song_files.chart)
    qtbot.waitUntil(lambda: window.playback.player is not None, timeout=10000)
    player = window.playback.player
    assert not player.has_device
    assert "no sound device" in window.audio_label.text()
    window.seek(1.0)
    window.playback.toggle()
    qtbot.waitUntil(lambda: window.timeline.cursor_s > 1.25, timeout=5000)
    assert abs(window.timeline.cursor_s - player.position_s()) < 0.1
    window.playback.toggle()
    assert not window.playback.playing


def test_player_that_cannot_open_leaves_an_editable_window(window, song_files, qtbot):
    def broken(samples, sr):
        raise OSError("PortAudio library not found")

    window.playback.player_factory = broken
    assert window.open_path(song_files.chart)
    qtbot.waitUntil(lambda: window.session.audio is not None, timeout=10000)
    assert window.playback.player is None
    assert "PortAudio library not found" in window.playback.device_text
    window.playback.toggle()  # says why instead of raising
    window.editing.place(Fraction(3, 2), 1, window.session.place_kind)
    assert len(window.session.doc.history.undo_stack_names()) == 1

"""Test play and record against user seeks and the song start: a seek (the wheel over the notefield, a click in
the minimap, a jump from a panel) ends the run as a click in the notefield does, without moving the song; and
the one-second lead-in is there even when the cursor is less than a second into the audio."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from chart.judge import TapResult
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

pytestmark = pytest.mark.qt


def _song(tmp_path, offset: str = "-0.1"):
    """A 40 s song with a note on every half beat (120 BPM, beat 0 at -offset seconds) and its silent audio."""
    import numpy as np
    import soundfile as sf

    from chart.formats.registry import save

    sf.write(str(tmp_path / "a.wav"), np.zeros(22050 * 40, np.float32), 22050)
    notes = [Note(Fraction(k, 2), k % 4) for k in range(120)]
    save(Song(title="T", music="a.wav", timing=TimingData.constant(120, offset),
              charts=[Chart(slot=Slot.EASY, meter=3, notes=notes)]), tmp_path / "s.ssc")
    return tmp_path / "s.ssc"


@pytest.fixture
def dense(window, tmp_path, qtbot):
    from tests.editor.fakes import FakeClock, FakePlayer

    clock = FakeClock()
    window.playback.player_factory = lambda samples, sr: FakePlayer(clock, samples.shape[-1] / sr)
    assert window.open_path(_song(tmp_path))
    qtbot.waitUntil(lambda: window.playback.player is not None, timeout=10000)
    window.timeline.setFocus()
    return window, clock


def wheel(win, notches: int, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    """Wheel notches over the notefield (negative: down, later in the song), through Qt's event delivery."""
    target = win.timeline.viewport()
    for _ in range(abs(notches)):
        ev = QWheelEvent(QPointF(100, 100), QPointF(win.timeline.mapToGlobal(QPoint(100, 100))), QPoint(0, 0),
                         QPoint(0, 120 if notches > 0 else -120), Qt.MouseButton.NoButton, modifiers,
                         Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(target, ev)


def test_wheel_during_a_take_ends_it_and_keeps_the_passage_after_it(dense, qtbot):
    """Record Replaces Notes, no key pressed, 40 notches of wheel: the take jumped 5 s ahead and cleared the 23
    notes it skipped. Now the wheel ends the take where the song was heard."""
    win, clock = dense
    win.settings.set("record/replace", True)
    timing = win.session.timing()
    win.seek(float(timing.beat_to_seconds(4)))
    assert win.record.start()
    clock.advance(1.5)
    qtbot.wait(40)
    heard_s = win.playback.player.position_s()
    wheel(win, -1)
    assert not win.record.active
    assert win.playback.player.position_s() == pytest.approx(heard_s, abs=0.02)  # the song did not move
    assert win.timeline.cursor_s == pytest.approx(heard_s, abs=0.02)
    assert "ended (seek)" in win.statusBar().currentMessage()
    wheel(win, -39)  # the rest of the gesture walks the cursor of the paused editor; the take is over
    # replaced only what was played, from the cursor (beat 4) to where it was heard (2.6 s, beat 5)
    kept = {n.beat for n in win.session.chart.notes}
    assert all(Fraction(k, 2) in kept for k in range(11, 120))
    wheel(win, -2)  # after the take the wheel walks the cursor again
    assert win.timeline.cursor_s > heard_s + 0.1


def test_wheel_and_minimap_during_a_test_play_end_it_without_misses(dense, qtbot):
    win, clock = dense
    win.seek(float(win.session.timing().beat_to_seconds(4)))
    assert win.test_play.start()
    clock.advance(1.2)
    qtbot.wait(40)
    judge = win.test_play.judge
    misses = sum(1 for r in judge.results if isinstance(r, TapResult) and r.offset_ms is None)
    wheel(win, -40)
    assert not win.test_play.active
    assert sum(1 for r in judge.results if isinstance(r, TapResult) and r.offset_ms is None) == misses

    win.seek(float(win.session.timing().beat_to_seconds(4)))
    assert win.test_play.start()
    clock.advance(1.2)
    qtbot.wait(40)
    judge = win.test_play.judge
    misses = sum(1 for r in judge.results if isinstance(r, TapResult) and r.offset_ms is None)
    mm = win.minimap
    qtbot.mouseClick(mm, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(mm.width() // 2, int(mm.height() * 0.8)))
    assert not win.test_play.active
    assert sum(1 for r in judge.results if isinstance(r, TapResult) and r.offset_ms is None) == misses
    assert win.playback.player.position_s() < 5.0  # not where the minimap click pointed (32 s)


def test_zoom_wheel_does_not_end_a_test_play(dense, qtbot):
    win, clock = dense
    win.seek(2.0)
    assert win.test_play.start()
    pps = win.timeline.pps
    wheel(win, 2, Qt.KeyboardModifier.ControlModifier)
    assert win.timeline.pps > pps
    assert win.test_play.active


@pytest.mark.parametrize("mode", ["test_play", "record"])
def test_lead_in_is_a_second_even_near_the_song_start(window, tmp_path, qtbot, mode):
    """Cursor on the first note at 0.17 s: playback started at 0 s, 0.17 s before the note; now a second of
    silence comes first (the player starts at -0.83 s)."""
    from tests.editor.fakes import FakeClock, FakePlayer

    clock = FakeClock()
    window.playback.player_factory = lambda samples, sr: FakePlayer(clock, samples.shape[-1] / sr)
    assert window.open_path(_song(tmp_path, offset="-0.17"))
    qtbot.waitUntil(lambda: window.playback.player is not None, timeout=10000)
    window.timeline.setFocus()
    window.seek(0.17)
    assert getattr(window, mode).start()
    assert window.playback.player.playing_since[1] == pytest.approx(0.17 - 1.0)
    clock.advance(0.5)
    qtbot.wait(40)
    assert getattr(window, mode).active  # running through the silence before the audio
    assert window.timeline.cursor_s == pytest.approx(-0.33, abs=0.02)
    getattr(window, mode).stop()

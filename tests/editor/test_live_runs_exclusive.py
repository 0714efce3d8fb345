"""Test play and record share the keys and the song: one waits while the other runs (with the right reason),
Play/Pause and a loop end a run where the song was heard, the Test Play panel's results go with their song or
chart, and the overlay's counts name each grade apart."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import Qt

from chart.chart_commands import RemoveChart
from chart.song import Slot

pytestmark = pytest.mark.qt


def chart_of(win, slot):
    return next(c for c in win.session.doc.song.charts if c.slot == slot)


def statuses(win) -> list[str]:
    said: list[str] = []
    win.session.status.connect(said.append)
    return said


@pytest.fixture
def easy(fake, qtbot):
    """The Easy chart (a note every half beat from 0.1 s) with the cursor at 2.1 s."""
    win, clock = fake
    win.session.set_chart(chart_of(win, Slot.EASY))
    win.seek(2.1)
    return win, clock


def test_record_is_refused_during_a_test_play(easy, qtbot):
    """Playback > Record from Cursor (a mouse click: the key is swallowed) started a take under the test play: one
    key was both recorded and judged, and one Esc ended both."""
    win, clock = easy
    said = statuses(win)
    assert win.test_play.start()
    clock.advance(0.5)
    qtbot.wait(20)
    win.actions["play.record"].trigger()
    assert not win.record.active
    assert win.test_play.active
    assert said[-1] == "Record: a test play is running: Esc ends it"
    qtbot.keyClick(win.timeline, Qt.Key.Key_Escape)
    assert not win.test_play.active
    assert "end of the song" not in said[-1]


def test_test_play_and_edits_during_a_take_say_recording(easy, qtbot):
    """During a take the panel's button stayed enabled and said "finish the drag first"; Edit > Mirror said
    "finish or abort the drag"."""
    win, clock = easy
    said = statuses(win)
    panel = win.test_play_panel
    assert panel.start_button.isEnabled()
    assert win.record.start()
    assert not panel.start_button.isEnabled()
    assert not win.test_play.start()
    assert said[-1] == "Test play: recording: Esc ends the take"
    win.session.select(chart_of(win, Slot.EASY).notes[:4])
    win.actions["edit.mirror"].trigger()
    assert said[-1] == "Mirror: recording: Esc ends the take"
    qtbot.keyClick(win.timeline, Qt.Key.Key_Escape)
    assert not win.record.active
    assert panel.start_button.isEnabled()


@pytest.mark.parametrize(("mode", "action", "why"), [("test_play", "play.loop", "loop"),
                                                      ("test_play", "play.toggle", "paused"),
                                                      ("record", "play.toggle", "paused")])
def test_play_pause_and_loop_end_the_run_where_it_was_heard(easy, qtbot, mode, action, why):
    """A loop from the menu jumped the song back under a running test play (skipped notes judged Miss); Play/Pause
    ended a run 15 s into a 100 s song as "end of the song"."""
    win, clock = easy
    said = statuses(win)
    run = getattr(win, mode)
    win.session.select(chart_of(win, Slot.EASY).notes[:4])  # a loop would play 0.1-1.6 s
    assert run.start()
    clock.advance(1.5)
    qtbot.wait(20)
    heard_s = win.playback.player.position_s()
    win.actions[action].trigger()
    assert not run.active
    assert not win.playback.playing
    assert win.playback.loop_s is None
    assert win.playback.player.position_s() == pytest.approx(heard_s, abs=0.02)  # the song did not move
    assert f"ended ({why})" in said[-1]


def test_the_end_of_the_song_is_still_the_end_of_the_song(easy, qtbot):
    win, clock = easy
    said = statuses(win)
    win.seek(win.playback.player.duration_s - 1.5)
    assert win.record.start()
    clock.advance(3.0)
    qtbot.waitUntil(lambda: not win.record.active, timeout=2000)
    assert "Recording ended (end of the song)" in said[-1]


def _run_with_misses(win, qtbot, clock):
    win.seek(0.0)
    assert win.test_play.start()
    clock.advance(3.0)
    qtbot.wait(40)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Escape)
    panel = win.test_play_panel
    assert panel.list.count() > 1
    assert panel.list.item(0).text().endswith("Miss")
    return panel


def test_trouble_spots_go_with_another_song(easy, qtbot, tmp_path):
    """After opening another song the old spots stayed listed, and a click raised ValueError (the chart is not
    of the open song)."""
    from tests.editor.conftest import write_song

    win, clock = easy
    panel = _run_with_misses(win, qtbot, clock)
    assert win.open_path(write_song(tmp_path / "other").chart)
    assert panel.list.count() == 0
    assert panel.labels["Score"].text() == "-"
    assert panel.chart is None


def test_trouble_spots_go_with_their_chart(easy, qtbot):
    win, clock = easy
    panel = _run_with_misses(win, qtbot, clock)
    beat, notes = panel.list.item(0).data(Qt.ItemDataRole.UserRole)
    played = chart_of(win, Slot.EASY)
    win.session.set_chart(chart_of(win, Slot.BEGINNER))
    assert panel.list.count() > 1  # another chart of the song: the spots stay, a click goes back to the Easy
    assert win.session.push(RemoveChart(played))
    assert panel.list.count() == 0
    from PySide6.QtWidgets import QListWidgetItem

    late = QListWidgetItem("beat 0: Miss")  # a spot of the deleted chart still held (say mid-click): ignored
    late.setData(Qt.ItemDataRole.UserRole, (beat, notes))
    panel.chart = played
    panel._activated(late)  # noqa: SLF001 - raised ValueError (not a chart of the open song)
    assert win.session.chart is chart_of(win, Slot.BEGINNER)


def test_overlay_counts_name_every_grade_apart(easy, qtbot):
    """The counts read "M3 P0 G1 G1 B0 M2": Marvelous and Miss, Great and Good the same letter."""
    win, clock = easy
    assert win.test_play.start()
    counts = win.test_play._counts_text()  # noqa: SLF001
    assert counts == "MA0 PF0 GR0 GD0 BO0 MS0"
    assert counts in win.test_play.hud.text()


def test_keep_notes_in_time_during_a_take_says_recording(easy, qtbot):
    """A timing change with Keep notes in time during a take said "cannot start a transaction during a drag"."""
    from editor.panels.timing_push import push_timing

    win, _clock = easy
    said = statuses(win)
    s = win.session
    s.keep_notes_in_time = True
    assert win.record.start()
    assert not push_timing(s, s.timing().with_changes(offset=s.timing().offset + Fraction(1, 100)), None, "Nudge offset")
    assert said[-1] == "Nudge offset: recording: Esc ends the take"

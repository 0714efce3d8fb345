"""Test play fixes: both keys of a lane step (and a hold stays held while either is down), in test play and in
record mode; a trouble spot fixed since the run selects no stale note; no edit during a run; a chart whose notes
after the cursor are never judged says so."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from PySide6.QtCore import Qt

from chart.commands import ReplaceNotes
from chart.formats.registry import save
from chart.judge import Grade
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from editor.controllers import save_checks
from tests.editor.conftest import SR_HZ, click_track

pytestmark = pytest.mark.qt

K = Qt.Key
LANE_KEYS = (K.Key_D, K.Key_F, K.Key_J, K.Key_K)
T120 = TimingData.constant(120, "-0.1")  # beat 0 at 0.1 s, 0.5 s a beat


@pytest.fixture
def open_notes(window, tmp_path, qtbot):
    """``open_notes(notes, timing)``: the window with a one-chart song of ``notes`` open on a fake clock."""
    import soundfile as sf

    from tests.editor.fakes import FakeClock, FakePlayer

    clock = FakeClock()

    def open_(notes, timing=T120):
        sf.write(str(tmp_path / "clicks.wav"), click_track(8.0), SR_HZ)
        song = Song(title="T", artist="A", music="clicks.wav", timing=timing,
                    charts=[Chart(slot=Slot.BEGINNER, meter=2, notes=list(notes))])
        save(song, tmp_path / "s.ssc")
        window.playback.player_factory = lambda samples, sr: FakePlayer(clock, samples.shape[-1] / sr)
        assert window.open_path(tmp_path / "s.ssc")
        qtbot.waitUntil(lambda: window.playback.player is not None, timeout=10000)
        window.timeline.setFocus()
        window.seek(0.0)
        return window, clock

    return open_


def goto(win, clock, at_s):
    player = win.playback.player
    clock.advance((at_s - player.position_s()) / player.rate)


def hit(win, qtbot, clock, lane, at_s, key=None):
    goto(win, clock, at_s)
    qtbot.keyPress(win.timeline, key or LANE_KEYS[lane])
    clock.advance(0.04)
    qtbot.keyRelease(win.timeline, key or LANE_KEYS[lane])


# ------------------------------------------------------------------ 1. two keys of one lane
def test_a_jack_hit_with_both_keys_of_a_lane_overlapping(open_notes, qtbot):
    win, clock = open_notes([Note(Fraction(0), 0), Note(Fraction(1, 4), 0)])  # 0.1 s and 0.225 s
    assert win.test_play.start()
    goto(win, clock, 0.100)
    qtbot.keyPress(win.timeline, K.Key_D)
    goto(win, clock, 0.225)
    qtbot.keyPress(win.timeline, K.Key_Left)  # D still down
    goto(win, clock, 0.240)
    qtbot.keyRelease(win.timeline, K.Key_D)
    goto(win, clock, 0.300)
    qtbot.keyRelease(win.timeline, K.Key_Left)
    summary = win.test_play.stop()
    assert summary.counts[Grade.MARVELOUS] == 2  # the second was a Miss
    assert summary.counts[Grade.MISS] == 0


def test_a_hold_stays_held_while_either_key_of_its_lane_is_down(open_notes, qtbot):
    win, clock = open_notes([Note(Fraction(0), 0, NoteKind.HOLD, Fraction(4)), Note(Fraction(8), 1)])
    assert win.test_play.start()
    goto(win, clock, 0.1)
    qtbot.keyPress(win.timeline, K.Key_D)  # the head, D kept down to the end (2.1 s)
    goto(win, clock, 0.8)
    qtbot.keyPress(win.timeline, K.Key_Left)
    goto(win, clock, 0.85)
    qtbot.keyRelease(win.timeline, K.Key_Left)  # the lane's other key up: the hold was let go here
    goto(win, clock, 2.2)
    qtbot.keyRelease(win.timeline, K.Key_D)
    summary = win.test_play.stop()
    assert summary.holds_ok == 1
    assert summary.holds_dropped == 0


def test_record_a_jack_tapped_with_both_keys_of_a_lane(open_notes, qtbot):
    win, clock = open_notes([Note(Fraction(8), 1)])
    win.session.set_divisor(16)
    assert win.record.start()
    goto(win, clock, 0.100)
    qtbot.keyPress(win.timeline, K.Key_D)
    goto(win, clock, 0.225)
    qtbot.keyPress(win.timeline, K.Key_Left)  # D still down: a second note (was ignored)
    goto(win, clock, 0.240)
    qtbot.keyRelease(win.timeline, K.Key_D)
    goto(win, clock, 0.300)
    qtbot.keyRelease(win.timeline, K.Key_Left)
    take = win.record.stop()
    assert take.added == (Note(Fraction(0), 0), Note(Fraction(1, 4), 0))


# ------------------------------------------------------------------ 2. a trouble spot fixed since the run
def test_a_fixed_trouble_spot_selects_no_stale_note(open_notes, qtbot):
    win, clock = open_notes([Note(Fraction(b), b % 4) for b in range(4)])
    assert win.test_play.start()
    hit(win, qtbot, clock, 0, 0.1)
    hit(win, qtbot, clock, 1, 0.6)
    goto(win, clock, 1.5)  # beat 2 (lane 2) missed
    qtbot.keyClick(win.timeline, K.Key_Escape)
    panel = win.test_play_panel
    assert panel.list.item(0).text() == "beat 2: Miss"
    panel._activated(panel.list.item(0))  # noqa: SLF001
    assert win.session.selection == {Note(Fraction(2), 2)}
    win.actions.actions["edit.shift_down"].trigger()  # fixed: the note moves a snap step later
    assert Note(Fraction(2), 2) not in win.session.chart.notes
    win.session.clear_selection()
    panel._activated(panel.list.item(0))  # noqa: SLF001
    assert win.session.selection == set()  # the note of the spot is gone: nothing selected, the beat shown
    assert "no longer in the chart" in win.statusBar().currentMessage()
    assert abs(win.timeline.cursor_s - 1.1) < 1e-6
    win.actions.actions["edit.delete"].trigger()
    assert "is not in chart" not in win.statusBar().currentMessage()
    assert len(win.session.chart.notes) == 4


def test_a_spot_whose_note_changed_selects_the_note_there_now(open_notes, qtbot):
    win, clock = open_notes([Note(Fraction(b), b % 4) for b in range(4)])
    assert win.test_play.start()
    goto(win, clock, 0.8)  # beat 0 missed
    qtbot.keyClick(win.timeline, K.Key_Escape)
    held = Note(Fraction(0), 0, NoteKind.HOLD, Fraction(1, 2))
    assert win.session.push(ReplaceNotes(win.session.chart, [Note(Fraction(0), 0)], [held], name="Draw out"))
    panel = win.test_play_panel
    panel._activated(panel.list.item(0))  # noqa: SLF001
    assert win.session.selection == {held}  # the note at the spot's beat and lane now (the tap became a hold)


def test_select_in_chart_keeps_only_notes_the_chart_holds(open_notes):
    win, _ = open_notes([Note(Fraction(0), 0), Note(Fraction(1), 1)])
    gone = win.session.select_in_chart([Note(Fraction(0), 0), Note(Fraction(1), 3)])
    assert gone == 1
    assert win.session.selection == {Note(Fraction(0), 0)}


# ------------------------------------------------------------------ 3. no edit during a test play
def test_edits_undo_and_redo_are_refused_during_a_test_play(open_notes, qtbot):
    win, clock = open_notes([Note(Fraction(b), b % 4) for b in range(8)])
    win.session.select([Note(Fraction(0), 0)])
    win.actions.actions["edit.delete"].trigger()
    win.actions.actions["edit.undo"].trigger()  # a step to redo
    notes = list(win.session.chart.notes)
    assert win.test_play.start()
    hit(win, qtbot, clock, 0, 0.1)
    win.actions.actions["edit.select_all"].trigger()  # with the mouse, from the menu
    win.actions.actions["edit.mirror"].trigger()
    assert win.statusBar().currentMessage() == "Mirror: a test play is running: Esc ends it"
    assert win.session.chart.notes == notes
    assert win.test_play.active
    win.actions.actions["edit.redo"].trigger()
    assert win.statusBar().currentMessage() == "Redo: a test play is running: Esc ends it"
    assert win.session.chart.notes == notes
    assert save_checks.open_edit(win, win.session.doc) is None  # no edit under way: Save and autosave go on
    hit(win, qtbot, clock, 1, 0.6)
    summary = win.test_play.stop()
    assert summary.counts[Grade.MARVELOUS] == 2
    assert not win.session.doc.history.in_stroke  # the run's hold on the history ends with it, leaving no step
    assert win.session.doc.history.redo_stack_names() == ["Delete"]
    win.actions.actions["edit.redo"].trigger()
    assert Note(Fraction(0), 0) not in win.session.chart.notes


# ------------------------------------------------------------------ 4. notes after the cursor never judged
def test_notes_only_inside_a_warp_say_so(open_notes):
    warp = TimingData(offset=Fraction(1, 10), bpms=((Fraction(0), Fraction(120)),), warps=((Fraction(1), Fraction(4)),))
    win, _ = open_notes([Note(Fraction(b, 4), b % 4) for b in range(5, 15)], warp)
    assert not win.test_play.start()
    line = win.statusBar().currentMessage()
    assert "no note of this chart is judged" in line
    assert "warps" in line


def test_notes_after_the_cursor_inside_a_warp_say_so(open_notes):
    warp = TimingData(offset=Fraction(-1, 10), bpms=((Fraction(0), Fraction(120)),), warps=((Fraction(4), Fraction(4)),))
    win, _ = open_notes([Note(Fraction(0), 0), *(Note(Fraction(b, 4), b % 4) for b in range(17, 30))], warp)
    win.seek(1.0)  # after beat 0, before the warp's notes
    assert not win.test_play.start()
    line = win.statusBar().currentMessage()
    assert line.startswith("Test play: no note after the cursor is judged (fakes, or inside warps")


# ------------------------------------------------------------------ 5. hit marks: appended, painted a colour at a time
def test_hit_marks_are_appended_and_painted_a_colour_at_a_time(open_notes, qtbot):
    from PySide6.QtGui import QColor, QImage, QPainter

    class CountingPainter(QPainter):
        calls: dict[str, int] = {}

        def _count(self, name):
            self.calls[name] = self.calls.get(name, 0) + 1

        def drawLine(self, *a):  # noqa: N802 - Qt API
            self._count("line")
            super().drawLine(*a)

        def drawEllipse(self, *a):  # noqa: N802 - Qt API
            self._count("ellipse")
            super().drawEllipse(*a)

        def drawPath(self, *a):  # noqa: N802 - Qt API
            self._count("path")
            super().drawPath(*a)

    win, clock = open_notes([Note(Fraction(b, 2), b % 4) for b in range(8)])
    item = win.timeline.marks_item
    assert win.test_play.start()
    hit(win, qtbot, clock, 0, 0.1)
    assert len(item.note_s) == 1
    hit(win, qtbot, clock, 1, 0.36)
    assert len(item.note_s) == 2  # each result adds its mark
    goto(win, clock, 2.5)
    qtbot.waitUntil(lambda: not win.test_play.active, timeout=2000)  # the frames settle the misses, then it ends
    assert len(item.note_s) == 8
    assert int(np.isnan(item.hit_s).sum()) == 6  # the rest missed
    n = 400
    colors = [QColor(c) for c in ("#8fe9ff", "#ffe066", "#ff5a5a")]
    item.set_marks(np.linspace(0.0, 3.0, n), np.r_[np.linspace(0.0, 3.0, n - 100) + 0.01, [np.nan] * 100],
                   np.arange(n) % 4, [colors[i % 3] for i in range(n)])
    image = QImage(400, 800, QImage.Format.Format_ARGB32)
    painter = CountingPainter(image)
    item.paint(painter)
    painter.end()
    assert CountingPainter.calls.get("line", 0) == 0
    assert CountingPainter.calls.get("ellipse", 0) == 0
    assert 1 <= CountingPainter.calls["path"] <= len(colors)  # one path of lines per colour, not a call a mark

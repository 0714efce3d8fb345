"""Record mode in the window: lane keys on the audio clock (a fake clock here) become snapped notes, shown as they
are played, one undo step per take; replace mode; slowed playback; keys swallowed while recording."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import Qt

from chart.notes import Note, NoteKind
from chart.song import Slot

pytestmark = pytest.mark.qt

K = Qt.Key
LANE_KEYS = (K.Key_D, K.Key_F, K.Key_J, K.Key_K)
BEAT0_S, SPB = 0.1, 0.5  # the test song: 120 BPM, beat 0 at 0.1 s


def chart_of(win, slot):
    return next(c for c in win.session.doc.song.charts if c.slot == slot)


def at(beat: float) -> float:
    return BEAT0_S + beat * SPB


def key(win, qtbot, clock, lane, at_s, hold_s=0.05, k=None):
    """Move the fake clock to song time ``at_s``, press the lane's key, keep it ``hold_s`` real seconds, release."""
    player = win.playback.player
    clock.advance((at_s - player.position_s()) / player.rate)
    qtbot.keyPress(win.timeline, k or LANE_KEYS[lane])
    clock.advance(hold_s)
    qtbot.keyRelease(win.timeline, k or LANE_KEYS[lane])


@pytest.fixture
def recording(fake):
    """Record into the Beginner chart from beat 8 (its notes end before), at 1/16."""
    win, clock = fake
    win.session.set_chart(chart_of(win, Slot.BEGINNER))
    win.session.set_divisor(16)
    win.seek(at(8))
    win.actions["play.record"].trigger()
    assert win.record.active
    assert win.playback.playing
    return win, clock


def test_keys_land_on_the_snap_live_and_end_as_one_undo_step(recording, qtbot):
    win, clock = recording
    chart = chart_of(win, Slot.BEGINNER)
    before = list(chart.notes)
    undo_depth = len(win.session.doc.history.undo_stack_names())
    key(win, qtbot, clock, 0, at(8) + 0.02)  # 20 ms late: beat 8
    key(win, qtbot, clock, 1, at(8.5) - 0.03, k=K.Key_Down)  # an arrow key, 30 ms early: beat 8.5
    key(win, qtbot, clock, 3, at(9.25) + 0.01, k=K.Key_4)  # a number key: beat 9.25
    key(win, qtbot, clock, 2, at(10), hold_s=0.6)  # held 0.6 s: a hold to beat 11.25 (snapped)
    recorded = [Note(Fraction(8), 0), Note(Fraction(17, 2), 1), Note(Fraction(37, 4), 3),
                Note(Fraction(10), 2, NoteKind.HOLD, Fraction(5, 4))]
    qtbot.waitUntil(lambda: set(recorded) <= set(chart.notes), timeout=2000)  # shown while recording (next frame)
    assert "REC" in win.record.hud.text()
    assert win.session.doc.history.in_stroke
    qtbot.keyClick(win.timeline, K.Key_Escape)
    assert not win.record.active
    assert not win.playback.playing
    assert sorted(chart.notes) == sorted(before + recorded)
    names = win.session.doc.history.undo_stack_names()
    assert len(names) == undo_depth + 1
    assert names[-1] == "Record 4 notes"
    assert win.session.selection == set(recorded)
    assert "4 notes (1 held)" in win.statusBar().currentMessage()
    win.actions["edit.undo"].trigger()
    assert list(chart.notes) == before
    win.actions["edit.redo"].trigger()
    assert sorted(chart.notes) == sorted(before + recorded)


def test_other_keys_are_swallowed_and_a_key_on_a_note_is_dropped(fake, qtbot):
    win, clock = fake
    easy = chart_of(win, Slot.EASY)  # a note every half beat from beat 0 to 7.5, lanes 0-3 in turn
    win.session.set_chart(easy)
    win.session.set_divisor(16)
    before = list(easy.notes)
    win.seek(at(0))
    assert win.record.start()
    qtbot.keyClick(win.timeline, K.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo: swallowed
    qtbot.keyClick(win.timeline, K.Key_T)  # mirror: swallowed
    key(win, qtbot, clock, 1, at(0.5))  # beat 0.5 lane 1 already has a note: dropped
    key(win, qtbot, clock, 1, at(0.75))
    take = win.record.stop()
    assert take.added == (Note(Fraction(3, 4), 1),)
    assert take.dropped == 1
    assert take.removed == ()
    assert sorted(easy.notes) == sorted(before + [Note(Fraction(3, 4), 1)])


def test_replace_mode_clears_the_passage_played(fake, qtbot):
    win, clock = fake
    easy = chart_of(win, Slot.EASY)
    win.session.set_chart(easy)
    win.session.set_divisor(8)
    win.actions["play.record_replace"].setChecked(True)
    assert win.settings.get("record/replace") is True
    win.seek(at(2))
    assert win.record.start()
    key(win, qtbot, clock, 0, at(2))
    clock.advance(at(4) + 0.01 - win.playback.player.position_s())
    qtbot.wait(40)  # frames remove the notes the song passes
    assert [n.beat for n in easy.notes if 2 <= n.beat <= 4] == [2]  # beat 2 lane 0: the recorded note
    win.record.stop()
    assert [n for n in easy.notes if 2 <= n.beat <= 4] == [Note(Fraction(2), 0)]
    assert len([n for n in easy.notes if n.beat < 2]) == 4
    assert len([n for n in easy.notes if n.beat > 4]) == 7
    assert win.session.doc.history.undo_stack_names()[-1] == "Record 1 note"
    win.actions["edit.undo"].trigger()
    assert len(easy.notes) == 16


def test_slowed_playback_records_the_same_beats_and_holds_in_real_time(recording, qtbot):
    win, clock = recording
    win.record.stop()
    win.playback.set_rate(0.5)
    win.seek(at(8))
    assert win.record.start()
    key(win, qtbot, clock, 0, at(8) + 0.01)  # 50 ms of real time: 25 ms of song, a tap
    key(win, qtbot, clock, 1, at(9), hold_s=0.3)  # 0.3 s real (0.15 s of song): still a hold at half speed
    take = win.record.stop()
    assert take.added == (Note(Fraction(8), 0), Note(Fraction(9), 1, NoteKind.HOLD, Fraction(1, 4)))


def test_a_slowed_take_reports_press_offsets_in_real_time(recording, qtbot):
    """Latency is real time: at 50 % presses 12 ms late (real) are 6 ms of song, and the status line said "6 ms"
    (half the truth) while test play reports real milliseconds."""
    win, clock = recording
    win.record.stop()
    win.playback.set_rate(0.5)
    win.seek(at(8))
    assert win.record.start()
    for i in range(8):
        key(win, qtbot, clock, i % 4, at(8 + i) + 0.006)  # 6 ms of song after each beat = 12 ms real
    win.record.stop()
    assert "presses 12 ms late of the grid on median" in win.statusBar().currentMessage()


def test_switching_chart_ends_the_take_and_keeps_it(recording, qtbot):
    win, clock = recording
    key(win, qtbot, clock, 2, at(8.5))
    win.session.set_chart(chart_of(win, Slot.EASY))
    assert not win.record.active
    assert Note(Fraction(17, 2), 2) in chart_of(win, Slot.BEGINNER).notes
    assert not win.session.doc.history.in_stroke


def test_nothing_recorded_leaves_no_undo_step(recording, qtbot):
    win, _clock = recording
    names = win.session.doc.history.undo_stack_names()
    qtbot.keyClick(win.timeline, K.Key_Space)
    assert not win.record.active
    assert win.session.doc.history.undo_stack_names() == names
    assert "0 notes" in win.statusBar().currentMessage()


def test_a_take_in_progress_is_autosaved(recording, qtbot):
    from chart.formats.registry import load

    win, clock = recording
    win.autosave.start_session()  # as the app does at start
    key(win, qtbot, clock, 1, at(9))
    live = next(c for c in win.session.doc.song.charts if c.slot == Slot.BEGINNER)
    qtbot.waitUntil(lambda: Note(Fraction(9), 1) in live.notes, timeout=2000)  # shown at the next frame
    path = win.autosave.autosave()  # the 30-s timer, mid-take: a crash now would not lose the take
    assert path is not None
    beginner = next(c for c in load(path).charts if c.slot == Slot.BEGINNER)
    assert Note(Fraction(9), 1) in beginner.notes
    assert win.record.active


def test_record_needs_audio_and_a_chart(opened, qtbot, monkeypatch):
    win = opened
    monkeypatch.setattr(win.playback, "player", None)
    assert not win.record.start()
    assert win.statusBar().currentMessage().startswith("Record needs the song's audio")


def test_a_press_held_when_recording_starts_does_not_take_over_the_take(fake, qtbot):
    """A mouse press not yet released when Ctrl+R starts a take: its drag used to update (and its release commit)
    the take's stroke as a note move, and the take's end then failed with "no drag in progress"."""
    from tests.editor.test_editing import pos_of

    win, clock = fake
    win.session.set_chart(chart_of(win, Slot.BEGINNER))
    win.session.set_divisor(16)
    win.seek(at(8))
    vp = win.timeline.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=pos_of(win, 9, 1))  # an empty cell: a hold may be drawn
    names = win.session.doc.history.undo_stack_names()
    win.actions["play.record"].trigger()
    assert win.record.active
    key(win, qtbot, clock, 0, at(8) + 0.02)
    qtbot.mouseMove(vp, pos=pos_of(win, 10, 1))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=pos_of(win, 10, 1))
    qtbot.keyClick(win.timeline, K.Key_Escape)  # ends the take
    assert not win.record.active
    assert not win.session.doc.history.in_stroke
    new = win.session.doc.history.undo_stack_names()[len(names):]
    assert new == ["Record 1 note"]
    assert Note(Fraction(8), 0) in chart_of(win, Slot.BEGINNER).notes

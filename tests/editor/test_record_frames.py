"""Record in the window, frame by frame: a frame shows only what changed since the last one (the whole take was
applied again every frame, its cost growing with the take); a take ended in the lead-in replaces nothing; and
Play Selection in a Loop on selected notes plays the last of them."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import Qt

from chart.notes import Note
from chart.song import Slot

pytestmark = pytest.mark.qt

LANE_KEYS = (Qt.Key.Key_D, Qt.Key.Key_F, Qt.Key.Key_J, Qt.Key.Key_K)
BEAT0_S, SPB = 0.1, 0.5  # the test song: 120 BPM, beat 0 at 0.1 s; Easy has a note every half beat, 0 to 7.5


def at(beat: float) -> float:
    return BEAT0_S + beat * SPB


def easy_of(win):
    easy = next(c for c in win.session.doc.song.charts if c.slot == Slot.EASY)
    win.session.set_chart(easy)
    return easy


def to(win, clock, t_s: float) -> None:
    clock.advance(t_s - win.playback.player.position_s())


def test_each_frame_applies_only_what_changed_and_the_take_stays_one_step(fake, qtbot, monkeypatch):
    win, clock = fake
    easy = easy_of(win)
    before = sorted(easy.notes)
    win.session.set_divisor(16)
    win.actions["play.record_replace"].setChecked(True)
    win.seek(at(2))
    assert win.record.start()
    win.record.timer.stop()  # frames driven by hand
    doc, rec = win.session.doc, win.record.recorder
    inserted: list[int] = []
    real_insert = doc.insert_notes
    monkeypatch.setattr(doc, "insert_notes", lambda chart, notes: (inserted.append(len(list(notes))),
                                                                   real_insert(chart, notes))[1])

    def shown_is_the_take():
        gone = set(rec.removed)
        assert sorted(easy.notes) == sorted([n for n in before if n not in gone] + rec.notes)

    for k in range(10):  # taps between the chart's notes, frames in between
        to(win, clock, at(2.25 + k / 2))
        qtbot.keyPress(win.timeline, LANE_KEYS[k % 4])
        qtbot.keyRelease(win.timeline, LANE_KEYS[k % 4])
        win.record.frame()
        shown_is_the_take()
    to(win, clock, at(7.25))
    qtbot.keyPress(win.timeline, LANE_KEYS[1])
    for _ in range(8):  # a hold drawn out frame by frame
        clock.advance(0.1)
        win.record.frame()
        shown_is_the_take()
    qtbot.keyRelease(win.timeline, LANE_KEYS[1])
    win.record.frame()
    shown_is_the_take()
    assert len(rec.notes) == 11
    assert max(inserted) <= 2  # was the whole take every frame: 1, 2, ... 11 notes
    names = doc.history.undo_stack_names()
    take = win.record.stop()
    assert len(take.added) == 11
    assert take.holds == 1
    assert sorted(easy.notes) == sorted([n for n in before if n not in set(take.removed)] + list(take.added))
    assert doc.history.undo_stack_names() == [*names, "Record 11 notes"]
    after = sorted(easy.notes)
    win.actions["edit.undo"].trigger()
    assert sorted(easy.notes) == before
    win.actions["edit.redo"].trigger()
    assert sorted(easy.notes) == after


def test_a_take_ended_in_the_lead_in_replaces_nothing(fake, qtbot):
    win, clock = fake
    easy = easy_of(win)
    before = sorted(easy.notes)
    win.session.set_divisor(16)
    win.actions["play.record_replace"].setChecked(True)
    win.seek(at(4))  # on the chart's note at beat 4
    names = win.session.doc.history.undo_stack_names()
    assert win.record.start()
    clock.advance(0.3)  # 0.3 s into the one-second lead-in
    win.record.frame()
    assert sorted(easy.notes) == before  # the note at beat 4 went on the first frame
    qtbot.keyClick(win.timeline, Qt.Key.Key_Escape)
    assert not win.record.active
    assert sorted(easy.notes) == before
    assert win.session.doc.history.undo_stack_names() == names
    assert "replaced" not in win.statusBar().currentMessage()


def test_a_loop_of_selected_notes_runs_a_snap_step_past_the_last(fake):
    win, _clock = fake
    easy = easy_of(win)
    win.session.set_divisor(16)
    win.session.select([n for n in easy.notes if 2 <= n.beat <= Fraction(7, 2)])
    assert win.playback.play_loop()
    assert win.playback.player.loop == pytest.approx((at(2), at(3.75)))  # ended on the last note, cut its tick
    win.playback.stop_loop()
    win.session.set_divisor(4)
    win.session.select([Note(Fraction(2), 0)])
    assert win.playback.play_loop()
    assert win.playback.player.loop == pytest.approx((at(2), at(3)))  # one note: a beat, as before

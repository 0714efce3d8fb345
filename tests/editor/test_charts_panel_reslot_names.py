"""The Charts panel's difficulty change, its status lines, and how the title and the undo line name a chart
(audit 27). Before: a chart given another difficulty stayed where it was in the song's order (a duplicated Easy set
to Hard came after Challenge and the Edits: F6 skipped it and Save wrote it last); Add, Duplicate, Delete and a
difficulty change put nothing in the status bar (a "Pasted ..." line stayed up after its chart was deleted); the
title and the undo line named a chart by its slot only, so single Easy 4 and double Easy 4 read the same; and
Paste with every chart deleted said the clipboard held no notes."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.commands import AddChart, AddNotes
from chart.notes import Note
from chart.song import Chart, Slot

pytestmark = pytest.mark.qt


def status(win) -> str:
    return win.statusBar().currentMessage()


def choose_slot(panel, slot: Slot) -> None:
    panel.slot.setCurrentIndex(panel.slot.findData(slot))
    panel.slot.activated.emit(panel.slot.currentIndex())


def test_a_new_difficulty_moves_the_chart_into_order_in_one_undo_step(opened):
    win, session, panel = opened, opened.session, opened.charts_panel
    song = session.doc.song  # Beginner, Easy
    panel.add_chart(Slot.MEDIUM)
    panel.add_chart(Slot.CHALLENGE)
    session.set_chart(song.charts[1])
    copy = panel.duplicate_chart()  # an Edit, after Challenge
    assert [c.slot for c in song.charts][-1] == Slot.EDIT
    choose_slot(panel, Slot.HARD)
    assert [c.slot for c in song.charts] == [Slot.BEGINNER, Slot.EASY, Slot.MEDIUM, Slot.HARD, Slot.CHALLENGE]
    assert status(win) == "Edit 4 (Easy copy) is now Hard"
    session.set_chart(song.charts[2])
    win.step_chart(1)  # F6 from Medium
    assert session.chart is copy
    win.actions["edit.undo"].trigger()  # one step: the slot and the place
    assert [c.slot for c in song.charts] == [Slot.BEGINNER, Slot.EASY, Slot.MEDIUM, Slot.CHALLENGE, Slot.EDIT]
    assert song.charts[-1] is copy
    win.actions["edit.redo"].trigger()
    assert song.charts[3] is copy
    assert copy.slot == Slot.HARD


def test_add_duplicate_delete_say_what_they_did(opened, boxes):
    from PySide6.QtWidgets import QMessageBox

    win, session, panel = opened, opened.session, opened.charts_panel
    song = session.doc.song
    session.status.emit("Pasted 5 note(s) at beat 0")
    panel.add_chart(Slot.HARD)
    assert status(win) == "Added Hard 9 (empty)"
    session.set_chart(song.charts[1])
    panel.duplicate_chart()
    assert status(win) == "Duplicated Easy 4 as Edit 4 (Easy copy)"
    session.set_chart(song.charts[1])
    boxes.answers.append(QMessageBox.StandardButton.Yes)
    panel.delete_chart()
    assert status(win) == "Deleted Easy 4 (16 notes); showing Hard 9"
    for _ in range(3):
        boxes.answers.append(QMessageBox.StandardButton.Yes)
        panel.delete_chart()
    assert not song.charts
    assert status(win).endswith("; no chart left (Add makes one)")


def test_title_and_undo_line_tell_single_from_double(opened):
    win, session = opened, opened.session
    song = session.doc.song
    single = song.charts[1]  # Easy 4
    session.set_chart(single)
    assert "[Easy 4]" in win.windowTitle()  # the slot alone tells it apart: the short form
    double = Chart(mode="dance-double", lanes=8, slot=Slot.EASY, meter=4)
    session.push(AddChart(double))
    session.push(AddNotes(double, [Note(Fraction(30), 6)]))
    session.set_chart(single)
    before = win.windowTitle()
    win.actions["edit.undo"].trigger()
    assert session.chart is double
    assert status(win) == "Undid Add notes in Easy 4 · dance-double"
    assert "[Easy 4 · dance-double]" in win.windowTitle()
    assert win.windowTitle() != before


def test_paste_with_no_chart_says_there_is_no_chart(opened, boxes):
    from PySide6.QtWidgets import QMessageBox

    win, session = opened, opened.session
    session.select(session.chart.notes[:3])
    win.transforms.copy()
    while session.doc.song.charts:
        boxes.answers.append(QMessageBox.StandardButton.Yes)
        win.charts_panel.delete_chart()
    for action in ("edit.paste", "edit.paste_keep"):
        win.actions[action].trigger()
        assert status(win).endswith(": no chart (add a difficulty first)"), status(win)

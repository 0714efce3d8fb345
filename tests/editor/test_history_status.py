"""Undo, Redo and Delete say what they did in the status bar (audit 23 F4): after deleting 374 selected notes it
still read "Selected 374 notes ...", an Undo or Redo in the same chart left whatever line was there, and the Redo
after an Undo that switched charts still showed "Undid Delete in Hard"."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.qt


def status(win) -> str:
    return win.statusBar().currentMessage()


def test_delete_undo_and_redo_each_say_what_they_did(opened):
    win = opened
    beginner, easy = win.session.doc.song.charts
    win.session.set_chart(easy)
    win.session.select(easy.notes[4:9])
    win.actions["edit.delete"].trigger()
    assert len(easy.notes) == 11
    assert status(win) == "Deleted 5 notes"
    win.actions["edit.undo"].trigger()
    assert len(easy.notes) == 16
    assert status(win) == "Undid Delete"
    win.actions["edit.redo"].trigger()
    assert status(win) == "Redid Delete"
    win.session.set_chart(beginner)
    win.actions["edit.undo"].trigger()  # the step was Easy's: Easy is shown and named
    assert win.session.chart is easy
    assert status(win) == "Undid Delete in Easy"
    win.actions["edit.redo"].trigger()
    assert status(win) == "Redid Delete"
    win.session.select(easy.notes[:1])
    win.actions["edit.delete"].trigger()
    assert status(win) == "Deleted 1 note"


def test_a_history_jump_says_what_it_did_once(opened):
    """A click 12 steps back in the History list posted 12 "Undid Add tap" lines, pushing earlier warnings out of
    View > Messages' log (its last 200 lines): one line now, naming the difficulty it showed."""
    from editor.panels.history import HistoryPanel

    win = opened
    beginner, easy = win.session.doc.song.charts
    win.session.set_chart(easy)
    for i in range(12):
        win.session.doc.history._last_push_s = None  # one undo step each
        win.editing.toggle_at_cursor(i % 4)
    win.status_warning("A warning said before")
    win.session.set_chart(beginner)
    panel = win.findChildren(HistoryPanel)[0]
    before = len(win.message_bar.log)
    panel.go_to(0)
    assert [m.text for m in list(win.message_bar.log)[before:]] == ["Undid 12 steps in Easy"]
    assert win.session.chart is easy
    panel.go_to(3)
    assert status(win) == "Redid 3 steps"
    panel.go_to(2)
    assert status(win) == "Undid Add tap"
    assert any(m.text == "A warning said before" for m in win.message_bar.log)


def test_a_history_jump_that_removes_the_last_chart_says_so(opened, boxes):
    """A click on the row that deletes the song's last chart redid it and then raised AttributeError (the shown
    chart was None) before its status line."""
    from PySide6.QtWidgets import QMessageBox

    from editor.panels.history import HistoryPanel

    win = opened
    panel = win.findChildren(HistoryPanel)[0]
    boxes.answers = [QMessageBox.StandardButton.Yes] * 2
    while win.session.chart is not None:
        win.charts_panel.delete_chart()
    rows = panel.list.count()
    panel.go_to(rows - 2)
    assert win.session.chart is not None
    panel.list.itemClicked.emit(panel.list.item(rows - 1))  # the click, through the panel's own signal
    assert win.session.chart is None
    assert status(win) == "Redid Remove chart"

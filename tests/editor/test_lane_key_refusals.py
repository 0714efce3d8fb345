"""While a held lane key draws a hold, what is refused or held says so, not "the drag": Save ("Not saved: release
the lane key first"), a plugin, and the results that wait (their "... when the lane key hold ends"); a mouse drag
and a recording take keep their words."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from chart.commands import AddNotes
from chart.notes import Note
from chart.plugins import Plugin

pytestmark = pytest.mark.qt


def test_save_plugins_and_held_results_during_a_lane_key_name_the_key(opened, qtbot):
    from editor.controllers.save_checks import finish_first, open_edit
    from editor.controllers.under_way import under_way

    win = opened
    s, tl = win.session, win.timeline
    s.set_divisor(4)
    win.jump_to(None, Fraction(10))
    win.activateWindow()
    tl.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is tl, timeout=3000)
    qtbot.keyClick(tl, Qt.Key.Key_2)  # the song is modified: Save has something to do
    qtbot.keyPress(tl, Qt.Key.Key_1)
    qtbot.keyClick(tl, Qt.Key.Key_Down)  # key 1 held: its note is drawn out into a hold
    try:
        assert s.doc.history.stroke_ends == "release the lane key"
        assert open_edit(win, s.doc) == "the lane key hold"
        assert under_way(win) == "the lane key hold"
        assert finish_first(win, s.doc) == "release the lane key first"
        assert not win.files.save()
        assert win.statusBar().currentMessage() == "Not saved: release the lane key first"
        assert not win.plugins.run(Plugin("Mirror", "", Path("mirror.py")))
        assert win.statusBar().currentMessage() == "Mirror: release the lane key first"
    finally:
        qtbot.keyRelease(tl, Qt.Key.Key_1)
    assert open_edit(win, s.doc) is None


def test_a_mouse_drag_is_still_the_drag(opened):
    from editor.controllers.save_checks import finish_first, open_edit

    win = opened
    s = win.session
    s.doc.begin_stroke("Move notes")
    s.doc.update_stroke(AddNotes(s.chart, [Note(Fraction(30), 0)]))
    assert open_edit(win, s.doc) == "the drag"
    assert finish_first(win, s.doc) == "finish the drag first"
    s.doc.commit_stroke()

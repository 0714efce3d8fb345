"""Escape in a panel goes back to the notefield only from the panel itself (audit r23).

* A message box opened from a panel (Charts > Delete chart's question) is a window of its own whose buttons are
  parented to the panel: the panel's Escape took its key, the box stayed open and the focus moved behind it. Escape
  answers the box again (No).
* From a floating panel the focus was set on the notefield of a window that was not the active one: it stayed in
  the panel, and the next ``1`` typed into the Title. The main window is made the active one first.

Keys go to ``QApplication.focusWidget()``, as a person's do.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QDockWidget, QMessageBox

pytestmark = pytest.mark.qt
K = Qt.Key


def test_escape_answers_a_message_box_opened_from_a_panel(opened, qtbot, monkeypatch):
    win = opened
    seen: dict = {}

    def real_question(parent, title, text, buttons, default):  # a real box (conftest's boxes captures them)
        box = QMessageBox(QMessageBox.Icon.Question, title, text, buttons, parent)
        box.setDefaultButton(default)
        QTimer.singleShot(0, lambda: press_escape(box))
        QDialog.exec(box)
        return box.standardButton(box.clickedButton()) if box.clickedButton() else QMessageBox.StandardButton.No

    def press_escape(box):
        if not box.isVisible() or not box.isAncestorOf(QApplication.focusWidget()):
            QTimer.singleShot(20, lambda: press_escape(box))
            return
        qtbot.keyClick(QApplication.focusWidget(), K.Key_Escape)
        seen["open_after_escape"] = box.isVisible()
        seen["answer"] = box.clickedButton() and box.standardButton(box.clickedButton())
        box.reject()  # (the broken guard left it open)

    monkeypatch.setattr(QMessageBox, "question", staticmethod(real_question))
    charts = len(win.session.doc.song.charts)
    assert win.session.chart.notes
    win.charts_panel.delete_chart()
    assert seen == {"open_after_escape": False, "answer": QMessageBox.StandardButton.No}
    assert len(win.session.doc.song.charts) == charts


def test_escape_in_a_floating_panel_gives_the_keys_back_to_the_notefield(opened, qtbot):
    win = opened
    field = win.properties_panel.edits["title"]
    dock = next(d for d in win.findChildren(QDockWidget) if d.isAncestorOf(field))
    dock.setFloating(True)
    dock.show()
    win.panels.setCurrentWidget(win.properties_panel)
    dock.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dock, timeout=3000)
    field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field, timeout=3000)
    notes = len(win.session.chart.notes)
    qtbot.keyClick(QApplication.focusWidget(), K.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is win.timeline, timeout=3000)
    qtbot.keyClick(QApplication.focusWidget(), K.Key_1)
    assert field.text() == "Clicks"
    assert len(win.session.chart.notes) != notes

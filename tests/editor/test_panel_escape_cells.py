"""Keys typed into panels after a click stay the panel's, and Escape gets back to the notefield.

* The Timing table opened a cell editor on any key (AnyKeyPressed): a click to read the BPM, then ``1`` and Down as
  on the notefield, set the BPM to 1. A cell now edits after F2, a double-click or a click on the selected cell.
* A value typed in a Timing cell was dropped by F8 (the old BPM nudged) and by Ctrl+S (the old BPM saved, the song
  called clean): the cell editor is committed first, as a text field is.
* Escape in a panel's field, number box, list or slider did nothing, so the next chart key went to the panel (the
  offset moved); it now commits and gives the focus back to the notefield.
* Tab in the F1 dialog's table walked its cells for ever; it goes on to Close (the Timing table: to its buttons).

Keys go to ``QApplication.focusWidget()``, as a person's do.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDoubleSpinBox, QLineEdit, QPushButton, QSlider

pytestmark = pytest.mark.qt
K = Qt.Key
LEFT = Qt.MouseButton.LeftButton
NO_MOD = Qt.KeyboardModifier.NoModifier


def press(qtbot, *keys, modifier=NO_MOD) -> None:
    for key in keys:
        qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def click_bpm_cell(qtbot, win):
    """A single click on the first row's value (the song's 120 BPM), as a person reading it does."""
    table = win.timing_panel.table
    win.panels.setCurrentWidget(win.timing_panel)
    qtbot.waitUntil(table.isVisible, timeout=3000)
    qtbot.mouseClick(table.viewport(), LEFT, NO_MOD, table.visualItemRect(table.item(0, 2)).center())
    qtbot.waitUntil(lambda: QApplication.focusWidget() is table, timeout=3000)
    return table


def bpm(win) -> Fraction:
    return win.session.timing().bpms[0][1]


def test_a_key_typed_on_a_clicked_timing_cell_does_not_edit_it(opened, qtbot):
    win = opened
    click_bpm_cell(qtbot, win)
    press(qtbot, K.Key_1, K.Key_Down, K.Key_Space)
    assert not isinstance(QApplication.focusWidget(), QLineEdit)  # no cell editor was opened
    assert bpm(win) == 120
    assert win.session.doc.history.undo_stack_names() == []


def typed_bpm(qtbot, win, text: str) -> QLineEdit:
    click_bpm_cell(qtbot, win)
    press(qtbot, K.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    return editor


def test_f8_commits_the_bpm_typed_in_a_timing_cell_first(opened, qtbot):
    win = opened
    typed_bpm(qtbot, win, "130")
    press(qtbot, K.Key_F8)
    assert bpm(win) == Fraction("130.01")
    assert win.session.doc.history.undo_stack_names() == ["Change timing", "Nudge BPM"]
    assert not isinstance(QApplication.focusWidget(), QLineEdit)  # the cell editor is closed


def test_ctrl_s_saves_the_bpm_typed_in_a_timing_cell(opened, qtbot, song_files):
    win = opened
    typed_bpm(qtbot, win, "130")
    press(qtbot, K.Key_S, modifier=Qt.KeyboardModifier.ControlModifier)
    text = song_files.chart.read_text(encoding="utf-8")
    assert "#BPMS:0.000=130.000;" in text
    assert win.session.doc.is_clean
    assert bpm(win) == 130


def test_escape_in_a_timing_cell_editor_still_cancels_the_edit(opened, qtbot):
    win = opened
    table = win.timing_panel.table
    typed_bpm(qtbot, win, "130")
    press(qtbot, K.Key_Escape)
    assert QApplication.focusWidget() is table
    assert bpm(win) == 120


def offset_box(win) -> QDoubleSpinBox:
    return next(w for w in win.properties_panel.findChildren(QDoubleSpinBox) if w.accessibleName() == "Offset")


def test_escape_in_the_offset_box_goes_back_to_the_notefield(opened, qtbot):
    win = opened
    s = win.session
    box = offset_box(win)
    win.panels.setCurrentWidget(win.properties_panel)
    qtbot.waitUntil(box.isVisible, timeout=3000)
    qtbot.mouseClick(box, LEFT, NO_MOD, QPoint(5, box.height() // 2))
    qtbot.waitUntil(lambda: box.isAncestorOf(QApplication.focusWidget()) or QApplication.focusWidget() is box,
                    timeout=3000)
    offset, notes = s.timing().offset, len(s.chart.notes)
    press(qtbot, K.Key_Escape)
    assert QApplication.focusWidget() is win.timeline
    press(qtbot, K.Key_1, K.Key_Down)  # now the chart's keys: a note toggled at the cursor (beat 0 has one)
    assert s.timing().offset == offset
    assert len(s.chart.notes) == notes - 1
    assert s.doc.history.undo_stack_names() == ["Delete note"]


def test_escape_commits_a_typed_title_and_leaves_lists_and_sliders(opened, qtbot):
    win = opened
    field = win.properties_panel.edits["title"]
    win.panels.setCurrentWidget(win.properties_panel)
    field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field, timeout=3000)
    field.selectAll()
    qtbot.keyClicks(field, "Renamed")
    press(qtbot, K.Key_Escape)
    assert QApplication.focusWidget() is win.timeline
    assert win.session.doc.song.title == "Renamed"
    for panel, widget in ((win.charts_panel, win.charts_panel.list),
                          (win.playback_panel, win.playback_panel.findChild(QSlider))):
        win.panels.setCurrentWidget(panel)
        widget.setFocus()
        qtbot.waitUntil(lambda w=widget: QApplication.focusWidget() is w, timeout=3000)
        press(qtbot, K.Key_Escape)
        assert QApplication.focusWidget() is win.timeline, type(widget).__name__


def test_tab_leaves_the_shortcut_table_for_close(opened, qtbot):
    win = opened
    seen: dict = {}

    def walk():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(50, walk)
            return
        for _ in range(3):
            qtbot.keyClick(QApplication.focusWidget(), K.Key_Tab)
            w = QApplication.focusWidget()
            seen.setdefault("focus", []).append(w.text().replace("&", "") if isinstance(w, QPushButton) else
                                                type(w).__name__)
        dialog.reject()

    QTimer.singleShot(100, walk)
    press(qtbot, K.Key_F1)
    assert "Close" in seen["focus"]
    assert not win.timing_panel.table.tabKeyNavigation()

"""Keys typed into a panel stay there: a window-wide chart shortcut (Ctrl+Backspace rejects every AI draft,
Alt+Down shifts the notes, Ctrl+C/V/A copy, paste and select notes, Ctrl+Z undoes a chart edit) never takes an
editing key from the focused text field, number box, drop-down or table; keys a panel has no use for (Ctrl+S,
Ctrl+Shift+G) still work there."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox

from chart.notes import Note

pytestmark = pytest.mark.qt
CTRL, ALT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier


def focus(qtbot, win, panel, widget):
    win.panels.setCurrentWidget(panel)
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=3000)


def fired(win) -> list[str]:
    """The ids of the window's actions as they fire."""
    seen: list[str] = []
    for aid, action in win.actions.actions.items():
        action.triggered.connect(lambda _=False, aid=aid: seen.append(aid))
    return seen


def test_ctrl_backspace_in_a_text_field_deletes_a_word_and_keeps_the_ai_drafts(opened, qtbot):
    from editor.controllers.ghosts import GhostDraft

    win = opened
    chart = win.session.chart
    beats = range(10, 18)
    win.drafting.ghosts.put(GhostDraft(chart, [Note(Fraction(b), b % 4) for b in beats],
                                       {Fraction(b): 0.9 for b in beats}, {"model": "test"},
                                       regions=[(Fraction(10), Fraction(18))]))
    field = win.properties_panel.edits["title"]
    focus(qtbot, win, win.properties_panel, field)
    field.setText("Hello brave world")
    field.end(False)
    qtbot.keyClick(field, Qt.Key.Key_Backspace, CTRL)
    assert field.text() == "Hello brave "
    assert len(win.drafting.ghosts.get(chart).notes) == len(beats)


def test_alt_down_opens_a_drop_down_instead_of_shifting_the_notes(opened, qtbot, qtlog):
    win = opened
    s = win.session
    s.select(list(s.chart.notes[:3]))
    before = list(s.chart.notes)
    combo = next(c for c in win.charts_panel.findChildren(QComboBox) if c.isVisibleTo(win.charts_panel))
    focus(qtbot, win, win.charts_panel, combo)
    seen = fired(win)
    with qtlog.disabled():  # the offscreen platform cannot grab the keyboard for the list, and says so
        qtbot.keyClick(combo, Qt.Key.Key_Down, ALT)
        assert combo.view().isVisible()
        combo.hidePopup()
    assert list(s.chart.notes) == before
    assert "edit.shift_down" not in seen


def test_copy_paste_and_select_all_in_the_timing_table_leave_the_notes_alone(opened, qtbot):
    win = opened
    s = win.session
    s.select(list(s.chart.notes[:2]))
    win.transforms.copy()
    chosen, before = set(s.selection), list(s.chart.notes)
    table = win.timing_panel.table
    focus(qtbot, win, win.timing_panel, table)
    seen = fired(win)
    for key in (Qt.Key.Key_A, Qt.Key.Key_C, Qt.Key.Key_V, Qt.Key.Key_X):
        qtbot.keyClick(table, key, CTRL)
    assert not {"edit.select_all", "edit.copy", "edit.paste", "edit.cut"} & set(seen)
    assert set(s.selection) == chosen
    assert list(s.chart.notes) == before


def test_ctrl_z_in_a_number_box_is_the_box_s_and_ctrl_s_still_saves_from_a_panel(opened, qtbot):
    win = opened
    s = win.session
    win.editing.place(Fraction(30), 0, s.place_kind)
    steps = s.doc.history.undo_stack_names()
    box = win.properties_panel.offset
    focus(qtbot, win, win.properties_panel, box)
    seen = fired(win)
    qtbot.keyClick(box, Qt.Key.Key_Z, CTRL)
    assert "edit.undo" not in seen
    assert s.doc.history.undo_stack_names() == steps
    field = win.properties_panel.edits["title"]
    focus(qtbot, win, win.properties_panel, field)
    qtbot.keyClick(field, Qt.Key.Key_S, CTRL)
    qtbot.keyClick(field, Qt.Key.Key_G, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert "file.save" in seen
    assert "view.spectrogram" in seen


def test_the_notefield_keeps_the_chart_keys(opened, qtbot):
    win = opened
    s = win.session
    win.timeline.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is win.timeline, timeout=3000)
    seen = fired(win)
    qtbot.keyClick(win.timeline, Qt.Key.Key_A, CTRL)
    assert "edit.select_all" in seen
    assert len(s.selection) == len(s.chart.notes)

"""Every key with a text meaning stays in a panel's text field: Ctrl+Shift+V typed in the Song title pasted the
copied notes into the chart, and Alt+T (to tap) or Alt+H (to hold) typed there changed the selected notes. The menu
bar's own Alt keys still open their menus from a text field."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from chart.notes import NoteKind

pytestmark = pytest.mark.qt
CTRL, ALT, SHIFT = (Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier,
                    Qt.KeyboardModifier.ShiftModifier)


def title_field(qtbot, win):
    field = win.properties_panel.edits["title"]
    win.panels.setCurrentWidget(win.properties_panel)
    field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field, timeout=3000)
    return field


def fired(win) -> list[str]:
    seen: list[str] = []
    for aid, action in win.actions.actions.items():
        action.triggered.connect(lambda _=False, aid=aid: seen.append(aid))
    return seen


def test_ctrl_shift_v_in_a_text_field_pastes_no_notes(opened, qtbot):
    win = opened
    s = win.session
    s.select([n for n in s.chart.notes if n.beat < 2])
    win.transforms.copy()
    win.seek(float(s.timing().beat_to_seconds(Fraction(10))))
    field = title_field(qtbot, win)
    before, steps = list(s.chart.notes), s.doc.history.undo_stack_names()
    seen = fired(win)
    qtbot.keyClick(field, Qt.Key.Key_V, CTRL | SHIFT)
    assert not [aid for aid in seen if aid.startswith("edit.paste")]
    assert list(s.chart.notes) == before
    assert s.doc.history.undo_stack_names() == steps


def test_alt_letters_typed_in_a_text_field_leave_the_notes_alone(opened, qtbot):
    win = opened
    s = win.session
    taps = [n for n in s.chart.notes if n.kind == NoteKind.TAP]
    s.select(taps)
    before = list(s.chart.notes)
    field = title_field(qtbot, win)
    seen = fired(win)
    for key in (Qt.Key.Key_H, Qt.Key.Key_R, Qt.Key.Key_M, Qt.Key.Key_T, Qt.Key.Key_Q):
        qtbot.keyClick(field, key, ALT)
    assert not {"edit.to_hold", "edit.to_roll", "edit.to_mine", "edit.to_tap", "edit.quantize"} & set(seen)
    assert list(s.chart.notes) == before


def test_a_menu_s_alt_key_still_opens_it_from_a_text_field(opened, qtbot, qtlog):
    win = opened
    field = title_field(qtbot, win)
    menus = {a.text().replace("&", ""): a.menu() for a in win.menuBar().actions()}
    file_menu = menus["File"]
    with qtlog.disabled():  # the offscreen platform cannot grab the keyboard for the menu, and says so
        qtbot.keyClick(field, Qt.Key.Key_F, ALT)
        qtbot.waitUntil(file_menu.isVisible, timeout=3000)
        file_menu.hide()


def test_ctrl_keys_without_a_text_meaning_still_reach_the_chart(opened, qtbot):
    win = opened
    field = title_field(qtbot, win)
    seen = fired(win)
    qtbot.keyClick(field, Qt.Key.Key_G, CTRL | SHIFT)
    assert "view.spectrogram" in seen

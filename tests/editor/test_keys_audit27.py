"""Keyboard findings of audit 27: a minimap click gives the keys to the notefield, Return goes to a Timing row,
Escape leaves the toolbar's lists, a user key on a menu's Alt letter is reported, the keypad's Enter accepts
drafts, Suggest Arrows' status tip names the variant keys as remapped, and a lane key held to draw a hold is named
as what ends it (not "the drag")."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from editor.actions import effective_keymap
from tests.editor.keymap_window import window_with_keymap

pytestmark = pytest.mark.qt
KEYPAD = Qt.KeyboardModifier.KeypadModifier


def focus_on(qtbot, widget) -> None:
    widget.window().activateWindow()
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=3000)


def test_a_minimap_click_gives_the_keys_to_the_notefield(opened, qtbot):
    """Seeking with the minimap left the focus in the Song title field: Space then typed into the title."""
    win = opened
    win.panels.setCurrentWidget(win.properties_panel)
    title = win.properties_panel.edits["title"]
    focus_on(qtbot, title)
    before = win.timeline.cursor_s
    minimap = win.minimap
    qtbot.mouseClick(minimap, Qt.MouseButton.LeftButton, pos=QPoint(minimap.width() // 2, minimap.height() // 2))
    assert win.timeline.cursor_s != before
    assert QApplication.focusWidget() is win.timeline
    text = title.text()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert title.text() == text
    assert win.playback.playing


def test_return_or_enter_on_a_timing_row_moves_the_cursor_to_it(opened, qtbot):
    """Only a double-click on a row's kind went to it; Return and the keypad's Enter did nothing."""
    win = opened
    panel = win.timing_panel
    win.jump_to(None, Fraction(8))
    assert panel.add_at_cursor("stops")
    win.panels.setCurrentWidget(panel)
    table = panel.table
    row = next(r for r in range(table.rowCount()) if table.item(r, 1).text().startswith("Stop"))
    for key, mods in ((Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier), (Qt.Key.Key_Enter, KEYPAD)):
        win.jump_to(None, Fraction(0))
        focus_on(qtbot, table)
        table.setCurrentCell(row, 0)  # the beat column: Return goes there too (it is edited with F2)
        qtbot.keyClick(table, key, mods)
        assert win.timeline.cursor_beat() == 8
        assert table.state() != table.State.EditingState


def test_escape_in_a_toolbar_list_goes_back_to_the_notefield(opened, qtbot):
    """The panels' drop-downs gave the focus back on Escape, the toolbar's lists kept it: the next 1 placed nothing."""
    win = opened
    for combo in (win.snap_combo, win.kind_combo, win.chart_combo, win.compare_combo):
        focus_on(qtbot, combo)
        qtbot.keyClick(combo, Qt.Key.Key_Escape)
        assert QApplication.focusWidget() is win.timeline, combo.accessibleName()


def test_a_user_key_on_a_menus_alt_letter_is_reported(qapp, tmp_path):
    """{"edit.to_fake": "Alt+F"} took the File menu's key without a word (a clash with an action was reported)."""
    path = tmp_path / "keymap.json"
    path.write_text(json.dumps({"edit.to_fake": "Alt+F"}))
    keymap, warning = effective_keymap(path)
    assert keymap["edit.to_fake"] == "Alt+F"
    assert warning is not None
    assert "Alt+F now does Convert to Fakes, so the File menu opens with Alt+I" in warning
    assert "Timing menu opens with Alt+N" in warning  # File took Timing's I: it moved on too
    path.write_text(json.dumps({"edit.to_fake": "Alt+K", "edit.to_tap": ""}))  # no menu's key; Timing gets T back
    assert effective_keymap(path)[1] is None


def test_the_user_menu_letter_takes_the_menu_and_the_dialog_says_so(qtbot, settings, boxes):
    with window_with_keymap(qtbot, settings, {"edit.to_fake": "Alt+F"}) as win:
        qtbot.waitUntil(lambda: any(kind == "warning" for kind, *_ in boxes), timeout=3000)
        assert any("File menu opens with Alt+I" in text for _kind, _title, text in boxes)
        assert "F&ile" in [a.text() for a in win.menuBar().actions()]


def test_the_keypad_enter_accepts_drafts_as_return_does(opened, qtbot):
    win = opened
    fired: list[str] = []
    for aid in ("ai.accept", "ai.accept_all"):
        win.actions[aid].triggered.connect(lambda _=False, a=aid: fired.append(a))
    focus_on(qtbot, win.timeline)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Enter, KEYPAD)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Enter, KEYPAD | Qt.KeyboardModifier.ControlModifier)
    assert fired == ["ai.accept", "ai.accept_all"]
    win.actions["ai.accept"].setShortcut("A")  # remapped: the keypad's Enter follows Return, not the action
    fired.clear()
    qtbot.keyClick(win.timeline, Qt.Key.Key_Enter, KEYPAD)
    assert fired == []


def test_suggest_arrows_status_tip_names_the_variant_keys_as_remapped(opened):
    win = opened
    arrows = win.actions["ai.arrows"]
    assert arrows.statusTip().endswith("(variants: [ and ])")
    win.actions["ai.prev_variant"].setShortcut("Ctrl+,")
    win.actions["ai.next_variant"].setShortcut("Ctrl+.")
    assert arrows.statusTip().endswith("(variants: Ctrl+, and Ctrl+.)")
    assert "[" not in arrows.statusTip()


def test_a_held_lane_key_is_named_as_what_ends_the_hold_not_a_drag(opened, qtbot):
    """While key 1 drew a hold, Ctrl+Z said "finish the drag first" and T "finish or abort the drag"."""
    win = opened
    s, tl = win.session, win.timeline
    lines: list[str] = []
    s.status.connect(lines.append)
    s.set_divisor(4)
    win.jump_to(None, Fraction(10))  # Beginner: lane 0 is free from beat 6 on
    focus_on(qtbot, tl)
    qtbot.keyClick(tl, Qt.Key.Key_2)  # something to undo (Undo is greyed out without)
    qtbot.keyPress(tl, Qt.Key.Key_1)
    qtbot.keyClick(tl, Qt.Key.Key_Down)
    assert s.doc.history.in_stroke
    qtbot.keyClick(tl, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert lines[-1] == "Undo: release the lane key first"
    qtbot.keyClick(tl, Qt.Key.Key_T)
    assert lines[-1] == "Mirror: release the lane key first"
    qtbot.keyRelease(tl, Qt.Key.Key_1)
    assert not s.doc.history.in_stroke
    assert s.doc.history.undo_stack_names()[-1] == "Add hold"

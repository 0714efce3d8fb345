"""The editor from the keyboard alone: the F keys work wherever the focus is (F1 from a panel field listed nothing,
F6 switched no chart), the History panel undoes to a step on Return, Enter or Space and its arrows only choose,
Space on a panel's check box keeps the focus there (a click still hands it to the notefield), and Tab walks the
window in its on-screen order."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QWidget

from editor.panels.history import CURRENT_MARK

pytestmark = pytest.mark.qt
K = Qt.Key


def fired(win) -> list[str]:
    seen: list[str] = []
    for aid, action in win.actions.actions.items():
        action.triggered.connect(lambda _=False, aid=aid: seen.append(aid))
    return seen


def focus(qtbot, widget: QWidget) -> None:
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=3000)


def test_function_keys_work_from_a_panel_field_list_tab_bar_and_toolbar_list(opened, qtbot):
    win = opened
    win.panels.setCurrentWidget(win.properties_panel)
    places = (win.properties_panel.edits["title"], win.verify_panel.list, win.panels.tabBar(), win.snap_combo)
    for widget in places:
        focus(qtbot, widget)
        seen = fired(win)
        qtbot.keyClick(widget, K.Key_F8)  # BPM at cursor +0.01
        assert seen[-1:] == ["timing.bpm_up"], widget
    first = win.session.chart
    focus(qtbot, win.verify_panel.list)
    notes = list(first.notes)
    qtbot.keyClick(win.verify_panel.list, K.Key_3)  # a lane key is still the notefield's alone
    assert list(first.notes) == notes
    qtbot.keyClick(win.verify_panel.list, K.Key_F6)
    assert win.session.chart is not first


def test_an_f_key_typed_in_a_field_commits_the_field_first(opened, qtbot):
    win = opened
    panel = win.charts_panel
    win.panels.setCurrentWidget(panel)
    first = win.session.chart
    focus(qtbot, panel.description)
    qtbot.keyClicks(panel.description, "Typed")
    qtbot.keyClick(panel.description, K.Key_F6)  # the next chart: its description replaces the field's text
    assert win.session.chart is not first
    assert first.description == "Typed"


def test_history_jumps_on_return_enter_and_space_and_marks_the_current_state(opened, qtbot):
    win = opened
    s = win.session
    for beat in (10, 11, 12):
        win.editing.place(Fraction(beat), 0, s.place_kind)
    win.lower_panels.setCurrentWidget(win.history_panel)
    steps = win.history_panel.list
    focus(qtbot, steps)
    marked = lambda: [r for r in range(steps.count()) if steps.item(r).text().startswith(CURRENT_MARK)]  # noqa: E731
    assert marked() == [3]
    qtbot.keyClick(steps, K.Key_Up)  # the highlight moves, nothing is undone, the mark stays
    qtbot.keyClick(steps, K.Key_Up)
    assert steps.currentRow() == 1
    assert len(s.doc.history.undo_stack_names()) == 3
    assert marked() == [3]
    qtbot.keyClick(steps, K.Key_Return)
    assert len(s.doc.history.undo_stack_names()) == 1
    assert marked() == [1]
    qtbot.keyClick(steps, K.Key_Down)
    qtbot.keyClick(steps, K.Key_Enter)
    assert len(s.doc.history.undo_stack_names()) == 2
    qtbot.keyClick(steps, K.Key_Home)
    qtbot.keyClick(steps, K.Key_Space)
    assert s.doc.history.undo_stack_names() == []
    assert marked() == [0]
    qtbot.keyClick(steps, K.Key_End)  # chosen but not taken: leaving the list puts the highlight back
    win.timeline.setFocus()
    qtbot.waitUntil(lambda: steps.currentRow() == 0, timeout=3000)


def test_space_on_a_panel_check_box_keeps_the_focus_and_a_click_hands_it_back(opened, qtbot):
    win = opened
    ai = win.ai_panel
    win.panels.setCurrentIndex(0)
    boxes = [b for b in ai.findChildren(QCheckBox) if b.text() in ("Beginner", "Easy")]
    focus(qtbot, boxes[0])
    qtbot.keyClick(boxes[0], K.Key_Space)
    assert boxes[0].isChecked()
    assert QApplication.focusWidget() is boxes[0]
    qtbot.keyClick(boxes[0], K.Key_Tab)  # on to the next control, not back to the notefield
    assert QApplication.focusWidget() is not win.timeline
    qtbot.mouseClick(boxes[1], Qt.MouseButton.LeftButton, pos=QPoint(6, boxes[1].height() // 2))
    assert boxes[1].isChecked()
    assert QApplication.focusWidget() is win.timeline


def area_of(win, widget: QWidget) -> str:
    for name, root in (("toolbar", win.toolbar), ("notefield", win.centralWidget()), ("upper", win.panels),
                       ("lower", win.lower_panels)):
        if widget is root or root.isAncestorOf(widget):
            return name
    return "other"


@pytest.mark.parametrize("key", [K.Key_Tab, K.Key_Backtab])
def test_tab_walks_toolbar_notefield_upper_panel_lower_panel(opened, qtbot, key):
    win = opened
    win.timeline.setFocus()
    areas: list[str] = []
    for _ in range(200):
        qtbot.keyClick(QApplication.focusWidget(), key)
        widget = QApplication.focusWidget()
        if not areas or areas[-1] != area_of(win, widget):
            areas.append(area_of(win, widget))
        if widget is win.timeline:
            break
    order = ["upper", "lower", "toolbar", "notefield"]
    assert areas == (order if key == K.Key_Tab else [*order[2::-1], "notefield"])

"""What a screen reader says for the window's controls, and the notefield's focus frame.

Every visible control of every panel page has a name of its own: its accessible name, a buddy label's text or (a
button, a check box) its text. The notefield, the Offset box, the Verify/History/Charts lists and the Timing table
had none; the toolbar's lists were read by their value alone; the AI panel's five NPS boxes and its Seed box were
all "Draft difficulties (target notes per second)". The notefield shows whether it has the keyboard focus."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSlider,
    QTabBar,
    QWidget,
)

pytestmark = pytest.mark.qt
INPUTS = (QAbstractSpinBox, QLineEdit, QComboBox, QAbstractItemView, QSlider, QAbstractButton)


def spoken(win, widget: QWidget) -> str:
    """The widget's accessible name, else its buddy label's text, else (a button) its own text."""
    if widget.accessibleName():
        return widget.accessibleName()
    labels = [label.text() for label in win.findChildren(QLabel) if label.buddy() is widget]
    if labels:
        return labels[0].replace("&", "").strip()
    return widget.text().replace("&", "").strip() if isinstance(widget, QAbstractButton) else ""


def visible_inputs(win) -> list[QWidget]:
    out: list[QWidget] = [win.timeline]
    for widget in win.findChildren(QWidget):
        if not widget.isVisible() or not isinstance(widget, INPUTS) or isinstance(widget, QHeaderView):
            continue
        if widget.objectName().startswith("qt_") or isinstance(widget.parentWidget(), (QAbstractSpinBox, QComboBox)):
            continue  # Qt's own parts (a dock's float button, a table's corner, a box's text field)
        if widget.window() is not win:
            continue  # a drop-down's list
        out.append(widget)
    return out


def test_every_visible_control_on_every_panel_page_has_a_name_of_its_own(opened, qtbot):
    win = opened
    checked = 0
    for tabs in (win.panels, win.lower_panels):
        for i in range(tabs.count()):
            tabs.setCurrentIndex(i)
            qtbot.wait(1)
            names = {w: spoken(win, w) for w in visible_inputs(win)}
            unnamed = [type(w).__name__ for w, name in names.items() if not any(ch.isalnum() for ch in name)]
            assert unnamed == [], tabs.tabText(i)
            same = [name for name, n in Counter(names.values()).items() if n > 1]
            assert same == [], tabs.tabText(i)
            checked += len(names)
    assert checked > 100
    assert spoken(win, win.timeline) == "Notefield"
    assert spoken(win, win.snap_combo) == "Snap"  # not "1/16"
    assert {spoken(win, box) for box in win.ai_panel.nps.values()} | {spoken(win, win.ai_panel.seed)} == {
        "Beginner target notes per second", "Easy target notes per second", "Medium target notes per second",
        "Hard target notes per second", "Challenge target notes per second", "Seed"}


def tab_stops(win) -> list[QWidget]:
    """Every visible widget of the window that Tab can land on (Qt's own parts of a box left out)."""
    out = []
    for widget in win.findChildren(QWidget):
        if not widget.isVisible() or widget.window() is not win or widget.focusProxy() is not None:
            continue
        if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            continue
        if isinstance(widget.parentWidget(), (QAbstractSpinBox, QComboBox)):
            continue  # a box's text field: the box is named
        out.append(widget)
    return out


def test_every_tab_stop_has_a_name_and_the_minimap_and_notefield_say_what_they_are(opened, qtbot):
    """Test Play's offset histogram was an unnamed Tab stop that did nothing with keys; the minimap had no name
    and the notefield no description. A tab bar is read by its tabs' texts."""
    win = opened
    for tabs in (win.panels, win.lower_panels):
        for i in range(tabs.count()):
            tabs.setCurrentIndex(i)
            qtbot.wait(1)
            stops = tab_stops(win)
            assert win.timeline in stops
            unnamed = [type(w).__name__ for w in stops if not any(ch.isalnum() for ch in spoken(win, w))
                       and not (isinstance(w, QTabBar) and all(w.tabText(k) for k in range(w.count())))]
            assert unnamed == [], tabs.tabText(i)
    assert not win.test_play_panel.histogram.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert win.minimap.accessibleName() == "Density minimap"
    assert win.minimap.accessibleDescription() or win.minimap.toolTip()
    assert win.timeline.accessibleDescription()


def test_toolbar_labels_are_their_lists_buddies(opened):
    win = opened
    buddies = {label.text().strip(): label.buddy() for label in win.toolbar.findChildren(QLabel)}
    assert buddies["Snap"] is win.snap_combo
    assert buddies["Note"] is win.kind_combo
    assert buddies["Chart"] is win.chart_combo
    assert buddies["Compare"] is win.compare_combo
    assert win.properties_panel.offset_label.buddy() is win.properties_panel.offset


def grab(widget) -> QImage:
    return widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def test_the_notefield_is_framed_while_it_has_the_focus_and_only_the_frame_repaints(opened, qtbot):
    from PySide6.QtCore import QEvent, QObject

    from editor.colors import contrast
    from editor.timeline.focus_frame import FRAME_PX, NOTEFIELD_BACKGROUND, frame_color

    win = opened
    timeline = win.timeline
    qtbot.waitUntil(timeline.hasFocus, timeout=3000)
    color = frame_color(timeline.palette())
    for palette in (QPalette(QColor("white")), QPalette(QColor(30, 30, 30))):  # a light and a dark palette
        assert contrast(frame_color(palette), NOTEFIELD_BACKGROUND) >= 3.0
    focused = grab(timeline)
    middle = timeline.height() // 2
    assert QColor(focused.pixel(0, middle)) == color
    assert QColor(focused.pixel(FRAME_PX - 1, middle)) == color

    class Regions(QObject):
        def __init__(self):
            super().__init__()
            self.seen = []

        def eventFilter(self, _obj, ev):  # noqa: N802
            if ev.type() == QEvent.Type.Paint:
                self.seen.append(ev.region())
            return False

    regions = Regions()
    timeline.viewport().installEventFilter(regions)
    win.verify_panel.list.setFocus()
    qtbot.waitUntil(lambda: not timeline.hasFocus(), timeout=3000)
    qtbot.waitUntil(lambda: bool(regions.seen), timeout=3000)
    timeline.viewport().removeEventFilter(regions)
    centre = timeline.viewport().rect().center()
    assert not any(region.contains(centre) for region in regions.seen)  # the strip, not the whole scene
    unfocused = grab(timeline)
    assert QColor(unfocused.pixel(0, middle)) != color
    assert QApplication.focusWidget() is win.verify_panel.list

"""Panels leave the keyboard to the notefield (a clicked button kept it, and Space pressed it again), number boxes
ignore a wheel that scrolls the panel, and the Song panel's offset moves by the millisecond."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QCheckBox, QPushButton

pytestmark = pytest.mark.qt


def seek_beat(win, beat) -> None:
    win.seek(float(win.session.timing().beat_to_seconds(Fraction(beat))))


def click(qtbot, widget) -> None:
    """A left click near the widget's left edge (a check box's box; a button anywhere)."""
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(6, widget.height() // 2))


def press_space(qtbot) -> None:
    """Space where the keyboard focus is, as the designer's next key press lands."""
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)


def wheel(widget, notches: int) -> None:
    p = QPointF(widget.width() / 2, widget.height() / 2)
    QApplication.sendEvent(widget, QWheelEvent(p, widget.mapToGlobal(p), QPoint(0, 0), QPoint(0, 120 * notches),
                                               Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                                               Qt.ScrollPhase.NoScrollPhase, False))


def test_space_after_a_timing_button_plays_instead_of_adding_another_stop(fake, qtbot):
    win, _clock = fake
    win.panels.setCurrentWidget(win.timing_panel)
    button = next(b for b in win.timing_panel.findChildren(QPushButton) if b.text() == "+ Stop at cursor")
    seek_beat(win, 4)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert [b for b, _ in win.session.timing().stops] == [4]
    assert QApplication.focusWidget() is win.timeline
    win.timeline.step_cursor(2)  # the wheel over the notefield moves the cursor without taking the focus
    press_space(qtbot)
    assert win.playback.playing
    assert [b for b, _ in win.session.timing().stops] == [4]  # Space pressed the button again: a stop at 4 1/8


def test_space_after_charts_add_plays_instead_of_adding_a_chart(fake, qtbot):
    win, _clock = fake
    win.panels.setCurrentWidget(win.charts_panel)
    n = len(win.session.doc.song.charts)
    qtbot.mouseClick(win.charts_panel.add_button, Qt.MouseButton.LeftButton)
    press_space(qtbot)
    assert len(win.session.doc.song.charts) == n + 1
    assert win.playback.playing


def test_every_panel_hands_the_keys_back_check_boxes_and_other_engineers_panels_too(opened, qtbot):
    win = opened
    win.panels.setCurrentWidget(win.timing_panel)
    click(qtbot, win.timing_panel.keep_in_time)
    assert win.session.keep_notes_in_time
    assert QApplication.focusWidget() is win.timeline  # Space would have unticked it
    win.panels.setCurrentWidget(win.playback_panel)
    click(qtbot, win.playback_panel.keep_pitch)
    assert QApplication.focusWidget() is win.timeline
    win.lower_panels.setCurrentWidget(win.verify_panel)
    qtbot.mouseClick(win.verify_panel.run_button, Qt.MouseButton.LeftButton)
    assert QApplication.focusWidget() is win.timeline


def test_a_field_being_typed_in_still_commits_before_the_button_acts(opened, qtbot):
    win = opened
    panel = win.charts_panel
    win.panels.setCurrentWidget(panel)
    source = win.session.chart
    qtbot.mouseClick(panel.description, Qt.MouseButton.LeftButton)
    panel.description.setText("Typed")
    qtbot.mouseClick(panel.dup_button, Qt.MouseButton.LeftButton)
    assert source.description == "Typed"  # committed when the click took the focus, before the copy was made
    assert win.session.chart.description == "Typed copy"
    assert QApplication.focusWidget() is win.timeline


def test_a_panel_list_hands_the_keys_back_after_a_mouse_pick_and_keeps_them_for_keyboard_picks(opened, qtbot,
                                                                                               qtlog):
    win = opened
    combo = win.timing_panel.segment_combo
    win.panels.setCurrentWidget(win.timing_panel)
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # a pick by keyboard: the next segment kind, and the list keeps the keys
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentIndex() == 2
    assert QApplication.focusWidget() is combo
    with qtlog.disabled():  # the offscreen platform cannot grab the keyboard for the list, and says so
        combo.showPopup()
        view = combo.view()
        qtbot.waitUntil(view.isVisible)
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                         pos=view.visualRect(view.model().index(1, 0)).center())
    assert combo.currentIndex() == 1
    assert QApplication.focusWidget() is win.timeline


def test_offset_box_steps_one_millisecond_and_preview_start_a_tenth(opened, qtbot):
    win = opened
    panel = win.properties_panel
    win.panels.setCurrentWidget(panel)
    before = win.session.timing().offset
    panel.offset.setFocus()
    qtbot.keyClick(panel.offset, Qt.Key.Key_Up)
    assert win.session.timing().offset == before + Fraction(1, 1000)
    qtbot.keyClick(panel.offset, Qt.Key.Key_Up)
    assert win.session.timing().offset == before + Fraction(2, 1000)
    assert win.session.doc.history.undo_stack_names()[-1] == "Change offset"
    assert panel.sample_start.singleStep() == pytest.approx(0.1)


def test_offset_keeps_the_six_places_stepmania_writes(opened):
    from chart.commands import SetTiming

    win = opened
    timing = win.session.timing()
    win.session.push(SetTiming(timing.with_changes(offset=Fraction("0.123456"))))
    win.properties_panel.offset.stepBy(1)
    assert win.session.timing().offset == Fraction("0.124456")


def test_a_wheel_over_a_number_box_without_focus_leaves_its_value(opened, qtbot):
    win = opened
    panel = win.properties_panel
    win.panels.setCurrentWidget(panel)
    win.timeline.setFocus()
    before = win.session.timing().offset
    wheel(panel.offset, 1)
    wheel(panel.sample_start, 1)
    assert win.session.timing().offset == before
    assert win.session.doc.song.sample_start == 0
    panel.offset.setFocus()  # clicked into: the wheel is the box's
    wheel(panel.offset, 1)
    assert win.session.timing().offset == before + Fraction(1, 1000)


def test_the_mechanism_covers_widgets_it_is_given(qtbot, qtlog):
    """Buttons, check boxes and lists anywhere under the root; the focus the work moved out of it stays there."""
    from PySide6.QtWidgets import QComboBox, QLineEdit, QVBoxLayout, QWidget

    from editor.panels.focus import return_keys_to_notefield

    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    root, notefield, elsewhere = QWidget(), QLineEdit(), QLineEdit()
    inner = QVBoxLayout(root)
    button, box, combo, away = QPushButton("x"), QCheckBox("y"), QComboBox(), QPushButton("to the other field")
    combo.addItems(["a", "b"])
    away.clicked.connect(elsewhere.setFocus)  # its work puts the focus out of the panels, as a dialog does
    for w in (button, box, combo, away):
        inner.addWidget(w)
    for w in (root, notefield, elsewhere):
        layout.addWidget(w)
    return_keys_to_notefield(root, notefield)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    for widget in (button, box):
        widget.setFocus()
        assert widget.hasFocus()
        click(qtbot, widget)
        assert notefield.hasFocus()
    combo.setFocus()
    with qtlog.disabled():  # the offscreen platform cannot grab the keyboard for the list, and says so
        qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)  # a mouse pick: a click on the list, then an item ...
        combo.hidePopup()
    combo.activated.emit(1)  # ... whose release emits this
    assert notefield.hasFocus()
    away.setFocus()
    click(qtbot, away)
    assert elsewhere.hasFocus()


def test_the_wheel_still_scrolls_the_panels_and_their_lists(opened, qtbot):
    win = opened
    scroll = win.panels.widget(0)  # the AI panel, in its scroll area
    win.panels.setCurrentWidget(scroll)
    win.resize(1280, 500)
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() > 0)
    bar = scroll.verticalScrollBar()
    wheel(scroll.viewport(), -1)
    assert bar.value() > 0
    wheel(bar, 1)
    assert bar.value() == 0


def test_a_click_on_a_scrolling_panel_s_empty_space_leaves_the_keys_to_the_notefield(opened, qtbot):
    """Playback, Stats, AI and Test Play sit in scroll areas: their wrapper took the focus on a click nothing else
    took, and the chart keys then did nothing until the notefield was clicked again."""
    from PySide6.QtWidgets import QScrollArea

    win = opened
    win.show()
    scrolls = [tabs.widget(i) for tabs in (win.panels, win.lower_panels) for i in range(tabs.count())
               if isinstance(tabs.widget(i), QScrollArea)]
    assert len(scrolls) >= 4
    for scroll in scrolls:
        tabs = win.panels if win.panels.indexOf(scroll) >= 0 else win.lower_panels
        tabs.setCurrentWidget(scroll)
        win.timeline.setFocus()
        viewport = scroll.viewport()
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=QPoint(viewport.width() - 3, viewport.height() - 3))
        assert QApplication.focusWidget() is not scroll, tabs.tabText(tabs.indexOf(scroll))

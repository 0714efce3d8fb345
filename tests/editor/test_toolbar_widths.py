"""The toolbar's Snap, Chart and Compare lists follow their contents: they once kept the width of the blank song
they were first shown with, so chart names, long Edit names and custom snaps were cut with room to spare."""

from __future__ import annotations

from PySide6.QtWidgets import QStyle, QStyleOptionComboBox


def _room(combo) -> int:
    opt = QStyleOptionComboBox()
    combo.initStyleOption(opt)
    return combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                        QStyle.SubControl.SC_ComboBoxEditField, combo).width()


def test_lists_grow_to_a_long_chart_name_and_a_custom_snap(opened, qtbot):
    from editor.toolbar import refresh_chart_combo, set_custom_snap

    win = opened
    win.resize(1280, 700)
    win.session.chart.description = "longer name"
    refresh_chart_combo(win)
    set_custom_snap(win, 7)
    qtbot.wait(100)
    for combo in (win.snap_combo, win.chart_combo):
        assert combo.fontMetrics().horizontalAdvance(combo.currentText()) <= _room(combo), combo.currentText()
    assert win.chart_combo.itemData(0, 3) == win.chart_combo.itemText(0)  # the full text as the item's tooltip

"""Widgets that showed less than they hold: the Sample Index and Volume dialog opened squashed (its spin boxes
flattened, the help text under the buttons), the toolbar's Chart list cut a long entry with no "…" (its note
count looked whole), the Pause button was an empty box where the font has no U+23F8, and the AI panel scrolled
sideways at a 1.5x or 2x scale."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox


def test_the_sample_index_dialog_opens_tall_enough_for_its_wrapped_help(qtbot):
    from editor.dialogs.hitsound_custom import HitsoundCustomDialog

    dialog = HitsoundCustomDialog(None, "the 16 selected notes", 0, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.height() >= dialog.layout().totalHeightForWidth(dialog.width())
    for spin in (dialog.index, dialog.volume):
        assert spin.height() >= spin.sizeHint().height()


def test_a_long_chart_entry_is_shown_with_an_ellipsis(opened, qtbot):
    """The Chart list draws exactly what a plain list of its size shows for the elided text, and keeps the whole
    text in the item and its tooltip."""
    from editor.toolbar import refresh_chart_combo

    win = opened
    win.session.chart.description = "7K Hard) · kb7-single · and a long name (more"
    refresh_chart_combo(win)
    combo = win.chart_combo
    qtbot.wait(50)
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    room = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                        QStyle.SubControl.SC_ComboBoxEditField, combo).width()
    whole = combo.currentText()
    shown = combo.fontMetrics().elidedText(whole, Qt.TextElideMode.ElideRight, room)
    assert shown.endswith("…"), (shown, room)
    assert len(shown) > 10
    assert combo.itemData(combo.currentIndex(), Qt.ItemDataRole.ToolTipRole) == whole
    plain = QComboBox()
    qtbot.addWidget(plain)
    plain.setFixedSize(combo.size())
    plain.addItem(shown)
    plain.show()
    qtbot.waitExposed(plain)
    drawn, expected = (w.grab().toImage().convertToFormat(QImage.Format.Format_RGB32) for w in (combo, plain))
    assert drawn == expected


def test_the_pause_button_draws_with_the_styles_icon(opened, qtbot):
    win = opened
    button = win.toolbar.widgetForAction(win.play_button)
    for playing in (True, False):
        win.playback.state_changed.emit(playing)
        text = win.play_button.text()
        assert all(button.fontMetrics().inFontUcs4(ord(c)) for c in text), text
        assert not win.play_button.icon().isNull()
        assert ("Pause" if playing else "Play") in text


def test_the_ai_panel_fits_the_panel_column_of_a_2x_scaled_window(opened):
    """At QT_SCALE_FACTOR=2 (and 1.5) a 1280x860 window gives the panels 415 (422) logical px, 397 (404) inside
    the AI tab's scroll area; the panel asked for 411 (an unwrapped legend, and two NPS boxes per row as wide as
    "model default"), so it scrolled sideways with its right side cut. Logical sizes do not scale: the bound
    holds at any factor."""
    panel = opened.ai_panel
    assert panel.minimumSizeHint().width() <= 397
    spin = next(iter(panel.nps.values()))
    spin.setValue(20.0)
    assert spin.minimumWidth() >= spin.fontMetrics().horizontalAdvance("20.00")  # the numbers are never cut

"""Help > Keyboard Shortcuts (F1) with a long keymap path: the path line wraps and the dialog fits the screen
(it once grew as wide as the unwrapped path, past a 1280 px screen at a 15 pt font)."""

from __future__ import annotations

from pathlib import Path


def test_a_long_keymap_path_wraps_and_the_dialog_fits_the_screen(qtbot, monkeypatch):
    import editor.dialogs.keymap_help as keymap_help

    long_dir = Path("/home").joinpath(*(f"folder-number-{k}" for k in range(30)))
    monkeypatch.setattr(keymap_help, "app_data_dir", lambda: long_dir)
    dialog = keymap_help.KeymapDialog(None, [("Space", "Play / Pause")])
    qtbot.addWidget(dialog)
    dialog.show()
    area = dialog.screen().availableGeometry()
    assert dialog.minimumSizeHint().width() <= area.width()
    assert dialog.width() <= area.width()
    assert dialog.height() <= area.height()


def test_the_shortcut_table_cannot_be_typed_into(qtbot):
    """A key typed on a row overwrote the shortcut shown ('m' for Mirror Lanes while T still mirrors); the table
    is read-only, and Tab still leaves it (audit 24)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QTableWidget

    from editor.dialogs.keymap_help import KeymapDialog

    dialog = KeymapDialog(None, [("T", "Mirror Lanes"), ("Space", "Play / Pause")])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.findChild(QTableWidget)
    table.setCurrentCell(0, 0)
    table.setFocus()
    for key in (Qt.Key.Key_M, Qt.Key.Key_F2):  # a typed key, the edit key
        qtbot.keyClick(table, key)
        assert table.state() != QTableWidget.State.EditingState
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualItemRect(table.item(0, 0)).center())
    assert table.state() != QTableWidget.State.EditingState
    assert table.item(0, 0).text() == "T"
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not table

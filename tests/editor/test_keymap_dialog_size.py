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

"""KeymapDialog: every shortcut in effect, and where the keymap file lives."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from editor.settings import app_data_dir

ZERO_WIDTH_SPACE = "\u200b"


class KeymapDialog(QDialog):
    """A read-only table of (shortcut, action)."""

    def __init__(self, parent: QWidget | None, rows: list[tuple[str, str]]):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(self)
        path = str(app_data_dir() / "keymap.json").replace(os.sep, os.sep + ZERO_WIDTH_SPACE)  # breaks a long path
        where = QLabel(f"Remap keys in {path} (same shape as resources/keymap.json; restart to apply).")
        where.setWordWrap(True)  # unwrapped, a long path with a large font made the dialog wider than the screen
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(where)
        table = QTableWidget(len(rows), 2)
        table.setHorizontalHeaderLabels(["Shortcut", "Action"])
        table.setTabKeyNavigation(False)  # Tab goes on to Close; the arrows walk the cells
        # read-only: a key typed on a row overwrote the shortcut shown, which then was not the key in effect
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for r, (key, text) in enumerate(sorted(rows, key=lambda row: row[1])):
            table.setItem(r, 0, QTableWidgetItem(key))
            table.setItem(r, 1, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        fit_to_screen(self, 520, 640)


def fit_to_screen(dialog: QWidget, width: int, height: int) -> None:
    """Size ``dialog`` to ``width`` x ``height`` at most its screen's available area, and never larger than it."""
    screen = dialog.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        dialog.resize(width, height)
        return
    area = screen.availableGeometry()
    dialog.setMaximumSize(area.size())
    dialog.resize(min(width, area.width()), min(height, area.height()))

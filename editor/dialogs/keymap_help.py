"""KeymapDialog: every shortcut in effect, and where the keymap file lives."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from editor.settings import app_data_dir


class KeymapDialog(QDialog):
    """A read-only table of (shortcut, action)."""

    def __init__(self, parent: QWidget | None, rows: list[tuple[str, str]]):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(520, 640)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Remap keys in {app_data_dir() / 'keymap.json'} "
                                "(same shape as resources/keymap.json; restart to apply)."))
        table = QTableWidget(len(rows), 2)
        table.setHorizontalHeaderLabels(["Shortcut", "Action"])
        for r, (key, text) in enumerate(sorted(rows, key=lambda row: row[1])):
            table.setItem(r, 0, QTableWidgetItem(key))
            table.setItem(r, 1, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

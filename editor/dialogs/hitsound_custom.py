"""HitsoundCustomDialog: Edit > Hitsounds > Sample Index and Volume... — osu!'s custom sample index and volume of
the notes the tool acts on, each left as every note has it unless changed.

The dialog only reads; :class:`editor.controllers.hitsounds.HitsoundTool` makes the one undo step.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from chart.hitsound_edit import MAX_VOLUME

KEEP = -1  # a spin box at its minimum: each note keeps its own value
WIDTH = 420  # px
MAX_INDEX = 999  # osu! reads any int; sample files past a few dozen are never seen
HELP = ("Index 0 and volume 0 take the timing point's (osu!'s default); index 1 plays "
        "<tt>soft-hitwhistle.wav</tt>, 2 <tt>soft-hitwhistle2.wav</tt> ... from the song's folder.")


def _spin(maximum: int, value: int | None, suffix: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(KEEP, maximum)
    spin.setSpecialValueText("keep each note's")  # shown at KEEP, the minimum
    spin.setSuffix(suffix)
    spin.setValue(KEEP if value is None else value)
    return spin


class HitsoundCustomDialog(QDialog):
    """``index`` and ``volume``: the value the notes share, or None when they differ (the box shows "keep")."""

    def __init__(self, parent: QWidget | None, what: str, index: int | None, volume: int | None):
        super().__init__(parent)
        self.setWindowTitle("Sample Index and Volume")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Custom sample of {what}:"))
        form = QFormLayout()
        self.index = _spin(MAX_INDEX, index)
        self.volume = _spin(MAX_VOLUME, volume, " %")
        form.addRow("Sample &index:", self.index)
        form.addRow("&Volume:", self.volume)
        layout.addLayout(form)
        note = QLabel(HELP)
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        # As tall as the wrapped help text needs at this width: resize(420, 0) took the layout's minimum height,
        # worked out for the text wrapped at the narrowest width, and squashed the spin boxes under it.
        self.resize(WIDTH, self.heightForWidth(WIDTH))

    def values(self) -> tuple[int | None, int | None]:
        """(index, volume) to set; None for one left as each note has it."""
        index, volume = self.index.value(), self.volume.value()
        return (None if index == KEEP else index), (None if volume == KEEP else volume)

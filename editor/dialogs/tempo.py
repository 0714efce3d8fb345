"""TempoDialog: confirm the detected BPM and beat offset of a new song before charting on it.

Shows the detector's candidates (best first, with confidence), lets the designer halve/double the tempo, nudge
the offset, or type their own values. The result is the song's timing: one BPM, ``#OFFSET = -beat0_s``.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chart.notes import as_fraction
from chart.timing import TimingData


class TempoDialog(QDialog):
    """Pick or type the tempo of a song made from an audio file."""

    def __init__(self, parent: QWidget | None, candidates: list, audio_name: str):
        super().__init__(parent)
        self.setWindowTitle(f"Tempo of {audio_name}")
        self.candidates = list(candidates)
        layout = QVBoxLayout(self)
        text = ("Detected tempo candidates (best first). Check the BPM and the time of the first beat;\n"
                "everything you chart is placed on this grid." if self.candidates else
                "No steady tempo was found. Type the BPM and the time of the first beat.")
        layout.addWidget(QLabel(text))
        self.list = QListWidget()
        for c in self.candidates:
            self.list.addItem(f"{c.bpm:.3f} BPM, first beat at {c.offset_s * 1000:.1f} ms "
                              f"(confidence {c.confidence:.0%})")
        self.list.currentRowChanged.connect(self._pick)
        layout.addWidget(self.list)
        form = QFormLayout()
        self.bpm = QDoubleSpinBox()
        self.bpm.setRange(10.0, 1000.0)
        self.bpm.setDecimals(3)
        self.bpm.setValue(120.0)
        self.beat0_ms = QDoubleSpinBox()
        self.beat0_ms.setRange(-60000.0, 600000.0)
        self.beat0_ms.setDecimals(1)
        self.beat0_ms.setSuffix(" ms")
        bpm_row = QHBoxLayout()
        bpm_row.addWidget(self.bpm)
        for label, factor in (("÷2", 0.5), ("×2", 2.0)):
            button = QPushButton(label)
            button.clicked.connect(lambda _=False, f=factor: self.bpm.setValue(self.bpm.value() * f))
            bpm_row.addWidget(button)
        form.addRow("BPM", bpm_row)
        form.addRow("First beat at", self.beat0_ms)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if self.candidates:
            self.list.setCurrentRow(0)

    def _pick(self, row: int) -> None:
        if 0 <= row < len(self.candidates):
            c = self.candidates[row]
            self.bpm.setValue(round(c.bpm, 3))
            self.beat0_ms.setValue(round(c.offset_s * 1000.0, 1))

    def timing(self) -> TimingData:
        """The confirmed timing (StepMania ``#OFFSET`` is minus the first beat's time)."""
        bpm = as_fraction(f"{self.bpm.value():.3f}")
        beat0_s = as_fraction(f"{self.beat0_ms.value() / 1000.0:.4f}")
        return TimingData.constant(bpm, offset=-beat0_s)

"""TempoDialog: confirm the BPM and first beat of a song: a new song's (New Song from Audio) or the open song's
(Timing > Detect Tempo, Timing > Tap Tempo).

Shows the detector's candidates (best first, with confidence), lets the designer halve/double the tempo, nudge
the offset, type their own values, or tap the beat (:class:`~editor.dialogs.tap_tempo.TapPad`). The result is one
BPM and ``#OFFSET = -beat0_s``. For the open song (``current``) each candidate's first beat is the one of its grid
nearest the song's beat 0, so applying keeps the notes' beat numbers (a grid a whole number of beats away is the
same grid), and values left as shown keep the song's exact ones (the boxes round to 3 decimals). The BPM box takes
what the Timing panel takes (0.001 up to a billion): a 10-1000 range showed a 1200-BPM song as 1000, and OK set
that.
"""

from __future__ import annotations

from fractions import Fraction

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

from audio.tap_tempo import nearest_beat
from chart.formats.errors import MAX_ABS_VALUE
from chart.formats.values import MIN_BPM
from chart.notes import as_fraction
from chart.timing import TimingData
from editor.dialogs.tap_tempo import TapClock, TapPad


def bpm_box() -> tuple[QDoubleSpinBox, QHBoxLayout]:
    """The BPM box (to the thousandth, over the BPMs the Timing panel takes: a narrower range clamped a song's BPM,
    and OK set the clamped one) and its row with ÷2 / ×2 buttons, for a form's "BPM" row: the tempo dialogs of a
    song and of a section share it."""
    bpm = QDoubleSpinBox()
    bpm.setRange(float(MIN_BPM), float(MAX_ABS_VALUE))
    bpm.setDecimals(3)
    row = QHBoxLayout()
    row.addWidget(bpm)
    for label, factor in (("÷2", 0.5), ("×2", 2.0)):
        button = QPushButton(label)
        button.setAutoDefault(False)
        button.clicked.connect(lambda _=False, f=factor: bpm.setValue(bpm.value() * f))
        row.addWidget(button)
    return bpm, row


class TempoDialog(QDialog):
    """Pick, tap or type the tempo of a song (module docstring)."""

    def __init__(self, parent: QWidget | None, candidates: list, audio_name: str, current: TimingData | None = None,
                 tap_clock: TapClock | None = None, play=None, title: str | None = None, detected: bool = True):
        super().__init__(parent)
        self.setWindowTitle(title or f"Tempo of {audio_name}")
        self.current = current
        self.candidates = [self._aligned(c) for c in candidates]
        layout = QVBoxLayout(self)
        grid = ("each first beat is the beat of its grid nearest the song's beat 0 now" if current is not None
                else "everything you chart is placed on this grid")
        if self.candidates:
            text = f"Detected tempo candidates (best first). Check the BPM and the time of the first beat;\n{grid}."
        else:
            text = ("No steady tempo was found. " if detected else "") + \
                "Type the BPM and the time of the first beat, or tap along."
        layout.addWidget(QLabel(text))
        self.list = QListWidget()
        for bpm, beat0_s, confidence in self.candidates:
            self.list.addItem(f"{bpm:.3f} BPM, first beat at {beat0_s * 1000:.1f} ms (confidence {confidence:.0%})")
        self.list.currentRowChanged.connect(self._pick)
        self.list.setVisible(bool(self.candidates))
        layout.addWidget(self.list)
        form = QFormLayout()
        self.bpm, bpm_row = bpm_box()
        self.beat0_ms = QDoubleSpinBox()
        self.beat0_ms.setRange(-60000.0, 600000.0)
        self.beat0_ms.setDecimals(3)
        self.beat0_ms.setSuffix(" ms")
        self._exact: tuple[Fraction, Fraction] | None = None  # the song's values, kept while the boxes show them
        self._shown = (0.0, 0.0)
        if current is not None:
            self._exact = (current.bpms[0][1], current.beat0_s)
            self.bpm.setValue(float(self._exact[0]))
            self.beat0_ms.setValue(float(self._exact[1]) * 1000.0)
            self._shown = (self.bpm.value(), self.beat0_ms.value())  # as the boxes show them (a range clamps)
        else:
            self.bpm.setValue(120.0)
        form.addRow("BPM", bpm_row)
        form.addRow("First beat at", self.beat0_ms)
        layout.addLayout(form)
        self.tap_pad = TapPad(tap_clock, play)
        self.tap_pad.bpm_chosen.connect(self.bpm.setValue)
        self.tap_pad.beat_chosen.connect(self.use_tapped_beat)
        layout.addWidget(self.tap_pad)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if self.candidates:
            self.list.setCurrentRow(0)
        self.tap_pad.watch(self)

    def _aligned(self, c) -> tuple[float, float, float]:
        """(bpm, first beat s, confidence) of a candidate; for the open song its beat nearest the song's beat 0."""
        bpm, beat0_s = float(c.bpm), float(c.offset_s)
        if self.current is not None:
            beat0_s = nearest_beat(beat0_s, 60.0 / bpm, float(self.current.beat0_s))
        return bpm, beat0_s, float(c.confidence)

    def _pick(self, row: int) -> None:
        if 0 <= row < len(self.candidates):
            bpm, beat0_s, _confidence = self.candidates[row]
            self.bpm.setValue(round(bpm, 3))
            self.beat0_ms.setValue(round(beat0_s * 1000.0, 1))

    def use_tapped_beat(self, anchor_s: float) -> None:
        """The first beat from a tapped beat time: the beat of the BPM box's grid through it nearest the first
        beat shown (so the notes keep their beat numbers)."""
        beat0_s = nearest_beat(anchor_s, 60.0 / self.bpm.value(), self.beat0_ms.value() / 1000.0)
        self.beat0_ms.setValue(round(beat0_s * 1000.0, 3))

    def values(self) -> tuple[Fraction, Fraction]:
        """(BPM, first beat s) as confirmed: the song's exact values where the boxes still show them."""
        bpm = as_fraction(f"{self.bpm.value():.3f}")
        beat0_s = as_fraction(f"{self.beat0_ms.value() / 1000.0:.6f}")
        if self._exact is not None:  # the value the box was given counts as shown, rounded or clamped
            if self.bpm.value() == self._shown[0] or abs(self.bpm.value() - float(self._exact[0])) < 5e-4:
                bpm = self._exact[0]
            if (self.beat0_ms.value() == self._shown[1]
                    or abs(self.beat0_ms.value() / 1000.0 - float(self._exact[1])) < 5e-7):
                beat0_s = self._exact[1]
        return bpm, beat0_s

    def timing(self) -> TimingData:
        """The confirmed timing (StepMania ``#OFFSET`` is minus the first beat's time)."""
        bpm, beat0_s = self.values()
        return TimingData.constant(bpm, offset=-beat0_s)

"""SectionTempoDialog: confirm the tempo of one section of the open song (Timing > Detect Tempo of Selection).

The section's own :class:`~editor.dialogs.tempo.TempoDialog`: the detector's candidates (best first, with
confidence), ÷2/×2, a typed BPM and the tap pad (:class:`~editor.dialogs.tap_tempo.TapPad`). What differs is the
first beat: the section starts on a row the designer chose, so there is no first-beat box. Instead the dialog
says how far the section's first whole beat (the start row itself, or for a section that starts between beats,
as tempo changes mid-beat are charted, the next whole beat at the BPM in the box) sits from the nearest beat of
the chosen grid (the candidate's, drawn at the BPM in the box, or the tapped one), and when that is more than
:data:`PHASE_TOLERANCE_S` it offers, ticked, to move the start row by as much (:mod:`chart.section_tempo`: the BPM
of the stretch before it changes, as Sync Beat does). A stop on the start row comes after its note is judged and
before the section's next beats: the section's grid runs from the end of the stop (``stop_s`` after the start
row), so the phase is measured there, and a move shifts the start row and its stop together. A line under it says
what OK will do to the timing (computed by the caller's ``outcome``), and OK is off while that is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from audio.tap_tempo import nearest_beat
from chart.checks.base import describe_beat
from chart.notes import as_fraction
from editor.dialogs.tap_tempo import TapClock, TapPad
from editor.dialogs.tempo import bpm_box

PHASE_TOLERANCE_S = 0.003  # a first beat nearer the detected beat than this is left where it is
Outcome = Callable[[Fraction, Fraction | None], tuple[str, bool]]  # (bpm, first beat moved to s) -> (text, ok)


def whole_beat_s(start: Fraction, start_s: float, bpm: float) -> float:
    """When the section's first whole beat (``start`` rounded up) sounds with ``bpm`` from ``start`` on, ``start_s``
    being when the section's grid leaves ``start`` (after a stop there)."""
    return start_s + float(-start % 1) * 60.0 / bpm


def phase_to_grid_s(anchor_s: float, bpm: float, start: Fraction, start_s: float) -> float:
    """How far (s) the beat of the grid through ``anchor_s`` (``60 / bpm`` apart) nearest the section's first whole
    beat is from it (later: positive): the move that puts the section's beats on the grid. ``start_s`` as for
    :func:`whole_beat_s`."""
    ref_s = whole_beat_s(start, start_s, bpm)
    return nearest_beat(anchor_s, 60.0 / bpm, ref_s) - ref_s


class SectionTempoDialog(QDialog):
    """Pick, tap or type the tempo of a section (module docstring)."""

    def __init__(self, parent: QWidget | None, candidates: list, start: Fraction, start_s: float, span_text: str,
                 outcome: Outcome, current_bpm: float = 120.0, tap_clock: TapClock | None = None, play=None,
                 title: str = "Detect Tempo of Selection", stop_s: float = 0.0):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.start = Fraction(start)
        self.start_s = float(start_s)  # when the start row is judged: what a move moves
        self.grid_s = self.start_s + float(stop_s)  # when the section's beats run from (module docstring)
        start_text = f"beat {describe_beat(self.start)}"
        self.start_text = start_text
        self.whole_text = f"beat {describe_beat(Fraction(-(-self.start // 1)))}"  # the first whole beat
        self.outcome = outcome
        self.candidates = [(float(c.bpm), float(c.offset_s), float(c.confidence)) for c in candidates]
        self.anchor_s: float | None = None  # a beat of the grid the first beat is measured against
        layout = QVBoxLayout(self)
        intro = QLabel((f"Detected tempo candidates of {span_text}, best first." if self.candidates else
                        f"No steady tempo was found in {span_text}. Type the BPM or tap along.") +
                       f"\nOK puts the BPM on {start_text}; the timing before it stays as it is.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget()
        for bpm, offset_s, confidence in self.candidates:
            ms = phase_to_grid_s(offset_s, bpm, self.start, self.grid_s) * 1000.0
            self.list.addItem(f"{bpm:.3f} BPM (confidence {confidence:.0%}), its beat nearest {self.whole_text} "
                              f"{ms:+.1f} ms from it")
        self.list.currentRowChanged.connect(self._pick)
        self.list.setVisible(bool(self.candidates))
        rows = max(1, self.list.count())  # as tall as its rows: the boxes below stay in view
        self.list.setMaximumHeight(self.list.sizeHintForRow(0) * rows + 2 * self.list.frameWidth() + 4)
        layout.addWidget(self.list)
        form = QFormLayout()
        self.bpm, bpm_row = bpm_box()
        self.bpm.setValue(float(current_bpm))
        form.addRow("BPM", bpm_row)
        layout.addLayout(form)
        self.phase_label = QLabel()
        self.phase_label.setWordWrap(True)
        layout.addWidget(self.phase_label)
        self.move_box = QCheckBox(f"&Move {start_text} so that {self.whole_text} is on the detected beat (the BPM "
                                  "before it changes)" if self.start % 1 else
                                  f"&Move {start_text} onto the detected beat (the BPM before it changes)")
        self.move_box.setChecked(True)
        layout.addWidget(self.move_box)
        self.outcome_label = QLabel()
        self.outcome_label.setWordWrap(True)
        layout.addWidget(self.outcome_label)
        self.tap_pad = TapPad(tap_clock, play)
        self.tap_pad.bpm_chosen.connect(self.bpm.setValue)
        self.tap_pad.beat_chosen.connect(self.use_tapped_beat)
        layout.addWidget(self.tap_pad)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.bpm.valueChanged.connect(self._update)
        self.move_box.toggled.connect(self._update)
        if self.candidates:
            self.list.setCurrentRow(0)
        self._update()
        self.tap_pad.watch(self)
        self.setMinimumWidth(560)

    def _pick(self, row: int) -> None:
        if 0 <= row < len(self.candidates):
            bpm, offset_s, _confidence = self.candidates[row]
            ref_s = whole_beat_s(self.start, self.grid_s, bpm)
            self.anchor_s = nearest_beat(offset_s, 60.0 / bpm, ref_s)  # ÷2 keeps this beat of the grid
            self.bpm.setValue(round(bpm, 3))
            self._update()

    def use_tapped_beat(self, anchor_s: float) -> None:
        """The tapped beats (taps made while the song played) are the grid the first beat is measured against."""
        self.anchor_s = float(anchor_s)
        self._update()

    def phase_s(self) -> float | None:
        """How far (s) the nearest beat of the chosen grid is from the section's first whole beat (later:
        positive); None with no grid (nothing detected or tapped)."""
        if self.anchor_s is None:
            return None
        return phase_to_grid_s(self.anchor_s, self.bpm.value(), self.start, self.grid_s)

    def _update(self) -> None:
        phase = self.phase_s()
        if phase is None:
            self.phase_label.setText(f"No detected beat to compare {self.start_text} with: it stays where it is.")
        else:
            where = "after" if phase > 0 else "before"
            self.phase_label.setText(f"The nearest detected beat is {abs(phase) * 1000:.1f} ms {where} "
                                     f"{self.whole_text}" + ("." if self.offers_move() else
                                                             f" (within 3 ms: {self.start_text} stays where it is)."))
        self.move_box.setEnabled(self.offers_move())
        bpm, at_s = self.values()
        text, ok = self.outcome(bpm, at_s)
        self.outcome_label.setText(("OK: " if ok else "Cannot apply: ") + text)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def offers_move(self) -> bool:
        phase = self.phase_s()
        return phase is not None and abs(phase) > PHASE_TOLERANCE_S

    def values(self) -> tuple[Fraction, Fraction | None]:
        """(BPM, time to move the first beat to; None: it stays) as confirmed."""
        bpm = as_fraction(f"{self.bpm.value():.3f}")
        phase = self.phase_s()
        if phase is None or not self.offers_move() or not self.move_box.isChecked():
            return bpm, None
        return bpm, Fraction(self.start_s + phase).limit_denominator(10**7)

"""StemsBox: the "Stems" group of the Playback panel — Separate (progress, cancel), play stems on/off, per-stem
solo / mute / volume rows, and which waveform the timeline shows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSlider,
    QWidget,
)

from editor.controllers.stems import STEMS, WAVEFORM_CHOICES


class StemsBox(QGroupBox):
    """Controls bound to a :class:`~editor.controllers.stems.StemsController`."""

    def __init__(self, stems, parent: QWidget | None = None):
        super().__init__("Stems", parent)
        self.stems = stems
        grid = QGridLayout(self)
        self.separate_button = QPushButton("Separate")
        self.separate_button.setToolTip("Split the song into vocals, drums and other (offline; cached, so the "
                                        "second time is instant)")
        self.separate_button.clicked.connect(stems.separate)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(stems.cancel)
        top = QHBoxLayout()
        top.addWidget(self.separate_button)
        top.addWidget(self.progress, 1)
        top.addWidget(self.cancel_button)
        grid.addLayout(top, 0, 0, 1, 4)
        self.play_stems = QCheckBox("play stems instead of the mix")
        self.play_stems.toggled.connect(stems.set_active)
        grid.addWidget(self.play_stems, 1, 0, 1, 4)
        self.rows: dict[str, tuple[QCheckBox, QCheckBox, QSlider]] = {}
        for i, name in enumerate(STEMS, start=2):
            self.rows[name] = self._row(grid, i, name)
        self.waveform = QComboBox()
        self.waveform.addItems(list(WAVEFORM_CHOICES))
        self.waveform.setToolTip("Which audio the timeline's waveform shows")
        self.waveform.setAccessibleName("Waveform of")
        self.waveform.textActivated.connect(stems.set_waveform)
        grid.addWidget(QLabel("Waveform of"), len(STEMS) + 2, 0)
        grid.addWidget(self.waveform, len(STEMS) + 2, 1, 1, 3)
        stems.changed.connect(self.refresh)
        stems.busy_changed.connect(self._busy)
        stems.progress.connect(lambda f, text: self._show_progress(f, text))
        stems.waveform_changed.connect(self._waveform_changed)
        self.refresh()

    def _show_progress(self, f: float, text: str) -> None:
        self.progress.setValue(int(f * 100))
        self.progress.setFormat(f"{text} %p%")

    def _row(self, grid: QGridLayout, row: int, name: str) -> tuple[QCheckBox, QCheckBox, QSlider]:
        solo, mute = QCheckBox("solo"), QCheckBox("mute")
        volume = QSlider(Qt.Orientation.Horizontal)
        volume.setRange(0, 100)
        volume.setValue(100)
        volume.setToolTip(f"{name} volume")
        for widget, what in ((solo, f"solo {name}"), (mute, f"mute {name}"), (volume, f"{name} volume")):
            widget.setAccessibleName(what)  # three rows of "solo", "mute" and an unnamed slider
        solo.toggled.connect(lambda on, n=name: self.stems.set_stem(n, solo=on))
        mute.toggled.connect(lambda on, n=name: self.stems.set_stem(n, muted=on))
        volume.valueChanged.connect(lambda v, n=name: self.stems.set_stem(n, gain=v / 100.0))
        grid.addWidget(QLabel(name), row, 0)
        grid.addWidget(solo, row, 1)
        grid.addWidget(mute, row, 2)
        grid.addWidget(volume, row, 3)
        return solo, mute, volume

    def refresh(self) -> None:
        """Enable the rows once stems exist; mirror the controller's state (e.g. reset by a new song)."""
        ready = self.stems.stems is not None
        self.play_stems.setEnabled(ready)
        self.play_stems.blockSignals(True)
        self.play_stems.setChecked(self.stems.active)
        self.play_stems.blockSignals(False)
        for name, (solo, mute, volume) in self.rows.items():
            state = self.stems.states[name]
            for widget, value in ((solo, state.solo), (mute, state.muted), (volume, int(round(state.gain * 100)))):
                widget.setEnabled(ready)
                widget.blockSignals(True)
                if isinstance(widget, QSlider):
                    widget.setValue(value)
                else:
                    widget.setChecked(bool(value))  # solo, muted: bools already
                widget.blockSignals(False)
        if ready:
            self.progress.setValue(100)
            self.progress.setFormat("separated")
            self.progress.setToolTip(f"Method: {self.stems.stems.method}")
        elif not self.stems.busy:
            self.progress.setValue(0)
            self.progress.setFormat("not separated")
            self.progress.setToolTip("")

    def _busy(self, busy: bool) -> None:
        self.separate_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        if not busy:
            self.refresh()
            if self.stems.stems is not None:
                self.show_whole()

    def show_whole(self) -> None:
        """Scroll the panel so the whole box is in view: it sits below the Playback settings, and at the default
        window size its last rows and "Waveform of" were below the fold once stems were ready."""
        area = self.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if area is not None:
            inner = area.widget()
            assert inner is not None  # this panel is inside it
            if (layout := inner.layout()) is not None:
                layout.activate()  # the box's position must be current
            area.ensureWidgetVisible(self, 0, 0)

    def _waveform_changed(self, choice: str) -> None:
        self.waveform.blockSignals(True)
        self.waveform.setCurrentText(choice)
        self.waveform.blockSignals(False)

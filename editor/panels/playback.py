"""PlaybackPanel: output device line, rate (25-100 %, keep pitch), music/tick volumes, assist ticks, output latency
and visual offset (user settings, never written to the chart), the calibration dialog, and the Stems box
(editor/panels/stems.py)."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QObject, QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from editor.key_hints import follow_keys, hint


def _slider(value: float) -> QSlider:
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setRange(0, 100)
    slider.setValue(int(round(value * 100)))
    return slider


def _show_key(box: QCheckBox, name: str, win: QObject, action: str) -> None:
    box.setText(name + hint(win, action))


class PlaybackPanel(QWidget):
    """Controls bound to the PlaybackController and the settings."""

    def __init__(self, playback, win, parent: QWidget | None = None):
        super().__init__(parent)
        self.playback, self.win = playback, win
        s = playback.settings
        form = QFormLayout(self)
        self.device = QLabel(playback.device_text)
        self.device.setWordWrap(True)
        playback.device_changed.connect(self.device.setText)
        form.addRow("Output", self.device)
        self.rate = QSpinBox()
        self.rate.setRange(25, 100)
        self.rate.setSingleStep(5)
        self.rate.setSuffix(" %")
        self.rate.setValue(int(round(s.get("audio/rate") * 100)))
        self.rate.valueChanged.connect(lambda v: playback.set_rate(v / 100.0))
        playback.rate_changed.connect(self._show_rate)  # a rate set elsewhere (the rate keys)
        form.addRow("Rate", self.rate)
        self.keep_pitch = QCheckBox("keep pitch (time-stretch)")
        self.keep_pitch.setChecked(s.get("audio/keep_pitch"))
        self.keep_pitch.toggled.connect(lambda on: self._set("audio/keep_pitch", on))
        form.addRow("", self.keep_pitch)
        self.music_volume = _slider(s.get("audio/music_volume"))
        self.music_volume.valueChanged.connect(lambda v: self._set("audio/music_volume", v / 100.0))
        form.addRow("Music volume", self.music_volume)
        self.tick_volume = _slider(s.get("audio/tick_volume"))
        self.tick_volume.setToolTip("Beat and note ticks, and an osu! map's hitsounds")
        self.tick_volume.valueChanged.connect(lambda v: self._set("audio/tick_volume", v / 100.0))
        form.addRow("Tick volume", self.tick_volume)
        self.beat_ticks = QCheckBox("beats")
        self.note_ticks = QCheckBox("notes")
        self.hitsounds = QCheckBox("osu! hitsounds")  # on an osu! map, in place of the note ticks
        self.hitsounds.setToolTip(win.actions["play.hitsounds"].statusTip())
        for box, action, name in ((self.beat_ticks, "play.beat_ticks", "beats"),
                                  (self.note_ticks, "play.note_ticks", "notes"),
                                  (self.hitsounds, "play.hitsounds", "osu! hitsounds")):
            act = win.actions[action]
            box.setChecked(act.isChecked())
            box.toggled.connect(act.setChecked)
            act.toggled.connect(box.setChecked)
            follow_keys(win, (action,), partial(_show_key, box, name, win, action))  # the key now
        form.addRow("Assist ticks", self.beat_ticks)
        form.addRow("", self.note_ticks)
        form.addRow("", self.hitsounds)
        self.latency = self._ms_spin(s.get("audio/latency_ms"), "audio/latency_ms",
                                     "Extra output latency: sound reaches you this much later than the device says")
        form.addRow("Output latency", self.latency)
        self.visual = self._ms_spin(s.get("audio/visual_offset_ms"), "audio/visual_offset_ms",
                                    "Draw the playhead this much ahead to make up for display lag")
        form.addRow("Visual offset", self.visual)
        calibrate = QPushButton("Calibrate latency...")
        calibrate.clicked.connect(win.actions["play.calibrate"].trigger)
        form.addRow("", calibrate)
        if getattr(win, "stems", None) is not None:
            from editor.panels.stems import StemsBox

            self.stems_box = StemsBox(win.stems)
            form.addRow(self.stems_box)
        note = QLabel("Latency and visual offset are settings of this computer; the chart's #OFFSET is in the "
                      "Song panel.")
        note.setWordWrap(True)
        form.addRow(note)

    def _ms_spin(self, value: float, key: str, tip: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(-500.0, 500.0)
        spin.setDecimals(1)
        spin.setSuffix(" ms")
        spin.setValue(value)
        spin.setToolTip(tip)
        spin.setKeyboardTracking(False)
        spin.valueChanged.connect(lambda v, k=key: self._set(k, v))
        return spin

    def _show_rate(self, rate: float) -> None:
        percent = int(round(rate * 100))
        if self.rate.value() != percent:
            with QSignalBlocker(self.rate):  # set already: the box's own signal would set it again
                self.rate.setValue(percent)

    def _set(self, key: str, value) -> None:
        self.playback.settings.set(key, value)
        self.playback.apply_settings()

    def refresh(self) -> None:
        s = self.playback.settings
        self.latency.blockSignals(True)
        self.latency.setValue(s.get("audio/latency_ms"))
        self.latency.blockSignals(False)

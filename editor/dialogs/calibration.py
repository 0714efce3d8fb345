"""CalibrationDialog: measure the output latency by tapping along with the beat ticks.

The song plays with beat ticks on; the designer taps Space (or clicks Tap) on every tick they hear. Each tap is
read from the audio clock (``PlaybackClock.audible_seconds``), compared with the nearest tick, and
:func:`audio.clock.estimate_latency` turns the offsets into a correction (median, outliers rejected). Applying it
adds to the output-latency setting; it never touches the chart.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

MIN_TAPS = 8


class CalibrationDialog(QDialog):
    """Tap-along latency calibration for the PlaybackController's player."""

    def __init__(self, parent: QWidget | None, playback):
        super().__init__(parent)
        self.playback = playback
        self.setWindowTitle("Latency calibration")
        self.taps_s: list[float] = []
        self.estimate = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Press Start, then tap Space on every beat tick you hear (at least "
                                f"{MIN_TAPS} taps).\nThe result is added to the output-latency setting."))
        self.result = QLabel("No taps yet.")
        layout.addWidget(self.result)
        row = QHBoxLayout()
        self.start_button = QPushButton("Start")
        self.start_button.clicked.connect(self.start)
        self.tap_button = QPushButton("Tap")
        self.tap_button.clicked.connect(self.tap)
        row.addWidget(self.start_button)
        row.addWidget(self.tap_button)
        layout.addLayout(row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.apply)
        self.buttons.button(QDialogButtonBox.StandardButton.Apply).setEnabled(False)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        # Space is the tap key: no button may take the focus, or Space presses it (Start again cleared the taps)
        for button in (self.start_button, self.tap_button, *self.buttons.buttons()):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._ticks_before = False

    def start(self) -> bool:
        pb = self.playback
        if pb.player is None:
            self.result.setText("No audio is loaded: open a song first.")
            return False
        self.taps_s = []
        self._ticks_before = pb.settings.get("audio/beat_ticks")
        pb.set_ticks_enabled(beats=True)
        if not pb.playing:
            pb.play_from(pb.timeline.cursor_s)
        self.result.setText("Tap along with the ticks...")
        return True

    def event(self, ev: QEvent) -> bool:
        # Space is the tap key here, not the editor's play/pause shortcut (which paused and resumed the ticks)
        if ev.type() == QEvent.Type.ShortcutOverride and isinstance(ev, QKeyEvent) \
                and ev.key() in (Qt.Key.Key_Space, Qt.Key.Key_T):
            ev.accept()
            return True
        return super().event(ev)

    def keyPressEvent(self, ev: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if ev.key() in (Qt.Key.Key_Space, Qt.Key.Key_T) and not ev.isAutoRepeat():
            self.tap()
            return
        super().keyPressEvent(ev)

    def tap(self) -> None:
        player = self.playback.player
        if player is None or not self.playback.playing:
            return
        self.record_tap(player.clock.audible_seconds(player.now()))

    def record_tap(self, song_s: float) -> None:
        """Add one tap at song time ``song_s`` and update the estimate."""
        from audio.clock import estimate_latency

        self.taps_s.append(float(song_s))
        if len(self.taps_s) < MIN_TAPS:
            self.result.setText(f"{len(self.taps_s)} tap(s)...")
            return
        timing = self.playback.session.timing()
        taps = np.asarray(self.taps_s)
        beats = timing.seconds_to_beats_array([taps.min() - 1.0, taps.max() + 1.0])
        clicks = timing.beats_to_seconds_array(np.arange(np.ceil(beats[0]), np.floor(beats[1]) + 1))
        rate = self.playback.player.rate if self.playback.player is not None else 1.0
        try:
            self.estimate = estimate_latency(taps, clicks, rate=rate, min_taps=MIN_TAPS)
        except ValueError as exc:
            self.result.setText(f"Not yet: {exc}")
            return
        e = self.estimate
        self.result.setText(f"Correction {e.latency_s * 1000:+.1f} ms (spread {e.spread_s * 1000:.1f} ms, "
                            f"{e.n_used} taps used, {e.n_rejected} rejected)")
        self.buttons.button(QDialogButtonBox.StandardButton.Apply).setEnabled(True)

    def apply(self) -> float | None:
        """Add the estimate to the latency setting; returns the new setting in ms."""
        if self.estimate is None:
            return None
        s = self.playback.settings
        value = round(s.get("audio/latency_ms") + self.estimate.latency_s * 1000.0, 1)
        s.set("audio/latency_ms", value)
        self.playback.apply_settings()
        self.result.setText(f"Output latency set to {value:.1f} ms")
        return value

    def done(self, code: int) -> None:
        self.playback.set_ticks_enabled(beats=self._ticks_before)
        super().done(code)

"""CalibrationDialog: measure the output latency by tapping along with a metronome of its own.

The player plays clicks every :data:`CLICK_INTERVAL_S` real seconds over silence (the music muted, looped so a
short song does not run out); the designer taps Space (or clicks Tap) on every click they hear. Each tap is read
from the audio clock (``PlaybackClock.audible_seconds``), compared with the nearest click, and
:func:`audio.clock.estimate_latency` turns the offsets into a correction (median, outliers rejected). Applying it
adds to the output-latency setting, clamped to the setting's range (and the dialog says so); it never touches the
chart.

Why not the song's beats: a tap is matched to the *nearest* click, so a latency of more than half the spacing
lands on the next click. At 180 BPM beats are 333 ms apart, and a Bluetooth headset's 200 ms came out as a
confident -133 ms. Clicks a second apart make every correction within the setting's ±500 ms unambiguous.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from audio.clock import LatencyEstimate

MIN_TAPS = 8
CLICK_INTERVAL_S = 1.0  # real seconds between clicks: a correction up to ±half of it is unambiguous
WARN_FRACTION = 0.4  # a correction beyond this fraction of the spacing may be a tap on the neighbouring click


class CalibrationDialog(QDialog):
    """Tap-along latency calibration for the PlaybackController's player."""

    def __init__(self, parent: QWidget | None, playback):
        super().__init__(parent)
        self.playback = playback
        self.setWindowTitle("Latency calibration")
        self.taps_s: list[float] = []
        self.clicks_s = np.zeros(0)  # song seconds of the metronome's clicks
        self.estimate: LatencyEstimate | None = None
        self._running = False
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Press Start, then tap Space on every click you hear (one a second, at least "
                                f"{MIN_TAPS} taps).\nThe result is added to the output-latency setting."))
        self.result_label = QLabel("No taps yet.")
        layout.addWidget(self.result_label)
        row = QHBoxLayout()
        self.start_button = QPushButton("&Start")  # Alt+S: no button takes the focus (below)
        self.start_button.clicked.connect(self.start)
        self.tap_button = QPushButton("Tap")
        self.tap_button.clicked.connect(self.tap)
        row.addWidget(self.start_button)
        row.addWidget(self.tap_button)
        layout.addLayout(row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.apply)
        self.buttons.button(QDialogButtonBox.StandardButton.Apply).setText("&Apply")
        self.buttons.button(QDialogButtonBox.StandardButton.Apply).setEnabled(False)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        # Space is the tap key: no button may take the focus, or Space presses it (Start again cleared the taps);
        # the keyboard presses them with their Alt+letter instead
        for button in (self.start_button, self.tap_button, *self.buttons.buttons()):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def start(self) -> bool:
        """Play the metronome from the start of the song (paused where it was, the cursor stays put)."""
        pb = self.playback
        player = pb.player
        if player is None:
            self.result_label.setText("No audio is loaded: open a song first.")
            return False
        if pb.playing and not self._running:
            pb.toggle()  # pause the song; the metronome takes the player over
        self.taps_s = []
        spacing_s = CLICK_INTERVAL_S * player.rate  # song seconds: the clicks stay a real second apart when slowed
        n = max(2, int(player.duration_s // spacing_s))
        self.clicks_s = (np.arange(n) + 0.5) * spacing_s  # mid-period: a tap early or late stays inside the loop
        player.music_volume = 0.0
        player.set_ticks(beat_s=self.clicks_s, note_s=None)
        if n * spacing_s <= player.duration_s:
            player.set_loop(0.0, n * spacing_s)
        player.play(from_s=0.0)
        self._running = True
        self.result_label.setText("Tap along with the clicks...")
        return True

    def _stop_metronome(self) -> None:
        """Pause and give the player back its music, ticks and loop (from the settings and the controller)."""
        pb, player = self.playback, self.playback.player
        self._running = False
        if player is None:
            return
        player.pause()
        player.clear_loop()
        if pb.loop_s is not None:
            player.set_loop(*pb.loop_s)
        pb.apply_settings()
        pb.update_ticks()

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
        if player is None or not self._running or not self.playback.playing:
            return
        self.record_tap(player.clock.audible_seconds(player.now()))

    def record_tap(self, song_s: float) -> None:
        """Add one tap at song time ``song_s`` and update the estimate."""
        from audio.clock import estimate_latency

        self.taps_s.append(float(song_s))
        if len(self.taps_s) < MIN_TAPS:
            self.result_label.setText(f"{len(self.taps_s)} tap(s)...")
            return
        rate = self.playback.player.rate if self.playback.player is not None else 1.0
        try:
            e = estimate_latency(np.asarray(self.taps_s), self.clicks_s, rate=rate, min_taps=MIN_TAPS)
        except ValueError as exc:
            self.result_label.setText(f"Not yet: {exc}")
            return
        self.estimate = e
        warn = ("\nThat is close to half a click's spacing: the taps may belong to the neighbouring clicks. Check by "
                "ear after applying." if abs(e.latency_s) > WARN_FRACTION * CLICK_INTERVAL_S else "")
        self.result_label.setText(f"Correction {e.latency_s * 1000:+.1f} ms (spread {e.spread_s * 1000:.1f} ms, "
                                  f"{e.n_used} taps used, {e.n_rejected} rejected){warn}")
        self.buttons.button(QDialogButtonBox.StandardButton.Apply).setEnabled(True)

    def apply(self) -> float | None:
        """Add the estimate to the latency setting; returns the new setting in ms."""
        if self.estimate is None:
            return None
        s = self.playback.settings
        lo, hi = s.RANGES["audio/latency_ms"]  # a value outside is not stored: it read back as 0 ms
        wanted = s.get("audio/latency_ms") + self.estimate.latency_s * 1000.0
        value = round(min(max(wanted, lo), hi), 1)
        s.set("audio/latency_ms", value)
        self.playback.apply_settings()
        if self._running:
            self.playback.player.music_volume = 0.0  # still calibrating: the metronome stays alone
        # taps from now on are read with the new setting: they measure what is left, not more of the same
        self.taps_s, self.estimate = [], None
        self.buttons.button(QDialogButtonBox.StandardButton.Apply).setEnabled(False)
        clamped = f" (the limit; the taps asked for {wanted:.0f} ms)" if value != round(wanted, 1) else ""
        self.result_label.setText(f"Output latency set to {value:.1f} ms{clamped}")
        return value

    def done(self, code: int) -> None:
        if self._running:
            self._stop_metronome()
        super().done(code)

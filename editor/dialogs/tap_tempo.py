"""TapPad: tap the beat (T or Space, or the Tap button) and see the BPM the taps give, live; "Use BPM" puts it in
the tempo dialog's BPM box, "Use first beat" the taps' beat phase in its first-beat box.

Each tap is timed on the **audio clock** while the song plays (``clock.audible_seconds``: the song time being
heard, after the output-latency setting, as test play and record time keys), so the taps say where the beats
of the song are, and a slowed song still gives its own BPM. With the song stopped they are timed on
``time.monotonic`` and give only the BPM. The fit is :func:`audio.tap_tempo.estimate_taps` (least squares over
the taps, stumbles and double taps dropped); a pause of 2 s, a jump of the song clock backwards (a loop, a
seek) or starting or stopping the song starts a new run.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from audio.tap_tempo import TapEstimate, TapTempo

TAP_KEYS = (Qt.Key.Key_T, Qt.Key.Key_Space)
#: A clock for taps: (seconds, whether they are the song's seconds being heard)
TapClock = Callable[[], tuple[float, bool]]


def wall_clock() -> tuple[float, bool]:
    return time.monotonic(), False


def song_clock(playback) -> TapClock:
    """The audio clock of ``playback`` (a PlaybackController) while it plays, else the wall clock."""

    def clock() -> tuple[float, bool]:
        player = playback.player
        if player is not None and playback.playing:
            return float(player.clock.audible_seconds(player.now())), True
        return wall_clock()

    return clock


class TapPad(QGroupBox):
    """The tap box of the tempo dialog (module docstring)."""

    bpm_chosen = Signal(float)
    beat_chosen = Signal(float)  # the fitted time (song s) of a beat: the dialog picks the first beat from it

    def __init__(self, clock: TapClock | None = None, play: Callable[[], object] | None = None,
                 parent: QWidget | None = None):
        super().__init__("Tap tempo", parent)
        self.clock = clock or wall_clock
        self.taps = TapTempo()
        self.estimate: TapEstimate | None = None
        self.on_audio = False  # the current run is timed on the song's clock
        layout = QVBoxLayout(self)
        self.label = QLabel()
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        row = QHBoxLayout()
        self.tap_button = QPushButton("Tap (T)")
        self.tap_button.setToolTip("Tap T, Space or this button on every beat; a 2 s pause starts again")
        self.tap_button.pressed.connect(self.tap)  # on press, as a key: a click's release is late
        self.use_bpm = QPushButton("Use &BPM")
        self.use_bpm.clicked.connect(lambda: self.estimate and self.bpm_chosen.emit(round(self.estimate.bpm, 3)))
        self.use_beat = QPushButton("Use &first beat")
        self.use_beat.setToolTip("Taps made while the song plays say where its beats are: put the first beat there")
        self.use_beat.clicked.connect(lambda: self.estimate and self.beat_chosen.emit(self.estimate.anchor_s))
        buttons = [self.tap_button, self.use_bpm] + ([self.use_beat] if play is not None else [])
        # New Song from Audio asks before the song is open, so nothing here can play it: say what taps can do there
        self._first_hint = ("Tap T or Space on every beat. Play the song first (with the song playing, the taps "
                            "also say where the first beat is)." if play is not None else
                            "Tap T or Space on every beat while you hear the song (in any player): the taps give "
                            "the BPM. To tap the first beat too, use Timing > Tap Tempo once the song is open.")
        if play is not None:
            self.play_button = QPushButton("&Play / Pause")
            self.play_button.setToolTip("Play the song from the cursor: taps then also give the first beat")
            self.play_button.clicked.connect(play)
            buttons.insert(0, self.play_button)
        for button in buttons:
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space taps, never presses a button: Alt+letter does
            row.addWidget(button)
        layout.addLayout(row)
        self._show()

    def watch(self, root: QWidget) -> None:
        """Take T and Space as taps in ``root`` and every widget in it (the dialog's boxes and list included: in
        a number box or the list they would do nothing useful)."""
        for widget in (root, *root.findChildren(QWidget)):
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, ev: QEvent) -> bool:  # noqa: N802 - Qt API
        if ev.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and isinstance(ev, QKeyEvent) \
                and ev.key() in TAP_KEYS and not ev.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            ev.accept()
            if ev.type() == QEvent.Type.KeyPress and not ev.isAutoRepeat():
                self.tap()
            return True
        return super().eventFilter(watched, ev)

    def tap(self) -> TapEstimate | None:
        t_s, on_audio = self.clock()
        return self.record(t_s, on_audio, time.monotonic())

    def record(self, t_s: float, on_audio: bool, real_s: float | None = None) -> TapEstimate | None:
        """One tap at ``t_s`` (song seconds when ``on_audio``); a change of clock starts a new run."""
        if on_audio != self.on_audio:
            self.taps.reset()
            self.on_audio = on_audio
        self.estimate = self.taps.tap(t_s, real_s)
        self._show()
        return self.estimate

    def _show(self) -> None:
        e, n = self.estimate, self.taps.count
        self.use_bpm.setEnabled(e is not None)
        self.use_beat.setEnabled(e is not None and self.on_audio)
        if n == 0:
            self.label.setText(self._first_hint)
            return
        if e is None:
            self.label.setText(f"{n} tap: tap on")
            return
        error = f" ± {e.bpm_error:.2f}" if e.bpm_error is not None else ""
        dropped = f", {e.dropped} dropped" if e.dropped else ""
        clock = "on the song's clock" if self.on_audio else "song stopped: BPM only"
        self.label.setText(f"<b>{e.bpm:.2f} BPM</b>{error} from {n} taps (spread {e.spread_s * 1000:.0f} ms"
                           f"{dropped}; {clock})")

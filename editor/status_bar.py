"""The status bar's permanent read-outs: the cursor's measure, beat, time and tempo; the snap; the audio file.

The position is that of the beat under the cursor's time, or of the beat the cursor was put on where several
share that time (a jump to a note inside a warp: :meth:`editor.timeline.view.TimelineWidget.exact_beat`), so it
is shown again when the cursor or the zoom moves and also when the timing does (a new offset or BPM puts another
beat under the cursor, and the read-out kept the old measure) or another chart is shown (a split-timing chart has
its own).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from editor.timeline.time_axis import time_label

ROWS_PER_BEAT = 48  # StepMania's finest row: a position this close to one is on it
#: Widest the audio file's name is drawn (px; elided in the middle, whole in the tooltip): a long name took a third
#: of a 1280 px bar from the messages (editor.status_messages)
AUDIO_NAME_PX = 170


class StatusReadouts:
    """The three labels at the right of the window's status bar (``win.position_label``, ``win.snap_label``,
    ``win.audio_label``)."""

    def __init__(self, win):
        self.win = win
        bar = win.statusBar()
        win.position_label, win.snap_label, win.audio_label = QLabel(), QLabel(), QLabel()
        for label in (win.audio_label, win.snap_label, win.position_label):
            label.setContentsMargins(4, 0, 4, 0)
            bar.addPermanentWidget(label)

    def show_position(self, t_s: float) -> None:
        timing = self.win.session.timing()
        beat = self.win.timeline.beat_at(t_s)
        row = round(beat * ROWS_PER_BEAT) / ROWS_PER_BEAT
        if abs(beat - row) < 1e-6:  # float noise: beat 8 came back as 7.999999999 and read "measure 1 beat 4.00"
            beat = row
        measure, in_measure = timing.measure_position(beat)
        bpm = float(timing.bpm_at(max(beat, 0.0)))
        self.win.position_label.setText(f"measure {measure} beat {in_measure:.2f} | {time_label(t_s, 3)} | "
                                        f"{bpm:g} BPM")

    def show_snap(self, divisor: int) -> None:
        self.win.snap_label.setText(f"snap 1/{divisor}")

    def show_device(self, text: str) -> None:
        """The audio file (missing, damaged) and whether it plays silently; the output device in the tooltip."""
        win = self.win
        audio = win.session.audio
        player = win.playback.player
        error = win.session.audio_error
        fm = win.audio_label.fontMetrics()
        if audio is not None:
            name = "♪ " + fm.elidedText(audio.path.name, Qt.TextElideMode.ElideMiddle, AUDIO_NAME_PX)
        else:
            name = f"no audio ({fm.elidedText(error, Qt.TextElideMode.ElideRight, AUDIO_NAME_PX)})" if error else "no audio"
        if audio is not None and audio.warnings:
            name += f" · damaged, {audio.duration_s:.1f} s decoded"
        silent = " · no sound device" if player is not None and not player.has_device else ""
        win.audio_label.setText(name + silent)
        head = [str(audio.path)] if audio is not None else [f"no audio: {error}"] if error else []
        if silent:
            head.append("no sound device: playback is silent")
        win.audio_label.setToolTip("\n".join([*head, text, *(audio.warnings if audio is not None else ())]))

"""Detect Tempo of Selection on a section that starts on a stop (audit 21): the section's beats run from the end
of the stop, but the phase was measured from the start row's judged time, before it, so a correctly timed
section (120 BPM, a 0.3-s stop at beat 40, then 150 BPM, as the clicks are) was offered, ticked, a -100-ms move
that put every beat of it 100 ms early."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from tests.audio.signals import click, place
from tests.editor.conftest import open_with_audio
from tests.editor.test_section_tempo import detect

pytestmark = pytest.mark.qt
SR = 22050
STOPPED = TimingData(offset=F("-0.1"), bpms=((F(0), F(120)), (F(40), F(150))), stops=((F(40), F("0.3")),))


def stop_clicks(duration_s: float = 45.0) -> np.ndarray:
    """Clicks on STOPPED's beats: every 0.5 s to beat 40 (20.1 s), then after the stop every 0.4 s from 20.8."""
    out = np.zeros(int(duration_s * SR))
    for t in [*np.arange(0.1, 20.1 + 1e-9, 0.5), *np.arange(20.8, duration_s, 0.4)]:
        place(out, click(SR), float(t), SR)
    return (0.5 * out).astype(np.float32)


def open_stopped(win, qtbot, folder):
    song = Song(title="Stop", music="stop.wav", timing=STOPPED,
                charts=[Chart(slot=Slot.EASY, meter=3, notes=[Note(F(k), k % 4) for k in range(0, 100, 2)])])
    return open_with_audio(win, qtbot, folder, song, stop_clicks(), SR, name="stop")


@pytest.fixture
def accept_150(monkeypatch):
    """The dialog answered with the candidate nearest 150 BPM and OK; lists its phase, move and outcome."""
    from PySide6.QtWidgets import QDialog

    from editor.dialogs.section_tempo import SectionTempoDialog

    shown = []

    def exec_(dialog):
        dialog.list.setCurrentRow(min(range(len(dialog.candidates)), key=lambda i: abs(dialog.candidates[i][0] - 150)))
        shown.append({"phase_s": dialog.phase_s(), "move": dialog.move_box.isEnabled() and dialog.move_box.isChecked(),
                      "outcome": dialog.outcome_label.text()})
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(SectionTempoDialog, "exec", exec_)
    return shown


def kept_in_time(timing: TimingData) -> bool:
    beats = [F(b, 2) for b in range(0, 161)]
    return all(abs(timing.beat_to_seconds(b) - STOPPED.beat_to_seconds(b)) < F(1, 1000) for b in beats)


def test_a_correctly_timed_section_starting_on_a_stop_is_not_moved(window, qtbot, tmp_path, accept_150):
    song = open_stopped(window, qtbot, tmp_path / "s")
    shown = detect(window, qtbot, accept_150)
    assert abs(shown["phase_s"]) < 0.003  # was -0.0999: measured from 20.1 s, the judged beat before the stop
    assert not shown["move"]
    assert "moved" not in shown["outcome"]
    assert kept_in_time(song.timing)
    assert "moved" not in window.statusBar().currentMessage()


def test_headless_the_best_candidate_is_measured_after_the_stop_too(window, qtbot, tmp_path, monkeypatch):
    from editor import messages

    song = open_stopped(window, qtbot, tmp_path / "s")
    monkeypatch.setattr(messages, "_headless", True)
    window.session.set_range((F(40), F(80)))
    window.actions["timing.detect_section"].trigger()
    qtbot.waitUntil(lambda: window.section_tempo.job is None, timeout=30000)
    qtbot.wait(50)
    assert kept_in_time(song.timing)


def test_the_dialog_measures_after_the_stop_and_a_move_keeps_the_stop(qtbot):
    """The detected beats are 5 ms after the section's grid (beat 41 at 20.805 s): the move puts them there; the
    start row moves as much, its stop with it."""
    from audio.tempo import TempoCandidate
    from chart.section_tempo import set_section_tempo
    from editor.dialogs.section_tempo import SectionTempoDialog

    judged_s = float(STOPPED.beat_to_seconds(40))  # 20.1
    candidate = TempoCandidate(150.0, (20.4 + 0.005) % 0.4, 0.8)

    def outcome(bpm, at_s):
        return set_section_tempo(STOPPED, 40, 80, bpm, at_s).describe(), True

    dialog = SectionTempoDialog(None, [candidate], F(40), judged_s, "beats 40 to 80", outcome, stop_s=0.3)
    qtbot.addWidget(dialog)
    assert dialog.phase_s() == pytest.approx(0.005, abs=1e-6)
    assert "+5.0 ms from it" in dialog.list.item(0).text()
    assert dialog.move_box.isEnabled()
    assert dialog.move_box.isChecked()
    bpm, at_s = dialog.values()
    assert float(at_s) == pytest.approx(judged_s + 0.005, abs=1e-6)  # the judged row moves by the phase
    moved = set_section_tempo(STOPPED, 40, 80, bpm, at_s).timing
    assert float(moved.seconds_after_stop(40)) == pytest.approx(20.405, abs=1e-4)
    assert float(moved.beat_to_seconds(41)) == pytest.approx(20.805, abs=1e-4)
    assert moved.stops == STOPPED.stops
    dialog.reject()

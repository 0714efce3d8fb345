"""Timing > Detect Tempo of Selection (editor.controllers.section_tempo, editor.dialogs.section_tempo): the second
section of a two-tempo click track gets its own BPM as one undo step, the beats before it keep their times, the
tempo after it is put back, the first beat moves onto the detected beat when it is off, Keep notes in time, the
current chart's own timing, a too-short selection and cancel."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
from PySide6.QtWidgets import QDialog, QPushButton

from chart.commands import SetTiming
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from tests.audio.signals import click, place
from tests.editor.conftest import open_with_audio

pytestmark = pytest.mark.qt
SR = 22050
OLD = TimingData.constant(120, "-0.1")  # right for the first 20 s: beat 40 is at 20.1 s, where 150 BPM starts


def two_tempo(duration_s: float = 45.0) -> np.ndarray:
    out = np.zeros(int(duration_s * SR))
    for t in [*np.arange(0.1, 20.1 - 1e-9, 0.5), *np.arange(20.1, duration_s, 0.4)]:
        place(out, click(SR), float(t), SR)
    return (0.5 * out).astype(np.float32)


def open_song(win, qtbot, folder, timing: TimingData = OLD):
    """The click track with a Beginner and an Easy chart (a note every 2 beats to beat 100) timed by ``timing``."""
    notes = [Note(F(k), k % 4) for k in range(0, 100, 2)]
    song = Song(title="Clicks", music="clicks.wav", timing=timing,
                charts=[Chart(slot=Slot.BEGINNER, meter=2, notes=notes), Chart(slot=Slot.EASY, meter=3, notes=notes)])
    return open_with_audio(win, qtbot, folder, song, two_tempo(), SR)


@pytest.fixture
def accept_150(monkeypatch):
    """The dialog, answered as a person would: the candidate nearest 150 BPM, OK. Lists what it showed."""
    from editor.dialogs.section_tempo import SectionTempoDialog

    shown = []

    def exec_(dialog):
        if dialog.candidates:
            dialog.list.setCurrentRow(min(range(len(dialog.candidates)),
                                          key=lambda i: abs(dialog.candidates[i][0] - 150)))
        shown.append({"title": dialog.windowTitle(), "candidates": list(dialog.candidates),
                      "phase_s": dialog.phase_s(), "move": dialog.move_box.isEnabled() and dialog.move_box.isChecked(),
                      "outcome": dialog.outcome_label.text()})
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(SectionTempoDialog, "exec", exec_)
    return shown


def detect(win, qtbot, shown, beats=(F(40), F(80))):
    n = len(shown)
    win.session.set_range(beats)
    win.actions["timing.detect_section"].trigger()
    tool = win.section_tempo
    assert tool.progress is not None
    assert tool.progress.isVisible()
    qtbot.waitUntil(lambda: tool.job is None, timeout=30000)
    qtbot.waitUntil(lambda: len(shown) > n, timeout=5000)
    return shown[-1]


def test_the_second_section_gets_its_bpm_in_one_undo_step(window, qtbot, tmp_path, accept_150):
    song = open_song(window, qtbot, tmp_path / "s")
    doc = window.session.doc
    steps = len(doc.undo_stack_names())
    notes = list(song.charts[0].notes)
    shown = detect(window, qtbot, accept_150)
    assert "beats 40 to 80" in shown["title"]
    assert abs(shown["phase_s"]) < 0.003
    assert not shown["move"]
    assert "from beat 80 on 120.000 BPM as before" in shown["outcome"]
    t = song.timing
    assert t.bpms == ((0, 120), (40, 150), (80, 120))
    assert [t.beat_to_seconds(b) for b in range(41)] == [OLD.beat_to_seconds(b) for b in range(41)]
    assert float(t.beat_to_seconds(60)) == pytest.approx(20.1 + 20 * 0.4)  # on the 150-BPM clicks
    assert len(doc.undo_stack_names()) == steps + 1
    assert doc.undo_stack_names()[-1] == "Set section tempo"
    assert list(song.charts[0].notes) == notes  # Keep notes in time off: notes keep their beats
    status = window.statusBar().currentMessage()
    assert "150.000 BPM from beat 40" in status
    assert "the nearest detected beat is" in status
    doc.undo()
    assert song.timing == OLD


def test_an_off_first_beat_moves_onto_the_detected_beat(window, qtbot, tmp_path, accept_150):
    timing = TimingData(offset=F("-0.1"), bpms=((F(0), F(120)), (F(32), F("120.2"))))  # beat 40 6.7 ms early
    song = open_song(window, qtbot, tmp_path / "s", timing)
    shown = detect(window, qtbot, accept_150)
    assert shown["phase_s"] == pytest.approx(0.0067, abs=0.002)
    assert shown["move"]  # more than 3 ms: offered and ticked
    t = song.timing
    assert float(t.beat_to_seconds(40)) == pytest.approx(20.1, abs=0.002)
    assert [t.beat_to_seconds(b) for b in range(33)] == [timing.beat_to_seconds(b) for b in range(33)]
    assert t.bpms[0] == (0, 120)
    assert t.bpm_at(35) < F("120.2")
    assert t.bpms[-2:] == ((40, 150), (80, F("120.2")))
    assert "moved +" in window.statusBar().currentMessage()
    window.session.doc.undo()
    assert song.timing == timing


def test_keep_notes_in_time_and_one_undo(window, qtbot, tmp_path, accept_150):
    song = open_song(window, qtbot, tmp_path / "s")
    doc = window.session.doc
    was = [[float(OLD.beat_to_seconds(n.beat)) for n in c.notes] for c in song.charts]
    notes = [list(c.notes) for c in song.charts]
    window.timing_panel.keep_in_time.setChecked(True)
    detect(window, qtbot, accept_150)
    for chart, times in zip(song.charts, was):
        now = [float(song.timing.beat_to_seconds(n.beat)) for n in chart.notes]
        assert now == pytest.approx(times, abs=60 / 150 / 96 + 1e-6)
    assert [list(c.notes) for c in song.charts] != notes
    assert doc.undo_stack_names()[-1] == "Set section tempo, notes kept in time"
    assert "note(s) given new beats" in window.statusBar().currentMessage()
    doc.undo()
    assert song.timing == OLD
    assert [list(c.notes) for c in song.charts] == notes


def test_a_split_timing_chart_gets_its_own_section_tempo(window, qtbot, tmp_path, accept_150):
    song = open_song(window, qtbot, tmp_path / "s")
    easy = song.charts[1]
    window.session.doc.push(SetTiming(OLD, chart=easy))
    window.session.set_chart(easy)
    shown = detect(window, qtbot, accept_150)
    assert "Easy" in shown["title"]
    assert easy.timing.bpms == ((0, 120), (40, 150), (80, 120))
    assert song.timing == OLD


def test_a_selection_to_the_audio_end_keeps_the_new_bpm(window, qtbot, tmp_path, accept_150):
    song = open_song(window, qtbot, tmp_path / "s")
    detect(window, qtbot, accept_150, beats=(F(40), F(200)))  # beat 200 is past the 45-s audio
    assert song.timing.bpms == ((0, 120), (40, 150))


def test_a_short_or_missing_selection_says_so_in_one_line(window, qtbot, tmp_path, boxes):
    open_song(window, qtbot, tmp_path / "s")
    window.session.set_range((F(40), F(48)))  # 4 s
    assert not window.section_tempo.detect()
    kind, _title, text = boxes[-1]
    assert kind == "critical"
    assert "\n" not in text
    assert "4.0 s of audio" in text
    assert "at least 6 s" in text
    assert window.section_tempo.job is None
    window.session.clear_selection()
    assert not window.section_tempo.detect()
    assert "Select the section first" in boxes[-1][2]


def test_cancel_drops_the_result(window, qtbot, tmp_path, accept_150):
    song = open_song(window, qtbot, tmp_path / "s")
    window.session.set_range((F(40), F(80)))
    window.actions["timing.detect_section"].trigger()
    window.section_tempo.progress.findChild(QPushButton).click()
    qtbot.waitUntil(lambda: window.section_tempo.job is None, timeout=30000)
    qtbot.wait(50)
    assert accept_150 == []
    assert song.timing == OLD
    assert "cancelled" in window.statusBar().currentMessage()


def test_the_dialog_measures_the_phase_at_the_bpm_shown_and_refuses_what_cannot_apply(qtbot):
    from audio.tempo import TempoCandidate
    from chart.section_tempo import SectionTempoError, set_section_tempo
    from editor.dialogs.section_tempo import SectionTempoDialog

    timing = OLD

    def outcome(bpm, at_s):
        try:
            return set_section_tempo(timing, 40, 80, bpm, at_s).describe(), True
        except SectionTempoError as exc:
            return str(exc), False

    start_s = float(OLD.beat_to_seconds(40))  # 20.1
    candidate = TempoCandidate(150.0, (start_s + 0.005) % 0.4, 0.8)  # a beat 5 ms after the start
    dialog = SectionTempoDialog(None, [candidate], F(40), start_s, "beats 40 to 80", outcome)
    qtbot.addWidget(dialog)
    assert "+5.0 ms from it" in dialog.list.item(0).text()
    assert dialog.phase_s() == pytest.approx(0.005, abs=1e-6)
    assert dialog.move_box.isEnabled()
    assert dialog.move_box.isChecked()
    bpm, at_s = dialog.values()
    assert bpm == 150
    assert float(at_s) == pytest.approx(start_s + 0.005, abs=1e-6)
    assert "moved +5.0 ms" in dialog.outcome_label.text()
    dialog.move_box.setChecked(False)
    assert dialog.values()[1] is None
    assert "moved" not in dialog.outcome_label.text()
    dialog.move_box.setChecked(True)
    for label, bpm in (("÷2", 75), ("×2", 150), ("×2", 300)):
        next(b for b in dialog.findChildren(QPushButton) if b.text() == label).click()
        assert dialog.values()[0] == bpm
        assert dialog.phase_s() == pytest.approx(0.005, abs=1e-6)  # the grid through the detected beat
    dialog.list.setCurrentRow(0)
    timing = OLD.with_changes(warps=((F(38), F(4)),))  # beat 40 inside a warp: no move onto a beat
    dialog.bpm.setValue(149.0)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()
    assert dialog.outcome_label.text().startswith("Cannot apply:")
    assert "warp" in dialog.outcome_label.text()
    dialog.move_box.setChecked(False)
    assert ok.isEnabled()
    dialog.reject()


def test_a_section_starting_between_beats_is_measured_at_its_first_whole_beat(qtbot):
    """Tempo changes mid-beat are charted with the BPM change on a half beat (20kmh: 287.5): the music's beats are
    then the section's whole beats, half a beat at the new tempo after the start row."""
    from audio.tempo import TempoCandidate
    from editor.dialogs.section_tempo import SectionTempoDialog

    start_s = 30.0
    candidate = TempoCandidate(150.0, (start_s + 0.2 + 0.002) % 0.4, 0.8)  # beat 40 at +2 ms
    dialog = SectionTempoDialog(None, [candidate], F(79, 2), start_s, "beats 39.5 to 80", lambda b, a: ("", True))
    qtbot.addWidget(dialog)
    assert dialog.phase_s() == pytest.approx(0.002, abs=1e-6)  # not 200 ms from the start row
    assert not dialog.move_box.isEnabled()
    assert dialog.values()[1] is None
    assert "after beat 40" in dialog.phase_label.text()
    dialog.bpm.setValue(160.0)  # at another BPM beat 40 comes sooner after the start row
    assert dialog.phase_s() == pytest.approx(nearest_beat_from(start_s + 0.202, 60 / 160, start_s + 0.1875)
                                             - (start_s + 0.1875), abs=1e-6)
    dialog.reject()


def nearest_beat_from(anchor_s: float, period_s: float, near_s: float) -> float:
    return anchor_s + round((near_s - anchor_s) / period_s) * period_s


def test_the_timing_menu_lists_it_after_detect_tempo_with_no_default_key(window):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Timing")
    ids = [a.objectName() or a.text() for a in menu.actions()]
    action = window.actions["timing.detect_section"]
    assert action in menu.actions()
    assert menu.actions().index(action) == menu.actions().index(window.actions["timing.detect"]) + 1, ids
    assert action.shortcut().isEmpty()
    assert action.text() == "Detect Tempo of Se&lection..."

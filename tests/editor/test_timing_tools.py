"""Timing > Detect Tempo and Tap Tempo on the open song (editor.controllers.timing_tools, the tap pad of the tempo
dialog): one undo step, Keep notes in time, the question before a timing with several BPMs is replaced, the
current chart's own timing as the target, cancel."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox, QPushButton

from chart.commands import SetTiming
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from tests.editor.conftest import SR_HZ, click_track, open_with_audio

pytestmark = pytest.mark.qt
WRONG = TimingData.constant(125, 0)  # the clicks are at 120 BPM from 0.1 s


def open_song(win, qtbot, folder, timing: TimingData = WRONG):
    """A 10-s click track at 120 BPM (first beat 0.1 s) with a Beginner and an Easy chart timed by ``timing``."""
    notes = [Note(F(k), k % 4) for k in range(0, 16, 2)]
    song = Song(title="Clicks", music="clicks.wav", timing=timing,
                charts=[Chart(slot=Slot.BEGINNER, meter=2, notes=notes), Chart(slot=Slot.EASY, meter=3, notes=notes)])
    return open_with_audio(win, qtbot, folder, song, click_track(10.0), SR_HZ)


@pytest.fixture
def accept_120(monkeypatch):
    """The tempo dialog, answered as a person would: the candidate nearest 120 BPM, OK. Lists what it showed."""
    from editor.dialogs.tempo import TempoDialog

    shown = []

    def exec_(dialog):
        shown.append({"title": dialog.windowTitle(), "candidates": list(dialog.candidates)})
        if dialog.candidates:
            best = min(range(len(dialog.candidates)), key=lambda i: abs(dialog.candidates[i][0] - 120))
            dialog.list.setCurrentRow(best)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(TempoDialog, "exec", exec_)
    return shown  # {title, candidates} per dialog shown


def detect(win, qtbot, shown):
    n = len(shown)
    win.actions["timing.detect"].trigger()
    assert win.timing_tools.progress is not None
    assert win.timing_tools.progress.isVisible()
    qtbot.waitUntil(lambda: win.timing_tools.job is None, timeout=20000)
    qtbot.waitUntil(lambda: len(shown) > n, timeout=5000)


def note_times(song, chart):
    timing = song.timing_for(chart)
    return [float(timing.beat_to_seconds(n.beat)) for n in chart.notes]


def test_detect_tempo_sets_the_song_timing_in_one_undo_step(window, qtbot, tmp_path, accept_120):
    song = open_song(window, qtbot, tmp_path / "s")
    doc = window.session.doc
    before, steps = song.timing, len(doc.undo_stack_names())
    notes = list(song.charts[0].notes)
    detect(window, qtbot, accept_120)
    candidates = accept_120[-1]["candidates"]
    assert candidates[0][2] >= candidates[-1][2]  # best first
    assert float(song.timing.bpms[0][1]) == pytest.approx(120, abs=0.05)
    assert len(song.timing.bpms) == 1
    assert float(song.timing.beat0_s) == pytest.approx(0.1, abs=0.002)
    assert len(doc.undo_stack_names()) == steps + 1
    assert doc.undo_stack_names()[-1] == "Set tempo"
    assert list(song.charts[0].notes) == notes  # Keep notes in time is off: the notes keep their beats
    assert f"{float(song.timing.bpms[0][1]):.3f} BPM" in window.statusBar().currentMessage()
    doc.undo()
    assert song.timing == before


def test_detect_tempo_keeps_notes_in_time_when_asked(window, qtbot, tmp_path, accept_120):
    song = open_song(window, qtbot, tmp_path / "s")
    doc = window.session.doc
    times = [note_times(song, c) for c in song.charts]
    notes = [list(c.notes) for c in song.charts]
    window.timing_panel.keep_in_time.setChecked(True)
    detect(window, qtbot, accept_120)
    assert float(song.timing.bpms[0][1]) == pytest.approx(120, abs=0.05)
    zero_s = float(song.timing.beat0_s)
    for chart, was in zip(song.charts, times):
        now = note_times(song, chart)
        assert was[0] < zero_s  # heard before the new beat 0, where no chart file keeps a note ...
        assert now[0] == zero_s  # ... so pulled up to it
        assert now[1:] == pytest.approx(was[1:], abs=60 / 120 / 96 + 1e-6)  # within half a 1/48 row
    assert "2 moved up to beat 0" in window.statusBar().currentMessage()
    assert [list(c.notes) for c in song.charts] != notes
    assert doc.undo_stack_names()[-1] == "Set tempo, notes kept in time"
    doc.undo()  # one step gives timing and notes back
    assert song.timing == WRONG
    assert [list(c.notes) for c in song.charts] == notes


def test_a_timing_with_several_bpms_is_replaced_only_when_the_user_agrees(window, qtbot, tmp_path, boxes):
    timing = TimingData(offset=F(0), bpms=((F(0), F(125)), (F(8), F(130))), stops=((F(4), F(1, 2)),),
                        time_signatures=((F(0), 3, 4),))
    song = open_song(window, qtbot, tmp_path / "s", timing)
    tools = window.timing_tools
    boxes.answers = [QMessageBox.StandardButton.No]
    assert not tools.apply(F(120), F(1, 10))
    assert boxes[-1][0] == "question"
    assert "2 BPMs, 1 stop" in boxes[-1][2]
    assert "one BPM" in boxes[-1][2]
    assert song.timing == timing
    boxes.answers = [QMessageBox.StandardButton.Yes]
    assert tools.apply(F(120), F(1, 10))
    assert song.timing.bpms == ((F(0), F(120)),)
    assert not song.timing.stops
    assert song.timing.time_signatures == timing.time_signatures  # what does not move notes stays
    window.session.doc.undo()
    assert song.timing == timing
    window.session.doc.push(SetTiming(TimingData.constant(125)))
    n = len(boxes)
    assert tools.apply(F(120), F(1, 10))
    assert len(boxes) == n  # one BPM: nothing to ask


def test_a_split_timing_chart_gets_its_own_timing_set(window, qtbot, tmp_path, accept_120):
    song = open_song(window, qtbot, tmp_path / "s", TimingData.constant(120, "-0.1"))
    easy = song.charts[1]
    window.session.doc.push(SetTiming(WRONG, chart=easy))
    window.session.set_chart(easy)
    detect(window, qtbot, accept_120)
    assert "Easy" in accept_120[-1]["title"]
    assert float(easy.timing.bpms[0][1]) == pytest.approx(120, abs=0.05)
    assert song.timing == TimingData.constant(120, "-0.1")  # the song's timing is not the target
    window.session.doc.undo()
    assert easy.timing == WRONG


def test_cancel_drops_the_detection(window, qtbot, tmp_path, accept_120):
    song = open_song(window, qtbot, tmp_path / "s")
    window.actions["timing.detect"].trigger()
    window.timing_tools.progress.findChild(QPushButton).click()  # the progress box's Cancel
    qtbot.waitUntil(lambda: window.timing_tools.job is None, timeout=20000)
    qtbot.wait(50)
    assert accept_120 == []
    assert song.timing == WRONG
    assert "cancelled" in window.statusBar().currentMessage()


def test_detect_without_audio_says_so(window, boxes):
    assert not window.timing_tools.detect()
    assert boxes[-1][0] == "critical"
    assert "No audio" in boxes[-1][2]


def test_tap_pad_gives_bpm_and_first_beat_in_the_dialog(qtbot):
    from editor.dialogs.tempo import TempoDialog

    dialog = TempoDialog(None, [], "x.ogg", current=TimingData.constant(100, "-0.1"), detected=False)
    qtbot.addWidget(dialog)
    pad = dialog.tap_pad
    assert not pad.use_bpm.isEnabled()
    for k in range(8):
        pad.record(5.3 + 0.5 * k + (0.01 if k % 2 else -0.01), on_audio=True)
    assert pad.estimate.bpm == pytest.approx(120.0, abs=0.5)
    assert "8 taps" in pad.label.text()
    pad.use_bpm.click()
    assert dialog.bpm.value() == pytest.approx(pad.estimate.bpm, abs=1e-3)
    dialog.bpm.setValue(120.0)
    pad.use_beat.click()  # the tapped grid's beat nearest the first beat shown (100 ms)
    assert dialog.beat0_ms.value() == pytest.approx(300.0, abs=3.0)
    bpm, beat0_s = dialog.values()
    assert bpm == 120
    assert float(beat0_s) == pytest.approx(0.3, abs=0.003)
    pad.record(100.0, on_audio=False)  # the song stopped: a new run, the BPM only
    assert pad.taps.count == 1
    assert not pad.use_beat.isEnabled()


def test_tap_keys_tap_even_in_a_number_box(qtbot):
    from editor.dialogs.tempo import TempoDialog

    dialog = TempoDialog(None, [], "x.ogg", detected=False)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.bpm.setFocus()
    for key in (Qt.Key.Key_T, Qt.Key.Key_Space, Qt.Key.Key_T):
        qtbot.keyClick(dialog.bpm, key)
    assert dialog.tap_pad.taps.count == 3
    assert dialog.bpm.value() == 120.0  # nothing typed into the box
    dialog.reject()


def test_values_left_as_shown_keep_the_song_s_exact_ones(qtbot):
    from editor.dialogs.tempo import TempoDialog

    current = TimingData.constant("174.98237", "-0.0123456")
    dialog = TempoDialog(None, [], "x.ogg", current=current, detected=False)
    qtbot.addWidget(dialog)
    assert dialog.values() == (F("174.98237"), F("0.0123456"))
    dialog.bpm.setValue(175.0)
    assert dialog.values() == (F(175), F("0.0123456"))


def test_tap_tempo_from_the_timing_panel_taps_on_the_song_clock(fake, qtbot, monkeypatch):
    from editor.dialogs.tempo import TempoDialog

    win, clock = fake
    song = win.session.doc.song  # 120 BPM, beat 0 at 0.1 s (the conftest song)
    win.session.doc.push(SetTiming(TimingData.constant(118, "-0.05")))

    def exec_(dialog):
        play = next(b for b in dialog.findChildren(QPushButton) if b.text() == "&Play / Pause")
        play.click()
        assert win.playback.playing
        clock.advance(0.6 - win.playback.player.position_s())  # the song at 0.6 s: beat 1
        for _ in range(8):
            dialog.tap_pad.tap()
            clock.advance(0.5)
        dialog.tap_pad.use_bpm.click()
        dialog.tap_pad.use_beat.click()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(TempoDialog, "exec", exec_)
    button = next(b for b in win.timing_panel.findChildren(QPushButton) if b.text() == "Tap Tempo...")
    button.click()
    assert song.timing.bpms == ((F(0), F(120)),)
    assert float(song.timing.beat0_s) == pytest.approx(0.1, abs=1e-4)


def test_headless_detection_takes_the_best_candidate(window, qtbot, tmp_path, monkeypatch):
    """No one to ask (``--screenshot`` runs): the best candidate, its first beat nearest the song's beat 0, as New
    Song from Audio does."""
    from editor import messages

    monkeypatch.setattr(messages, "_headless", True)
    song = open_song(window, qtbot, tmp_path / "s", TimingData.constant(125, "-4.6"))
    assert window.timing_tools.detect()
    qtbot.waitUntil(lambda: song.timing != TimingData.constant(125, "-4.6"), timeout=20000)
    bpm = float(song.timing.bpms[0][1])
    assert min(abs(bpm - 120), abs(bpm - 240)) < 0.05  # half/double time is the detector's call
    beat0_s = float(song.timing.beat0_s)
    assert abs(beat0_s - 4.6) < 60 / bpm / 2 + 1e-3  # the grid's beat nearest 4.6 s, not one near 0
    assert abs((beat0_s - 0.1) / (60 / bpm) - round((beat0_s - 0.1) / (60 / bpm))) < 0.01

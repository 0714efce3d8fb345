"""The status bar's message line (editor.status_messages): elided with its whole text in the tooltip and in View >
Messages..., compact permanent read-outs, and warnings that the info lines after them do not replace (the .sm
opened beside its .ssc)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from chart.song import Slot

pytestmark = pytest.mark.qt

AI_READY = ("AI drafts ready (ghost notes): Beginner 106, Easy 205, Medium 437, Hard 608, Challenge 720. Return "
            "accepts the measure or range, Ctrl+Return all.")


def test_a_long_message_is_elided_whole_in_its_tooltip_and_logged(window, qtbot):
    window.resize(1280, 860)  # the documented window: the message used to be cut mid-word at ~460 px
    window.session.status.emit(AI_READY)
    bar = window.message_bar
    qtbot.waitUntil(lambda: bar.line.text().endswith("…"))
    assert bar.line.fontMetrics().horizontalAdvance(bar.line.text()) <= bar.line.contentsRect().width()
    assert AI_READY in bar.line.toolTip()
    assert window.statusBar().currentMessage() == AI_READY  # the full text, as QStatusBar's API had it
    assert bar.log[-1].text == AI_READY


def test_view_messages_lists_every_message_with_its_time(window, qtbot):
    for k in range(3):
        window.session.status.emit(f"message number {k}")
    window.actions["view.messages"].trigger()
    dialog = window.messages_dialog
    assert dialog is not None
    assert dialog.isVisible()
    text = dialog.text.toPlainText()
    assert [line.split("  ", 1)[1] for line in text.splitlines()[-3:]] == [f"message number {k}" for k in range(3)]
    window.session.status.emit("one more")  # the open dialog takes new messages
    assert dialog.text.toPlainText().endswith("one more")
    dialog.close()
    qtbot.mouseClick(window.message_bar.line, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()  # a click on the message line opens it too
    dialog.close()


def test_the_log_keeps_the_last_200(window):
    from editor.status_messages import LOG_SIZE

    for k in range(LOG_SIZE + 20):
        window.session.status.emit(f"line {k}")
    assert len(window.message_bar.log) == LOG_SIZE
    assert window.message_bar.log[0].text == "line 20"


def test_a_warning_is_not_replaced_by_info_lines(window, qtbot, monkeypatch):
    import editor.status_messages as sm

    monkeypatch.setattr(sm, "WARNING_MS", 400)
    window.status_warning("Careful: this matters")
    sm.post_background(window, "Decoding clicks.wav")  # a background line; an answer to the user replaces it
    assert window.statusBar().currentMessage() == "Careful: this matters"
    assert [m.text for m in window.message_bar.log][-2:] == ["Careful: this matters", "Decoding clicks.wav"]
    assert window.message_bar.log[-2].level == sm.WARNING
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "Decoding clicks.wav", timeout=3000)


def test_the_audio_label_leaves_room_for_messages(opened):
    opened.resize(1280, 860)
    label = opened.audio_label
    opened.session.audio.path = opened.session.audio.path.with_name("Satori Zoom - Buster (Kgs Remix) extended.wav")
    opened.readouts.show_device("null device")
    from editor.status_bar import AUDIO_NAME_PX

    assert "…" in label.text()
    assert "extended.wav" in label.toolTip()
    fm = label.fontMetrics()
    rest = label.text().split("…")[1].split(" · ", 1)[1] if " · " in label.text() else ""
    assert fm.horizontalAdvance(label.text()) <= fm.horizontalAdvance(f"♪  · {rest}") + AUDIO_NAME_PX


def test_the_sm_warning_stays_while_the_audio_loads(window, song_files, qtbot):
    """The .ssc beside the .sm is what StepMania reads: said as a warning, not replaced by the audio lines."""
    from chart.formats.registry import save

    sm = song_files.folder / "clicks.sm"
    save(song_files.song, sm)
    assert window.open_path(sm)
    qtbot.waitUntil(lambda: window.session.audio is not None, timeout=10000)
    qtbot.wait(200)
    assert window.statusBar().currentMessage().startswith("StepMania reads clicks.ssc in this folder")
    assert any(m.text.startswith("StepMania reads") and m.level == "warning" for m in window.message_bar.log)


def open_with_easy_gap_models(window, song_files, qtbot, tmp_path) -> None:
    """The song open with its audio, drafting with the tiny models given the shipped Easy gap (rows at least 1 beat
    apart); skips without onnx."""
    pytest.importorskip("onnx")
    from inference.manifest import Manifest
    from tests.inference.tiny_models import drafting_model

    folder = tmp_path / "models"
    folder.mkdir()
    drafting_model(folder)
    path = folder / "onset.manifest.json"
    manifest = Manifest.load(path, verify=False)
    manifest.decode["easy"].min_gap_beats = 1.0
    manifest.save(path)
    assert window.open_path(song_files.chart)
    qtbot.waitUntil(lambda: window.session.audio is not None, timeout=10000)
    window.drafting.models_dir = folder


def test_a_draft_under_a_target_its_gap_caps_says_so(window, song_files, qtbot, tmp_path):
    """Easy rows 1 beat apart at 120 BPM: at most 2 a second, so a 5 NPS target drafts well under it; the status
    line and the AI panel say why (the tiny model is given the shipped Easy gap; a targeted draft keeps 80 % of the
    rows it allows)."""
    from inference.nps_caps import reachable
    from tests.editor.conftest import wait_job

    open_with_easy_gap_models(window, song_files, qtbot, tmp_path)
    panel = window.ai_panel
    panel.show_caps()
    assert "at 120 BPM" in panel.caps.text()
    cap = reachable(1.0, 2.0)  # 2 rows a second, of which a targeted draft keeps 80 % (no lane model: no jumps)
    assert cap == pytest.approx(1.6)
    assert f"Easy {cap:.1f}" in panel.caps.text()
    assert f"1-beat minimum gap between rows and the rests a draft keeps allow about {cap:.1f} NPS" in \
        panel.nps[Slot.EASY].toolTip()
    panel.nps[Slot.EASY].setValue(5.0)
    assert panel.draft([Slot.EASY]) is not None
    wait_job(qtbot, window)
    said = window.statusBar().currentMessage()
    assert "Under the NPS target: Easy" in said
    assert f"(target 5.00): its 1-beat minimum gap and rests allow about {cap:.1f} at 120 BPM" in said
    assert any(m.text.startswith("AI drafts ready") for m in window.message_bar.log)  # not lost either


def test_cap_notes_for_every_draft_well_under_its_target_naming_the_cap_when_it_is_why():
    from fractions import Fraction

    from chart.notes import Note
    from chart.timing import TimingData
    from inference.nps_caps import SlotGaps, beats_per_second, cap_notes

    class Draft:
        def __init__(self, slot, notes):
            self.slot, self.notes = slot, notes

    timing = TimingData.constant(Fraction("100.877"), offset=Fraction("-0.362"))
    assert beats_per_second(timing, 136.0) == pytest.approx(100.877 / 60)
    easy = Draft(Slot.EASY, [Note(Fraction(b), b % 4) for b in range(200)])  # one row a beat: 1.69 NPS
    gaps = {Slot.EASY: 1.0}
    notes = cap_notes([easy], {Slot.EASY: 2.35}, gaps, lambda _s: timing, 136.0)
    # a targeted Easy draft keeps at most 80 % of the 1.68 rows a second its gap allows: about 1.3
    assert notes == ["Easy 1.69 NPS (target 2.35): its 1-beat minimum gap and rests allow about 1.3 at 101 BPM"]
    with_jumps = SlotGaps(gaps, {Slot.EASY: 1.25})
    assert cap_notes([easy], {Slot.EASY: 2.35}, with_jumps, lambda _s: timing, 136.0)[0].endswith(
        "allow about 1.7 at 101 BPM")
    assert cap_notes([easy], {Slot.EASY: 1.6}, gaps, lambda _s: timing, 136.0) == []  # reached: nothing to say
    assert cap_notes([easy], {}, gaps, lambda _s: timing, 136.0) == []  # no target
    # short of a target no gap caps: said all the same (a draft held 15-25 % under its target said nothing)
    assert cap_notes([Draft(Slot.HARD, easy.notes)], {Slot.HARD: 9.0}, gaps, lambda _s: timing, 136.0) == [
        "Hard 1.69 NPS (target 9.00)"]
    beginner = Draft(Slot.BEGINNER, easy.notes[::4])  # a row every 4 beats: 0.43 NPS, under a reachable 0.6
    assert cap_notes([beginner], {Slot.BEGINNER: 0.6}, {Slot.BEGINNER: 2.0}, lambda _s: timing, 136.0) == [
        "Beginner 0.43 NPS (target 0.60)"]

"""Background results landing while the designer is in the middle of something (the races audit): an AI draft of
another chart does not switch the view during a take or a drag, the AI panel's backend line follows the setting,
a Draft just after Cancel says the AI is cancelling, and Detect Tempo's dialog waits for a take to end."""

from __future__ import annotations

import threading
import time
from fractions import Fraction

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from chart.song import Slot
from editor.timeline.pointer import Hit
from tests.editor.conftest import wait_job

pytestmark = pytest.mark.qt


def hit(win, beat: Fraction, lane: int, note: int | None = None) -> Hit:
    return Hit(float(win.session.timing().beat_to_seconds(beat)), float(beat), beat, lane + 0.5, lane, note,
               Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)


def test_a_draft_of_another_chart_during_a_take_keeps_the_take_and_the_view(ai, qtbot):
    win, s = ai, ai.session
    beginner, easy = s.doc.song.chart(Slot.BEGINNER), s.doc.song.chart(Slot.EASY)
    s.set_chart(beginner)
    assert win.record.start()
    assert win.drafting.draft_slots([Slot.EASY], {}) is not None  # its result comes while the take runs
    wait_job(qtbot, win)
    assert s.chart is beginner
    assert win.record.active  # not "Recording ended (the chart changed)"
    assert win.drafting.ghosts.get(easy) is not None  # the ghosts wait on their chart
    status = win.statusBar().currentMessage()
    assert "AI drafts ready (ghost notes): Easy" in status
    assert "the view stays on Beginner during the recording take" in status
    win.record.stop()
    s.set_chart(easy)  # the designer switches: the ghosts are there
    assert win.drafting.ghosts.get(easy) is not None


def test_a_draft_of_another_chart_during_a_drag_keeps_the_drag(ai, qtbot):
    win, s = ai, ai.session
    beginner, easy = s.doc.song.chart(Slot.BEGINNER), s.doc.song.chart(Slot.EASY)
    s.set_chart(beginner)
    grab = beginner.notes[0]
    ed = win.editing
    ed.press(hit(win, grab.beat, grab.lane, win.timeline.index.notes.index(grab)))
    ed.drag(hit(win, grab.beat + 2, grab.lane))
    assert s.doc.history.in_stroke
    assert win.drafting.draft_slots([Slot.EASY], {}) is not None
    wait_job(qtbot, win)
    assert s.chart is beginner
    assert "during the drag" in win.statusBar().currentMessage()
    ed.release(hit(win, grab.beat + 2, grab.lane))
    assert grab not in beginner.notes  # the drag went in
    assert grab.replace(beat=grab.beat + 2) in beginner.notes
    assert win.drafting.ghosts.get(easy) is not None
    assert "Drag dropped" not in win.statusBar().currentMessage()


def test_variants_of_another_chart_during_a_take_wait_on_their_chart(ai, qtbot):
    win, s = ai, ai.session
    beginner, easy = s.doc.song.chart(Slot.BEGINNER), s.doc.song.chart(Slot.EASY)
    s.set_chart(easy)
    assert win.drafting.regenerate((Fraction(0), Fraction(8)), 2) is not None
    s.set_chart(beginner)  # before the result is handled (it comes through the event loop)
    assert win.record.start()
    wait_job(qtbot, win)
    assert s.chart is beginner
    assert win.record.active
    assert "ready as ghosts on Easy; the view stays on Beginner during the recording take" in \
        win.statusBar().currentMessage()
    win.record.stop()


def slow_draft(monkeypatch, seconds: float) -> threading.Event:
    """Drafter.draft sleeping ``seconds`` first, as a stage that does not look at the cancel token (the audio
    features); the event is set once the job is in it (its drafter chosen)."""
    import inference.drafter as drafter_mod

    real, entered = drafter_mod.Drafter.draft, threading.Event()

    def slow(self, *args, **kwargs):
        entered.set()
        time.sleep(seconds)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(drafter_mod.Drafter, "draft", slow)
    return entered


def test_the_backend_line_follows_a_switch_to_remote_made_during_a_draft(ai, qtbot, monkeypatch):
    win = ai
    panel = win.ai_panel
    entered = slow_draft(monkeypatch, 0.5)
    assert win.drafting.draft_slots([Slot.EASY], {}) is not None
    assert entered.wait(20)  # the local drafter is running
    panel.url.setText("http://127.0.0.1:9")
    panel.remote.setChecked(True)  # while the local draft runs
    assert panel.device.text() == "remote (with local fallback)"
    wait_job(qtbot, win)
    assert win.drafting.ghosts.get(win.session.doc.song.chart(Slot.EASY)) is not None  # the local draft landed
    assert win.drafting.settings.get("ai/backend") == "remote"
    assert panel.device.text() == "remote (with local fallback)"  # not the local drafter that just ran


def test_a_draft_just_after_cancel_says_the_ai_is_cancelling(ai, qtbot, monkeypatch):
    slow_draft(monkeypatch, 1.0)
    win = ai
    assert win.drafting.draft_slots([Slot.EASY], {}) is not None
    win.drafting.cancel()
    assert win.drafting.draft_slots([Slot.EASY], {}) is None
    assert win.statusBar().currentMessage() == "The AI is cancelling the last job; try again in a moment"
    wait_job(qtbot, win)
    assert win.drafting.draft_slots([Slot.EASY], {}) is not None  # once it has ended
    wait_job(qtbot, win)


@pytest.fixture
def tempo_dialogs(monkeypatch):
    """Both tempo dialogs answered with OK at 150 BPM; each lists whether a take was running when it opened."""
    from editor.dialogs.section_tempo import SectionTempoDialog
    from editor.dialogs.tempo import TempoDialog

    shown: list[bool] = []

    def exec_(dialog):
        shown.append(dialog.parent().record.active)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(TempoDialog, "exec", exec_)
    monkeypatch.setattr(TempoDialog, "values", lambda self: (Fraction(150), Fraction(1, 10)))
    monkeypatch.setattr(SectionTempoDialog, "exec", exec_)
    monkeypatch.setattr(SectionTempoDialog, "values", lambda self: (Fraction(150), None))
    monkeypatch.setattr(SectionTempoDialog, "phase_s", lambda self: 0.0)
    return shown


def test_detect_tempo_during_a_take_opens_its_dialog_when_the_take_ends(opened, qtbot, tempo_dialogs):
    win, s = opened, opened.session
    assert win.timing_tools.detect()
    assert win.record.start()
    qtbot.waitUntil(lambda: win.timing_tools.job is None, timeout=20000)
    qtbot.wait(300)
    assert tempo_dialogs == []  # not over the take
    assert "its dialog opens when the recording take ends" in win.statusBar().currentMessage()
    assert not win.timing_tools.detect()  # one result waits: no second detection meanwhile
    win.record.stop()
    qtbot.waitUntil(lambda: tempo_dialogs == [False], timeout=5000)
    assert [float(b) for _, b in s.doc.song.timing.bpms] == [150.0]  # what was confirmed is applied
    assert s.doc.undo_stack_names()[-1] == "Set tempo"


def test_detect_tempo_of_selection_during_a_take_waits_for_it(opened, qtbot, tempo_dialogs):
    win, s = opened, opened.session
    s.set_range((Fraction(4), Fraction(24)))
    assert win.section_tempo.detect()
    assert win.record.start()
    qtbot.waitUntil(lambda: win.section_tempo.job is None, timeout=20000)
    qtbot.wait(300)
    assert tempo_dialogs == []
    assert "its dialog opens when the recording take ends" in win.statusBar().currentMessage()
    win.record.stop()
    qtbot.waitUntil(lambda: tempo_dialogs == [False], timeout=5000)
    assert s.doc.undo_stack_names()[-1] == "Set section tempo"
    assert any(bpm == 150 for _, bpm in s.doc.song.timing.bpms)

"""A result held for a drag, a take or a test play (:class:`editor.controllers.under_way.HeldResult`) waits,
paused, while the window handles a Close, and is dropped when the window closes, when it shuts down and when
another song opens: its 100 ms poll went on, so Detect Tempo's dialog opened over the "Save changes?" prompt (the
take had just ended there) or after shutdown, its "Set tempo" step pushed onto the closed window's document; and
a close cancelled at that prompt once dropped it for good. Plugins wait the same way (one mechanism), and Convert
Music to Ogg finishing during a take sets #MUSIC when the take ends (the step was refused and lost)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.document import Document
from chart.song import Song

pytestmark = pytest.mark.qt


@pytest.fixture
def tempo_dialogs(monkeypatch):
    from PySide6.QtWidgets import QDialog

    from editor.dialogs.tempo import TempoDialog

    shown: list[str] = []
    monkeypatch.setattr(TempoDialog, "exec", lambda self: (shown.append("tempo"), QDialog.DialogCode.Accepted)[1])
    monkeypatch.setattr(TempoDialog, "values", lambda self: (Fraction(150), Fraction(1, 10)))
    return shown


def held_detection(win, qtbot) -> None:
    assert win.timing_tools.detect()
    assert win.record.start()
    qtbot.waitUntil(lambda: win.timing_tools.job is None, timeout=20000)
    assert win.timing_tools.held.waiting  # held for the take


def close_with_prompt(win, qtbot, monkeypatch, answer: bool, seen) -> list[list[str]]:
    """Close ``win``; its "Save changes?" answers ``answer`` (True: go on, False: Cancel) after 300 ms of events,
    noting ``seen`` (a list) at that moment."""
    during_prompt: list[list[str]] = []

    def modal_prompt():  # what the question box does: a nested event loop while the designer reads it
        qtbot.wait(300)
        during_prompt.append(list(seen))
        return answer

    monkeypatch.setattr(win, "maybe_save_changes", modal_prompt)
    win.skip_close_prompt = False
    win.close()
    return during_prompt


def test_a_cancelled_close_pauses_the_held_result_then_lets_it_in(opened, qtbot, tempo_dialogs, monkeypatch):
    win, s = opened, opened.session
    held_detection(win, qtbot)
    assert close_with_prompt(win, qtbot, monkeypatch, False, tempo_dialogs) == [[]]  # nothing over the prompt
    assert win.isVisible()  # cancelled: the window and the song stay open
    assert win.timing_tools.held.waiting  # not dropped
    qtbot.waitUntil(lambda: tempo_dialogs == ["tempo"], timeout=5000)
    assert not win.timing_tools.held.waiting
    assert s.doc.undo_stack_names()[-1] == "Set tempo"
    assert "dropped" not in win.statusBar().currentMessage()


def test_a_result_held_during_the_prompt_waits_for_its_end(opened, qtbot, monkeypatch):
    win = opened
    calls: list[str] = []
    held = win.timing_tools.held

    def modal_prompt():
        held.hold(lambda: calls.append("in"))  # a job's result comes in while the prompt is open
        qtbot.wait(300)
        calls.append("prompt over")
        return False

    monkeypatch.setattr(win, "maybe_save_changes", modal_prompt)
    win.skip_close_prompt = False
    win.close()
    assert calls == ["prompt over"]
    qtbot.waitUntil(lambda: calls == ["prompt over", "in"], timeout=5000)


def test_an_accepted_close_drops_the_held_result(opened, qtbot, tempo_dialogs, monkeypatch):
    win, s = opened, opened.session
    held_detection(win, qtbot)
    steps = s.doc.undo_stack_names()
    assert close_with_prompt(win, qtbot, monkeypatch, True, tempo_dialogs) == [[]]
    assert not win.isVisible()
    assert not win.timing_tools.held.waiting
    qtbot.wait(300)
    assert tempo_dialogs == []
    assert s.doc.undo_stack_names() == steps


def test_shutdown_drops_the_held_result(opened, qtbot, tempo_dialogs):
    win, s = opened, opened.session
    held_detection(win, qtbot)
    bpms = list(s.doc.song.timing.bpms)
    steps = s.doc.undo_stack_names()
    win.record.stop("closing")
    win.shutdown()
    qtbot.wait(300)
    assert tempo_dialogs == []
    assert list(s.doc.song.timing.bpms) == bpms
    assert s.doc.undo_stack_names() == steps


def test_another_song_drops_held_results_and_a_plugins_wait(opened, qtbot, tempo_dialogs):
    from tests.editor.test_plugin_results import SLOW_MIRROR, add_plugin, trigger

    win, s = opened, opened.session
    add_plugin(win, "slow.py", SLOW_MIRROR)
    trigger(win, "Slow Mirror")
    held_detection(win, qtbot)
    qtbot.waitUntil(lambda: win.plugins.job is None, timeout=20000)
    assert win.plugins.running  # the plugin's result waits too
    assert win.plugins.stop_action.isEnabled()
    s.set_document(Document(Song()))  # another song (it ends the take)
    assert not win.timing_tools.held.waiting
    assert not win.plugins.running
    assert not win.plugins.stop_action.isEnabled()
    qtbot.wait(300)
    assert tempo_dialogs == []


def test_convert_to_ogg_ending_during_a_take_sets_music_when_it_ends(opened, qtbot, boxes):
    win, s = opened, opened.session
    folder = s.doc.song.source_path.parent
    job = win.files.convert_music_to_ogg()
    assert job is not None
    assert win.record.start()  # before the write's result comes back
    qtbot.waitUntil(lambda: not job.running, timeout=20000)
    qtbot.waitUntil(lambda: "#MUSIC is set to it when the recording take ends" in win.statusBar().currentMessage(),
                    timeout=5000)
    assert (folder / "clicks.ogg").is_file()
    assert s.doc.song.music == "clicks.wav"
    assert win.files.convert_music_to_ogg() is None  # a second press: no "exists. Replace it?"
    assert boxes == []
    assert "the Ogg is written" in win.statusBar().currentMessage()
    win.record.stop()
    qtbot.waitUntil(lambda: s.doc.song.music == "clicks.ogg", timeout=5000)
    assert s.audio.path.name == "clicks.ogg"
    assert s.doc.undo_stack_names()[-1] == "Convert music to Ogg"


def test_a_detection_ending_inside_the_close_prompt_waits_for_it(opened, qtbot, tempo_dialogs, monkeypatch):
    """A job that ended inside the "Save changes?" prompt was not held (nothing was under way: the close had ended
    the take), so its dialog opened over the prompt (review)."""
    win = opened
    assert win.timing_tools.detect()  # running; no take, no drag
    seen = []

    def modal_prompt():  # the question box's nested event loop while the designer reads it
        qtbot.waitUntil(lambda: win.timing_tools.job is None, timeout=20000)
        qtbot.wait(300)
        seen.append(list(tempo_dialogs))
        return False  # Cancel

    monkeypatch.setattr(win, "maybe_save_changes", modal_prompt)
    win.skip_close_prompt = False
    win.close()
    assert seen == [[]]  # nothing over the prompt
    qtbot.waitUntil(lambda: tempo_dialogs == ["tempo"], timeout=5000)  # the close was cancelled: it goes in

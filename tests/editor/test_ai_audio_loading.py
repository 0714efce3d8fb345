"""The AI panel just after a song opens, and after a backend switch (audit 25): a Draft pressed while the song's
audio still decoded got an error box saying no audio is loaded; after Remote, then Local again, the backend line
said "model not loaded yet" while the local model was loaded."""

from __future__ import annotations

import threading

import pytest

from chart.song import Slot
from tests.editor.conftest import wait_job

pytestmark = pytest.mark.qt


def test_a_draft_pressed_while_the_audio_decodes_is_drafted(window, song_files, models_dir, qtbot, boxes,
                                                              monkeypatch):
    import editor.controllers.files as files

    gate = threading.Event()
    real = files.decode_job
    monkeypatch.setattr(files, "decode_job", lambda *a, **k: (gate.wait(30), real(*a, **k))[1])
    win = window
    win.drafting.models_dir = models_dir
    try:
        assert win.open_path(song_files.chart)
        assert win.session.audio is None  # still decoding
        assert win.session.audio_error is None
        assert win.ai_panel.draft([Slot.HARD]) is not None
        wait_job(qtbot, win)
        assert not boxes, boxes
        assert win.drafting.last_error is None
        assert win.drafting.ghosts.get(win.session.doc.song.chart(Slot.HARD)) is not None
    finally:
        gate.set()
    qtbot.waitUntil(lambda: win.session.audio is not None, timeout=10000)


def test_a_draft_without_audio_says_why_there_is_none(window, song_files, qtbot, boxes):
    song_files.audio.unlink()
    assert window.open_path(song_files.chart)
    assert window.session.audio_error is not None
    assert window.ai_panel.draft([Slot.HARD]) is None
    assert boxes[-1][0] == "critical"
    assert boxes[-1][2] == "Drafting needs the song's audio, and none is loaded (audio file not found: clicks.wav)."


def test_the_backend_line_after_remote_then_local_names_the_loaded_model(ai, qtbot):
    win, panel = ai, ai.ai_panel
    assert win.drafting.warm_up() is not None
    wait_job(qtbot, win)
    loaded = panel.device.text()
    assert loaded.startswith("local ONNX")
    panel.url.setText("")  # no server to ask
    panel.remote.setChecked(True)
    assert panel.device.text() == "remote (with local fallback)"
    panel.local.setChecked(True)
    assert win.drafting.drafter is not None
    assert panel.device.text() == loaded  # was "model not loaded yet" until the next draft


def test_a_draft_asks_the_session_whether_the_audio_is_still_loading(window, song_files, qtbot, boxes, monkeypatch):
    """One "audio still loading" test (EditorSession.audio_loading, which the Stems panel uses too), not a second
    copy in the drafting controller that could come to mean something else."""
    import editor.controllers.files as files

    gate = threading.Event()
    real = files.decode_job
    monkeypatch.setattr(files, "decode_job", lambda *a, **k: (gate.wait(30), real(*a, **k))[1])
    try:
        assert window.open_path(song_files.chart)
        assert window.session.audio is None  # still decoding
        assert window.session.audio_loading() == song_files.audio
        monkeypatch.setattr(window.session, "audio_loading", lambda: None)  # the session says: no audio coming
        assert window.ai_panel.draft([Slot.HARD]) is None
        assert boxes[-1][2] == "Drafting needs the song's audio, and none is loaded."
    finally:
        gate.set()
    qtbot.waitUntil(lambda: window.session.audio is not None, timeout=10000)

"""File > New Song from Audio asks for audio (a chart picked anyway opens as a chart; a failure leaves no
"Decoding ..." line), the Open dialog's title, and screenshots waiting for the AI and Verify panels."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFileDialog

pytestmark = pytest.mark.qt


def _dialog_returning(monkeypatch, path):
    seen: dict = {}

    def fake(_parent, title, _folder, filt):
        seen.update(title=title, filter=filt)
        return str(path), ""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(fake))
    return seen


def test_ctrl_n_asks_for_audio_and_opens_a_chart_as_a_chart(window, song_files, boxes, monkeypatch, qtbot):
    seen = _dialog_returning(monkeypatch, song_files.chart)
    window.actions["file.new_from_audio"].trigger()
    assert seen["title"] == "New Song from Audio"
    assert "*.ogg" in seen["filter"]
    assert "*.ssc" not in seen["filter"]
    assert window.session.doc.path == song_files.chart  # opened as the chart it is, not decoded as audio
    qtbot.waitUntil(lambda: window.session.audio is not None, timeout=10000)
    assert boxes == []
    assert not any(j.name == "new-song" for j in window.jobs.jobs)


def test_open_dialog_title(window, song_files, monkeypatch):
    seen = _dialog_returning(monkeypatch, song_files.chart)
    assert window.files.ask_open_path() == song_files.chart
    assert seen["title"] == "Open a chart or an audio file"


def test_audio_that_cannot_be_read_leaves_no_decoding_line(window, tmp_path, boxes, qtbot):
    bad = tmp_path / "broken.ogg"
    bad.write_bytes(b"not audio at all" * 100)
    assert window.new_song_from_audio(bad, check_unsaved=False)
    qtbot.waitUntil(lambda: not any(j.name == "new-song" for j in window.jobs.jobs), timeout=20000)
    assert [b[1] for b in boxes] == ["Cannot read audio"]
    said = window.statusBar().currentMessage()
    assert not said.startswith(("Decoding", "Analysing"))
    assert "cannot read it as audio" in said


def test_the_screenshot_waits_for_the_ai_warm_up_and_verify(ai, tmp_path, qtbot):
    from PySide6.QtCore import QTimer

    from editor.app import take_screenshot
    from editor.screenshot import NOT_LOADED

    win = ai
    win.verify_panel.list.clear()
    win.verify_panel.summary.setText("")
    win.verify_panel.schedule()  # a first Verify run still to come, as right after opening
    QTimer.singleShot(300, win.start_ai)  # create_window starts the AI after the window is up
    out = tmp_path / "shot.png"
    take_screenshot(win, out)
    assert out.stat().st_size > 0
    assert win.ai_panel.device.text() != NOT_LOADED
    assert win.verify_panel.summary.text() != ""

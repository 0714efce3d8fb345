"""A warning on the status line gives way to the answers to the user's own keys, menus and clicks (for 20 s they
only went to the log: a refused paste or a Go to said nothing); only background lines (the audio loading, the
sound device) wait behind it, and the warning it gave way to stays in sight as an amber badge that opens View >
Messages."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.qt


def test_an_answer_to_the_user_replaces_a_warning_and_the_badge_keeps_it(window, qtbot, monkeypatch):
    import editor.status_messages as sm

    monkeypatch.setattr(sm, "WARNING_MS", 600)
    bar = window.message_bar
    window.status_warning("Careful: this matters")
    sm.post_background(window, "Audio: clicks.wav, 20.0 s, 22050 Hz")
    assert bar.currentMessage() == "Careful: this matters"  # background lines wait
    assert not bar.badge.isVisibleTo(window)
    window.session.status.emit("Paste: the clipboard holds no notes")  # what a key press answers
    assert bar.currentMessage() == "Paste: the clipboard holds no notes"
    assert bar.badge.isVisibleTo(window)
    assert bar.badge.text() == "⚠ 1 warning"
    assert "Careful: this matters" in bar.badge.toolTip()
    assert [m.level for m in bar.log][-3:] == [sm.WARNING, sm.INFO, sm.INFO]
    qtbot.mouseClick(bar.badge, Qt.MouseButton.LeftButton)
    assert window.messages_dialog is not None
    assert window.messages_dialog.isVisible()
    window.messages_dialog.close()
    qtbot.waitUntil(lambda: not bar.badge.isVisibleTo(window), timeout=3000)  # gone with the warning's time


def test_a_background_line_during_a_warning_does_not_count_as_the_user_s(window, monkeypatch):
    import editor.status_messages as sm

    monkeypatch.setattr(sm, "WARNING_MS", 5000)
    bar = window.message_bar
    window.status_warning("Careful")
    bar.post("Stems: separating 40%", background=True)
    assert bar.currentMessage() == "Careful"
    window.session.status.emit("Stems: separating 40%")  # the same text, said by the user's action this time
    assert bar.currentMessage() == "Stems: separating 40%"


def test_playback_s_no_device_line_waits_behind_a_warning(opened, qtbot, monkeypatch):
    """The sound device is background news: it must not push an open warning aside."""
    import editor.status_messages as sm

    monkeypatch.setattr(sm, "WARNING_MS", 5000)
    win = opened
    win.status_warning("Careful")

    player = win.playback.player
    monkeypatch.setattr(player, "fallback_reason", "no device", raising=False)
    win.playback._say_no_device(player)
    assert win.message_bar.currentMessage() == "Careful"
    assert win.message_bar.log[-1].text.startswith("No sound device")

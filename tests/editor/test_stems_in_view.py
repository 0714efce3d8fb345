"""At the default 1280x860 window the Stems box sits below the Playback panel's other settings: once stems are
ready (after Separate, and in the ``--stems`` screenshot) the panel scrolls so the whole box, "Waveform of"
included, is in view (it was cut after the drums row)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.editor.test_stems import FakeStemSet, stereo_song

pytestmark = pytest.mark.qt


@pytest.fixture
def song_window(window, tmp_path, qtbot, monkeypatch):
    import editor.controllers.stems as stems_mod

    monkeypatch.setattr(stems_mod, "separate_file", lambda path, progress=None, cancel=None: FakeStemSet(Path(path)))
    window.resize(1280, 860)
    files = stereo_song(tmp_path / "song")
    assert window.open_path(files.chart)
    qtbot.waitUntil(lambda: window.session.audio is not None and window.playback.player is not None, timeout=10000)
    return window


def _fully_visible(widget) -> bool:
    return widget.isVisible() and widget.visibleRegion().boundingRect().height() == widget.height()


def test_separate_scrolls_the_whole_stems_box_into_view(song_window, qtbot):
    window = song_window
    box = window.playback_panel.stems_box
    window.panels.setCurrentWidget(window.playback_panel)
    qtbot.wait(50)
    box.separate_button.click()
    qtbot.waitUntil(lambda: window.stems.stems is not None and not window.stems.busy, timeout=20000)
    qtbot.wait(50)
    for widget in (box.separate_button, box.rows["other"][2], box.waveform):
        assert _fully_visible(widget)


def test_the_stems_screenshot_shows_the_whole_box(song_window, qtbot):
    from editor.screenshot import prepare_for_screenshot

    window = song_window
    window.panels.setCurrentIndex(0)  # another tab in front, as at start-up

    def wait(condition) -> bool:
        qtbot.waitUntil(condition, timeout=20000)
        return True

    prepare_for_screenshot(window, after_draft=False, wait=wait, stems=True)
    qtbot.wait(50)
    box = window.playback_panel.stems_box
    assert window.stems.stems is not None
    assert _fully_visible(box.waveform)
    assert _fully_visible(box.separate_button)

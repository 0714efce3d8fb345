"""Stems when the player is rebuilt (the output reopened after a device failure) and when another song is opened
while a separation runs (session 19 stems audit)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tests.editor.test_stems import FakeStemSet, stereo_song

pytestmark = pytest.mark.qt


def _fast(path, progress=None, cancel=None):
    progress(0.5)
    return FakeStemSet(Path(path))


@pytest.fixture
def separated(window, tmp_path, qtbot, monkeypatch):
    """A stereo song open and separated by the fast fake; "play stems" is on."""
    import editor.controllers.stems as stems_mod

    monkeypatch.setenv("GENELIVE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(stems_mod, "separate_file", _fast)
    assert window.open_path(stereo_song(tmp_path / "a").chart)
    qtbot.waitUntil(lambda: window.session.audio is not None and window.playback.player is not None, timeout=10000)
    window.playback_panel.stems_box.separate_button.click()
    qtbot.waitUntil(lambda: window.stems.stems is not None, timeout=10000)
    assert window.playback_panel.stems_box.play_stems.isChecked()
    return window


def test_reopened_output_plays_the_stems_and_solo_still_works(separated, qtbot):
    """Space after a device failure built a new player without the stems while "play stems" stayed checked: the
    mix played, and solo / mute / volume raised ValueError "no stems are loaded"."""
    win = separated
    old = win.playback.player
    win.playback.toggle()
    old._failure = "device unplugged (simulated)"  # what a PortAudio stream failure sets
    assert not win.playback.playing  # noticed: paused
    win.playback.toggle()  # Space opens the output again
    player = win.playback.player
    assert player is not old
    assert player._stem_gains is not None  # the stems, not the mix
    win.playback_panel.stems_box.rows["vocals"][0].setChecked(True)  # solo vocals
    win.stems.set_stem("drums", muted=True)
    np.testing.assert_array_equal(player.renderer.mix.gains, [1.0, 0.0, 0.0])
    win.playback.toggle()


def test_gains_reload_the_stems_into_a_player_without_them(separated):
    """_push_gains never raises: a player that lost the stems gets them back, with the new gains."""
    win = separated
    player = win.playback.player
    player.set_stems(None)
    win.stems.set_stem("vocals", gain=0.5)
    np.testing.assert_allclose(player.renderer.mix.gains, [0.5, 0.0, 1.0])  # vocals, drums, accompaniment


def test_a_new_songs_player_gets_no_stems_of_the_old_song(separated, tmp_path, qtbot):
    win = separated
    assert win.open_path(stereo_song(tmp_path / "b").chart)
    qtbot.waitUntil(lambda: win.session.audio is not None and win.session.audio.path.parent.name == "b",
                    timeout=10000)
    assert win.playback.player._stem_gains is None
    assert not win.stems.active


def test_switching_song_during_separation_detaches_the_old_job(window, tmp_path, qtbot, monkeypatch):
    """Opening another song while separating left the old progress (Separate disabled, Cancel enabled), Separate
    returned the old cancelled job, and "Stems: separation cancelled" came later for a song no longer open."""
    import editor.controllers.stems as stems_mod

    monkeypatch.setenv("GENELIVE_CACHE_DIR", str(tmp_path / "cache"))
    release = threading.Event()

    def slow(path, progress=None, cancel=None):
        progress(0.3)
        while not release.is_set():
            time.sleep(0.01)
        return FakeStemSet(Path(path))

    status: list[str] = []
    window.session.status.connect(status.append)
    box = window.playback_panel.stems_box
    try:
        monkeypatch.setattr(stems_mod, "separate_file", slow)
        assert window.open_path(stereo_song(tmp_path / "a").chart)
        qtbot.waitUntil(lambda: window.playback.player is not None, timeout=10000)
        box.separate_button.click()
        old = window.stems.job
        qtbot.waitUntil(lambda: box.progress.value() > 0, timeout=10000)
        assert window.open_path(stereo_song(tmp_path / "b").chart)
        qtbot.waitUntil(lambda: window.session.audio is not None and window.session.audio.path.parent.name == "b",
                        timeout=10000)
        assert box.separate_button.isEnabled()
        assert not box.cancel_button.isEnabled()
        assert box.progress.text() == "not separated"
        monkeypatch.setattr(stems_mod, "separate_file", _fast)
        box.separate_button.click()
        assert window.stems.job is not old
        qtbot.waitUntil(lambda: window.stems.stems is not None, timeout=10000)
    finally:
        release.set()
    qtbot.waitUntil(lambda: not old.running, timeout=10000)
    qtbot.wait(100)  # the old job's queued signals arrive, and are ignored
    assert not [line for line in status if "cancelled" in line]
    assert box.progress.text() == "separated"
    assert box.separate_button.isEnabled()
    assert window.stems.stems.parts["vocals"].shape[-1] == window.session.audio.samples.shape[-1]

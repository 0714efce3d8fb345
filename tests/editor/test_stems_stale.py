"""Separate when the song's file changed on disk after it was opened, and on a full disk: one status line, and
no stems of other audio played in place of the mix (session 21 stems audit)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.editor.conftest import SR_HZ
from tests.editor.test_stems import FakeStemSet, stereo_song

pytestmark = pytest.mark.qt


@pytest.fixture
def song_window(window, tmp_path, qtbot, monkeypatch):
    monkeypatch.setenv("GENELIVE_CACHE_DIR", str(tmp_path / "cache"))
    files = stereo_song(tmp_path / "song")
    assert window.open_path(files.chart)
    qtbot.waitUntil(lambda: window.session.audio is not None and window.playback.player is not None, timeout=10000)
    status: list[str] = []
    window.session.status.connect(status.append)
    return window, files.audio, status


def _separate_and_wait(window, qtbot, status: list[str]) -> None:
    window.playback_panel.stems_box.separate_button.click()
    qtbot.waitUntil(lambda: window.stems.stems is not None or any("failed" in s for s in status), timeout=60000)


@pytest.mark.parametrize("change", ["other rate, intro cut", "same rate and length"])
def test_stems_of_a_file_replaced_after_opening_are_refused(song_window, qtbot, monkeypatch, change):
    """The stems of the new file were played (resampled as if at the loaded rate) in place of the loaded mix."""
    import soundfile as sf

    import editor.controllers.stems as stems_mod

    window, audio_path, status = song_window
    loaded = window.session.audio.samples.copy()
    if change == "same rate and length":
        sf.write(str(audio_path), (0.5 * loaded[::-1]).T, SR_HZ)  # channels swapped, quieter
    else:
        sf.write(str(audio_path), loaded[:, SR_HZ:].T, SR_HZ // 2)
    monkeypatch.setattr(stems_mod, "separate_file", lambda path, progress=None, cancel=None: FakeStemSet(Path(path)))
    _separate_and_wait(window, qtbot, status)
    assert window.stems.stems is None
    assert "Stems: separation failed: the audio file changed on disk since it was opened; reopen the song" in status
    assert len(window.playback.player.renderer.mix.arrays) == 1  # the mix plays, not stems
    np.testing.assert_array_equal(window.session.audio.samples, loaded)


def test_stems_of_the_loaded_audio_are_accepted(song_window, qtbot, monkeypatch):
    import editor.controllers.stems as stems_mod

    window, _audio_path, status = song_window
    monkeypatch.setattr(stems_mod, "separate_file", lambda path, progress=None, cancel=None: FakeStemSet(Path(path)))
    _separate_and_wait(window, qtbot, status)
    assert window.stems.stems is not None
    assert window.stems.active


def test_a_full_disk_is_one_line_naming_the_cache(song_window, qtbot, monkeypatch, tmp_path):
    """libsndfile's "System error." was all the status bar said."""
    import soundfile as sf

    window, _audio_path, status = song_window

    def full(self, data):
        raise sf.LibsndfileError(2)  # SF_ERR_SYSTEM: what a write past the end of the disk gives

    monkeypatch.setattr(sf.SoundFile, "write", full)
    _separate_and_wait(window, qtbot, status)
    cache = tmp_path / "cache" / "separation"
    assert f"Stems: separation failed: disk full or not writable: {cache}" in status
    assert [p.name for p in cache.iterdir()] == []  # nothing half-written is left

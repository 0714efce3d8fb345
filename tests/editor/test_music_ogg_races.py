"""File > Convert Music to Ogg while the designer goes on (the races audit): a Save As into another folder before
the Ogg is written leaves #MUSIC naming the Ogg from the new folder, and a second press while one runs is refused."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.qt


def test_save_as_elsewhere_during_the_conversion_keeps_music_pointing_at_the_ogg(opened, qtbot, tmp_path):
    win, s = opened, opened.session  # the synthetic song: song/clicks.wav beside song/clicks.ssc
    folder = s.doc.song.source_path.parent
    other = tmp_path / "elsewhere"
    other.mkdir()
    win.files.ask_save_path = lambda suggested, title="Save As": other / "moved.ssc"
    job = win.files.convert_music_to_ogg()
    assert job is not None
    assert win.files.save_as()  # before the Ogg's result is handled (it comes through the event loop)
    assert s.doc.song.music == "../song/clicks.wav"
    qtbot.waitUntil(lambda: not job.running and s.doc.song.music.endswith(".ogg"), timeout=20000)
    assert s.doc.song.music == "../song/clicks.ogg"
    named = s.doc.song.audio_path()
    assert named is not None
    assert named.resolve() == folder / "clicks.ogg"
    assert (folder / "clicks.ogg").is_file()
    assert s.audio.path == folder / "clicks.ogg"  # the loaded audio follows #MUSIC
    assert "Music written to ../song/clicks.ogg" in win.statusBar().currentMessage()
    assert win.files.save()
    assert "#MUSIC:../song/clicks.ogg;" in (other / "moved.ssc").read_text()


def test_a_second_press_while_one_conversion_runs_is_refused(opened, qtbot, boxes):
    win, s = opened, opened.session
    job = win.files.convert_music_to_ogg()
    assert job is not None
    assert win.files.convert_music_to_ogg() is None
    assert win.statusBar().currentMessage() == "Convert music: already writing clicks.ogg; wait for it to finish"
    assert boxes == []  # not "clicks.ogg exists. Replace it?" about the file the first one is writing
    qtbot.waitUntil(lambda: s.doc.song.music == "clicks.ogg", timeout=20000)
    assert s.doc.history.undo_stack_names().count("Convert music to Ogg") == 1

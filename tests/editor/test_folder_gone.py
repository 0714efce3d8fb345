"""The open song's folder goes away (deleted, renamed, moved to another drive, a USB stick pulled): saving, autosave
and crash recovery go on without its audio and say so, never with a FileNotFoundError out of the editor."""

from __future__ import annotations

import json
import shutil
from fractions import Fraction

import pytest
from PySide6.QtWidgets import QMessageBox

from chart.formats.registry import load, save
from chart.notes import Note
from tests.editor.conftest import write_song
from tests.editor.test_autosave import close, crash, edit, new_window

pytestmark = pytest.mark.qt


def test_restoring_an_autosave_whose_folder_is_gone_opens_it_unsaved_and_says_so(
        opened, boxes, settings, qtbot, song_files, tmp_path):
    opened.autosave.start_session()
    added = edit(opened, 30, 1)
    opened.autosave.autosave()
    crashed = crash(opened)
    song_files.folder.rename(tmp_path / "moved")
    boxes.answers = [QMessageBox.StandardButton.Yes]
    second = new_window(qtbot, settings)
    assert second.autosave.offer_recovery()  # raised FileNotFoundError: the editor could not start at all
    doc = second.session.doc
    assert added in second.session.chart.notes
    assert not doc.is_clean
    assert doc.path is None  # Save asks where: the folder is not there to save into
    (text,) = [t for kind, title, t in boxes if kind == "warning" and title == "Song folder not found"]
    assert str(song_files.folder) in text
    assert "Save As" in text
    second.autosave.start_session()
    assert not crashed.exists()  # the restored work is in this session's autosave now
    target = tmp_path / "elsewhere" / "clicks.ssc"
    target.parent.mkdir()
    second.files.ask_save_path = lambda *_a, **_k: target
    assert second.files.save()
    assert added in load(target).charts[0].notes
    close(second)


def test_autosave_without_audio_after_the_folder_is_gone_writes_and_rotates(window, tmp_path, qtbot):
    files = write_song(tmp_path / "song", audio=False)
    assert window.files.open_path(files.chart, check_unsaved=False)
    window.autosave.start_session()
    shutil.rmtree(files.folder)
    written = []
    window.autosave.saved.connect(written.append)
    for k in range(7):
        edit(window, 20 + k)
        assert window.autosave.autosave() is not None  # raised from the marker, after writing the generation
    assert len(written) == 7
    assert len(list(window.autosave.folder.glob("autosave-*.json"))) == 5  # older ones pruned
    marker = json.loads((window.autosave.folder / "session.json").read_text())
    assert marker["document"] == str(files.chart)
    assert marker["audio"] is None


def test_save_into_a_vanished_folder_says_so_and_save_as_keeps_music_as_it_was(opened, boxes, song_files, tmp_path):
    added = edit(opened, 30, 1)
    statuses = []
    opened.session.status.connect(statuses.append)
    shutil.rmtree(song_files.folder)
    assert not opened.files.save()  # raised FileNotFoundError before the save was tried
    (text,) = [t for kind, title, t in boxes if kind == "critical" and title == "Cannot save"]
    assert "is not there any more" in text
    assert "try Save As" in text
    assert not opened.session.doc.is_clean
    target = tmp_path / "other" / "x.ssc"
    target.parent.mkdir()
    opened.files.ask_save_path = lambda *_a, **_k: target
    assert opened.files.save_as()  # raised the same way: the work could not be saved anywhere
    song = load(target)
    assert added in song.charts[0].notes
    assert song.music == "clicks.wav"  # as it was, not "../song/clicks.wav", a file that is not there either
    assert any("clicks.wav was not found" in s for s in statuses)
    assert opened.session.doc.is_clean


def test_save_as_after_the_folder_vanished_relinks_audio_that_is_still_there(window, qtbot, tmp_path):
    media = write_song(tmp_path / "media")  # the audio lives in a folder of its own
    chart = tmp_path / "charts" / "song.ssc"
    chart.parent.mkdir()
    song = media.song
    song.music = "../media/clicks.wav"
    save(song, chart)
    assert window.files.open_path(chart, check_unsaved=False)
    qtbot.waitUntil(lambda: window.session.audio is not None, timeout=10000)
    window.editing.place(Fraction(30), 1, window.session.place_kind)
    shutil.rmtree(chart.parent)
    target = tmp_path / "other" / "deeper" / "song.ssc"
    target.parent.mkdir(parents=True)
    window.files.ask_save_path = lambda *_a, **_k: target
    assert window.files.save_as()
    saved = load(target)
    assert saved.music == "../../media/clicks.wav"  # the loaded audio's file, named from the new folder
    assert saved.audio_path().samefile(media.audio)
    assert Note(Fraction(30), 1) in saved.charts[0].notes

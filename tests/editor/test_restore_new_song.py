"""Restoring the autosave of a new song that was never saved (audit 22): undoing the restore must leave the work
unsaved (it went back to a blank song that started "clean": closing did not ask and every autosave was deleted),
and a new song whose folder was moved gets the "folder gone" dialog, an audio label that names its #MUSIC and a
Save As that does not suggest the missing folder."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.editor.test_autosave import close, crash, new_window
from tests.editor.test_autosave_reopen import autosaved_new_song

pytestmark = pytest.mark.qt


def crashed_new_song(window, tmp_path):
    """A new song from song/loop.wav with one note added, autosaved, and the process 'dead'; the added note."""
    _audio, added = autosaved_new_song(window, tmp_path)
    crash(window)
    return added


def test_undoing_the_restore_of_a_new_song_never_saved_keeps_the_work_unsaved(window, boxes, settings, qtbot,
                                                                               tmp_path):
    added = crashed_new_song(window, tmp_path)
    second = new_window(qtbot, settings)
    boxes.answers = [QMessageBox.StandardButton.Yes]
    assert second.autosave.offer_recovery()
    second.autosave.start_session()
    doc = second.session.doc
    assert doc.undo_stack_names() == ["Restore autosave"]
    second.actions["edit.undo"].trigger()  # the first Ctrl+Z of the session takes the restore back
    assert added not in second.session.chart.notes
    assert not doc.is_clean  # was clean: a blank "Untitled" that no file holds
    assert list(second.autosave.folder.glob("autosave-*.json"))  # were all deleted as if saved
    boxes.clear()
    assert not second.files.maybe_save_changes()  # closing asks (the capture answers Cancel)
    assert [title for _kind, title, _text in boxes] == ["Unsaved changes"]
    second.actions["edit.redo"].trigger()
    assert added in second.session.chart.notes
    close(second)


def test_a_new_song_whose_folder_is_gone_is_restored_with_the_dialog_and_save_asks_elsewhere(window, boxes, settings,
                                                                                             qtbot, tmp_path):
    added = crashed_new_song(window, tmp_path)
    (tmp_path / "song").rename(tmp_path / "moved")
    second = new_window(qtbot, settings)
    boxes.answers = [QMessageBox.StandardButton.Yes]
    assert second.autosave.offer_recovery()
    assert added in second.session.chart.notes
    (text,) = [t for kind, title, t in boxes if kind == "warning" and title == "Song folder not found"]
    assert str(tmp_path / "song") in text
    assert "loop.wav" in text
    assert "Save As" in text
    assert "its folder is gone" in second.statusBar().currentMessage()
    assert second.session.audio_error == "audio file not found: loop.wav"  # was "(none)", the blank song's
    suggested = []
    second.files.ask_save_path = lambda s, title="Save As": (suggested.append(s), None)[1]
    assert not second.files.save()
    assert len(suggested) == 1
    assert suggested[0].parent.is_dir()  # was song/loop.ssc, in the missing folder
    assert suggested[0].name == "loop.ssc"
    close(second)

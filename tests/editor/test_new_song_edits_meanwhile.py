"""New Song from Audio: the save question is asked at Ctrl+N, but the open song stays editable while the audio is
analysed. Notes placed meanwhile were replaced by the new song with no question (and an empty history); now the
question is asked again before the new song is adopted, and Cancel keeps the edited song.

The analysis is held until the keys are in (a threading.Event), and the tempo dialog is accepted once the job's
``done`` has been delivered, as it is inside a real dialog's event loop (an ``exec`` that returned at once hid a
second question: the watch took its own close, on ``done``, for an edit). Keys go to ``QApplication.focusWidget()``,
as a person's do.
"""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

pytestmark = pytest.mark.qt
K = Qt.Key


@pytest.fixture
def held(opened, song_files, monkeypatch, qtbot):
    """The opened window; Ctrl+N picks the song's audio, whose analysis waits for the returned event."""
    import editor.controllers.new_song as new_song
    from editor.dialogs.tempo import TempoDialog

    release = threading.Event()
    analyse = new_song._analyse

    def held_analyse(ctx, path):
        assert release.wait(30)
        return analyse(ctx, path)

    monkeypatch.setattr(new_song, "_analyse", held_analyse)
    monkeypatch.setattr(new_song, "ask_audio_path", lambda _win: song_files.audio)
    def exec_until_done(_self):  # the dialog's event loop delivers the job's queued done before it is accepted
        qtbot.waitUntil(lambda: not any(j.name == "new-song" for j in opened.jobs.jobs), timeout=30000)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(TempoDialog, "exec", exec_until_done)
    return opened, release


def new_song_while_charting(qtbot, win, release, keys) -> None:
    qtbot.waitUntil(lambda: QApplication.focusWidget() is win.timeline, timeout=3000)
    qtbot.keyClick(QApplication.focusWidget(), K.Key_N, Qt.KeyboardModifier.ControlModifier)
    for key in keys:  # the designer goes on charting while the audio is analysed
        qtbot.keyClick(QApplication.focusWidget(), key)
    release.set()


def wait_new_song(qtbot, win, old_doc, boxes) -> None:
    """Until the new song is open or the question was asked (and answered) about the old one."""
    qtbot.waitUntil(lambda: win.session.doc is not old_doc or any(b[0] == "question" for b in boxes), timeout=30000)
    qtbot.waitUntil(lambda: not win.jobs.running(), timeout=30000)


def test_edits_made_while_analysing_are_asked_about_and_cancel_keeps_them(held, qtbot, boxes):
    win, release = held
    doc = win.session.doc
    notes = len(win.session.chart.notes)
    new_song_while_charting(qtbot, win, release, (K.Key_Down, K.Key_Down, K.Key_1, K.Key_Down, K.Key_2))
    assert doc.history.undo_stack_names() == ["Add tap", "Add tap"]
    assert win.jobs.running()
    wait_new_song(qtbot, win, doc, boxes)  # the answer: Cancel
    assert [b[1] for b in boxes if b[0] == "question"] == ["Unsaved changes"]
    assert win.session.doc is doc
    assert len(win.session.chart.notes) == notes + 2
    assert doc.history.undo_stack_names() == ["Add tap", "Add tap"]


def test_discard_then_opens_the_new_song(held, qtbot, boxes):
    win, release = held
    doc = win.session.doc
    boxes.answers = [QMessageBox.StandardButton.Discard]
    new_song_while_charting(qtbot, win, release, (K.Key_Down, K.Key_1))
    qtbot.waitUntil(lambda: win.session.doc is not doc, timeout=30000)
    assert [b[1] for b in boxes if b[0] == "question"] == ["Unsaved changes"]
    assert win.session.doc.path is None


def test_no_edit_meanwhile_asks_nothing_more(held, qtbot, boxes):
    win, release = held
    doc = win.session.doc
    new_song_while_charting(qtbot, win, release, ())
    qtbot.waitUntil(lambda: win.session.doc is not doc, timeout=30000)
    assert not [b for b in boxes if b[0] == "question"]


def test_an_edited_song_discarded_once_is_not_asked_about_again(held, qtbot, boxes):
    win, release = held
    qtbot.waitUntil(lambda: QApplication.focusWidget() is win.timeline, timeout=3000)
    qtbot.keyClick(QApplication.focusWidget(), K.Key_1)  # an unsaved edit before Ctrl+N
    doc = win.session.doc
    assert not doc.is_clean
    boxes.answers = [QMessageBox.StandardButton.Discard]  # a second question would answer Cancel
    new_song_while_charting(qtbot, win, release, ())
    qtbot.waitUntil(lambda: win.session.doc is not doc or len(boxes) > 1, timeout=30000)
    assert [b[1] for b in boxes if b[0] == "question"] == ["Unsaved changes"]
    assert win.session.doc.path is None  # the new song

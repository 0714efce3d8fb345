"""Autosave and crash recovery: generations are written (timer and focus loss), rotated, and restored after a
simulated crash as one undoable step; a clean exit leaves nothing behind; unsaved changes prompt on close."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtWidgets import QMessageBox

from chart.formats.registry import load
from chart.notes import Note

pytestmark = pytest.mark.qt


def edit(win, beat, lane=0) -> Note:
    note = Note(Fraction(beat), lane)
    win.editing.place(note.beat, lane, win.session.place_kind)
    return note


def test_autosave_writes_rotating_generations(opened):
    win = opened
    win.autosave.start_session()
    assert win.autosave.autosave() is None  # clean: nothing to save
    written = []
    for k in range(7):
        edit(win, 20 + k)
        written.append(win.autosave.autosave())
    assert all(p is not None for p in written)
    kept = sorted(win.autosave.folder.glob("autosave-*.json"))
    assert len(kept) == 5
    assert kept[-1] == written[-1]
    assert win.autosave.autosave() is None  # nothing new since the last generation
    song = load(kept[-1])
    assert Note(Fraction(26), 0) in song.chart(win.session.chart.slot).notes


def test_focus_loss_autosaves(opened, qtbot):
    from PySide6.QtCore import Qt

    win = opened
    win.autosave.start_session()
    edit(win, 21)
    win.autosave._app_state(Qt.ApplicationState.ApplicationInactive)
    assert len(list(win.autosave.folder.glob("autosave-*.json"))) == 1


def test_restore_after_a_simulated_crash(opened, qtbot, boxes, settings, song_files):
    from editor.main_window import MainWindow

    win = opened
    win.autosave.start_session()
    original = list(win.session.chart.notes)
    added = [edit(win, 30, 1), edit(win, 31, 2)]
    assert win.autosave.autosave() is not None
    folder = win.autosave.folder
    # crash: the process dies without the clean-exit cleanup; its lock goes stale
    win.autosave.lock.unlock()
    win.autosave.lock = None
    win.autosave.folder = None
    win.autosave.timer.stop()
    assert folder.is_dir()

    boxes.answers = [QMessageBox.StandardButton.Yes]
    second = MainWindow(settings)
    qtbot.addWidget(second)
    assert second.autosave.offer_recovery()
    assert any("did not close properly" in text for _k, _t, text in boxes)
    restored = second.session.doc
    assert restored.path == song_files.chart
    assert set(added) <= set(second.session.doc.song.charts[0].notes)
    assert not restored.is_clean  # restored work is unsaved until the designer saves it
    assert restored.undo_stack_names() == ["Restore autosave"]
    restored.undo()
    assert restored.song.charts[0].notes == original
    assert not folder.exists()  # recovered: the session folder is gone
    qtbot.waitUntil(lambda: second.session.audio is not None, timeout=10000)
    second.skip_close_prompt = True
    second.shutdown()


def test_declining_recovery_discards_it(window, boxes, settings, qtbot):
    window.autosave.start_session()
    edit(window, 3)
    window.autosave.autosave()
    folder = window.autosave.folder
    window.autosave.lock.unlock()
    window.autosave.lock, window.autosave.folder = None, None
    from editor.main_window import MainWindow

    boxes.answers = [QMessageBox.StandardButton.No]
    second = MainWindow(settings)
    qtbot.addWidget(second)
    assert not second.autosave.offer_recovery()
    assert not folder.exists()
    assert second.autosave.crashed_sessions() == []
    second.skip_close_prompt = True
    second.shutdown()


def test_running_session_is_not_offered(window, settings, qtbot):
    from editor.main_window import MainWindow

    window.autosave.start_session()
    edit(window, 3)
    window.autosave.autosave()
    second = MainWindow(settings)
    qtbot.addWidget(second)
    assert second.autosave.crashed_sessions() == []  # the first window still holds its lock
    second.skip_close_prompt = True
    second.shutdown()


def test_clean_exit_removes_the_session(opened):
    win = opened
    win.autosave.start_session()
    edit(win, 22)
    win.autosave.autosave()
    folder = win.autosave.folder
    win.skip_close_prompt = True
    win.shutdown()
    assert not folder.exists()


def test_close_with_unsaved_changes_asks(opened, boxes):
    win = opened
    edit(win, 23)
    boxes.answers = [QMessageBox.StandardButton.Cancel]
    assert not win.close()  # cancelled: the window stays, the edit too
    assert Note(Fraction(23), 0) in win.session.chart.notes
    boxes.answers = [QMessageBox.StandardButton.Save]
    assert win.close()
    assert Note(Fraction(23), 0) in load(win.session.doc.path).charts[0].notes

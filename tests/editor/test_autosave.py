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
    win.autosave._app_state(Qt.ApplicationState.ApplicationInactive)  # serialised in a worker, then written
    qtbot.waitUntil(lambda: len(list(win.autosave.folder.glob("autosave-*.json"))) == 1, timeout=5000)


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
    assert folder.is_dir()  # kept until this session has saved the restored work itself
    restored.redo()
    second.autosave.start_session()
    assert not folder.exists()  # recovered and saved again: the crashed session folder is gone
    (generation,) = second.autosave.folder.glob("autosave-*.json")
    assert set(added) <= set(load(generation).charts[0].notes)
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


def crash(win):
    """The process 'dies': its session folder stays with a stale lock."""
    folder = win.autosave.folder
    win.autosave.lock.unlock()
    win.autosave.lock, win.autosave.folder = None, None
    win.autosave.timer.stop()
    return folder


def crashed_with(win, chart_path, **fields):
    """Open ``chart_path``, make one edit, autosave it, 'die', and put ``fields`` into the session's recovery note
    (a damaged or foreign marker); (the session folder, the note added)."""
    import json

    from editor.controllers.autosave_files import MARKER

    win.open_path(chart_path)
    win.autosave.start_session()
    added = edit(win, 40, 1)
    assert win.autosave.autosave() is not None
    folder = crash(win)
    marker = json.loads((folder / MARKER).read_text())
    marker.update(fields)
    (folder / MARKER).write_text(json.dumps(marker))
    return folder, added


def new_window(qtbot, settings):
    from editor.main_window import MainWindow

    win = MainWindow(settings)
    qtbot.addWidget(win)
    return win


def close(win):
    win.skip_close_prompt = True
    win.shutdown()


def test_an_app_data_folder_that_cannot_be_written_leaves_the_editor_usable(window, tmp_path, qtbot):
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the recovery folder should be")
    window.autosave.root = blocker / "recovery"
    statuses = []
    window.session.status.connect(statuses.append)
    window.autosave.start_session()  # raised NotADirectoryError and the editor did not start
    assert window.autosave.folder is None
    assert any("Autosave disabled for now" in s for s in statuses)
    edit(window, 5)
    assert window.autosave.autosave() is None
    blocker.unlink()  # space again: the next autosave makes the folder and writes
    edit(window, 6)
    assert window.autosave.autosave() is not None
    assert window.autosave.folder.parent == blocker / "recovery"


def test_a_stale_autosave_says_the_file_is_newer_and_defaults_to_no(opened, boxes, settings, qtbot, song_files):
    import os

    opened.autosave.start_session()
    edit(opened, 30, 1)
    generation = opened.autosave.autosave()
    crash(opened)
    later = generation.stat().st_mtime + 60
    os.utime(song_files.chart, (later, later))  # the work was redone and saved after the crash
    boxes.answers = [QMessageBox.StandardButton.No]
    second = new_window(qtbot, settings)
    assert not second.autosave.offer_recovery()
    (_kind, _title, text), = [b for b in boxes if "did not close properly" in b[2]]
    assert "after this autosave" in text
    assert second.autosave.crashed_sessions() == []
    close(second)


def test_opening_the_file_of_a_crashed_session_offers_it(opened, boxes, settings, qtbot, song_files, tmp_path):
    from tests.editor.conftest import write_song

    opened.autosave.start_session()
    added = edit(opened, 30, 1)
    opened.autosave.autosave()
    crashed = crash(opened)
    other = write_song(tmp_path / "other")
    second = new_window(qtbot, settings)
    statuses = []
    second.session.status.connect(statuses.append)
    # started on another file: that crash is not offered now (it was: answering restored it and never opened B)
    assert not second.autosave.offer_recovery(other.chart)
    assert not boxes
    assert any("offered when you open its file" in s for s in statuses)
    assert crashed.is_dir()
    assert second.files.open_path(other.chart, check_unsaved=False)
    assert not boxes
    second.autosave.start_session()
    boxes.answers = [QMessageBox.StandardButton.Yes]
    assert second.files.open_path(song_files.chart, check_unsaved=False)
    assert any("did not close properly" in text for _k, _t, text in boxes)
    assert added in second.session.chart.notes
    assert second.session.doc.undo_stack_names() == ["Restore autosave"]
    assert not crashed.exists()  # saved into the running session at once
    qtbot.waitUntil(lambda: second.session.audio is not None, timeout=10000)
    close(second)


def test_a_relative_path_is_remembered_absolute(window, song_files, monkeypatch):
    import json
    import os

    monkeypatch.chdir(song_files.chart.parent)
    assert window.open_path(song_files.chart.name)
    window.autosave.start_session()
    marker = json.loads((window.autosave.folder / "session.json").read_text())
    assert marker["document"] == os.fspath(song_files.chart)
    assert window.session.doc.path == song_files.chart


def test_a_large_autosave_restores_and_an_unreadable_one_falls_back(opened, boxes, settings, qtbot, monkeypatch):
    from chart.formats import errors, registry

    opened.autosave.start_session()
    first = edit(opened, 30, 1)
    older = opened.autosave.autosave()
    edit(opened, 31, 2)
    newest = opened.autosave.autosave()
    crashed = crash(opened)
    # chart files over the limit are refused; the editor's own autosaves are not (JSON is ~20x a .ssc)
    monkeypatch.setattr(registry, "MAX_INPUT_BYTES", 1000)
    monkeypatch.setattr(errors, "MAX_INPUT_BYTES", 1000)
    assert older.stat().st_size > 1000
    newest.write_text("{ torn")  # unreadable: the older generation is restored instead
    boxes.answers = [QMessageBox.StandardButton.Yes]
    second = new_window(qtbot, settings)
    assert second.autosave.offer_recovery()
    assert first in second.session.chart.notes
    assert not any(kind == "critical" for kind, _t, _x in boxes)
    close(second)
    older.write_text("[]")  # nothing readable left: kept aside, said once, never offered again
    third = new_window(qtbot, settings)
    boxes.answers = [QMessageBox.StandardButton.Yes]
    assert crashed.is_dir()
    assert not third.autosave.offer_recovery()
    assert any("autosaves are kept in" in text for kind, _t, text in boxes if kind == "critical")
    assert not crashed.exists()
    assert third.autosave.crashed_sessions() == []
    close(third)


def test_edits_after_a_restore_redo_after_undoing_past_it(opened, boxes, settings, qtbot):
    opened.autosave.start_session()
    edit(opened, 30, 1)
    opened.autosave.autosave()
    crash(opened)
    boxes.answers = [QMessageBox.StandardButton.Yes]
    second = new_window(qtbot, settings)
    assert second.autosave.offer_recovery()
    doc = second.session.doc
    later = edit(second, 32, 2)
    after = [list(c.notes) for c in doc.song.charts]
    assert doc.undo()
    assert doc.undo()
    assert doc.redo()
    assert doc.redo()  # raised "chart ... is not part of this song": the redone restore made new chart copies
    assert [list(c.notes) for c in doc.song.charts] == after
    assert later in second.session.chart.notes
    qtbot.waitUntil(lambda: second.session.audio is not None, timeout=10000)
    close(second)

"""Regression: autosave generations outlived the state they held (found for issue 8).

Before the fix the session folder kept its generations after a save and after another file was opened. A crash
then offered "Restore unsaved work?" with an older generation: restoring it rolled a just-saved chart back, or
-- after opening a second song -- applied the first song's charts onto the second file (the marker names the
document open now). Generations now go when the document is clean (saved, or undone to the saved state) and
when another document is opened.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtWidgets import QMessageBox

from chart.notes import Note
from tests.editor.conftest import (  # noqa: F401  (pytest fixtures, used by name)
    boxes,
    fail_on_qt_warnings,
    no_sound_device,
    opened,
    settings,
    song_files,
    window,
    write_song,
)

pytestmark = pytest.mark.qt


def crash(win) -> None:
    """What SIGKILL leaves: the session folder and its lock, no clean-exit cleanup (the lock goes stale)."""
    win.autosave.lock.unlock()
    win.autosave.lock, win.autosave.folder = None, None
    win.autosave.timer.stop()


def restart(settings, qtbot):  # noqa: F811
    from editor.main_window import MainWindow

    second = MainWindow(settings)
    qtbot.addWidget(second)
    return second


def generations(win) -> list:
    return sorted(win.autosave.folder.glob("autosave-*.json"))


def test_regression_saved_chart_is_not_rolled_back_by_an_older_autosave(opened, settings, boxes, qtbot):  # noqa: F811
    win = opened
    win.autosave.start_session()
    win.editing.place(Fraction(30), 1, win.session.place_kind)
    assert win.autosave.autosave() is not None
    win.editing.place(Fraction(31), 2, win.session.place_kind)  # after the last autosave
    assert win.files.save()
    assert generations(win) == []  # the saved file holds everything the generations held, and more
    crash(win)
    second = restart(settings, qtbot)
    boxes.answers = [QMessageBox.StandardButton.Yes]
    assert not second.autosave.offer_recovery()  # nothing unsaved to restore
    assert not any("did not close properly" in text for _k, _t, text in boxes)
    second.skip_close_prompt = True
    second.shutdown()


def test_regression_other_song_opened_after_autosave_gets_no_foreign_charts(
        opened, settings, boxes, qtbot, tmp_path):  # noqa: F811
    win = opened
    win.autosave.start_session()
    win.editing.place(Fraction(30), 1, win.session.place_kind)
    assert win.autosave.autosave() is not None  # song A's unsaved edit is in a generation
    other = write_song(tmp_path / "other", audio=False)
    before = other.chart.read_bytes()
    boxes.answers = [QMessageBox.StandardButton.Discard]  # the designer throws A's edit away on purpose
    assert win.open_path(other.chart)
    assert generations(win) == []
    crash(win)  # B open, unchanged
    second = restart(settings, qtbot)
    boxes.answers = [QMessageBox.StandardButton.Yes]
    # before the fix: the marker named B, so restoring applied A's charts (with the discarded edit) onto B
    assert not second.autosave.offer_recovery()
    assert second.session.doc.path != other.chart
    assert other.chart.read_bytes() == before
    second.skip_close_prompt = True
    second.shutdown()


def test_restore_after_switching_songs_brings_back_only_the_second_song(
        opened, settings, boxes, qtbot, tmp_path):  # noqa: F811
    win = opened
    win.autosave.start_session()
    win.editing.place(Fraction(30), 1, win.session.place_kind)
    assert win.autosave.autosave() is not None
    other = write_song(tmp_path / "other", audio=False)
    other_notes = list(other.song.charts[0].notes)
    boxes.answers = [QMessageBox.StandardButton.Discard]
    assert win.open_path(other.chart)
    win.editing.place(Fraction(40), 3, win.session.place_kind)
    assert win.autosave.autosave() is not None
    crash(win)
    second = restart(settings, qtbot)
    boxes.answers = [QMessageBox.StandardButton.Yes]
    assert second.autosave.offer_recovery()
    restored = second.session.doc
    assert restored.path == other.chart
    assert restored.song.charts[0].notes == sorted([*other_notes, Note(Fraction(40), 3)])
    second.skip_close_prompt = True
    second.shutdown()


def test_undo_to_the_saved_state_drops_generations(opened):  # noqa: F811
    win = opened
    win.autosave.start_session()
    win.editing.place(Fraction(30), 1, win.session.place_kind)
    assert win.autosave.autosave() is not None
    win.session.doc.undo()
    assert win.session.doc.is_clean
    assert generations(win) == []

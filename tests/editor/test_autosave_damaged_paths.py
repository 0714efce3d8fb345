"""A recovery note (session.json) naming paths the OS refuses (a name over 255 bytes: ENAMETOOLONG) or with
something else nobody foresaw: the editor still starts, and the autosave is restored or kept, never a traceback."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from editor.controllers.autosave import UNRESTORABLE
from tests.editor.test_autosave import close, crashed_with, new_window

pytestmark = pytest.mark.qt
LONG = "/tmp/" + "a" * 300


@pytest.mark.parametrize("fields", [{"document": LONG + "/x.ssc"}, {"document": LONG + ".ssc"},
                                    {"document": None, "source": LONG + "/song.ogg"},
                                    {"document": LONG + "/x.ssc", "source": LONG + "/y.ssc", "opened": LONG,
                                     "audio": LONG + "/song.ogg"}])
def test_a_path_too_long_for_the_os_is_treated_as_gone(window, boxes, settings, qtbot, song_files, fields):
    folder, added = crashed_with(window, song_files.chart, **fields)
    second = new_window(qtbot, settings)
    boxes.answers = [QMessageBox.StandardButton.Yes]
    try:
        assert second.autosave.offer_recovery()  # raised OSError [Errno 36] File name too long
        assert added in second.session.chart.notes
    finally:
        close(second)


def test_an_unforeseen_error_while_restoring_keeps_the_autosave_and_says_so(window, boxes, settings, qtbot,
                                                                           song_files, monkeypatch, caplog):
    folder, _added = crashed_with(window, song_files.chart)
    second = new_window(qtbot, settings)

    def broken(*_args, **_kwargs):
        raise OSError(13, "Permission denied", "/somewhere")

    monkeypatch.setattr(second.autosave, "restore", broken)
    boxes.answers = [QMessageBox.StandardButton.Yes]
    try:
        assert not second.autosave.offer_recovery()
        kept = folder.with_name(folder.name + UNRESTORABLE)
        assert kept.is_dir()
        assert any(kept.glob("autosave-*.json"))
        assert not second.autosave.crashed_sessions()
        title, text = [(t, x) for _k, t, x in boxes][-1]
        assert title == "Cannot restore"
        assert "Permission denied" in text
        assert str(kept) in text
        assert "Traceback" not in text
        logged = [r for r in caplog.records if r.name == "editor.controllers.autosave" and r.exc_info]
        assert logged, "the bug's traceback goes to the log (a review found it dropped)"
    finally:
        close(second)


def test_create_window_starts_whatever_crash_recovery_raises(settings, boxes, qtbot, song_files, monkeypatch):
    from editor.app import create_window
    from editor.controllers.autosave import AutosaveController
    from editor.main_window import MainWindow

    def broken(self, opening=None):
        raise OSError(36, "File name too long", LONG)

    monkeypatch.setattr(MainWindow, "start_ai", lambda self: None)
    monkeypatch.setattr(AutosaveController, "offer_recovery", broken)
    win = create_window(song_files.chart, settings=settings, recover=True)  # raised: the editor did not start
    qtbot.addWidget(win)
    try:
        assert win.session.doc.path == song_files.chart  # what was asked for is open
        title, text = [(t, x) for _k, t, x in boxes][-1]
        assert title == "Cannot restore"
        assert "File name too long" in text
        assert "kept in" in text
    finally:
        close(win)

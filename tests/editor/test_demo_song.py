"""The bundled demo song opens as an untitled copy (audit 22): Ctrl+S after one edit wrote over the repository's own
resources/demo/first-light.ssc (and left a .bak beside it); on a read-only install it failed "Permission denied".
Save now asks where, suggesting the user's documents folder, and the saved copy still plays the bundled audio."""

from __future__ import annotations

import hashlib
import os
from fractions import Fraction
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from chart.formats.registry import load
from chart.notes import Note
from editor.demo import BUNDLED, DEMO_SONG, open_demo, save_folder
from tests.editor.test_autosave import close, crash, new_window

pytestmark = pytest.mark.qt


def demo_bytes() -> dict[str, str]:
    """What the bundled demo folder holds (name -> sha1): nothing may be written or added there."""
    return {p.name: hashlib.sha1(p.read_bytes()).hexdigest() for p in DEMO_SONG.parent.iterdir()}


def asking(win, answer):
    """Make ``win``'s Save As dialog answer ``answer``; the paths it suggested."""
    suggested = []
    win.files.ask_save_path = lambda path, title="Save As": (suggested.append(path), answer)[1]
    return suggested


def test_main_py_without_a_path_opens_the_demo_as_an_untitled_copy(settings, boxes, qtbot, monkeypatch):
    from editor.app import create_window
    from editor.main_window import MainWindow

    monkeypatch.setattr(MainWindow, "start_ai", lambda self: None)  # the shipped models are not this test's
    win = create_window(None, settings=settings, recover=False)
    qtbot.addWidget(win)
    try:
        qtbot.waitUntil(lambda: win.session.audio is not None, timeout=20000)  # the bundled audio is found
        assert win.session.doc.path is None
        assert win.session.doc.is_clean  # closing it unedited does not ask
        assert "(demo)" in win.windowTitle()
        assert str(DEMO_SONG.resolve()) not in settings.recent_files()  # no file of the designer's
    finally:
        close(win)


def test_saving_the_edited_demo_asks_where_and_never_writes_the_bundled_file(window, qtbot, tmp_path, settings):
    before = demo_bytes()
    assert open_demo(window)
    qtbot.waitUntil(lambda: window.session.audio is not None, timeout=20000)
    added = Note(Fraction(1000, 3), 0)
    window.editing.place(added.beat, added.lane, window.session.place_kind)
    target = tmp_path / "mine" / "first-light.ssc"
    target.parent.mkdir()
    suggested = asking(window, target)
    assert window.files.save()  # Ctrl+S
    assert len(suggested) == 1
    assert suggested[0].parent == save_folder()  # the user's documents (or home), not resources/demo
    assert not suggested[0].resolve().is_relative_to(BUNDLED.resolve())
    assert demo_bytes() == before  # no edit and no .bak in the bundled folder
    saved = load(target)
    assert any(added in c.notes for c in saved.charts)
    assert os.path.samefile(saved.audio_path(), DEMO_SONG.with_suffix(".ogg"))  # #MUSIC relinked: the copy plays
    assert "(demo)" not in window.windowTitle()
    assert target.name in window.windowTitle()
    suggested.clear()
    window.editing.place(Fraction(1003, 3), 1, window.session.place_kind)
    assert window.files.save()  # now the designer's own file: saved there without asking
    assert not suggested


def test_the_bundled_file_opened_by_its_path_is_saved_as_a_copy_too(window, tmp_path):
    before = demo_bytes()
    assert window.files.open_path(DEMO_SONG)
    window.editing.place(Fraction(1000, 3), 0, window.session.place_kind)
    suggested = asking(window, None)  # the designer cancels the dialog
    assert not window.files.save()
    assert len(suggested) == 1
    assert suggested[0].parent == save_folder()
    assert demo_bytes() == before


def test_the_untitled_demo_is_autosaved_and_restored_as_an_untitled_copy(window, boxes, settings, qtbot):
    before = demo_bytes()
    assert open_demo(window)
    window.autosave.start_session()
    added = Note(Fraction(1000, 3), 2)
    window.editing.place(added.beat, added.lane, window.session.place_kind)
    assert window.autosave.autosave() is not None
    crash(window)
    second = new_window(qtbot, settings)
    try:
        boxes.answers = [QMessageBox.StandardButton.Yes]
        assert second.autosave.offer_recovery()  # `python main.py` with no path after a crash
        second.autosave.start_session()
        assert any(added in c.notes for c in second.session.doc.song.charts)
        assert second.session.doc.path is None
        assert "(demo)" in second.windowTitle()
        qtbot.waitUntil(lambda: second.session.audio is not None, timeout=20000)
        suggested = asking(second, None)
        assert not second.files.save()
        assert suggested[0].parent == save_folder()
        assert demo_bytes() == before
    finally:
        close(second)


def test_export_of_the_demo_suggests_the_users_folder(window, monkeypatch):
    """File > Export suggested resources/demo/first-light.sm: a click on Save there wrote into the editor's own
    folder."""
    import editor.controllers.export as export_module

    assert open_demo(window)
    seen = []
    monkeypatch.setattr(export_module.QFileDialog, "getSaveFileName",
                        lambda _parent, _title, path, _filter: seen.append(Path(path)) or ("", ""))
    assert export_module.ExportController(window).ask_export_path() is None
    assert seen[0].parent == save_folder()
    assert seen[0].name == "first-light.sm"

"""The editor's own Export (and Save) is written into the crash-recovery marker: a crash after it does not name the
files it wrote as changed "by another program" or "saved after this autosave", and the question defaults to Yes."""

from __future__ import annotations

import json
import os

import pytest

from editor.controllers.autosave_files import MARKER
from editor.controllers.export import ExportController
from tests.editor import test_autosave_disk_changes
from tests.editor.test_autosave import close, crash, edit, new_window
from tests.editor.test_autosave_reopen import osu_set

pytestmark = pytest.mark.qt

questions = test_autosave_disk_changes.questions  # the fixture: messages.confirm recorded, answered


def crash_after_export(window, questions, opened, target):
    """``opened`` (a set's folder or one of its files) edited, autosaved, exported to ``target``, crashed; the
    autosave dated a minute back (an export after it, at any clock resolution)."""
    assert window.files.open_path(opened, check_unsaved=False)
    window.autosave.start_session()
    edit(window, 40, 1)
    generation = window.autosave.autosave()
    questions.answers = [True] * 5
    assert ExportController(window).export(target)
    questions.clear()
    questions.answers = []
    earlier = generation.stat().st_mtime - 60
    os.utime(generation, (earlier, earlier))
    return crash(window)


def asked(qtbot, settings, questions, opening):
    second = new_window(qtbot, settings)
    questions.answers = [False]
    second.autosave.offer_recovery(opening)
    ((_title, text, default),) = [q for q in questions if "did not close properly" in q[1]]
    close(second)
    return text, default


def test_an_export_over_the_sets_files_is_no_change_on_disk_after_a_crash(window, questions, settings, qtbot,
                                                                           tmp_path):
    folder = osu_set(tmp_path / "set")
    session = crash_after_export(window, questions, folder, folder / "Setty.osu")
    stamps = {path: (ns, size) for path, ns, size in json.loads((session / MARKER).read_text())["disk"]}
    for osu in folder.glob("*.osu"):
        assert stamps[str(osu)] == (osu.stat().st_mtime_ns, osu.stat().st_size)  # the export's stamps
    text, default = asked(qtbot, settings, questions, folder)
    assert "was saved at" not in text, text  # named the editor's own export as newer work
    assert "changed on disk" not in text, text
    assert default


def test_an_export_over_the_open_file_is_not_newer_work_after_a_crash(window, questions, settings, qtbot,
                                                                      tmp_path):
    folder = osu_set(tmp_path / "set")
    (easy,) = folder.glob("*Easy*.osu")
    crash_after_export(window, questions, easy, easy)
    text, default = asked(qtbot, settings, questions, easy)
    assert "was saved at" not in text, text
    assert "changed on disk" not in text, text
    assert default


def test_disk_stamps_tell_their_watchers_of_every_change(tmp_path):
    from editor.controllers.disk_stamps import DiskStamps

    path = tmp_path / "a.ssc"
    path.write_text("x")
    calls: list[int] = []
    stamps = DiskStamps()
    stamps.watch(lambda: calls.append(1))
    stamps.reset([path])
    stamps.note([path])
    stamps.renote(tmp_path)
    stamps.keep({path: (1, 1)})
    stamps.forget([tmp_path / "never.ssc"])  # nothing forgotten: no change
    stamps.forget([path])
    assert len(calls) == 5

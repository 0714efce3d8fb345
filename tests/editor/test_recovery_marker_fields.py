"""A crashed session's marker (session.json) with fields of the wrong type (damaged, or written by a newer version
in another shape) is offered without them, never a TypeError at every start; and a song opened through a symbolic
link is offered its autosave when opened again by its real path (Open Recent lists resolved paths)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.editor.test_autosave import close, crash, crashed_with, edit, new_window

pytestmark = pytest.mark.qt


def offered(boxes) -> list[str]:
    return [text for _k, _t, text in boxes if "did not close properly" in text]


@pytest.mark.parametrize("document", [{"path": "x.ssc"}, ["x.ssc"], 5, True, "a\0b.ssc"])
def test_a_marker_with_a_document_of_another_type_is_offered_without_it(window, boxes, settings, qtbot, song_files,
                                                                         document):
    from editor.controllers.autosave_files import marker_damage, marker_key, read_marker

    folder, added = crashed_with(window, song_files.chart, document=document, opened=document)
    assert "document" not in read_marker(folder)
    assert marker_damage(folder) == ["document", "opened"]
    assert marker_key(folder) is None

    second = new_window(qtbot, settings)
    statuses: list[str] = []
    second.session.status.connect(statuses.append)
    boxes.answers = [QMessageBox.StandardButton.Yes]
    assert second.autosave.offer_recovery()  # was: TypeError from os.stat(dict), at every start
    assert len(offered(boxes)) == 1
    assert added in second.session.chart.notes
    assert sum("is damaged (document, opened ignored)" in s for s in statuses) == 1
    close(second)


def test_a_marker_that_is_not_an_object_reads_as_empty(tmp_path):
    from editor.controllers.autosave_files import MARKER, marker_damage, read_marker

    (tmp_path / MARKER).write_text("[1, 2]")
    assert read_marker(tmp_path) == {}
    assert marker_damage(tmp_path) == ["session.json"]


def test_a_song_opened_through_a_symlink_is_offered_when_opened_by_its_real_path(window, boxes, settings, qtbot,
                                                                                  song_files, tmp_path):
    linked = tmp_path / "Songs" / "Song"
    linked.parent.mkdir()
    linked.symlink_to(song_files.folder, target_is_directory=True)
    assert window.files.open_path(linked / song_files.chart.name, check_unsaved=False)
    window.autosave.start_session()
    added = edit(window, 40, 1)
    assert window.autosave.autosave() is not None
    crash(window)

    second = new_window(qtbot, settings)
    second.autosave.start_session()
    recent = second.settings.recent_files()
    assert str(song_files.chart.resolve()) in recent  # Open Recent lists the real path
    boxes.answers = [QMessageBox.StandardButton.Yes]
    assert second.files.open_path(song_files.chart.resolve(), check_unsaved=False)
    assert len(offered(boxes)) == 1  # was: not offered (keyed by the linked path as opened)
    assert added in second.session.chart.notes
    close(second)

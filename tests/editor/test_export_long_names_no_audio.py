"""Export to .osu with a name whose difficulty files ("NAME [Easy].osu") are too long for the file system is one
"Cannot export" dialog, not an OSError traceback out of the menu action (and an .osz name too long is the same);
an osu! set exported without its audio (the song's audio file is missing) says so in the export question and in the
status line ("Exported ..." said nothing, and osu! cannot play such a set)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from editor.controllers.export import ExportController
from tests.editor.conftest import write_song
from tests.editor.test_export_osu_set import export_set

pytestmark = pytest.mark.qt

YES = QMessageBox.StandardButton.Yes


@pytest.mark.parametrize("name", ["あ" * 82 + ".osu", "あ" * 90 + ".osz"])
def test_a_name_too_long_for_the_file_system_is_one_dialog(window, tmp_path: Path, boxes, name):
    song = write_song(tmp_path / "song")
    assert window.open_path(song.chart)
    out = tmp_path / "out"
    out.mkdir()
    boxes.clear()
    boxes.answers = [YES] * 5
    assert not ExportController(window).export(out / name)  # raised OSError: [Errno 36] File name too long
    errors = [text for kind, title, text in boxes if kind == "critical"]
    assert len(errors) == 1
    assert "the file name is too long for the file system" in errors[0]
    assert list(out.iterdir()) == []


def test_extraction_of_a_name_too_long_is_none(tmp_path: Path):
    from chart.formats.osz_zip import extraction_of

    assert extraction_of(tmp_path / ("あ" * 90 + ".osz")) is None


def test_an_osu_set_exported_without_its_audio_says_so(window, tmp_path: Path, boxes):
    song = write_song(tmp_path / "song", audio=False)
    out = tmp_path / "out"
    question = export_set(window, song, out, boxes)
    assert "the audio clicks.wav was not found: the set goes without it" in question
    assert len(list(out.glob("*.osu"))) == 2
    assert "the set goes without it" in window.statusBar().currentMessage()


def _pending_draft(window) -> None:
    """An AI draft waiting in the first chart: Export asks "Export without them?" unless it refuses first."""
    from fractions import Fraction

    from chart.notes import Note
    from editor.controllers.ghosts import GhostDraft

    chart = window.session.doc.song.charts[0]
    window.drafting.ghosts.put(GhostDraft(chart, [Note(Fraction(40), 1)], {}, {"seed": 0},
                                          regions=[(Fraction(40), Fraction(44))],
                                          timing=window.session.doc.song.timing_for(chart)))


def test_an_osz_without_its_audio_is_refused_before_any_question(window, tmp_path: Path, boxes):
    """It asked "Export without them?" (the drafts), then "Verify before export ... Export anyway?", and refused
    after two Yes answers: the refusal left out the archive's audio not found."""
    song = write_song(tmp_path / "song", audio=False)
    assert window.open_path(song.chart)
    _pending_draft(window)
    out = tmp_path / "out"
    out.mkdir()
    boxes.clear()
    boxes.answers = [YES] * 5
    assert not ExportController(window).export(out / "x.osz")
    assert [kind for kind, _title, _text in boxes] == ["critical"]
    assert "its audio file clicks.wav was not found" in boxes[0][2]
    assert list(out.iterdir()) == []


def test_a_set_file_clash_is_refused_before_the_drafts_question(window, tmp_path: Path, boxes):
    song = write_song(tmp_path / "song")
    assert window.open_path(song.chart)
    _pending_draft(window)
    out = tmp_path / "out"
    out.mkdir()
    (out / "clicks.wav").write_bytes(b"another file of the audio's name")
    boxes.clear()
    boxes.answers = [YES] * 5
    assert not ExportController(window).export(out / "x.osu")
    assert [kind for kind, _title, _text in boxes] == ["critical"]
    assert "clicks.wav" in boxes[0][2]


def test_export_where_os_has_no_pathconf(window, tmp_path: Path, boxes, monkeypatch):
    """Windows has no os.pathconf: Export raised AttributeError out of the menu action."""
    import os

    song = write_song(tmp_path / "song")
    assert window.open_path(song.chart)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.delattr(os, "pathconf")
    boxes.clear()
    boxes.answers = [YES] * 5
    assert ExportController(window).export(out / "x.osu")
    assert len(list(out.glob("*.osu"))) == 2


def test_the_name_limit_of_a_folder_not_made_yet_is_its_parents(tmp_path: Path):
    import os

    from editor.controllers.export import name_max

    assert name_max(tmp_path / "set" / "sub") == os.pathconf(tmp_path, "PC_NAME_MAX")

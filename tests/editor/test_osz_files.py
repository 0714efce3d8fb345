"""osu! beatmap archives (.osz) in the editor: Open reads the set as its folder (extracted beside it) with its
audio, Save never rewrites the archive, Export writes one, a bad archive is a one-line dialog."""

from __future__ import annotations

import zipfile

import pytest
from PySide6.QtWidgets import QMessageBox

from chart.formats.registry import load, save
from editor.controllers.export import EXPORT_FILTER, ExportController
from editor.controllers.file_dialogs import OPEN_FILTER, SAVE_FILTER

pytestmark = pytest.mark.qt

YES = QMessageBox.StandardButton.Yes


def test_filters_offer_osz_where_osu_is_offered():
    assert "*.osz" in OPEN_FILTER
    assert "osu! beatmap archive (*.osz)" in EXPORT_FILTER
    assert "*.osz" not in SAVE_FILTER  # an archive is exported, never the file a song is saved to


def test_export_then_open_the_archive(opened, tmp_path, boxes, settings, qtbot):
    win = opened
    song = win.session.doc.song
    target = tmp_path / "exported" / "Clicks.osz"
    target.parent.mkdir()
    boxes.answers = [YES]  # export with the conversions (mines dropped)
    assert ExportController(win).export(target)
    assert win.statusBar().currentMessage() == "Exported Clicks.osz"
    with zipfile.ZipFile(target) as zf:
        assert zf.namelist() == ["Clicks [Beginner].osu", "Clicks [Easy].osu", "clicks.wav"]
    archived = target.read_bytes()

    boxes.clear()
    assert win.open_path(target)
    doc = win.session.doc
    assert doc.path is None  # several difficulties: no one file to save to, and never the archive
    assert [c.slot for c in doc.song.charts] == [c.slot for c in song.charts]
    assert "Clicks.osz (extracted to Clicks/) as one song" in win.statusBar().currentMessage()
    qtbot.waitUntil(lambda: win.session.audio is not None, timeout=20000)
    assert win.session.audio.path == tmp_path / "exported" / "Clicks" / "clicks.wav"
    assert settings.recent_files()[0] == str(target)
    assert not boxes

    asked = []
    win.files.ask_save_path = lambda suggested, title="Save As": asked.append(suggested)
    assert not win.files.save()
    assert asked == [tmp_path / "exported" / "Clicks" / "Clicks.ssc"]  # Save asks, in the extracted folder
    assert not win.files._save_to(target)  # Save As .osz is refused with a dialog
    assert boxes[-1][1] == "Cannot save"
    assert "File > Export writes one" in boxes[-1][2]
    assert target.read_bytes() == archived


def test_a_one_difficulty_archive_saves_to_its_extracted_osu(window, song_files, tmp_path, boxes):
    song = song_files.song
    song.charts = song.charts[1:]
    song.source_path = song_files.chart
    save(song, tmp_path / "one.osz")
    archived = (tmp_path / "one.osz").read_bytes()
    assert window.open_path(tmp_path / "one.osz")
    extracted = tmp_path / "one" / "one.osu"
    assert window.session.doc.path == extracted
    window.session.doc.song.title = "Renamed"
    boxes.answers = [YES]  # save with the conversions .osu makes
    assert window.files.save()
    assert load(extracted).title == "Renamed"
    assert (tmp_path / "one.osz").read_bytes() == archived


def test_a_bad_archive_is_a_one_line_dialog_and_the_song_stays(opened, tmp_path, boxes):
    doc = opened.session.doc
    bad = tmp_path / "bad.osz"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("../../evil.osu", "osu file format v14\n")
    assert not opened.open_path(bad)
    kind, title, text = boxes[-1]
    assert (kind, title) == ("critical", "Cannot open")
    assert text == f"{bad}: a file name that leaves the set folder (../../evil.osu): refused"
    assert opened.session.doc is doc
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("bad", "."))) == ["bad.osz"]


def test_export_over_the_archive_that_was_opened_keeps_it_openable(opened, tmp_path, boxes):
    """Open Song.osz (extracted to Song/), edit, Export onto Song.osz: the new archive was refused on the next open
    ("the folder Song beside it holds another version of ..."), as the CLI's rewrite was until it refreshed the
    folder; Export now does the same."""
    win = opened
    target = tmp_path / "exported" / "Clicks.osz"
    target.parent.mkdir()
    boxes.answers = [YES]
    assert ExportController(win).export(target)
    boxes.clear()
    assert win.open_path(target)
    chart = win.session.chart
    win.session.doc.remove_notes(chart, [chart.notes[-1]])  # an edit
    kept = len(chart.notes)
    boxes.answers = [YES]
    assert ExportController(win).export(target)
    assert "updated the folder" in win.statusBar().currentMessage()
    back = load(target)  # opens again: its folder is the new archive's extraction
    assert kept in [len(c.notes) for c in back.charts]

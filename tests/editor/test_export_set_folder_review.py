"""Export to an osu! set of a song whose audio lies in another folder (``#MUSIC:../music/clicks.wav``, New Song from
Audio saved elsewhere): the export copies the audio into the set, and its question said so, then listed "problem:
the music file ../music/clicks.wav is outside the set's folder (copy it in ...)" and defaulted to No. Verify's
``set-folder`` check now runs on the set as the export writes it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from chart.formats.registry import load, save
from editor.controllers.export import ExportController
from tests.editor.conftest import write_song

pytestmark = pytest.mark.qt

YES = QMessageBox.StandardButton.Yes


def test_audio_the_export_copies_in_is_no_problem_in_its_question(window, tmp_path: Path, boxes):
    files = write_song(tmp_path / "music")
    song = load(files.chart)
    song.music = "../music/clicks.wav"
    (tmp_path / "charts").mkdir()
    chart = save(song, tmp_path / "charts" / "clicks.ssc")
    assert window.open_path(chart)
    out = tmp_path / "charts" / "osu"
    out.mkdir()
    controller = ExportController(window)
    boxes.clear()
    boxes.answers = [YES] * 3
    assert controller.export(out / "x.osu")
    question = next(text for kind, title, text in boxes if title == "Verify before export")
    assert f"the export copies the audio clicks.wav into {out}" in question
    assert "outside the set's folder" not in question + boxes.details
    assert "problem" not in question.lower()
    assert (out / "clicks.wav").read_bytes() == files.audio.read_bytes()


def test_the_set_folder_check_still_runs_on_the_set_as_written(window, tmp_path: Path, boxes):
    files = write_song(tmp_path / "set")  # the check itself is kept: on the song as written, where it is right
    assert window.open_path(files.chart)
    controller = ExportController(window)
    song = window.session.doc.song
    written = dataclasses.replace(song, music="../elsewhere/clicks.wav", source_path=tmp_path / "set" / "x.osu")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "clicks.wav").write_bytes(b"")
    assert controller.review(song, "osu", written=song) == controller.review(song, "osu")
    lines, problems = controller.review(song, "osu", written=written)
    assert problems
    assert any("music file ../elsewhere/clicks.wav is outside the set's folder" in line for line in lines)

"""File > Export to ``.osu`` in another folder makes that folder a whole osu! set, as ``convert`` does: the audio
(and the files the ``[Events]`` name) are copied in, written with the ``.osu`` files, and the export question says
so (the copy named ``AudioFilename: ../song/clicks.wav``, copied nothing and said nothing: osu! played nothing). A
different file of a copy's name is never replaced: the export refuses in one dialog and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from editor.controllers.export import ExportController
from tests.editor.conftest import write_song

pytestmark = pytest.mark.qt

YES = QMessageBox.StandardButton.Yes


def export_set(window, song, out: Path, boxes) -> str:
    """``song`` opened and exported as an osu! set into ``out`` (made), answering Yes; the Verify question's text."""
    assert window.open_path(song.chart)
    out.mkdir()
    boxes.clear()
    boxes.answers = [YES] * 3
    assert ExportController(window).export(out / "x.osu")
    return next(text for kind, title, text in boxes if title == "Verify before export")


def test_export_to_another_folder_copies_the_audio_into_the_set(window, tmp_path: Path, boxes):
    song = write_song(tmp_path / "song")
    out = tmp_path / "out"
    question = export_set(window, song, out, boxes)
    assert f"the export copies the audio clicks.wav into {out}" in question
    assert (out / "clicks.wav").read_bytes() == song.audio.read_bytes()
    written = sorted(out.glob("*.osu"))
    assert len(written) == 2
    for osu in written:
        assert "AudioFilename: clicks.wav\n" in osu.read_text(encoding="utf-8")
    assert "copied the audio clicks.wav" in window.statusBar().currentMessage()


def test_export_never_replaces_another_file_of_the_audio_s_name(window, tmp_path: Path, boxes):
    song = write_song(tmp_path / "song")
    assert window.open_path(song.chart)
    out = tmp_path / "out"
    out.mkdir()
    (out / "clicks.wav").write_bytes(b"another song")
    boxes.clear()
    boxes.answers = [YES] * 3
    assert not ExportController(window).export(out / "x.osu")
    errors = [text for kind, title, text in boxes if kind == "critical"]
    assert len(errors) == 1
    assert "another file of that name is there" in errors[0]
    assert "\n" not in errors[0]
    assert sorted(p.name for p in out.iterdir()) == ["clicks.wav"]  # nothing written
    assert (out / "clicks.wav").read_bytes() == b"another song"

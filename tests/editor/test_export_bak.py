"""Export into an osu! set folder moves a leftover difficulty aside to a free backup name: an earlier backup of
the same name (the designer's, kept as the export promised) is never replaced."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtWidgets import QMessageBox

from chart.song import Slot
from editor.controllers.export import ExportController, backup_name, move_aside

pytestmark = pytest.mark.qt

YES = QMessageBox.StandardButton.Yes


def _osu(version: str, objects: int) -> str:
    lines = "\n".join(f"64,192,{100 + 500 * k},1,0,0:0:0:0:" for k in range(objects))
    return (f"osu file format v14\n\n[General]\nAudioFilename: audio.wav\nMode: 3\n\n[Metadata]\nTitle:Title\n"
            f"Artist:Artist\nCreator:Mapper\nVersion:{version}\n\n[Difficulty]\nCircleSize:4\nOverallDifficulty:8\n\n"
            f"[TimingPoints]\n100,500,4,1,0,100,1,0\n\n[HitObjects]\n{lines}\n")


def test_move_aside_takes_the_first_free_backup_name(tmp_path: Path):
    file = tmp_path / "a.osu"
    for n, text in enumerate(("first", "second")):
        backup_name(file, n).write_text(text)
    file.write_text("current")
    moved = move_aside(file)
    assert moved == tmp_path / "a.osu.2.bak"
    assert moved.read_text() == "current"
    assert not file.exists()
    assert (tmp_path / "a.osu.bak").read_text() == "first"
    assert (tmp_path / "a.osu.1.bak").read_text() == "second"


def test_export_keeps_an_earlier_backup_of_a_leftover_difficulty(window, tmp_path: Path, boxes):
    folder = tmp_path / "set"
    folder.mkdir()
    sf.write(str(folder / "audio.wav"), np.zeros(22050 * 6, dtype=np.float32), 22050)
    for version, n in (("Easy", 4), ("Hard", 8)):
        (folder / f"Artist - Title (Mapper) [{version}].osu").write_text(_osu(version, n))
    earlier = folder / "Artist - Title (Mapper) [Hard].osu.bak"
    earlier.write_text(_osu("Hard", 30))
    assert window.open_path(folder)
    boxes.answers = [YES]
    window.session.set_chart(window.session.doc.song.chart(Slot.HARD))
    window.charts_panel.delete_chart()
    boxes.clear()
    boxes.answers = [YES]  # move the leftovers aside
    assert ExportController(window).export(folder / "Artist - Title (Mapper).osu")
    assert earlier.read_text() == _osu("Hard", 30)  # the earlier backup, untouched
    assert (folder / "Artist - Title (Mapper) [Hard].osu.1.bak").read_text() == _osu("Hard", 8)
    assert not (folder / "Artist - Title (Mapper) [Hard].osu").exists()
    status = window.statusBar().currentMessage()
    assert "[Hard].osu to Artist - Title (Mapper) [Hard].osu.1.bak" in status  # says where it went

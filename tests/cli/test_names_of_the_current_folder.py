"""``info .`` and ``check .`` name the folder (``[]`` and ``: 2 chart(s)`` before: ``Path('.').name`` is "")."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from chart.formats.registry import save
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from main import main


def test_info_and_check_of_the_current_folder_name_it(tmp_path: Path, monkeypatch, capsys) -> None:
    folder = tmp_path / "Some Song"
    folder.mkdir()
    notes = [Note(Fraction(b), b % 4) for b in range(8)]
    save(Song(title="T", artist="A", timing=TimingData.constant(120, "0"),
              charts=[Chart(slot=Slot.EASY, meter=3, notes=notes)]), folder / "song.ssc")
    monkeypatch.chdir(folder)
    main(["info", "."])
    assert capsys.readouterr().out.splitlines()[0] == "T - A  [Some Song]"
    main(["check", "."])
    assert capsys.readouterr().err.splitlines()[-1].startswith("Some Song: 1 chart(s), ")
    monkeypatch.chdir(folder / "..")
    main(["info", "Some Song/."])
    assert capsys.readouterr().out.splitlines()[0].endswith("[Some Song]")

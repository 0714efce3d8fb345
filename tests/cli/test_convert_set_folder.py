"""``convert song.ssc set/song.osu`` (the README's example) makes the set's folder when its parent exists."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

from chart.formats.registry import save
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

REPO = Path(__file__).resolve().parents[2]


def _convert(*args: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", "convert", *map(str, args)], cwd=REPO, capture_output=True,
                          text=True, timeout=120)


def test_convert_makes_the_folder_of_an_osu_set_and_not_a_tree_of_them(tmp_path: Path) -> None:
    notes = [Note(Fraction(b), b % 4) for b in range(8)]
    ssc = save(Song(title="S", music="a.ogg", timing=TimingData.constant(120, "0"),
                    charts=[Chart(slot=Slot.EASY, meter=3, notes=notes), Chart(slot=Slot.HARD, meter=8, notes=notes)]),
               tmp_path / "song.ssc")
    done = _convert(ssc, tmp_path / "set" / "song.osu")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "set").iterdir()) == ["song [Easy].osu", "song [Hard].osu"]
    assert "created the folder" in done.stderr
    deeper = _convert(ssc, tmp_path / "a" / "b" / "song.osu")
    assert deeper.returncode == 2
    assert len(deeper.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "a").exists()

"""``check`` on a song whose music file is missing: one WARNING line from the music check (exit 0), the note on
stderr no longer says it again; with ``--format osz``, which carries the audio, one PROBLEM and no WARNING."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

from chart.formats.registry import save
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

ROOT = Path(__file__).resolve().parents[2]


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def missing_music(tmp_path: Path) -> Path:
    notes = [Note(Fraction(b, 2), b % 4) for b in range(8, 104)]  # 4 notes/s: no density finding at Easy or Medium
    song = Song(title="Missing music", artist="x", music="song.ogg", timing=TimingData.constant(120),
                charts=[Chart(slot=Slot.EASY, meter=2, notes=notes), Chart(slot=Slot.MEDIUM, meter=5, notes=notes)])
    return save(song, tmp_path / "song.ssc")


def test_check_warns_once_about_missing_music(tmp_path: Path) -> None:
    result = run("check", missing_music(tmp_path), "--format", "sm")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["dance-single/Easy\tWARNING\t-\tthe music file song.ogg is not in the "
                                          "song folder: StepMania cannot play this chart\t[music]"]
    assert "not found" not in result.stderr  # said once, by the check
    assert "notes after the end of the audio are not checked (give --audio-length)" in result.stderr


def test_check_for_osz_says_it_once_as_a_problem(tmp_path: Path) -> None:
    result = run("check", missing_music(tmp_path), "--format", "osz")
    assert result.returncode == 1
    (line,) = result.stdout.splitlines()
    assert "\tPROBLEM\t" in line
    assert "its audio file song.ogg was not found" in line

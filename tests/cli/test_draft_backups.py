"""The chart commands over a designer's file: a replaced hand-made chart is named, and a second run keeps the
first run's backup instead of replacing it (``refine X.sm --to hard -o X.sm`` twice lost the designer's Hard)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import soundfile as sf

from chart.fileio import backup_name, keep_older_backup
from chart.formats.registry import load, save
from chart.song import Slot
from main import main
from tests.cli.test_chart_cmds import song_for_tests
from tests.inference.tiny_models import click_track, drafting_model

SR = 22050


def test_two_runs_over_one_file_keep_the_hand_made_chart_in_a_backup(tmp_path: Path, capsys) -> None:
    drafting_model(tmp_path / "models")
    sf.write(tmp_path / "song.wav", click_track(120, 0.0, 40.0, SR), SR)
    chart = save(dataclasses.replace(song_for_tests(), music="song.wav"), tmp_path / "song.ssc")
    hand_made = chart.read_bytes()
    argv = ["simplify", str(chart), "--from", "hard", "--to", "easy", "--models", str(tmp_path / "models"),
            "-o", str(chart)]
    assert main(argv) == 0
    first = capsys.readouterr().err
    assert "note: replaces the Easy chart (60 notes)" in first
    assert backup_name(chart).read_bytes() == hand_made
    assert main(argv) == 0
    second = capsys.readouterr().err
    assert backup_name(chart, 1).read_bytes() == hand_made  # the designer's Easy is still on disk
    assert "the earlier backup of" in second
    assert "song.ssc.1.bak" in second
    (tmp_path / "kept.ssc").write_bytes(backup_name(chart, 1).read_bytes())
    easy = next(c for c in load(tmp_path / "kept.ssc").charts if c.slot == Slot.EASY)
    assert len(easy.notes) == 60


def test_a_backup_equal_to_the_file_is_left_to_be_replaced(tmp_path: Path) -> None:
    path = tmp_path / "a.ssc"
    path.write_text("same")
    backup_name(path).write_text("same")
    assert keep_older_backup(path) is None
    backup_name(path).write_text("older")
    kept = keep_older_backup(path)
    assert kept == backup_name(path, 1)
    assert kept.read_text() == "older"
    assert not backup_name(path).exists()
    backup_name(path).write_text("older still")
    assert keep_older_backup(path) == backup_name(path, 2)

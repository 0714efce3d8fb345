"""``convert Set.osz Out.osz`` carries the set's storyboard and its sprites, and names a missing one in a ``note:``
line; the files the song names are looked up before they are renamed for the output's folder (the background of a
set converted into another folder is no false "not found")."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.chart.formats.test_osz import make_zip
from tests.chart.formats.test_osz_storyboard import set_folder
from tests.cli.test_chart_cmds import run


def archive(tmp_path: Path, missing: bool = False) -> Path:
    folder = set_folder(tmp_path / "made", missing=missing)
    files = [(str(p.relative_to(folder)), p.read_bytes()) for p in sorted(folder.rglob("*")) if p.is_file()]
    return make_zip(tmp_path / "Set.osz", files)


def test_convert_carries_the_storyboard_without_false_notes(tmp_path: Path) -> None:
    src, out = archive(tmp_path), tmp_path / "Exported.osz"  # the set's files are named "Set/bg.jpg" from here
    result = run("convert", src, out)
    assert result.returncode == 0, result.stderr
    assert "not found" not in result.stderr
    names = set(zipfile.ZipFile(out).namelist())
    assert {"Artist - Title (Mapper).osb", "sb/star.png", "sb/fire0.png", "sb/hit.wav", "bg.jpg"} <= names


def test_convert_names_a_missing_sprite(tmp_path: Path) -> None:
    src, out = archive(tmp_path, missing=True), tmp_path / "Exported.osz"
    result = run("convert", src, out)
    assert result.returncode == 0, result.stderr
    assert "note: osz: sb/star.png, named in the storyboard Artist - Title (Mapper).osb, was not found" in result.stderr

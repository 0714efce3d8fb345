"""``main.py convert/info/check`` with osu! beatmap archives (.osz), through a real subprocess: a set written and
read back, byte-identical re-exports, and exit 2 with one line (nothing written) on bad input."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from chart.formats.registry import load, save
from tests.cli.test_chart_cmds import one_line_error, run, song_for_tests


@pytest.fixture
def ssc(tmp_path: Path) -> Path:
    """The chart commands' test song, with its audio file beside it."""
    song = song_for_tests()
    song.music = "music.ogg"
    (tmp_path / "music.ogg").write_bytes(b"OggS not really audio")
    return save(song, tmp_path / "song.ssc")


def test_convert_to_osz_and_back(ssc: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "Set.osz"
    out.parent.mkdir()
    result = run("convert", ssc, out)
    assert result.returncode == 0, result.stderr
    assert f"wrote {out} (2 charts)" in result.stderr
    assert "note: osz: osu!mania has no mines: dropped (4x)" in result.stderr  # what the .osu export says too
    with zipfile.ZipFile(out) as zf:
        assert zf.namelist() == ["Set [Easy].osu", "Set [Hard].osu", "music.ogg"]
    back = tmp_path / "back.ssc"
    result = run("convert", out, back)
    assert result.returncode == 0, result.stderr
    assert f"note: extracted Set.osz into {tmp_path / 'out' / 'Set'}" in result.stderr
    song = load(back)
    assert song.music == "out/Set/music.ogg"  # the audio is reached in the extracted folder
    assert [c.slot.sm_name for c in song.charts] == ["Easy", "Hard"]
    again = run("info", out)  # the folder holds the archive's files: read from there, nothing said or written
    assert again.returncode == 0, again.stderr
    assert "extracted" not in again.stderr
    assert "dance-single/Hard" in again.stdout


def test_reexport_is_byte_identical_and_keeps_a_backup(ssc: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.osz"
    assert run("convert", ssc, out).returncode == 0
    first = out.read_bytes()
    result = run("convert", ssc, out)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == first
    assert (tmp_path / "a.osz.bak").read_bytes() == first
    check = run("check", ssc, "--format", "osz")
    assert check.returncode == 0, check.stderr


def test_convert_without_audio_writes_nothing(tmp_path: Path) -> None:
    ssc = save(song_for_tests(), tmp_path / "song.ssc")  # names missing.ogg
    line = one_line_error(run("convert", ssc, tmp_path / "x.osz"))
    assert "audio file missing.ogg was not found: an .osz carries the audio of the set" in line
    assert not (tmp_path / "x.osz").exists()


@pytest.mark.parametrize(("members", "expected"), [
    ([("../escape.osu", b"x")], "leaves the set folder"),
    ([("a.ogg", b"x"), ("b.txt", b"y")], "holds no osu!mania difficulty (it holds no .osu file, only a.ogg, b.txt)"),
    (None, "not a readable zip archive"),
])
@pytest.mark.parametrize("command", ["info", "check", "convert"])
def test_bad_archives_are_one_line_exit_2(tmp_path: Path, members, expected: str, command: str) -> None:
    archive = tmp_path / "bad.osz"
    if members is None:
        archive.write_bytes(b"PK\x03\x04 but nothing more")
    else:
        with zipfile.ZipFile(archive, "w") as zf:
            for name, data in members:
                zf.writestr(name, data)
    args = [command, archive] + ([tmp_path / "out.ssc"] if command == "convert" else [])
    line = one_line_error(run(*args))
    assert line.startswith(f"error: {archive}: ")
    assert expected in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.osz"]  # nothing extracted, nothing converted

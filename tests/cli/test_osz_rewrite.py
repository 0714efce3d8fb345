"""An ``.osz`` written over an archive whose extraction sits beside it (``draft Song.osz -o Song.osz``, ``convert
X.osz X.osz``): the folder, extracted by the app from the old archive, is brought up to date, so the new archive
opens again (every command refused it: "the folder Song beside it has no Song [Challenge AI draft].osu"). A folder
that is not the old archive's extraction, and files of the user's own, are never touched."""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path

import pytest
import soundfile as sf

from chart.formats.registry import load, save
from chart.notes import Note
from chart.song import Chart, Slot
from main import main
from tests.cli.test_chart_cmds import song_for_tests
from tests.inference.tiny_models import click_track, drafting_model

SR = 22050


def _cli(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


def _song(tmp_path: Path, name: str = "song.ssc", challenge: bool = False, easy: bool = True) -> Path:
    """The chart commands' test song (Easy, Hard) beside its audio; with a Challenge chart, without the Easy."""
    song = dataclasses.replace(song_for_tests(), music="music.ogg")
    if not (tmp_path / "music.ogg").exists():
        (tmp_path / "music.ogg").write_bytes(b"OggS not really audio")
    if challenge:
        song.charts.append(Chart(slot=Slot.CHALLENGE, meter=10,
                                 notes=[Note(Fraction(b, 4), b % 4) for b in range(16, 256)]))
    if not easy:
        song.charts = [c for c in song.charts if c.slot != Slot.EASY]
    return save(song, tmp_path / name)


def _extracted(tmp_path: Path, capsys, archive: Path) -> Path:
    code, err = _cli(capsys, "info", archive)
    assert code == 0, err
    assert "note: extracted" in err
    return archive.with_suffix("")


def test_convert_over_an_extracted_archive_brings_its_folder_up_to_date(tmp_path, capsys):
    archive = tmp_path / "Song.osz"
    assert _cli(capsys, "convert", _song(tmp_path), archive)[0] == 0
    folder = _extracted(tmp_path, capsys, archive)
    (folder / "notes.txt").write_text("mine", encoding="utf-8")  # a file of the user's own: stays
    code, err = _cli(capsys, "convert", _song(tmp_path, "new.ssc", challenge=True, easy=False), archive)
    assert code == 0, err
    assert f"note: updated the folder {folder} (extracted from the old Song.osz) to the new archive: 1 file " \
           f"written, 1 removed" in err
    assert sorted(p.name for p in folder.iterdir()) == ["Song [Challenge].osu", "Song [Hard].osu", "music.ogg",
                                                        "notes.txt"]
    code, err = _cli(capsys, "convert", archive, tmp_path / "back.ssc")
    assert code == 0, err
    assert "note: extracted" not in err  # read from the folder as it is now
    assert [c.slot for c in load(tmp_path / "back.ssc").charts] == [Slot.HARD, Slot.CHALLENGE]
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_convert_of_an_archive_onto_itself_renames_its_difficulties(tmp_path, capsys):
    """The archive's .osu files are named after another archive; written again, after this one."""
    assert _cli(capsys, "convert", _song(tmp_path), tmp_path / "Other.osz")[0] == 0
    archive = (tmp_path / "Other.osz").rename(tmp_path / "X.osz")
    folder = _extracted(tmp_path, capsys, archive)
    assert (folder / "Other [Easy].osu").is_file()
    code, err = _cli(capsys, "convert", archive, archive)
    assert code == 0, err
    assert sorted(p.name for p in folder.iterdir()) == ["X [Easy].osu", "X [Hard].osu", "music.ogg"]
    code, err = _cli(capsys, "check", archive, "--audio-length", "60")
    assert code == 0, err


def test_a_draft_written_over_its_own_archive_opens_again(tmp_path, capsys):
    drafting_model(tmp_path / "models")
    sf.write(tmp_path / "song.wav", click_track(120, 0.0, 40.0, SR), SR)
    ssc = save(dataclasses.replace(song_for_tests(), music="song.wav"), tmp_path / "song.ssc")
    archive = tmp_path / "Song.osz"
    assert _cli(capsys, "convert", ssc, archive)[0] == 0
    code, err = _cli(capsys, "draft", archive, "--slots", "challenge", "--models", tmp_path / "models", "-o", archive)
    assert code == 0, err
    assert "note: updated the folder" in err
    assert main(["info", str(archive)]) == 0
    assert "dance-single/Challenge" in capsys.readouterr().out
    assert (archive.with_suffix("") / "Song [Challenge AI draft].osu").is_file()


def test_a_folder_edited_since_its_extraction_is_never_touched(tmp_path, capsys):
    archive = tmp_path / "Song.osz"
    assert _cli(capsys, "convert", _song(tmp_path), archive)[0] == 0
    folder = _extracted(tmp_path, capsys, archive)
    hard = folder / "Song [Hard].osu"
    edited = hard.read_text(encoding="utf-8") + "\n// edited by hand\n"
    hard.write_text(edited, encoding="utf-8")
    code, err = _cli(capsys, "convert", _song(tmp_path, "new.ssc", challenge=True), archive)
    assert code == 0, err
    assert "updated the folder" not in err
    assert hard.read_text(encoding="utf-8") == edited
    assert not (folder / "Song [Challenge].osu").exists()
    code, err = _cli(capsys, "info", archive)  # refused as before: the user's work, to open or move
    assert code == 2
    assert "holds another version of Song [Hard].osu" in err


@pytest.mark.parametrize("theirs", ["file", "folder"])
def test_a_file_of_the_users_where_the_new_archive_puts_one_is_kept(tmp_path, capsys, theirs):
    archive = tmp_path / "Song.osz"
    assert _cli(capsys, "convert", _song(tmp_path), archive)[0] == 0
    folder = _extracted(tmp_path, capsys, archive)
    mine = folder / "Song [Challenge].osu"
    if theirs == "file":
        mine.write_text("my own challenge", encoding="utf-8")
    else:
        mine.mkdir()
    code, err = _cli(capsys, "convert", _song(tmp_path, "new.ssc", challenge=True), archive)
    assert code == 0, err
    assert f"note: the folder {folder} was left as it is: Song [Challenge].osu there is not the old archive's" in err
    assert mine.read_text(encoding="utf-8") == "my own challenge" if theirs == "file" else mine.is_dir()

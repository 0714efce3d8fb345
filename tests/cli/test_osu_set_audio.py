"""An osu! set loads its audio only from its own folder: ``convert`` to a set in another folder copies the audio in
(``AudioFilename: ../src/x.ogg`` before, and osu! played nothing), ``check --format osu`` says it is a PROBLEM for a
set naming audio outside its folder (it said nothing); and an ``.osz`` read back and exported again is the same
archive (its members were reordered)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from chart.formats.registry import load, save
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from main import main

AUDIO = b"OggS not really audio, carried byte for byte"


def song_folder(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "song.ogg").write_bytes(AUDIO)
    notes = [Note(Fraction(b, 2), b % 4) for b in range(8, 60)]
    charts = [Chart(slot=slot, meter=m, notes=notes) for slot, m in ((Slot.CHALLENGE, 9), (Slot.EASY, 3),
                                                                     (Slot.HARD, 7))]
    return save(Song(title="Set", artist="a", music="song.ogg", timing=TimingData.constant(120), charts=charts),
                src / "song.ssc")


def run(argv, capsys) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_convert_to_a_set_folder_copies_the_audio_in(tmp_path, capsys):
    source = song_folder(tmp_path)
    code, _, err = run(["convert", source, tmp_path / "set" / "song.osu"], capsys)
    assert code == 0, err
    assert (tmp_path / "set" / "song.ogg").read_bytes() == AUDIO
    assert f"note: copied the audio song.ogg into {tmp_path / 'set'}" in err
    for osu in (tmp_path / "set").glob("*.osu"):
        assert "AudioFilename: song.ogg\n" in osu.read_text(encoding="utf-8")
    code, out, err = run(["check", tmp_path / "set", "--format", "osu"], capsys)
    assert "[music]" not in out
    assert "[set-folder]" not in out
    code, _, err = run(["convert", source, tmp_path / "set" / "song.osu"], capsys)  # again: the copy is reused
    assert code == 0, err
    assert "copied the audio" not in err


def test_convert_never_replaces_another_audio_file_of_that_name(tmp_path, capsys):
    source = song_folder(tmp_path)
    (tmp_path / "set").mkdir()
    (tmp_path / "set" / "song.ogg").write_bytes(b"another song")
    code, _, err = run(["convert", source, tmp_path / "set" / "song.osu"], capsys)
    assert code == 2
    assert "another file of that name is there" in err
    assert sorted(p.name for p in (tmp_path / "set").iterdir()) == ["song.ogg"]  # nothing written
    assert (tmp_path / "set" / "song.ogg").read_bytes() == b"another song"


def test_a_set_whose_audio_is_outside_its_folder_is_a_problem_for_osu(tmp_path, capsys):
    source = song_folder(tmp_path)
    song = load(source)
    song.music = "../src/song.ogg"
    (tmp_path / "set").mkdir()
    save(Song(**{**song.__dict__, "charts": song.charts[:1]}), tmp_path / "set" / "song.osu")
    code, out, _ = run(["check", tmp_path / "set" / "song.osu", "--format", "osu"], capsys)
    assert code == 1
    (line,) = [x for x in out.splitlines() if "[set-folder]" in x]
    assert "\tPROBLEM\t" in line
    assert "osu! loads audio only from the set's folder" in line
    code, out, _ = run(["check", tmp_path / "set" / "song.osu"], capsys)  # an .osu checked as it is
    assert "[set-folder]" in out
    for fmt in ("ssc", "osz"):  # StepMania follows the path; the archive carries the file in
        code, out, _ = run(["check", tmp_path / "set" / "song.osu", "--format", fmt], capsys)
        assert "[set-folder]" not in out, fmt


def test_an_osz_read_back_exports_the_same_bytes(tmp_path, capsys):
    source = song_folder(tmp_path)  # its charts are not in slot order: Challenge, Easy, Hard
    assert run(["convert", source, tmp_path / "Set.osz"], capsys)[0] == 0
    (tmp_path / "again").mkdir()
    code, _, err = run(["convert", tmp_path / "Set.osz", tmp_path / "again" / "Set.osz"], capsys)
    assert code == 0, err
    assert (tmp_path / "again" / "Set.osz").read_bytes() == (tmp_path / "Set.osz").read_bytes()

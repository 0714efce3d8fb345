"""An osu! set written without its audio (the song's audio file is missing) says so in a note, as the .osz that is
refused for it does (that refusal no longer starts "beat 0:": the problem is the song's, at no beat); and an osu!
set whose difficulty file names are too long for the file system is "cannot write NAME: ..." (exit 2)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from chart.formats.registry import save
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from tests.cli.test_osu_set_audio import run


def song_without_audio(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    notes = [Note(Fraction(b, 2), b % 4) for b in range(8, 40)]
    charts = [Chart(slot=slot, meter=m, notes=notes) for slot, m in ((Slot.EASY, 3), (Slot.HARD, 7))]
    return save(Song(title="Set", artist="a", music="gone.ogg", timing=TimingData.constant(120), charts=charts),
                src / "song.ssc")


def test_a_set_written_without_its_audio_says_so(tmp_path, capsys):
    source = song_without_audio(tmp_path)
    code, _, err = run(["convert", source, tmp_path / "set" / "song.osu"], capsys)
    assert code == 0, err
    assert "note: the audio gone.ogg was not found: the set goes without it" in err
    assert len(list((tmp_path / "set").glob("*.osu"))) == 2


def test_a_set_with_its_audio_says_nothing_of_it(tmp_path, capsys):
    source = song_without_audio(tmp_path)
    (source.parent / "gone.ogg").write_bytes(b"OggS not really audio")
    code, _, err = run(["convert", source, tmp_path / "set" / "song.osu"], capsys)
    assert code == 0, err
    assert "goes without it" not in err


def test_the_osz_refusal_for_no_audio_names_no_beat(tmp_path, capsys):
    source = song_without_audio(tmp_path)
    code, _, err = run(["convert", source, tmp_path / "Song.osz"], capsys)
    assert code == 2
    assert err.strip() == ("error: cannot write .osz: its audio file gone.ogg was not found: an .osz carries the "
                           "audio of the set")


def test_difficulty_names_too_long_for_the_file_system_are_cannot_write(tmp_path, capsys):
    source = song_without_audio(tmp_path)
    (source.parent / "gone.ogg").write_bytes(b"OggS not really audio")
    name = "あ" * 82 + ".osu"  # 250 bytes: legal, but not with " [Easy]" added
    code, _, err = run(["convert", source, source.parent / name], capsys)
    assert code == 2
    assert err.startswith(f"error: cannot write {source.parent / name[:-4]} [Easy")
    assert err.count("\n") == 1

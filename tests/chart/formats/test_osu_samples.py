"""The hitsound sample files an osu!mania map plays travel with it: an ``.osz`` and a set folder written elsewhere
carry the ones its hit objects and timing points use (osu!'s naming rules, :mod:`chart.formats.osu_samples`), byte
for byte, and no other; a set written to its own folder copies nothing; a different file of a sample's name in the
destination is refused in one line with nothing written. They were not carried at all, and an exported set played
osu!'s default hitsounds."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from chart.formats import registry
from chart.formats.osu_samples import sample_files, sample_lookups, song_samples
from chart.formats.osu_set_files import SetFileClash, set_files
from chart.formats.osz import dump_bytes
from main import main

HEAD = ("osu file format v14\n\n[General]\nAudioFilename: audio.ogg\nSampleSet: Soft\nMode: 3\n\n[Metadata]\n"
        "Title:Song\nArtist:Band\nCreator:Mapper\nVersion:Hard\n\n[Difficulty]\nCircleSize:4\nOverallDifficulty:8\n\n")
# Red line: normal set, custom index 2; green line at 2100: soft set, index 1.
POINTS = "[TimingPoints]\n100,500,4,1,2,100,1,0\n2100,-100,4,2,1,100,0,0\n\n"
OBJECTS = ("[HitObjects]\n"
           "64,192,100,1,8,0:0:0:0:\n"            # clap, red line's set and index: normal-hitclap2
           "192,192,600,1,0,0:0:0:0:kick.wav\n"   # its own file
           "320,192,2100,1,2,0:0:0:0:\n"          # whistle at the green line: soft-hitwhistle (index 1: no number)
           "448,192,2600,1,4,1:0:0:0:\n"          # finish, normal set of its own: normal-hitfinish
           "64,192,3100,1,0,0:0:0:0:\n")          # soft-hitnormal: not in the folder, osu! plays its own
USED = {"normal-hitclap2.wav": b"RIFF clap 2", "soft-hitwhistle.ogg": b"OggS whistle", "kick.wav": b"RIFF kick",
        "Normal-HitFinish.WAV": b"RIFF finish, named in another case"}
UNUSED = {"drum-hitclap.wav": b"RIFF drum", "normal-hitwhistle2.wav": b"RIFF whistle 2",
          "normal-hitclap.wav": b"RIFF clap (index 2 has its own file)", "soft-hitclap3.ogg": b"OggS clap 3"}


def sample_set(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "audio.ogg").write_bytes(b"OggS audio")
    for name, data in {**USED, **UNUSED}.items():
        (folder / name).write_bytes(data)
    (folder / "Band - Song (Mapper) [Hard].osu").write_text(HEAD + POINTS + OBJECTS, encoding="utf-8")
    return folder


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def names(lookups) -> set[str]:
    """The first name of each lookup's first group (its ``.wav``, or a hit object's own file)."""
    return {lookup[0][0] for lookup in lookups}


def test_the_lookups_follow_osu_s_naming_rules():
    assert names(sample_lookups(HEAD + POINTS + OBJECTS)) == {
        "normal-hitclap2.wav", "kick.wav", "soft-hitwhistle.wav", "normal-hitfinish.wav", "soft-hitnormal.wav"}
    numbered = next(lookup for lookup in sample_lookups(HEAD + POINTS + OBJECTS) if lookup[0][0] == "normal-hitclap2.wav")
    assert numbered == (("normal-hitclap2.wav", "normal-hitclap2.ogg", "normal-hitclap2.mp3"),
                        ("normal-hitclap.wav", "normal-hitclap.ogg", "normal-hitclap.mp3"))  # then the plain name
    # Index 0 everywhere: osu!'s own sounds, nothing from the folder.
    assert sample_lookups(HEAD + "[TimingPoints]\n0,500,4,2,0,100,1,0\n\n" + OBJECTS.replace(":kick.wav", ":")) == set()
    # Timing point set 0 is [General] SampleSet; the addition set follows the normal sound's; the object's index wins.
    text = HEAD + "[TimingPoints]\n0,500,4,0,1,100,1,0\n\n[HitObjects]\n64,192,100,1,3,0:3:4:0:\n"
    assert names(sample_lookups(text)) == {"soft-hitnormal4.wav", "drum-hitwhistle4.wav"}
    text = HEAD.replace("SampleSet: Soft\n", "") + "[TimingPoints]\n0,500,4,0,1,100,1,0\n\n[HitObjects]\n64,192,100,1,8,3:0:0:0:\n"
    assert names(sample_lookups(text)) == {"drum-hitclap.wav"}  # additionSet 0: the normal sound's set (no normal)
    # A hold reads the timing point in force at its head (osu!) and 5 ms after its end (osu!lazer): both.
    text = HEAD + "[TimingPoints]\n0,500,4,1,1,100,1,0\n1000,-100,4,3,1,100,0,0\n\n[HitObjects]\n64,192,100,128,0,996:0:0:0:0:\n"
    assert names(sample_lookups(text)) == {"normal-hitnormal.wav", "drum-hitnormal.wav"}


def test_only_used_samples_that_exist_are_found_case_insensitively(tmp_path):
    folder = sample_set(tmp_path / "set")
    found = sample_files(folder, [HEAD + POINTS + OBJECTS])
    assert sorted(p.name for p in found) == sorted(USED)
    (folder / "normal-hitclap2.wav").unlink()  # osu!lazer falls back to the name without the number
    assert "normal-hitclap.wav" in [p.name for p in sample_files(folder, [HEAD + POINTS + OBJECTS])]
    outside = HEAD + POINTS + "[HitObjects]\n64,192,100,1,0,0:0:0:0:../secret.wav\n"
    (tmp_path / "secret.wav").write_bytes(b"not the set's")
    assert sample_files(folder, [outside]) == []  # never a file outside the set's folder


def test_a_set_folder_written_elsewhere_gets_the_samples_byte_identical(tmp_path):
    song, _file = registry.load_folder(sample_set(tmp_path / "set"))
    out = tmp_path / "other" / "X.osu"
    out.parent.mkdir()
    made = set_files(song, out)
    assert sorted(made.samples, key=str.casefold) == sorted(USED, key=str.casefold)
    assert "4 hitsound samples: kick.wav, normal-hitclap2.wav, Normal-HitFinish.WAV, soft-hitwhistle.ogg" in made.note(out.parent)
    made.write(out)
    assert {p.name: p.read_bytes() for p in out.parent.iterdir() if p.suffix != ".osu"} == {
        "audio.ogg": b"OggS audio", **USED}  # and none of the unused ones
    text = out.read_bytes()
    again = set_files(song, out)  # re-exported: everything is there already, the same bytes
    assert again.copies == []
    assert again.note(out.parent) == ""
    again.write(out)
    assert out.read_bytes() == text
    assert {p.name: p.read_bytes() for p in out.parent.iterdir() if p.suffix != ".osu"} == {"audio.ogg": b"OggS audio", **USED}


def test_an_osz_carries_the_samples_byte_identical(tmp_path):
    song, _file = registry.load_folder(sample_set(tmp_path / "set"))
    data = dump_bytes(song, tmp_path / "Song.osz")
    carried = {name: blob for name, blob in members(data).items() if not name.endswith(".osu")}
    assert carried == {"audio.ogg": b"OggS audio", **USED}
    assert dump_bytes(song, tmp_path / "Song.osz") == data  # the same song twice: the same bytes
    registry.save(song, tmp_path / "Song.osz")
    back = registry.load(tmp_path / "Song.osz")  # read back (extracted beside it) and packed again
    assert dump_bytes(back, tmp_path / "Again.osz") == dump_bytes(song, tmp_path / "Again.osz")


def test_a_set_written_to_its_own_folder_copies_nothing(tmp_path):
    folder = sample_set(tmp_path / "set")
    song, _file = registry.load_folder(folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    made = set_files(song, folder / "Band - Song (Mapper).osu")
    assert made.copies == []
    assert made.samples == []
    assert made.note(folder) == ""
    made.write(folder / "Band - Song (Mapper).osu")
    after = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert {k: v for k, v in after.items() if k in before} == before


def test_a_song_keeping_no_sound_encodes_nothing(tmp_path):
    folder = sample_set(tmp_path / "set")
    plain = HEAD + "[TimingPoints]\n100,500,4,1,0,100,1,0\n\n[HitObjects]\n64,192,100,1,0,0:0:0:0:\n"
    (folder / "Band - Song (Mapper) [Hard].osu").write_text(plain, encoding="utf-8")
    song, _file = registry.load_folder(folder)
    assert song_samples(song) == []  # every note plays osu!'s own sounds


def test_a_different_file_of_a_sample_s_name_is_refused_with_nothing_written(tmp_path, capsys):
    song, _file = registry.load_folder(sample_set(tmp_path / "set"))
    other = tmp_path / "other"
    other.mkdir()
    (other / "kick.wav").write_bytes(b"another kick")
    with pytest.raises(SetFileClash, match="cannot copy kick.wav into .*another file of that name is there"):
        set_files(song, other / "X.osu")
    code = main(["convert", str(tmp_path / "set"), str(other / "X.osu")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "cannot copy kick.wav" in err
    assert [p.name for p in other.iterdir()] == ["kick.wav"]  # nothing written, not even the audio
    assert (other / "kick.wav").read_bytes() == b"another kick"

"""An .osz export of a set read from an osu! set folder or archive carries its storyboard: the .osb (named as osu!
looks for it, after the exported metadata) and every file it and the [Events] name (sprites, animation frames,
storyboard samples, in their subfolders); a named file that is missing is listed, never dropped silently. An archive
whose difficulties name different audio is refused before anything is extracted, saying what to do instead."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from chart.formats import registry
from chart.formats.errors import ParseError
from chart.formats.osz import dump_bytes, load_archive, problems
from chart.formats.osz_carry import osb_name
from tests.chart.formats.test_osz import make_zip, osu_text

OSB = (b'[Variables]\n$star="sb/star.png"\n[Events]\n//Storyboard Layer 0 (Background)\nSprite,Background,Centre,'
       b'$star,320,240\n F,0,0,1000,0,1\nAnimation,Foreground,Centre,"sb/fire.png",320,240,2,50,LoopForever\n'
       b'Sample,500,0,"sb/hit.wav",80\n')


def set_folder(folder: Path, osb: bytes = OSB, osb_file: str = "Artist - Title (Mapper).osb",
               missing: bool = False) -> Path:
    folder.mkdir(parents=True)
    (folder / "Artist - Title (Mapper) [Hard].osu").write_text(osu_text("Hard"))
    (folder / osb_file).write_bytes(osb)
    for name, data in [("audio.ogg", b"OggS"), ("bg.jpg", b"JPEG"), ("sb/star.png", b"PNG star"),
                       ("sb/fire0.png", b"PNG 0"), ("sb/fire1.png", b"PNG 1"), ("sb/hit.wav", b"RIFF")]:
        if missing and name == "sb/star.png":
            continue
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_the_storyboard_and_every_file_it_names_go_into_the_archive(tmp_path):
    song, _file = registry.load_folder(set_folder(tmp_path / "set"))
    out = members(dump_bytes(song, tmp_path / "Export.osz"))
    assert out["Artist - Title (Mapper).osb"] == OSB  # its bytes as they were: every name stays
    for name in ("sb/star.png", "sb/fire0.png", "sb/fire1.png", "sb/hit.wav", "bg.jpg", "audio.ogg"):
        assert name in out, name
    assert not [p for p in problems(song) if "not found" in p.reason]


def test_the_osb_is_renamed_after_the_exported_metadata(tmp_path):
    song, _file = registry.load_folder(set_folder(tmp_path / "set", osb_file="old name.osb"))
    song.artist, song.title = "New Artist", "New: Title"  # ':' is refused in a Windows file name; osu! strips it
    song.extra = [(k, v) for k, v in song.extra if k not in ("Metadata.Artist", "Metadata.Title")]
    out = members(dump_bytes(song, tmp_path / "Export.osz"))
    osbs = [name for name in out if name.endswith(".osb")]
    osu = next(text for name, text in out.items() if name.endswith(".osu")).decode()
    artist = next(line.split(":", 1)[1] for line in osu.splitlines() if line.startswith("Artist:"))
    title = next(line.split(":", 1)[1] for line in osu.splitlines() if line.startswith("Title:"))
    assert osbs == [osb_name(artist, title, "Mapper", "audio.ogg")]
    assert ":" not in osbs[0]


def test_a_file_the_storyboard_names_that_is_missing_is_listed(tmp_path):
    song, _file = registry.load_folder(set_folder(tmp_path / "set", missing=True))
    notes = [p.reason for p in problems(song) if not p.fatal]
    assert any("sb/star.png" in r and "Artist - Title (Mapper).osb" in r and "not found" in r for r in notes)
    assert "sb/fire0.png" in members(dump_bytes(song, tmp_path / "Export.osz"))  # the rest still goes


def test_an_archive_s_storyboard_survives_a_round_trip(tmp_path):
    src = tmp_path / "Set.osz"
    folder = set_folder(tmp_path / "made")
    make_zip(src, [(str(p.relative_to(folder)), p.read_bytes()) for p in sorted(folder.rglob("*")) if p.is_file()])
    song, _file = load_archive(src)
    out = members(dump_bytes(song, tmp_path / "Again.osz"))
    assert {"Artist - Title (Mapper).osb", "sb/star.png", "sb/fire1.png", "sb/hit.wav"} <= set(out)


def test_an_archive_naming_two_audio_files_is_refused_before_extracting(tmp_path):
    src = make_zip(tmp_path / "Set.osz", [("A [Normal].osu", osu_text("Normal").encode()),
                                          ("A [Cut].osu", osu_text("Cut", audio="cut.ogg").encode()),
                                          ("audio.ogg", b"OggS"), ("cut.ogg", b"OggS")])
    with pytest.raises(ParseError) as err:
        load_archive(src)
    assert "extract it" in str(err.value)
    assert "open one of its .osu files" in str(err.value)
    assert "\n" not in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Set.osz"]  # nothing extracted beside it

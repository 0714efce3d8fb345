"""An .osz carries only media files from the song's folder or the one above it (``../art/bg.jpg``), and from an
extracted archive nothing outside its folder: a received chart naming ``/etc/passwd`` or ``../../private.png``
never packs the designer's own files into the archive they share (the file is named in a note instead)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from chart.formats import registry
from chart.formats.osz import problems
from chart.song import music_relative_to
from tests.chart.formats.test_osz import make_zip, osu_text
from tests.cli.test_chart_cmds import one_line_error, run


def _osu(folder: Path, audio: str = "audio.ogg", events: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "audio.ogg").write_bytes(b"OggS audio")
    text = osu_text("Easy", audio=audio).replace('0,0,"bg.jpg",0,0', events or '0,0,"bg.jpg",0,0')
    (folder / "S [Easy].osu").write_text(text, encoding="utf-8")
    return folder / "S [Easy].osu"


def _export(source: Path, target: Path) -> list[str]:
    """What ``convert source target`` does, in process: the song relinked for the target, then written."""
    song = registry.load(source)
    notes = [p.reason for p in problems(song) if not p.fatal]
    audio = song.audio_path()
    if audio is not None:
        song.music = music_relative_to(audio, target, song.music)
    song.extra = registry.relinked_extra(song, target)
    registry.save(song, target)
    return notes


def _members(archive: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_files_far_outside_the_song_folder_stay_out(tmp_path: Path) -> None:
    (tmp_path / "private.png").write_bytes(b"PRIVATE")
    (tmp_path / "inbox" / "art").mkdir(parents=True)
    (tmp_path / "inbox" / "art" / "bg.jpg").write_bytes(b"SHARED ART")  # one level up: documented, carried
    (tmp_path / "inbox" / "notes.txt").write_bytes(b"NOT MEDIA")
    events = '0,0,"../../private.png",0,0\n0,0,"../art/bg.jpg",0,0\nSprite,Fore,Centre,"../notes.txt",0,0'
    source = _osu(tmp_path / "inbox" / "song", events=events)
    (tmp_path / "out").mkdir()
    notes = _export(source, tmp_path / "out" / "Song.osz")
    members = _members(tmp_path / "out" / "Song.osz")
    assert b"PRIVATE" not in members.values()
    assert b"NOT MEDIA" not in members.values()
    assert members["bg.jpg"] == b"SHARED ART"
    assert any("../../private.png" in n and "outside the song's folder" in n for n in notes), notes
    assert any("../notes.txt" in n and "not an audio, image or video file" in n for n in notes), notes


def test_audio_outside_or_not_media_refuses_the_archive(tmp_path: Path) -> None:
    source = _osu(tmp_path / "inbox" / "song", audio="/etc/passwd")
    result = run("convert", source, tmp_path / "Song.osz")
    line = one_line_error(result)
    assert "/etc/passwd" in line
    assert "not an audio, image or video file" in line
    assert not (tmp_path / "Song.osz").exists()


def test_an_extracted_archive_carries_nothing_from_outside_its_folder(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "secret.png").write_bytes(b"SECRET")  # one level above the extraction folder
    osu = osu_text("Easy").replace('0,0,"bg.jpg",0,0', '0,0,"../secret.png",0,0')
    gift = make_zip(tmp_path / "inbox" / "Gift.osz", [("S [Easy].osu", osu.encode()), ("audio.ogg", b"OggS")])
    song = registry.load(gift)
    assert any("../secret.png" in p.reason and "extracted" in p.reason for p in problems(song))
    registry.save(song, tmp_path / "Back.osz")
    assert b"SECRET" not in _members(tmp_path / "Back.osz").values()

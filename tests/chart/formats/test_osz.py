"""osu! beatmap archives (.osz): a set read as its folder is, written as the .osu set export writes it (plus its
files), byte-identical on re-export; unsafe, damaged and non-mania archives refused with one line, nothing written."""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
from fractions import Fraction
from pathlib import Path

import pytest

from chart.formats import osz_zip, registry
from chart.formats.errors import ParseError, WriteError
from chart.formats.osz import load_archive
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

EVENTS = '//Background and Video events\n0,0,"bg.jpg",0,0'


def osu_text(version: str, mode: int = 3, audio: str = "audio.ogg", objects: int = 4) -> str:
    lines = "\n".join(f"64,192,{100 + 500 * k},1,0,0:0:0:0:" for k in range(objects))
    return (f"osu file format v14\n\n[General]\nAudioFilename: {audio}\nMode: {mode}\n\n[Metadata]\nTitle:Title\n"
            f"Artist:Artist\nCreator:Mapper\nVersion:{version}\n\n[Difficulty]\nCircleSize:4\n"
            f"OverallDifficulty:8\n\n[Events]\n{EVENTS}\n\n[TimingPoints]\n100,500,4,1,0,100,1,0\n\n"
            f"[HitObjects]\n{lines}\n")


def make_zip(path: Path, members: list[tuple[str, bytes] | zipfile.ZipInfo], data: bytes = b"") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for member in members:
            if isinstance(member, zipfile.ZipInfo):
                zf.writestr(member, data)
            else:  # a ".raw" member is stored, not deflated: its bytes can be found and damaged
                zf.writestr(*member, compress_type=zipfile.ZIP_STORED if member[0].endswith(".raw") else None)
    return path


def set_archive(path: Path, versions=("Easy", "Hard"), extra: tuple = ()) -> Path:
    members = [(f"Artist - Title (Mapper) [{v}].osu", osu_text(v).encode()) for v in versions]
    return make_zip(path, [*members, ("audio.ogg", b"OggS audio"), ("bg.jpg", b"JPEG"), *extra])


def song_in(folder: Path) -> Song:
    """A two-chart .ssc song with its audio and a background named by osu! [Events]."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "audio.ogg").write_bytes(b"OggS audio bytes")
    (folder / "bg.jpg").write_bytes(b"JPEG background")
    easy = [Note(Fraction(k), k % 4) for k in range(4, 20)]
    hard = [Note(Fraction(k, 2), k % 4) for k in range(8, 40)] + [Note(Fraction(30), 0, NoteKind.HOLD, Fraction(2))]
    song = Song(title="Zip Song", artist="Tester", credit="Me", music="audio.ogg",
                timing=TimingData.constant(150, "-0.05"), extra=[("Events", EVENTS)],
                charts=[Chart(slot=Slot.EASY, meter=3, notes=easy), Chart(slot=Slot.HARD, meter=8, notes=hard)])
    registry.save(song, folder / "song.ssc")
    return registry.load(folder / "song.ssc")


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def refused(archive: Path, match: str) -> str:
    """The one-line error of opening ``archive``; nothing is written beside it."""
    before = listing(archive.parent)
    with pytest.raises(ParseError, match=match) as err:
        registry.load(archive)
    assert listing(archive.parent) == before
    text = str(err.value)
    assert "\n" not in text
    assert text.startswith(str(archive))
    return text


# ---------------------------------------------------------------------------------------------- writing and reading
def test_round_trip_equals_the_osu_set_export(tmp_path: Path):
    song = song_in(tmp_path / "src")
    archive = registry.save(song, tmp_path / "out" / "song.osz") if (tmp_path / "out").mkdir() is None else None
    osu_set = tmp_path / "src" / "song.osu"  # the .osu set export, into the folder that holds the audio
    written = registry.save_split(song, osu_set)
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        assert names == [p.name for p in written] + ["audio.ogg", "bg.jpg"]
        for path in written:  # the .osu text inside is exactly what the .osu export writes
            assert zf.read(path.name) == path.read_bytes()
        assert zf.read("audio.ogg") == b"OggS audio bytes"
        assert zf.read("bg.jpg") == b"JPEG background"
    back = registry.load(archive)
    (tmp_path / "set").mkdir()
    for path in [*written, tmp_path / "src" / "audio.ogg"]:
        (tmp_path / "set" / path.name).write_bytes(path.read_bytes())
    assert back == registry.load_folder(tmp_path / "set")[0]
    assert back.source_path == tmp_path / "out" / "song" / "song [Easy].osu"
    assert back.audio_path() == tmp_path / "out" / "song" / "audio.ogg"
    assert [(c.slot, len(c.notes)) for c in back.charts] == [(Slot.EASY, 16), (Slot.HARD, 33)]


def test_reexport_is_byte_identical(tmp_path: Path):
    song = song_in(tmp_path / "src")
    first = registry.encode(song, tmp_path / "a.osz")
    os.utime(tmp_path / "src" / "audio.ogg", (1e9, 1e9))  # file times never reach the archive
    again = registry.encode(registry.load(tmp_path / "src" / "song.ssc"), tmp_path / "b" / "a.osz")
    assert first == again
    assert all(info.date_time == osz_zip.STAMP for info in zipfile.ZipFile(io.BytesIO(first)).infolist())


def test_a_difficulty_over_the_read_limit_is_refused_before_anything_is_written(tmp_path: Path, monkeypatch):
    """Opening an .osz refuses a member over the 20 MB limit: the writer refuses first, in one line."""
    from chart.formats import osz

    song = song_in(tmp_path / "src")
    size = max(len(registry.encode(registry.split_per_chart(song, tmp_path / "p.osu")[k][0], tmp_path / "p.osu"))
               for k in range(2))  # the larger difficulty text
    monkeypatch.setattr(osz, "MAX_INPUT_BYTES", size // 2)
    target = tmp_path / "out.osz"
    target.write_bytes(b"the old archive")
    with pytest.raises(WriteError) as refused_write:
        registry.save(song, target, keep_backup=True)
    text = str(refused_write.value)
    assert text.startswith("cannot write .osz: ")
    assert "over the 0 MB a reader accepts; save the chart as .ssc" in text
    assert "beat" not in text
    assert "\n" not in text
    assert target.read_bytes() == b"the old archive"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.osz", "src"]


def test_files_named_from_outside_the_folder_are_carried_by_their_name(tmp_path: Path):
    song = song_in(tmp_path / "src")
    (tmp_path / "art").mkdir()
    (tmp_path / "art" / "bg.jpg").write_bytes(b"other background")
    song.extra = [("Events", '0,0,"../art/bg.jpg",0,0\nVideo,0,"bg.jpg"\nAnimation,Fail,Centre,"sb/f.png",0,0,2,9')]
    (tmp_path / "src" / "sb").mkdir()
    for k in range(2):
        (tmp_path / "src" / "sb" / f"f{k}.png").write_bytes(b"frame%d" % k)
    with zipfile.ZipFile(io.BytesIO(registry.encode(song, tmp_path / "x.osz"))) as zf:
        assert zf.namelist()[2:] == ["audio.ogg", "bg 2.jpg", "bg.jpg", "sb/f0.png", "sb/f1.png"]
        text = zf.read("x [Easy].osu").decode()
        assert zf.read("bg 2.jpg") == b"other background"  # two files, one name: numbered, never overwritten
    assert '0,0,"bg 2.jpg",0,0' in text
    assert 'Video,0,"bg.jpg"' in text
    assert '"sb/f.png"' in text


def test_audio_relinked_for_the_target_is_found_there(tmp_path: Path):
    song = song_in(tmp_path / "src")
    song.music = "../src/audio.ogg"  # as convert and Export relink it for out/x.osz
    song.extra = [("Events", '0,0,"../src/bg.jpg",0,0')]
    song.source_path = tmp_path / "elsewhere" / "song.ssc"
    (tmp_path / "out").mkdir()
    with zipfile.ZipFile(io.BytesIO(registry.encode(song, tmp_path / "out" / "x.osz"))) as zf:
        assert zf.namelist() == ["x [Easy].osu", "x [Hard].osu", "audio.ogg", "bg.jpg"]
        text = zf.read("x [Easy].osu").decode()
        assert "AudioFilename: audio.ogg\n" in text
        assert '0,0,"bg.jpg",0,0' in text
        assert zf.read("audio.ogg") == b"OggS audio bytes"


def test_the_folders_only_audio_and_a_file_named_twice(tmp_path: Path):
    song = song_in(tmp_path / "src")
    song.music = ""  # no #MUSIC: the song folder's only audio file, as games fall back to it
    song.extra = [("Events", '0,0,"bg.jpg",0,0\nVideo,0,"./BG.jpg"')]
    with zipfile.ZipFile(io.BytesIO(registry.encode(song, tmp_path / "x.osz"))) as zf:
        assert zf.namelist()[2:] == ["audio.ogg", "bg.jpg"]  # the audio first; one file, carried once
        text = zf.read("x [Hard].osu").decode()
    assert "AudioFilename: audio.ogg\n" in text
    assert '0,0,"bg.jpg",0,0\nVideo,0,"bg.jpg"' in text


def test_no_audio_no_archive(tmp_path: Path):
    song = song_in(tmp_path / "src")
    (tmp_path / "src" / "audio.ogg").unlink()
    assert any(p.fatal and "carries the audio" in p.reason for p in registry.unrepresentable(song, "osz"))
    with pytest.raises(WriteError, match="audio file audio.ogg was not found"):
        registry.save(song, tmp_path / "x.osz")
    assert not (tmp_path / "x.osz").exists()


def test_problems_are_the_osu_exports_once(tmp_path: Path):
    song = song_in(tmp_path / "src")
    song.subtitle = "sub"
    song.charts[1].notes.append(Note(Fraction(40), 1, NoteKind.MINE))
    reasons = [p.reason for p in registry.unrepresentable(song, "osz")]
    assert reasons.count("osu! has no subtitle: dropped") == 1  # song-level, not once per difficulty
    assert "osu!mania has no mines: dropped" in reasons
    assert not any(p.fatal for p in registry.unrepresentable(song, "osz"))


# ---------------------------------------------------------------------------------------------- opening
def test_open_extracts_beside_and_reuses_the_same_folder(tmp_path: Path):
    archive = set_archive(tmp_path / "My Set.osz", extra=(("sb/star.png", b"PNG"),))
    song, file = registry.load_folder(archive)
    folder = tmp_path / "My Set"
    assert file is None
    assert song.source_path == folder / "Artist - Title (Mapper) [Easy].osu"
    assert listing(folder) == ["Artist - Title (Mapper) [Easy].osu", "Artist - Title (Mapper) [Hard].osu",
                               "audio.ogg", "bg.jpg", "sb", "sb/star.png"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left
    assert stat.S_IMODE(folder.stat().st_mode) != 0o700  # an ordinary folder, not mkdtemp's private one
    (folder / "song.ssc").write_text("saved here")  # a file of the designer's beside them is fine
    stamp = (folder / "audio.ogg").stat().st_mtime_ns
    assert registry.load(archive) == song
    assert (folder / "audio.ogg").stat().st_mtime_ns == stamp  # read again, not rewritten


def test_open_refuses_a_different_folder_of_that_name(tmp_path: Path):
    archive = set_archive(tmp_path / "s.osz")
    registry.load(archive)
    edited = tmp_path / "s" / "Artist - Title (Mapper) [Hard].osu"
    edited.write_text(osu_text("Hard", objects=9))
    text = refused(archive, "holds another version of Artist - Title")
    assert "open that folder, or move it away" in text
    assert edited.read_text() == osu_text("Hard", objects=9)  # never written into


def test_open_reads_as_the_folder_does_and_reports_skipped_modes(tmp_path: Path):
    archive = set_archive(tmp_path / "hybrid.osz", extra=(("x [Insane].osu", osu_text("Insane", mode=0).encode()),))
    report: list = []
    song = registry.load(archive, report)
    assert len(song.charts) == 2
    assert registry.read_notes(report) == ["read: song: x [Insane].osu skipped: not an osu!mania beatmap (Mode: 0, "
                                           "osu!standard; expected 3)"]
    assert song == registry.load_folder(tmp_path / "hybrid")[0]


def test_one_difficulty_saves_to_its_extracted_file_and_a_top_folder_is_the_set(tmp_path: Path):
    archive = make_zip(tmp_path / "one.osz", [("Set/a [Hard].osu", osu_text("Hard").encode()),
                                              ("Set/audio.ogg", b"OggS")])
    song, file = load_archive(archive)
    assert file == tmp_path / "one" / "Set" / "a [Hard].osu" == song.source_path
    assert song.audio_path() == tmp_path / "one" / "Set" / "audio.ogg"
    assert registry.loads(archive.read_bytes(), "osz") == song  # in memory: the same set, nothing extracted


def test_an_osz_in_a_folder_is_not_one_of_its_charts(tmp_path: Path):
    set_archive(tmp_path / "x.osz")
    assert registry.chart_files(tmp_path) == []
    assert [f.name for f in registry.formats()][-1] == "osz"


# ---------------------------------------------------------------------------------------------- refused archives
@pytest.mark.parametrize("name", ["../evil.osu", "/abs.osu", "C:/win.osu", "..\\evil.osu", "sb/../../x.png"])
def test_names_leaving_the_folder_are_refused(tmp_path: Path, name: str):
    archive = set_archive(tmp_path / "t.osz", extra=((name, b"x"),))
    refused(archive, r"(absolute file name|leaves the set folder)")


def test_links_case_clashes_and_encryption_are_refused(tmp_path: Path):
    link = zipfile.ZipInfo("link.png")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    refused(make_zip(tmp_path / "l.osz", [("a.osu", osu_text("Hard").encode()), link], b"/etc/passwd"),
            "symbolic link")
    refused(set_archive(tmp_path / "c.osz", extra=(("BG.JPG", b"y"),)), "two files named bg.jpg and BG.JPG")
    refused(set_archive(tmp_path / "f.osz", extra=(("bg.jpg/x", b"y"),)), "a file bg.jpg where")
    data = bytearray(set_archive(tmp_path / "e.osz").read_bytes())
    data[6] |= 1  # the first member's "encrypted" flag, in its local and central headers
    data[data.rindex(b"PK\x01\x02", 0, data.index(b"PK\x05\x06")) + 8] |= 1
    (tmp_path / "e.osz").write_bytes(bytes(data))
    refused(tmp_path / "e.osz", "(encrypted|not a readable zip)")


def test_zip_bombs_are_refused(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(osz_zip, "MAX_ARCHIVE_BYTES", 2**20)
    bomb = set_archive(tmp_path / "bomb.osz", extra=(("zeros.bin", bytes(2 * 2**20)),))
    assert bomb.stat().st_size < 2**20 / 4
    refused(bomb, "unpacks to more than 1 MB")


def test_a_member_lying_about_its_size_writes_nothing(tmp_path: Path):
    archive = set_archive(tmp_path / "liar.osz", extra=(("zeros.bin", bytes(100_000)),))
    data = bytearray(archive.read_bytes())
    local = data.index(b"zeros.bin") - 30
    central = data.index(b"zeros.bin", local + 40) - 46
    struct.pack_into("<I", data, local + 22, 10)  # says 10 bytes, unpacks to 100000
    struct.pack_into("<I", data, central + 24, 10)
    archive.write_bytes(bytes(data))
    refused(archive, "not a readable zip archive")  # stopped at 10 bytes, whose CRC is wrong


@pytest.mark.parametrize("damage", ["garbage", "truncated", "crc"])
def test_damaged_archives_are_one_line(tmp_path: Path, damage: str):
    archive = set_archive(tmp_path / "d.osz", extra=(("z.raw", b"stored data " * 50),))
    data = bytearray(archive.read_bytes())
    if damage == "garbage":
        data = bytearray(b"this is not a zip file at all")
    elif damage == "truncated":
        data = data[: len(data) // 2]
    else:
        i = data.index(b"stored data")  # the last member's data: the difficulties read fine, extraction fails
        data[i] ^= 0xFF
    archive.write_bytes(bytes(data))
    refused(archive, "not a readable zip archive")


def test_archives_without_a_mania_difficulty_name_what_they_hold(tmp_path: Path):
    std = make_zip(tmp_path / "std.osz", [("a [Insane].osu", osu_text("Insane", mode=0).encode()),
                                          ("b [Oni].osu", osu_text("Oni", mode=1).encode()),
                                          ("audio.ogg", b"OggS")])
    assert "(it holds 1 osu!standard difficulty; 1 osu!taiko difficulty; audio.ogg)" in refused(std, "no osu!mania")
    none = make_zip(tmp_path / "none.osz", [("audio.ogg", b"a"), ("readme.txt", b"b")])
    assert "it holds no .osu file, only audio.ogg, readme.txt" in refused(none, "no osu!mania")
    assert "the archive is empty" in refused(make_zip(tmp_path / "empty.osz", []), "no osu!mania")


def test_a_bad_difficulty_names_its_file(tmp_path: Path):
    """Skipped and named beside readable difficulties (as a set's folder does); alone, it refuses the archive."""
    broken = ("broken.osu", b"osu file format v14\n[General]\nMode: 3\n[Difficulty]\nCircleSize: 99\n")
    report: list = []
    song = registry.load(set_archive(tmp_path / "b.osz", extra=(broken,)), report)
    assert [c.description for c in song.charts] == ["Easy", "Hard"]
    assert any("broken.osu skipped: cannot be read: CircleSize 99" in r.reason for r in report)
    assert "c.osz: broken.osu: CircleSize 99" in refused(make_zip(tmp_path / "c.osz", [broken]), "key count")

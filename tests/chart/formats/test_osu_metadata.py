"""osu! metadata against StepMania's: romanised and Unicode names, Creator per file, BeatmapID per difficulty, what
an export lists as dropped (and does not write), stale files of a set, and file tags relinked like #MUSIC."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.formats import osu_mania, registry
from chart.formats.registry import conversions, dumps, leftover_set_files, loads, relinked_extra, save_split
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

SSC = """#VERSION:0.83;
#TITLE:君の歌;
#TITLETRANSLIT:Kimi no Uta;
#ARTIST:誰か;
#ARTISTTRANSLIT:Dareka;
#GENRE:J-Pop;
#MUSIC:a.ogg;
#OFFSET:0;
#BPMS:0=120;
#NOTEDATA:;
#STEPSTYPE:dance-single;
#DIFFICULTY:Hard;
#METER:5;
#NOTES:
1000
;
"""


def beatmap(metadata: str) -> str:
    return (f"osu file format v14\n\n[General]\nAudioFilename: a.ogg\nMode: 3\n\n[Metadata]\n{metadata}\n"
            f"Version:Hard\n\n[Difficulty]\nHPDrainRate:8\nCircleSize:4\nOverallDifficulty:8\n\n[TimingPoints]\n0,500,4,1,0,100,1,0\n\n"
            f"[HitObjects]\n64,192,0,1,0,0:0:0:0:\n")


def metadata(text: str) -> dict[str, str]:
    section = text.split("[Metadata]\n")[1].split("\n\n")[0]
    return dict(line.split(":", 1) for line in section.splitlines())


def song(**kwargs) -> Song:
    return Song(music="a.ogg", timing=TimingData.constant(120), charts=[Chart(notes=[Note(F(0), 0)])], **kwargs)


def test_stepmania_transliterations_are_osus_romanised_names():
    """.ssc -> .osu put the Unicode #TITLE in osu!'s (romanised) Title and wrote the transliterations, listed as
    dropped, as made-up [TITLETRANSLIT] sections."""
    ssc = loads(SSC, "ssc")
    assert conversions(ssc, "osu") == ["conversion: song: tags dropped: GENRE"]
    text = dumps(ssc, "osu")
    meta = metadata(text)
    assert (meta["Title"], meta["TitleUnicode"], meta["Artist"], meta["ArtistUnicode"]) == (
        "Kimi no Uta", "君の歌", "Dareka", "誰か")
    assert "[TITLETRANSLIT]" not in text
    assert "[GENRE]" not in text
    assert "J-Pop" not in text
    back = loads(text, "osu")
    assert (back.title, back.artist) == ("君の歌", "誰か")


def test_osu_unicode_names_become_title_and_artist_of_the_ssc():
    """.osu -> .ssc wrote #Metadata.TitleUnicode (a tag StepMania does not know) and the romanised #TITLE."""
    osu = loads(beatmap("Title:Kimi no Uta\nTitleUnicode:君の歌\nArtist:Dareka\nArtistUnicode:誰か\nCreator:M"), "osu")
    assert conversions(osu, "ssc") == []
    lines = [line for line in dumps(osu, "ssc").splitlines()
             if line.startswith(("#TITLE", "#ARTIST", "#Metadata.Title", "#Metadata.Artist"))]
    assert lines == ["#TITLE:君の歌;", "#ARTIST:誰か;", "#TITLETRANSLIT:Kimi no Uta;", "#ARTISTTRANSLIT:Dareka;"]
    assert loads(dumps(osu, "osu"), "osu") == osu
    same = loads(beatmap("Title:Song\nTitleUnicode:Song\nArtist:A: B"), "osu")  # no transliteration to keep
    assert (same.title, same.artist) == ("Song", "A: B")
    assert [name for name, _ in same.extra if not name.startswith("Difficulty.")] == []  # HP/OD 8: the file's own
    assert loads(dumps(same, "ssc"), "ssc").artist == "A: B"


def test_a_ssc_converted_before_the_mapping_keeps_its_unicode_title():
    old = song(title="Kimi no Uta", extra=[("Metadata.TitleUnicode", "君の歌")])
    meta = metadata(osu_mania.dumps(old))
    assert (meta["Title"], meta["TitleUnicode"]) == ("Kimi no Uta", "君の歌")


def test_sections_of_other_formats_are_listed_and_not_written():
    odd = song(extra=[("GENRE", "Pop"), ("Storyboard", "x"), ("Colours", "Combo1 : 255,0,0")])
    assert conversions(odd, "osu") == ["conversion: song: tags dropped: GENRE, Storyboard"]
    text = osu_mania.dumps(odd)
    assert "[Colours]\nCombo1 : 255,0,0\n" in text
    assert "[GENRE]" not in text
    assert "[Storyboard]" not in text


def test_preview_length_is_listed_and_a_charts_credit_is_its_files_creator(tmp_path):
    """Export to .osu dropped the preview length and each chart's own credit without a word."""
    charts = [Chart(slot=Slot.EASY, meter=2, notes=[Note(F(0), 0)]),
              Chart(slot=Slot.HARD, meter=8, credit="Guest", notes=[Note(F(0), 1)])]
    s = Song(music="a.ogg", credit="Host", sample_start=F(12), sample_length=F(31, 2),
             timing=TimingData.constant(120), charts=charts)
    assert "conversion: song: osu! has no preview length (PreviewTime is the start): dropped" in conversions(s, "osu")
    written = save_split(s, tmp_path / "s.osu")
    assert [metadata(p.read_text())["Creator"] for p in written] == ["Host", "Guest"]
    back, _ = registry.load_folder(tmp_path)
    assert (back.credit, [c.credit for c in back.charts]) == ("Host", ["", "Guest"])
    alone = osu_mania.loads(osu_mania.dumps(song(credit="Host")))
    assert (alone.credit, alone.charts[0].credit) == ("Host", "")  # the file's Creator is the song's


def test_a_song_credit_no_file_holds_is_listed():
    s = song(credit="Song Mapper")
    s.charts[0].credit = "Guest A"
    assert any("the song's credit 'Song Mapper' dropped" in line for line in conversions(s, "osu"))
    s.charts[0].credit = ""
    assert not any("credit" in line for line in conversions(s, "osu"))


def test_a_beatmap_id_belongs_to_its_difficulty_and_is_never_written_twice(tmp_path):
    """A single .osu kept BeatmapID in Song.extra, so every file of a later export got it."""
    one = osu_mania.loads(beatmap("Title:T\nBeatmapID:1001\nBeatmapSetID:77"))
    assert ("Metadata.BeatmapID", "1001") in one.charts[0].extra
    assert ("Metadata.BeatmapSetID", "77") in one.extra
    assert "Metadata.BeatmapID" not in dict(one.extra)
    assert osu_mania.loads(osu_mania.dumps(one)) == one
    copy = Chart(slot=Slot.EDIT, description="copy", notes=[Note(F(0), 2)], extra=list(one.charts[0].extra))
    one.charts += [Chart(slot=Slot.EASY, notes=[Note(F(0), 1)]), copy]
    one.extra.append(("Metadata.BeatmapID", "555"))  # a .ssc written from one .osu by an older version
    ids = {p.name: metadata(p.read_text())["BeatmapID"] for p in save_split(one, tmp_path / "s.osu")}
    assert ids == {"s [Hard].osu": "1001", "s [Easy].osu": "0", "s [Edit copy].osu": "0"}


def test_leftover_set_files_are_the_songs_osu_files_the_export_does_not_write(tmp_path):
    s = song()
    s.charts.append(Chart(slot=Slot.HARD, notes=[Note(F(0), 1)]))
    save_split(s, tmp_path / "set.osu")
    old = tmp_path / "set [Insane].osu"
    old.write_text((tmp_path / "set [Hard].osu").read_text().replace("Hard Lv.1", "Insane"))
    (tmp_path / "other song.osu").write_text(old.read_text().replace("a.ogg", "b.ogg"))
    (tmp_path / "std.osu").write_text(old.read_text().replace("Mode: 3", "Mode: 0"))
    assert leftover_set_files(s, tmp_path / "set.osu") == [old]
    assert leftover_set_files(s, tmp_path / "set.ssc") == []


def test_file_tags_are_relinked_like_music(tmp_path):
    src = tmp_path / "Songs" / "S"
    src.mkdir(parents=True)
    for name in ("bn.png", "BG.png", "bg.jpg"):
        (src / name).write_bytes(b"x")
    s = song(extra=[("BANNER", "bn.png"), ("BACKGROUND", "bg.png"), ("JACKET", "gone.png"), ("GENRE", "bn.png"),
                    ("Events", '0,0,"bg.jpg",0,0\nVideo,0,"gone.mp4"')])
    s.source_path = src / "s.ssc"
    assert relinked_extra(s, src / "copy.ssc") == s.extra  # the same folder: unchanged
    moved = dict(relinked_extra(s, tmp_path / "Work" / "s.ssc"))
    assert moved == {"BANNER": "../Songs/S/bn.png", "BACKGROUND": "../Songs/S/BG.png", "JACKET": "gone.png",
                     "GENRE": "bn.png", "Events": '0,0,"../Songs/S/bg.jpg",0,0\nVideo,0,"gone.mp4"'}


def test_a_set_naming_different_audio_names_it_as_written():
    """The refusal printed the lower-cased comparison keys, paths that do not exist on a case-sensitive disk."""
    from chart.formats.errors import ParseError
    from chart.formats.osu_set import merge_set

    songs = [Song(music=name, timing=TimingData.constant(120), charts=[Chart(slot=slot, notes=[])])
             for name, slot in (("Banya-BeethovenVirus.ogg", Slot.EASY), ("Other Song.OGG", Slot.HARD))]
    with pytest.raises(ParseError, match=r"\(Banya-BeethovenVirus\.ogg, Other Song\.OGG\)"):
        merge_set(songs)

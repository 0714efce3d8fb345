"""Relinking for a copy written into another folder (chart.formats.relink): unquoted osu! [Events] file names, as
osu! reads them, a chart's own #MUSIC (.ssc split audio) and the file field of #BGCHANGES/#FGCHANGES entries."""

from __future__ import annotations

from fractions import Fraction as F

from chart.formats.registry import relink_charts, relinked_extra
from chart.notes import Note
from chart.song import Chart, Slot, Song


def _song(tmp_path, extra, chart_extra=()):
    src = tmp_path / "set"
    src.mkdir()
    for name in ("bg.jpg", "vid.mp4", "a,b.png", "hard cut.ogg", "intro video.avi", "fg.png", "hit.wav"):
        (src / name).write_bytes(b"x")
    chart = Chart(slot=Slot.HARD, notes=[Note(F(0), 0)], extra=list(chart_extra))
    s = Song(title="T", music="a.ogg", charts=[chart], extra=list(extra))
    s.source_path = src / "a.osu"
    return s


def test_unquoted_osu_event_file_names_are_relinked(tmp_path):
    events = "\n".join([
        "//Background and Video events", "0,0,bg.jpg,0,0", "Video,0,vid.mp4", "1,500,VID.MP4",
        '0,0,"a,b.png",0,0', "Sprite,Foreground,Centre,fg.png,320,240", " F,0,0,1000,0,1",
        "Sample,0,0,hit.wav,100", '4,0,1,"gone.png",320,240', "2,1000,2000"])
    s = _song(tmp_path, [("Events", events)])
    moved = dict(relinked_extra(s, tmp_path / "copy" / "a.osu"))["Events"].split("\n")
    assert moved == [
        "//Background and Video events", "0,0,../set/bg.jpg,0,0", "Video,0,../set/vid.mp4", "1,500,../set/vid.mp4",
        '0,0,"../set/a,b.png",0,0', "Sprite,Foreground,Centre,../set/fg.png,320,240", " F,0,0,1000,0,1",
        "Sample,0,0,../set/hit.wav,100", '4,0,1,"gone.png",320,240', "2,1000,2000"]


def test_a_charts_own_music_is_relinked(tmp_path):
    s = _song(tmp_path, [], [("MUSIC", "hard cut.ogg"), ("CHARTNAME", "hard cut.ogg")])
    same = s.charts[0].extra
    relink_charts(s, tmp_path / "set" / "b.ssc")  # the same folder: unchanged
    assert s.charts[0].extra == same
    relink_charts(s, tmp_path / "copy" / "a.ssc")
    assert s.charts[0].extra == [("MUSIC", "../set/hard cut.ogg"), ("CHARTNAME", "hard cut.ogg")]


def test_bgchanges_file_fields_are_relinked_keeping_the_rest(tmp_path):
    s = _song(tmp_path, [("BGCHANGES", "0.000=intro video.avi=1.000=1=0=0,\n8.000=-nosongbg-=1.000=0=0=0"),
                         ("FGCHANGES", "4.000=fg.png=1.000=0=0=1=====,"), ("GENRE", "bg.jpg")])
    moved = dict(relinked_extra(s, tmp_path / "copy" / "a.ssc"))
    assert moved == {"BGCHANGES": "0.000=../set/intro video.avi=1.000=1=0=0,\n8.000=-nosongbg-=1.000=0=0=0",
                     "FGCHANGES": "4.000=../set/fg.png=1.000=0=0=1=====,", "GENRE": "bg.jpg"}


def test_a_named_file_is_found_with_each_part_of_its_path_in_any_case(tmp_path):
    """osu! on Windows finds "sb/star.png" as SB/Star.png: only the last part was matched in any case, so a set
    made by convert or Export left such a sprite behind without a word."""
    from chart.formats.relink import named_file

    (tmp_path / "SB" / "Deep").mkdir(parents=True)
    star = tmp_path / "SB" / "Deep" / "Star.png"
    star.write_bytes(b"png")
    for name in ("SB/Deep/Star.png", "sb/deep/star.png", "sb\\DEEP\\star.PNG", "./sb/deep/../deep/star.png"):
        assert named_file(tmp_path, name) == star, name
    assert named_file(tmp_path, "sb/star.png") is None
    assert named_file(tmp_path, "sb/deep") is None  # a folder is no file
    assert named_file(tmp_path, "  ") is None

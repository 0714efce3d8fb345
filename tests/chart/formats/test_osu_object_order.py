"""osu!mania per-object data read by the object, not by its place in the file; red lines that keep the tempo kept;
holds shorter than a row reported as such (chart/formats/osu_mania.py, osu_hitsounds.py)."""

from __future__ import annotations

from fractions import Fraction as F

from chart.formats import osu_hitsounds as hs
from chart.formats import osu_mania, registry
from chart.hitsound_play import osu_extras, sample_points
from chart.retime import retime_osu_extra

HEAD = ("osu file format v14\n\n[General]\nAudioFilename: a.ogg\nMode: 3\n\n[Metadata]\nTitle:T\nArtist:A\n"
        "Creator:C\nVersion:Insane\n\n[Difficulty]\nCircleSize:4\nOverallDifficulty:8\n\n")


def text(points: str, objects: list[str]) -> str:
    return HEAD + f"[TimingPoints]\n{points}\n\n[HitObjects]\n" + "\n".join(objects) + "\n"


def section(out: str, name: str) -> list[str]:
    return out.split(f"[{name}]\n", 1)[1].split("\n\n", 1)[0].strip().splitlines()


def by_object(lines: list[str]) -> dict[tuple[str, str], str]:
    """{(x, time): the rest of the line after the type}"""
    return {(f[0], f[2]): f[4] for f in (line.split(",", 4) for line in lines)}


def test_sounds_stay_on_their_objects_whatever_the_file_order():
    objects = ["448,192,1000,1,2,0:0:0:0:",  # a chord written right column first
               "64,192,1000,1,8,0:0:0:0:kick.wav",
               "192,192,2000,128,4,2500:1:2:0:0:",  # a late hold before an earlier note
               "320,192,1500,1,0,0:0:0:0:",
               "64,192,1250,1,2,0:0:0:0:"]
    song = osu_mania.loads(text("1000,500,4,1,0,100,1,0", objects))
    assert hs.kept_sounds(song.charts[0].extra) == {
        (F(0), 3): ("2", "0:0:0:0:"), (F(0), 0): ("8", "0:0:0:0:kick.wav"),
        (F(2), 1): ("4", "1:2:0:0:"), (F(1, 2), 0): ("2", "0:0:0:0:")}
    assert by_object(section(osu_mania.dumps(song), "HitObjects")) == by_object(objects)


POINTS = "1000,500,4,1,0,100,1,0\n5000,500,4,3,0,80,1,1\n5250,500,4,1,0,100,1,0\n7000,250,4,2,0,90,1,0"
OBJECTS = ["64,192,1000,1,0,0:0:0:0:", "64,192,5000,1,2,0:0:0:0:", "64,192,5250,1,0,0:0:0:0:",
           "64,192,7000,1,0,0:0:0:0:"]


def test_red_lines_keeping_the_tempo_are_written_back_with_their_settings():
    report: list = []
    song = osu_mania.loads(text(POINTS, OBJECTS), report)
    assert report == []
    out = osu_mania.dumps(song)
    assert section(out, "TimingPoints") == POINTS.splitlines()
    assert registry.conversions(song, "osu") == []
    assert osu_mania.dumps(osu_mania.loads(out)) == out
    plain = osu_mania.loads(text("1000,500,4,1,0,100,1,0\n5250,500,4,1,0,100,1,0", OBJECTS[:1]))
    assert section(osu_mania.dumps(plain), "TimingPoints") == ["1000,500,4,1,0,100,1,0", "5250,500,4,1,0,100,1,0"]
    times, settings = sample_points(osu_extras(song, song.charts[0]), song.timing)  # the editor plays the Drum set
    assert settings[list(times).index(5.0)] == ("3", 0, 80)  # 3: Drum


def test_red_lines_keeping_the_tempo_follow_their_beat_and_keep_their_time_when_notes_are_kept_in_time():
    song = osu_mania.loads(text(POINTS, OBJECTS))
    old = song.timing
    song.timing = old.with_changes(offset=old.offset - F(30, 1000))  # offset nudge: every line 30 ms later
    assert section(osu_mania.dumps(song), "TimingPoints") == [
        "1030,500,4,1,0,100,1,0", "5030,500,4,3,0,80,1,1", "5280,500,4,1,0,100,1,0", "7030,250,4,2,0,90,1,0"]
    faster = old.with_changes(bpms=((F(0), F(125)), *old.bpms[1:]))  # Keep notes in time: a new first tempo
    song.timing = faster
    song.extra = retime_osu_extra(song.extra, (), old, faster, on=song.charts[0].notes)
    lines = section(osu_mania.dumps(song), "TimingPoints")
    assert [line.split(",", 1)[0] for line in lines[1:3]] == ["5000", "5250"]  # kept at their times
    assert [line.split(",", 2)[2] for line in lines[:3]] == ["4,1,0,100,1,0", "4,3,0,80,1,1", "4,1,0,100,1,0"]


def test_a_hold_shorter_than_a_row_says_so_and_is_no_moved_end():
    report: list = []
    objects = ["64,192,1000,128,0,1005:0:0:0:0:", "192,192,1500,128,2,1503:0:0:0:0:",
               "320,192,2000,128,0,1990:0:0:0:0:"]
    song = osu_mania.loads(text("1000,500,4,1,0,100,1,0", objects), report)
    assert [n.kind.value for n in song.charts[0].notes] == ["tap", "tap", "tap"]
    assert [r.reason for r in report] == [
        "2 hold(s) shorter than one 1/192 row read as notes (the first 5 ms long, a row 10.4 ms there)",
        "1 hold(s) ending at or before their start read as notes"]

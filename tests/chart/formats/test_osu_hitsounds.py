"""osu!mania hitsounds, red lines' sample settings and the beat-tied times of inherited points, bookmarks and breaks
survive reading, editing and writing (chart/formats/osu_hitsounds.py, osu_beats.py)."""

from __future__ import annotations

from fractions import Fraction as F

from chart.formats import osu_mania, registry
from chart.notes import Note

POINTS = "1000,500,4,2,1,60,1,0\n2000,-50,4,2,1,60,0,1\n5000,500,3,1,0,70,1,8\n6500,-200,3,1,0,70,0,1"
OBJECTS = ("64,192,1000,1,2,0:0:0:0:\n192,192,1500,1,4,2:3:1:70:\n448,192,1750,1,0,0:0:0:0:kick.wav\n"
           "64,192,2000,128,2,2500:1:2:0:0:\n192,192,3000,128,0,3750:0:0:0:0:\n320,192,5500,1,0,0:0:0:0:")
TEXT = ("osu file format v14\n\n[General]\nAudioFilename: a.ogg\nMode: 3\n\n[Editor]\nBookmarks: 1000,5000\n\n"
        "[Metadata]\nTitle:T\nCreator:C\nVersion:Hard Lv.7\n\n[Difficulty]\nCircleSize:4\n\n"
        "[Events]\n0,0,\"bg.jpg\",0,0\n//Break Periods\n2,3000,4500\n\n"
        f"[TimingPoints]\n{POINTS}\n\n[HitObjects]\n{OBJECTS}\n")


def section(text: str, name: str) -> list[str]:
    return text.split(f"[{name}]\n", 1)[1].split("\n\n", 1)[0].strip().splitlines()


def test_unedited_round_trip_keeps_every_hitsound_and_red_line_setting():
    out = osu_mania.dumps(osu_mania.loads(TEXT))
    assert section(out, "HitObjects") == OBJECTS.splitlines()
    assert section(out, "TimingPoints") == POINTS.splitlines()
    assert section(out, "Events") == section(TEXT, "Events")
    assert out == osu_mania.dumps(osu_mania.loads(out))
    assert registry.conversions(osu_mania.loads(TEXT), "osu") == []


def test_hitsounds_stay_on_their_notes_and_edited_ones_are_counted():
    song = osu_mania.loads(TEXT)
    chart = song.charts[0]
    chart.notes = [n for n in chart.notes if n.beat != 1]  # the 1500 ms note (hitsound 4) deleted
    chart.notes = [Note(n.beat, 2) if n.beat == F(3, 2) else n for n in chart.notes]  # kick.wav note moved
    chart.notes.append(Note(F(14), 1))  # added: the defaults
    song.timing = song.timing.with_changes(offset=song.timing.offset + F(30, 1000))  # offset nudge, 30 ms earlier
    assert "conversion: dance-single/Hard: osu! hitsounds of 2 notes edited away (deleted or moved): dropped" \
        in registry.conversions(song, "osu")
    objects = section(osu_mania.dumps(song), "HitObjects")
    assert "64,192,970,1,2,0:0:0:0:" in objects
    assert "64,192,1970,128,2,2470:1:2:0:0:" in objects
    assert "320,192,1720,1,0,0:0:0:0:" in objects
    assert "192,192,7970,1,0,0:0:0:0:" in objects
    assert not any("kick.wav" in o or "2:3:1:70:" in o for o in objects)


def test_red_lines_keep_their_settings_through_a_timing_edit_and_a_new_one_takes_the_previous_ones():
    song = osu_mania.loads(TEXT)
    song.timing = song.timing.with_changes(bpms=song.timing.bpms + ((F(4), F(150)),))  # a red line added at 3000 ms
    points = [p for p in section(osu_mania.dumps(song), "TimingPoints") if p.split(",")[6] == "1"]
    assert points[0] == "1000,500,4,2,1,60,1,0"
    # sample set, index, volume and kiai of the timing point in force before it: the green kiai line at 2000 ms
    assert points[1] == "3000,400,4,2,1,60,1,1"
    assert points[2].split(",")[3:] == ["1", "0", "70", "1", "8"]  # 5000's own settings, now at its new time
    assert points[2].split(",")[0] != "5000"


def test_inherited_points_bookmarks_and_breaks_follow_an_offset_nudge():
    song = osu_mania.loads(TEXT)
    song.timing = song.timing.with_changes(offset=song.timing.offset + F(30, 1000))
    out = osu_mania.dumps(song)
    assert section(out, "TimingPoints") == ["970,500,4,2,1,60,1,0", "1970,-50,4,2,1,60,0,1",
                                            "4970,500,3,1,0,70,1,8", "6470,-200,3,1,0,70,0,1"]
    assert "Bookmarks: 970,4970" in section(out, "Editor")
    assert "2,2970,4470" in section(out, "Events")
    assert '0,0,"bg.jpg",0,0' in section(out, "Events")


def test_times_inside_a_pause_and_fractional_times_read_back_as_written():
    points = "0,500,4,1,0,100,1,0\n1010,500,4,1,0,100,1,0\n1005,-80,4,1,0,100,0,0\n2500.5,-120,4,1,0,100,0,0"
    text = TEXT.replace(POINTS, points).replace(OBJECTS, "64,192,0,1,0,0:0:0:0:\n64,192,1010,1,0,0:0:0:0:")
    out = osu_mania.dumps(osu_mania.loads(text))
    assert section(out, "TimingPoints") == ["0,500,4,1,0,100,1,0", "1005,-80,4,1,0,100,0,0",
                                            "1010,500,4,1,0,100,1,0", "2500.5,-120,4,1,0,100,0,0"]

"""A red line the designer adds takes the settings of the timing point in force before it, green lines included
(chart/formats/osu_red.py: red_sounds), and an unedited map's red lines keep their beatLength text
(osu_red.beat_length_text)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction as F

from chart.formats import osu_mania
from chart.formats.osu_red import beat_length_text
from chart.hitsound_play import hitsound_plan

HEAD = ("osu file format v14\n\n[General]\nAudioFilename: a.wav\nSampleSet: Soft\nMode: 3\n\n[Metadata]\nTitle:T\n"
        "Creator:C\nVersion:Hard\n\n[Difficulty]\nCircleSize:4\n\n")
OBJECTS = "64,192,3500,1,0,0:0:0:0:\n64,192,4000,1,0,0:0:0:0:\n64,192,4500,1,0,0:0:0:0:\n"


def text(points: str, objects: str = OBJECTS) -> str:
    return HEAD + f"[TimingPoints]\n{points}\n\n[HitObjects]\n{objects}"


def red(out: str) -> list[str]:
    lines = out.split("[TimingPoints]\n", 1)[1].split("\n\n", 1)[0].strip().splitlines()
    return [line for line in lines if line.split(",")[6] == "1"]


def heard(song) -> list[tuple[int, str, float]]:
    chart = song.charts[0]
    plan = hitsound_plan(song, chart, song.timing_for(chart))
    return sorted((round(float(t) * 1000), s.lookup[0][0], round(float(g), 2))
                  for s, (ts, gs) in plan.items() for t, g in zip(ts, gs))


def with_bpm_change_at_beat_6(song):  # 4000 ms, the same tempo: the Timing panel or F7/F8 add such a line
    return replace(song, timing=song.timing.with_changes(bpms=(*song.timing.bpms, (F(6), F(120)))))


def test_regression_a_red_line_added_after_a_green_line_keeps_its_sounds():
    """The new red line copied the red line before it (soft, 60 %), not the green line in force (drum, index 2,
    80 %): the notes after it changed sound, in playback and in the saved file."""
    for red_sound in ("2,1,60", "1,0,100"):  # a kept red line's settings, and none kept (the default)
        song = osu_mania.loads(text(f"1000,500,4,{red_sound},1,0\n3000,-100,4,3,2,80,0,0"))
        before = heard(song)
        edited = with_bpm_change_at_beat_6(song)
        assert heard(edited) == before
        assert before[1] == (4000, "drum-hitnormal2.wav", 0.8)
        assert red(osu_mania.dumps(edited))[1] == "4000,500,4,3,2,80,1,0"


def test_the_kiai_of_a_green_line_goes_on_and_a_later_red_line_wins_over_an_earlier_green_one():
    points = "1000,500,4,2,1,60,1,0\n2000,-100,4,3,2,80,0,1\n3000,500,4,1,0,70,1,0"
    song = with_bpm_change_at_beat_6(osu_mania.loads(text(points)))
    assert red(osu_mania.dumps(song))[2] == "4000,500,4,1,0,70,1,0"  # the red line at 3000, not the green
    song = with_bpm_change_at_beat_6(osu_mania.loads(text("1000,500,4,2,1,60,1,0\n2000,-100,4,3,2,80,0,1")))
    assert red(osu_mania.dumps(song))[1] == "4000,500,4,3,2,80,1,1"


def test_regression_an_unedited_map_keeps_its_red_lines_beat_lengths():
    """Every red line was rewritten with 9 decimals (333.333333333333 -> 333.333333333), so every save diffed."""
    points = ("1000,333.333333333333,4,2,1,60,1,0\n2333,-66.6666666666667,4,3,2,80,0,0\n"
              "4333,428.571428571429,4,1,0,70,1,8\n7333,468.75,4,1,0,70,1,0")
    out = osu_mania.dumps(osu_mania.loads(text(points, "64,192,1000,1,0,0:0:0:0:\n192,192,4333,1,2,0:0:0:0:\n")))
    assert out.split("[TimingPoints]\n", 1)[1].split("\n\n", 1)[0].splitlines() == points.splitlines()


def test_beat_length_text_has_15_significant_digits_and_is_never_zero():
    assert beat_length_text(F(500)) == "500"
    assert beat_length_text(F(60000, 7)) == "8571.42857142857"
    assert beat_length_text(F(1, 30000)) == "0.0000333333333333333"
    assert beat_length_text(F(10**12, 3)) == "333333333333.333"

"""The JSON export lists the speed changes a game reading it never sees (StepMania #SPEEDS, osu! green lines kept
only as raw text), as the .sm export lists the tags StepMania 5 ignores; it said nothing."""

from dataclasses import replace

from chart.formats import game_json, osu_mania, registry, ssc

NOTES = "#NOTEDATA:;\n#STEPSTYPE:dance-single;\n#DIFFICULTY:Hard;\n#METER:5;\n#NOTES:\n1000\n0100\n0010\n0001\n;\n"
OSU = """osu file format v14

[General]
AudioFilename: song.ogg
Mode: 3

[Metadata]
Title:SV
Version:Hard

[Difficulty]
CircleSize:4
OverallDifficulty:8

[TimingPoints]
0,500,4,2,0,50,1,0
2000,-50,4,2,0,50,0,0
3000,-100,4,2,0,80,0,0
4000,-200,4,2,0,50,0,0

[HitObjects]
64,192,0,1,0,0:0:0:0:
192,192,2000,1,0,0:0:0:0:
"""


def speed_notes(song) -> list[str]:
    return [p.reason for p in game_json.problems(song) if "scroll" in p.reason and not p.fatal and p.written]


def test_speeds_are_listed_and_plain_speeds_are_not():
    song = ssc.loads("#VERSION:0.83;\n#BPMS:0=120;\n#SPEEDS:0=1=0=0,4=3=1=0,8=0.5=0=0;\n" + NOTES)
    assert speed_notes(song) == ["2 #SPEEDS change(s) (first at beat 4) not in timing.scrolls: kept only as raw "
                                 "text in timing.exact.extra (a game plays them at plain scroll)"]
    assert any("#SPEEDS" in line for line in registry.conversions(song, "json"))
    plain = ssc.loads("#VERSION:0.83;\n#BPMS:0=120;\n#SPEEDS:0.000=1.000=0.000=0;\n" + NOTES)  # SM5's default
    assert speed_notes(plain) == []


def test_osu_green_lines_that_change_the_speed_are_listed_song_or_chart():
    song = osu_mania.loads(OSU)
    expected = ("2 osu! scroll-speed (green) timing point(s) (first at beat 4) not in timing.scrolls: kept only as "
                "raw text in extra TimingPoints.inherited (a game plays them at plain scroll)")  # not the 1x one
    assert speed_notes(song) == [expected]
    green = dict(song.extra)["TimingPoints.inherited"]
    assert green.startswith("@4,-50,")  # the @beat form docs/game-format.md describes
    moved = replace(song, extra=[p for p in song.extra if p[0] != "TimingPoints.inherited"],
                    charts=[replace(song.charts[0], extra=[*song.charts[0].extra, ("TimingPoints.inherited", green)])])
    assert [(p.chart_id, p.reason) for p in game_json.problems(moved) if "scroll" in p.reason] == \
        [(moved.charts[0].chart_id(), expected)]

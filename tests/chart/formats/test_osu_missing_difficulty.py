"""An .osu without HPDrainRate/OverallDifficulty plays at osu!'s default 5 (``BeatmapDifficulty.DEFAULT_DIFFICULTY``);
it was read and written back as 8. And a .ssc chart's own tags .osu has no place for are listed when writing
.osu (they were dropped silently, while the .sm writer lists them)."""

from __future__ import annotations

from chart.formats import osu_mania, sm, ssc
from chart.formats.errors import Unrepresentable

OSU = """osu file format v14

[General]
AudioFilename: audio.ogg
Mode: 3

[Metadata]
Title:Song
Artist:Art
Creator:me
Version:Insane

[Difficulty]
CircleSize:4

[TimingPoints]
500,500,4,2,1,60,1,0

[HitObjects]
64,192,500,1,0,0:0:0:0:
192,192,1000,1,0,0:0:0:0:
"""


def _difficulty(text: str) -> dict[str, str]:
    lines = text.split("[Difficulty]")[1].split("[")[0].split()
    return dict(line.split(":", 1) for line in lines)


def test_missing_difficulty_settings_read_and_written_as_osus_5():
    report: list[Unrepresentable] = []
    song = osu_mania.loads(OSU, report)
    assert song.charts[0].meter == 5  # derived from the OD osu! plays
    written = _difficulty(osu_mania.dumps(song))
    assert (written["HPDrainRate"], written["OverallDifficulty"]) == ("5", "5")
    assert osu_mania.loads(osu_mania.dumps(song)) == song


def test_present_values_are_kept_and_a_foreign_chart_gets_the_writers_default():
    text = OSU.replace("CircleSize:4", "HPDrainRate:7\nCircleSize:4\nOverallDifficulty:9")
    report: list[Unrepresentable] = []
    song = osu_mania.loads(text, report)
    assert not any("HPDrainRate" in r.reason for r in report)
    assert _difficulty(osu_mania.dumps(song))["OverallDifficulty"] == "9"
    sscs = ("#VERSION:0.83;\n#TITLE:t;\n#OFFSET:0;\n#BPMS:0=120;\n#NOTEDATA:;\n#STEPSTYPE:dance-single;\n"
            "#DIFFICULTY:Hard;\n#METER:8;\n#NOTES:\n1000\n;\n")
    assert _difficulty(osu_mania.dumps(ssc.loads(sscs)))["OverallDifficulty"] == "8"


def test_ssc_chart_tags_are_listed_when_writing_osu():
    text = ("#VERSION:0.83;\n#TITLE:t;\n#OFFSET:0;\n#BPMS:0=120;\n#NOTEDATA:;\n#CHARTNAME:Lunatic Edit;\n"
            "#STEPSTYPE:dance-single;\n#CHARTSTYLE:Pad;\n#DIFFICULTY:Challenge;\n#METER:12;\n"
            "#RADARVALUES:0,0,0,0,0;\n#ATTACKS:TIME=3.000:LEN=1.000:MODS=*1 boost;\n#DISPLAYBPM:*;\n"
            "#NOTES:\n1000\n0100\n0010\n0001\n;\n")
    song = ssc.loads(text)
    lines = [p for p in osu_mania.problems(song) if "chart tags" in p.reason]
    assert [(p.reason, p.fatal, p.chart_id) for p in lines] == [
        (".osu drops chart tags CHARTNAME, CHARTSTYLE, ATTACKS, DISPLAYBPM", False, song.charts[0].chart_id())]
    # a chart read from .osu lists nothing: its Version, hitsounds and keyboard mark are osu!'s own
    assert not [p for p in osu_mania.problems(osu_mania.loads(OSU)) if "chart tags" in p.reason]


def test_missing_difficulty_settings_are_not_made_up_in_other_formats():
    """osu!'s 5 was put into the song's extras, so .sm/.ssc gained #Difficulty.HPDrainRate:5; and
    #Difficulty.OverallDifficulty:5;, tags the file never had."""
    song = osu_mania.loads(OSU)
    assert not [name for name, _ in song.extra if name.startswith("Difficulty.")]
    assert "Difficulty." not in ssc.dumps(song)
    assert "Difficulty." not in sm.dumps(song)
    back = osu_mania.loads(osu_mania.dumps(ssc.loads(ssc.dumps(song))))  # through .ssc: still osu!'s 5
    assert _difficulty(osu_mania.dumps(back))["OverallDifficulty"] == "5"
    assert back.charts[0].meter == 5


def test_a_value_of_8_is_kept_apart_from_a_missing_one():
    """8, the writer's default for a chart from elsewhere, is a value the file had: kept, written back."""
    song = osu_mania.loads(OSU.replace("CircleSize:4", "HPDrainRate:8\nCircleSize:4\nOverallDifficulty:8"))
    assert ("Difficulty.OverallDifficulty", "8") in song.extra
    assert (_difficulty(osu_mania.dumps(song))["HPDrainRate"], song.charts[0].meter) == ("8", 8)
    assert _difficulty(osu_mania.dumps(ssc.loads(ssc.dumps(song))))["OverallDifficulty"] == "8"

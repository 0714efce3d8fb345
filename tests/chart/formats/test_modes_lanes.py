"""Charts other than dance-single through the formats: a mode's lanes (.json derives one from the other, .sm/.ssc
refuse a mismatch), StepMania's steps types (case, unknown ones listed), osu! key counts (the mode a map reads as,
what a round trip changes, Version in a set of several key counts) and a routine chart's player 2 kept in time."""

from __future__ import annotations

import json
from fractions import Fraction as F

import pytest

from chart.formats import game_json, osu_mania, registry, sm, ssc
from chart.formats.errors import ParseError, WriteError
from chart.formats.notedata import PLAYER2, format_notes, parse_notes
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData


def _song(mode: str, lanes: int, slot: Slot = Slot.EASY, meter: int = 3) -> Song:
    notes = [Note(F(b), b % lanes) for b in range(2 * lanes)]
    return Song(title="Modes", music="a.ogg", timing=TimingData.constant(120, "0"),
                charts=[Chart(mode=mode, slot=slot, meter=meter, notes=notes, lanes=lanes)])


def _json(**chart) -> str:
    return json.dumps({"format": "genelive-chart", "version": 1, "song": {"title": "X"},
                       "timing": {"offset_ms": 0, "bpms": [{"beat": 0, "bpm": 120}]},
                       "charts": [{"difficulty": "Easy", "meter": 3, **chart,
                                   "notes": [{"type": "tap", "lane": 7, "beat": 1}] if chart.get("lanes", 4) > 7
                                   else []}]})


# ------------------------------------------------------------------ 2: a mode's lanes
def test_a_json_chart_without_a_mode_takes_the_usual_mode_of_its_lanes():
    chart = game_json.loads(_json(lanes=8)).charts[0]
    assert (chart.mode, chart.lanes) == ("dance-double", 8)
    chart = game_json.loads(_json(mode="pump-double")).charts[0]
    assert (chart.mode, chart.lanes) == ("pump-double", 10)


def test_a_json_chart_whose_lanes_contradict_its_mode_is_refused_in_one_line():
    for mode, lanes in (("dance-single", 8), ("dance-double", 4)):
        with pytest.raises(ParseError, match=f"lanes {lanes} does not fit its mode {mode}") as err:
            game_json.loads(_json(mode=mode, lanes=lanes))
        assert "\n" not in str(err.value)
    with pytest.raises(ParseError, match="no mode"):
        game_json.loads(_json(lanes=13))


@pytest.mark.parametrize("module", [ssc, sm])
def test_stepmania_writers_refuse_a_chart_whose_lanes_differ_from_its_mode(module):
    for mode, lanes in (("dance-single", 8), ("dance-double", 4)):
        song = _song(mode, lanes)
        with pytest.raises(WriteError, match=f"{mode} has .* lanes, the chart {lanes}"):
            module.dumps(song)


# ------------------------------------------------------------------ 5, 7: StepMania steps types
def test_stepstype_is_read_as_stepmania_reads_it():
    text = ssc.dumps(_song("dance-single", 4)).replace("#STEPSTYPE:dance-single;", "#STEPSTYPE:Dance_Single;")
    chart = ssc.loads(text).charts[0]
    assert (chart.mode, chart.lanes) == ("dance-single", 4)


def test_a_steps_type_stepmania_does_not_know_is_listed_not_refused():
    song = _song("osu-mania-12k", 12)
    listed = [p.reason for p in registry.unrepresentable(song, "ssc") if not p.fatal]
    assert any("'osu-mania-12k' is not one StepMania 5 knows" in r for r in listed)
    assert ssc.loads(ssc.dumps(song)).charts[0].mode == "osu-mania-12k"  # the editor reads it back


def test_osu_three_and_nine_key_maps_read_as_stepmania_modes():
    for mode, lanes in (("dance-threepanel", 3), ("pnm-nine", 9)):
        back = osu_mania.loads(osu_mania.dumps(_song(mode, lanes)))
        assert back.charts[0].mode == mode


def test_the_osu_writer_lists_a_mode_that_reads_back_as_another():
    for mode, lanes, back in (("pump-halfdouble", 6, "dance-solo"), ("dance-couple", 8, "dance-double"),
                              ("techno-single8", 8, "dance-double")):
        song = _song(mode, lanes)
        listed = [p.reason for p in osu_mania.problems(song) if not p.fatal]
        assert f"{mode} reads back as {back} (osu!mania keeps only the key count, {lanes}K)" in listed
        assert osu_mania.loads(osu_mania.dumps(song)).charts[0].mode == back
    assert not [p for p in osu_mania.problems(_song("dance-single", 4)) if "reads back" in p.reason]


# ------------------------------------------------------------------ 6: Version in a set of several key counts
def test_a_single_and_a_double_of_one_slot_and_meter_get_their_key_count_in_version(tmp_path):
    song = _song("dance-single", 4, Slot.HARD, 9)
    song.charts.append(_song("dance-double", 8, Slot.HARD, 9).charts[0])
    files = registry.save_split(song, tmp_path / "song.osu")
    versions = sorted(line for f in files for line in f.read_text().splitlines() if line.startswith("Version"))
    assert versions == ["Version:4K Hard Lv.9", "Version:8K Hard Lv.9"]
    back = registry.load_folder(tmp_path)[0]
    assert sorted((c.mode, c.slot, c.meter, c.description) for c in back.charts) == \
        [("dance-double", Slot.HARD, 9, ""), ("dance-single", Slot.HARD, 9, "")]
    one = registry.split_per_chart(_song("dance-single", 4, Slot.HARD, 9), tmp_path / "x.osu")[0][0]
    assert "\nVersion:Hard Lv.9\n" in osu_mania.dumps(one)  # one key count: the name as before


# ------------------------------------------------------------------ 1: a routine chart's player 2 kept in time
def test_retime_extra_re_beats_player_2_as_player_1():
    from chart.retime import retime_extra

    old, new = TimingData.constant(120, "-0.1"), TimingData.constant(150, "-0.1")
    p2 = [Note(F(b), 4 + b % 4) for b in range(0, 16, 2)]
    extra = [("OTHER", "x"), (PLAYER2, format_notes(p2, 8))]
    out, moved, dropped, _ = retime_extra(extra, 8, old, new)
    back, _ = parse_notes(dict(out)[PLAYER2], 8)
    assert [float(new.beat_to_seconds(n.beat)) for n in back] == [float(old.beat_to_seconds(n.beat)) for n in p2]
    assert (moved, dropped, out[0]) == (len(p2) - 1, 0, ("OTHER", "x"))  # beat 0 stays at beat 0
    assert retime_extra([("OTHER", "x")], 8, old, new)[0] == [("OTHER", "x")]

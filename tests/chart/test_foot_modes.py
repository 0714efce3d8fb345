"""What judges feet leaves alone every chart not stepped on a dance pad, not only the keyboard-marked ones: Verify's
``density`` of a StepMania kb7-single or pnm-nine chart (played with fingers) and ``beginner`` jumps of an osu!mania
7K map (chords) said the dance-pad numbers. Also: which charts the notefield draws as Left/Down/Up/Right arrows, and
an ``osu-mania-Nk`` chart's lanes in the JSON reader."""

from __future__ import annotations

import json
from fractions import Fraction as F

import pytest

from chart.checks.registry import check_song
from chart.formats import game_json
from chart.formats.errors import ParseError
from chart.formats.steps_types import mode_lanes
from chart.keyboard import KEYBOARD, OSU_MANIA, draws_arrows, is_foot_chart
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

MARK = [(KEYBOARD, OSU_MANIA)]


def _stream(mode: str, lanes: int, slot: Slot = Slot.EASY, extra=None) -> Song:
    """A 16th-note stream at 150 BPM (10 notes/s, far above Easy's usual 1.49-3.20) across the lanes."""
    notes = [Note(F(i, 4), i % lanes) for i in range(200)]
    return Song(title="S", timing=TimingData.constant(150), charts=[
        Chart(mode=mode, slot=slot, meter=3, lanes=lanes, notes=notes, extra=list(extra or []))])


def _chords(mode: str, lanes: int, extra=None) -> Song:
    """A Beginner chart with a two-key chord every other row (50 % of rows)."""
    notes = []
    for i in range(40):
        notes.append(Note(F(i), i % lanes))
        if i % 2 == 0:
            notes.append(Note(F(i), (i + lanes // 2) % lanes))
    return Song(title="B", timing=TimingData.constant(120), charts=[
        Chart(mode=mode, slot=Slot.BEGINNER, meter=1, lanes=lanes, notes=sorted(notes), extra=list(extra or []))])


def _ids(song: Song, check_id: str) -> list[str]:
    return [i.message for i in check_song(song, audio_length_s=120.0) if i.check_id == check_id]


@pytest.mark.parametrize(("mode", "lanes"), [("kb7-single", 7), ("pnm-nine", 9), ("osu-mania-12k", 12),
                                         ("bm-single7", 8)])
def test_density_leaves_charts_played_with_fingers_alone(mode, lanes):
    assert _ids(_stream(mode, lanes), "density") == []  # was "10.00 notes/s is far above Easy's usual 1.49-3.20"


def test_density_still_judges_pad_charts():
    assert any("far above Easy" in m for m in _ids(_stream("dance-single", 4), "density"))
    assert any("far above Easy" in m for m in _ids(_stream("pump-single", 5), "density"))
    assert _ids(_stream("dance-single", 4, extra=MARK), "density") == []  # an osu! 4K map, as before


@pytest.mark.parametrize(("mode", "lanes", "extra"), [("kb7-single", 7, MARK), ("kb7-single", 7, None),
                                                ("dance-single", 4, MARK), ("pnm-nine", 9, None)])
def test_beginner_jumps_leave_keyboard_chords_alone(mode, lanes, extra):
    assert _ids(_chords(mode, lanes, extra), "beginner") == []  # was "20 jumps in a Beginner chart (50% of rows)"


def test_beginner_jumps_still_judged_on_a_pad():
    assert any("jumps in a Beginner chart" in m for m in _ids(_chords("dance-single", 4), "beginner"))


def test_is_foot_chart():
    def chart(mode, lanes, extra=None):
        return Chart(mode=mode, lanes=lanes, extra=list(extra or []))
    assert is_foot_chart(chart("dance-single", 4))
    assert is_foot_chart(chart("pump-double", 10))
    assert is_foot_chart(chart("techno-single8", 8))
    assert not is_foot_chart(chart("dance-single", 4, MARK))
    for mode, lanes in (("kb7-single", 7), ("pnm-nine", 9), ("bm-single7", 8), ("osu-mania-12k", 12)):
        assert not is_foot_chart(chart(mode, lanes)), mode


def test_dance_arrows_only_for_left_down_up_right_pads():
    arrows = {"dance-single": 4, "dance-double": 8, "dance-couple": 8, "dance-routine": 8, "techno-single4": 4,
              "techno-double4": 8}
    for mode, lanes in arrows.items():
        assert draws_arrows(Chart(mode=mode, lanes=lanes)), mode
        assert not draws_arrows(Chart(mode=mode, lanes=lanes, extra=MARK)), mode  # an osu! 4K/8K map: keys
    bars = {"techno-single8": 8, "bm-single7": 8, "kickbox-human": 4, "maniax-single": 4, "ds3ddx-single": 8,
            "kickbox-arachnid": 8, "pump-single": 5, "kb7-single": 7, "dance-solo": 6}
    for mode, lanes in bars.items():
        assert not draws_arrows(Chart(mode=mode, lanes=lanes)), mode


def test_mode_lanes():
    assert [mode_lanes(m) for m in ("dance-double", "osu-mania-12k", "osu-mania-1k")] == [8, 12, 1]
    assert [mode_lanes(m) for m in ("my-own-mode", "osu-mania-k")] == [None, None]


def _json_with(chart: dict) -> str:
    return json.dumps({"format": "genelive-chart", "version": 1, "song": {"title": "J"},
                       "timing": {"offset": 0.0, "bpms": [{"beat": 0.0, "bpm": 120.0}]}, "charts": [chart]})


def _written(mode: str, lanes: int, notes: list[Note]) -> dict:
    song = Song(title="J", timing=TimingData.constant(120), charts=[
        Chart(mode=mode, slot=Slot.HARD, meter=5, lanes=lanes, notes=notes)])
    return json.loads(game_json.dumps(song))


def test_json_osu_mania_nk_without_lanes_has_n_lanes():
    doc = _written("osu-mania-12k", 12, [Note(F(i), i % 12) for i in range(24)])
    del doc["charts"][0]["lanes"]
    chart = game_json.loads(json.dumps(doc)).charts[0]  # was refused: "notes[4].lane must be ... in 0..3"
    assert (chart.mode, chart.lanes, len(chart.notes)) == ("osu-mania-12k", 12, 24)
    doc["charts"][0]["notes"] = [n for n in doc["charts"][0]["notes"] if n["lane"] < 4]
    assert game_json.loads(json.dumps(doc)).charts[0].lanes == 12  # was 4


def test_json_osu_mania_nk_with_other_lanes_is_refused_both_ways():
    doc = _written("osu-mania-12k", 12, [Note(F(i), i % 4) for i in range(8)])
    doc["charts"][0]["mode"], doc["charts"][0]["lanes"] = "osu-mania-7k", 4
    with pytest.raises(ParseError, match="lanes 4 does not fit its mode osu-mania-7k"):  # was accepted silently
        game_json.loads(json.dumps(doc))
    song = Song(title="J", timing=TimingData.constant(120), charts=[Chart(mode="osu-mania-7k", lanes=4)])
    assert any(p.fatal and "osu-mania-7k" in p.reason for p in game_json.problems(song))
    doc["charts"][0]["mode"], doc["charts"][0]["lanes"] = "osu-mania-99k", 4
    with pytest.raises(ParseError, match="1 to 64"):
        game_json.loads(json.dumps(doc))

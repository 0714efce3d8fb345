"""Hand-written JSON (no ``exact``): time signatures and scrolls are read, a chart's slot follows its
``difficulty_index``; the export carries StepMania's ``#SCROLLS`` as ``timing.scrolls`` (audit J2-J4)."""

from __future__ import annotations

import json
from fractions import Fraction as F

import pytest

from chart.formats import game_json
from chart.formats.errors import ParseError
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData


def _doc(timing: dict | None = None, chart: dict | None = None) -> str:
    base_timing = {"offset_ms": 0, "segments": [{"start_beat": 0, "start_ms": 0, "bpm": 120}]}
    return json.dumps({"format": "genelive-chart", "version": 1, "song": {"title": "T", "audio": "a.ogg"},
                       "timing": {**base_timing, **(timing or {})},
                       "charts": [{"meter": 5, "notes": [{"lane": 0, "beat": 0}], **(chart or {})}]})


# ---------------------------------------------------------------------------------------- J2 time signatures
def test_time_signatures_of_a_file_without_exact_are_read_and_written_back():
    sigs = [{"beat": 0, "numerator": 3, "denominator": 4}, {"beat": 6, "numerator": 7, "denominator": 8}]
    report: list = []
    song = game_json.loads(_doc({"time_signatures": sigs}), report)
    assert song.timing.time_signatures == ((F(0), 3, 4), (F(6), 7, 8))
    assert report == []
    assert json.loads(game_json.dumps(song))["timing"]["time_signatures"] == [
        {"beat": 0.0, "numerator": 3, "denominator": 4}, {"beat": 6.0, "numerator": 7, "denominator": 8}]


@pytest.mark.parametrize("sig", [{"beat": 0, "numerator": 0, "denominator": 4}, {"beat": 0, "numerator": 3},
                                 {"beat": 0, "numerator": 3.5, "denominator": 4}, 7])
def test_a_bad_time_signature_names_its_path(sig):
    with pytest.raises(ParseError, match=r"\$\.timing\.time_signatures\[0\]"):
        game_json.loads(_doc({"time_signatures": [sig]}))


# ---------------------------------------------------------------------------------------- J3 difficulty_index
@pytest.mark.parametrize("index", range(6))
def test_difficulty_index_alone_gives_the_slot(index):
    assert game_json.loads(_doc(chart={"difficulty_index": index})).charts[0].slot == Slot(index)


def test_neither_is_edit_and_a_matching_pair_reads():
    assert game_json.loads(_doc()).charts[0].slot == Slot.EDIT
    assert game_json.loads(_doc(chart={"difficulty": "Hard", "difficulty_index": 3})).charts[0].slot == Slot.HARD


@pytest.mark.parametrize(("chart", "message"), [
    ({"difficulty": "Hard", "difficulty_index": 1}, r"\$\.charts\[0\]: difficulty Hard does not fit its "
                                                     r"difficulty_index 1 \(Easy\)"),
    ({"difficulty_index": 9}, r"\$\.charts\[0\]\.difficulty_index must be an integer in 0..5"),
    ({"difficulty_index": True}, r"\$\.charts\[0\]\.difficulty_index must be an integer"),
])
def test_a_contradicting_or_bad_index_is_refused(chart, message):
    with pytest.raises(ParseError, match=message):
        game_json.loads(_doc(chart=chart))


# ---------------------------------------------------------------------------------------- J4 scrolls
def _song(extra: tuple) -> Song:
    timing = TimingData(bpms=((F(0), F(120)),), stops=((F(4), F(1, 2)),), extra=extra)
    return Song(title="T", music="a.ogg", timing=timing, charts=[Chart(slot=Slot.EASY, notes=[Note(F(0), 0)])])


def test_scrolls_are_exported_with_their_times_and_the_raw_text_stays():
    song = _song((("SPEEDS", "0=1=0=0"), ("SCROLLS", "0=1,4=0.25,8=-2")))
    timing = json.loads(game_json.dumps(song))["timing"]
    assert timing["scrolls"] == [{"beat": 0.0, "time_ms": 0.0, "ratio": 1.0},
                                 {"beat": 4.0, "time_ms": 2000.0, "ratio": 0.25},
                                 {"beat": 8.0, "time_ms": 4500.0, "ratio": -2.0}]
    assert list(timing)[-2:] == ["scrolls", "exact"]
    assert game_json.loads(game_json.dumps(song)).timing.extra == song.timing.extra  # exact wins on reading
    assert json.loads(game_json.dumps(_song(())))["timing"]["scrolls"] == []


def test_scrolls_of_a_file_without_exact_read_back_as_scrolls_text():
    scrolls = [{"beat": 0, "ratio": 1}, {"beat": 4, "time_ms": 2000, "ratio": 0.25}]
    song = game_json.loads(_doc({"scrolls": scrolls}))
    assert song.timing.extra == (("SCROLLS", "0.000=1.000,4.000=0.250"),)
    assert [s["ratio"] for s in json.loads(game_json.dumps(song))["timing"]["scrolls"]] == [1.0, 0.25]
    with pytest.raises(ParseError, match=r"\$\.timing\.scrolls\[1\]\.ratio must be a number"):
        game_json.loads(_doc({"scrolls": [{"beat": 0, "ratio": 1}, {"beat": 2, "ratio": "x"}]}))
    with pytest.raises(ParseError, match=r"\$\.timing\.scrolls: "):
        game_json.loads(_doc({"scrolls": [{"beat": -1, "ratio": 1}]}))

"""The JSON game export: the fields a game loader relies on, exactness, and one-line errors on bad files."""

from __future__ import annotations

import json
from fractions import Fraction as F

import pytest

from chart.formats import game_json
from chart.formats.errors import ParseError
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData


def song() -> Song:
    timing = TimingData(offset=F(-1, 10), bpms=((F(0), F(120)), (F(4), F(180))), stops=((F(2), F(1, 4)),))
    notes = [Note(F(0), 0), Note(F(1, 3), 1), Note(F(2), 2, NoteKind.HOLD, F(3, 2)), Note(F(5), 3, NoteKind.MINE)]
    return Song(title="T", artist="A", music="a.ogg", timing=timing,
                charts=[Chart(slot=Slot.HARD, meter=9, notes=notes)])


def test_notes_carry_lane_type_ms_and_exact_beats():
    doc = json.loads(game_json.dumps(song()))
    assert (doc["format"], doc["version"], doc["song"]["audio"]) == ("genelive-chart", 1, "a.ogg")
    chart = doc["charts"][0]
    assert (chart["difficulty"], chart["difficulty_index"], chart["meter"], chart["lanes"]) == ("Hard", 3, 9, 4)
    first, triplet, hold, mine = chart["notes"]
    assert first == {"type": "tap", "lane": 0, "time_ms": 100.0, "beat": 0.0, "beat_exact": "0/1"}
    assert triplet["beat_exact"] == "1/3"
    assert triplet["time_ms"] == pytest.approx(100 + 1000 / 6)
    # hold head at beat 2 is judged before the 250 ms stop; its end at 3.5 comes after it
    assert (hold["time_ms"], hold["end_beat_exact"], hold["end_time_ms"]) == (1100.0, "7/2", 2100.0)
    assert mine["type"] == "mine"
    assert mine["time_ms"] == pytest.approx(1100 + 250 + 1000 + 1000 / 3)


def test_timing_segments_map_time_to_beats_with_pauses():
    segs = json.loads(game_json.dumps(song()))["timing"]["segments"]
    assert segs == [
        {"start_beat": 0.0, "start_ms": 100.0, "bpm": 120.0},
        {"start_beat": 2.0, "start_ms": 1100.0, "bpm": 0.0},
        {"start_beat": 2.0, "start_ms": 1350.0, "bpm": 120.0},
        {"start_beat": 4.0, "start_ms": 2350.0, "bpm": 180.0},
    ]


def test_round_trip_is_exact_and_hand_written_floats_are_accepted():
    s = song()
    assert game_json.loads(game_json.dumps(s)) == s
    doc = json.loads(game_json.dumps(s))
    for note in doc["charts"][0]["notes"]:  # a hand-written loader input without exact strings
        note.pop("beat_exact")
        note.pop("end_beat_exact", None)
    del doc["timing"]["exact"]
    back = game_json.loads(json.dumps(doc))
    assert back.timing.bpms == s.timing.bpms
    assert back.timing.stops == s.timing.stops
    assert [n.beat for n in back.charts[0].notes][0:1] == [F(0)]
    assert back.charts[0].notes[2].length == F(3, 2)


@pytest.mark.parametrize(("text", "message"), [
    ("{", "not valid JSON"),
    ("[]", r"\$ must be an object"),
    ('{"version": 2}', "not supported"),
    ('{"charts": [{"notes": [{"lane": 9}]}]}', r"\$.charts\[0\].notes\[0\].lane must be an integer in 0..3"),
    ('{"charts": [{"notes": [{"lane": 0, "beat_exact": "1/0"}]}]}', "divides by zero"),
    ('{"charts": [{"notes": [{"lane": 0, "beat": NaN}]}]}', "NaN is not a number"),
    ('{"charts": [{"notes": [{"lane": 0, "type": "hold", "beat": 1, "end_beat": 1}]}]}', "needs end_beat"),
    ('{"timing": {"exact": {"bpms": [["0/1", "-5/1"]]}}}', "BPM must be positive"),
    ("[" * 100000 + "]" * 100000, "nested too deeply"),
])
def test_bad_files_give_one_line_errors(text, message):
    with pytest.raises(ParseError, match=message):
        game_json.loads(text)


def test_the_example_in_the_docs_is_what_the_writer_writes():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "game-format.md").read_text(encoding="utf-8")
    block = doc.split("```json\n", 1)[1].split("```", 1)[0]
    example = json.loads(block)
    assert json.loads(game_json.dumps(game_json.loads(block))) == example

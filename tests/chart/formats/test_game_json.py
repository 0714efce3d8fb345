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
    assert game_json.dumps(game_json.loads(block)).rstrip("\n") == block.rstrip("\n")  # the layout too


def _strip_exact(value):
    """A hand-written file: the example without ``exact`` and the ``*_exact`` strings (docs/game-format.md)."""
    if isinstance(value, dict):
        return {k: _strip_exact(v) for k, v in value.items() if k != "exact" and "_exact" not in k}
    if isinstance(value, list):
        return [_strip_exact(v) for v in value]
    return value


def test_a_hand_written_file_with_triplets_reads_onto_the_grid_and_writes_to_stepmania():
    """Doubles such as 0.6666666666666666 are read as 2/3 (shortest decimal alone gave 3333333333333333/5e15,
    which the .sm/.ssc writers refuse as off StepMania's grid); a beat that is no grid fraction stays as written."""
    from chart.formats import registry

    song = Song(title="T", timing=TimingData.constant(150),
                charts=[Chart(slot=Slot.HARD, notes=[Note(F(2, 3), 0), Note(F(4, 3), 1, NoteKind.HOLD, F(1, 3)),
                                                 Note(F(95, 48), 2), Note(F(7, 2), 3)])])
    hand = json.dumps(_strip_exact(json.loads(game_json.dumps(song))))
    assert "_exact" not in hand
    back = game_json.loads(hand)
    assert back.charts[0].notes == song.charts[0].notes
    assert registry.loads(registry.dumps(back, "ssc"), "ssc").charts[0].notes == song.charts[0].notes
    odd = game_json.loads('{"charts": [{"notes": [{"lane": 0, "beat": 1.0001}]}]}')
    assert odd.charts[0].notes[0].beat == F(10001, 10000)


def test_the_docs_example_without_exact_strings_reads_back_the_same_notes():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "game-format.md").read_text(encoding="utf-8")
    block = doc.split("```json\n", 1)[1].split("```", 1)[0]
    exact = game_json.loads(block)
    hand = game_json.loads(json.dumps(_strip_exact(json.loads(block))))
    assert [c.notes for c in hand.charts] == [c.notes for c in exact.charts]


def _doc_loader() -> dict:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "game-format.md").read_text(encoding="utf-8")
    code = doc.split("## A minimal loader (Python)", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(code, "game-format.md", "exec"), namespace)  # noqa: S102 - our own documentation's example
    return namespace


def _time_of_beat(doc: dict, b: float) -> float:
    """docs/game-format.md's beat -> time rule, as written there."""
    timing = doc["timing"]
    stop = next((s for s in timing["stops"] if s["beat"] == b), None)
    if stop is not None:
        return stop["time_ms"]
    moving = [s for s in timing["segments"] if s["bpm"] > 0 and s["start_beat"] <= b]
    seg = moving[-1] if moving else next(s for s in timing["segments"] if s["bpm"] > 0)
    return seg["start_ms"] + (b - seg["start_beat"]) * 60000 / seg["bpm"]


def test_the_documented_rules_give_every_note_its_time_and_beat():
    """The doc's beat -> time rule and its loader's beat_at agree with each note's time_ms, with a stop and a delay
    on note beats, a tempo change, and a pause on the first beat (whose first segment used to have bpm 0)."""
    beat_at = _doc_loader()["beat_at"]
    for first_pause in ("stops", "delays"):
        timing = TimingData(bpms=((F(0), F(120)), (F(8), F(240))), stops=((F(4), F(1, 2)),),
                            delays=((F(6), F(1, 4)),)).with_changes(
            **{first_pause: ((F(0), F(1, 4)), *getattr(TimingData(stops=((F(4), F(1, 2)),),
                                                                   delays=((F(6), F(1, 4)),)), first_pause))})
        notes = [Note(F(b, 2), b % 4) for b in range(0, 24)]
        song = Song(title="T", timing=timing, charts=[Chart(slot=Slot.HARD, notes=notes)])
        doc = json.loads(game_json.dumps(song))
        assert doc["timing"]["segments"][0]["bpm"] > 0
        for n in doc["charts"][0]["notes"]:
            assert abs(_time_of_beat(doc, n["beat"]) - n["time_ms"]) < 1e-6, (first_pause, n)
            if n["beat"] not in (0.0, 4.0, 6.0):  # off the pauses, time -> beat is one-to-one
                assert abs(beat_at(doc["timing"]["segments"], n["time_ms"]) - n["beat"]) < 1e-9, n
        assert beat_at(doc["timing"]["segments"], -500.0) < 0  # before the first segment: extended backwards

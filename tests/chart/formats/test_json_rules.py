"""docs/game-format.md's promises against what the JSON writer writes: the writer refuses a mode and lane count its
reader refuses; the segments follow the lead-in rule for a warp on the first beat and the beat -> time rule for a
delay inside a warp; the documented minimal loader leaves out notes of fake segments; and a hold whose length is
warped (judged, over at once) is listed and written as a note by the .osu writer."""

from __future__ import annotations

import json
from fractions import Fraction as F
from pathlib import Path

import pytest

from chart.formats import game_json, osu_mania
from chart.formats.errors import WriteError
from chart.formats.registry import conversions
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

DOC = Path(__file__).resolve().parents[3] / "docs" / "game-format.md"


def doc_loader() -> dict:
    """The code of the page's "A minimal loader (Python)", run."""
    text = DOC.read_text(encoding="utf-8")
    code = text.split("## A minimal loader (Python)", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(code, "game-format.md", "exec"), namespace)  # noqa: S102 - our own documentation's example
    return namespace


def time_of_beat(timing: dict, b: float) -> float:
    """The page's beat -> time rule, as written there."""
    stop = next((s for s in timing["stops"] if s["beat"] == b), None)
    if stop is not None:
        return stop["time_ms"]
    seg = [s for s in timing["segments"] if s["bpm"] > 0 and s["start_beat"] <= b][-1]
    return seg["start_ms"] + (b - seg["start_beat"]) * 60000 / seg["bpm"]


def song_of(timing: TimingData, notes: list[Note], **chart) -> Song:
    return Song(title="t", music="a.ogg", timing=timing, charts=[Chart(slot=Slot.HARD, meter=3, notes=notes, **chart)])


@pytest.mark.parametrize(("mode", "lanes"), [("dance-single", 8), ("", 11), ("dance-double", 65)])
def test_the_writer_refuses_a_mode_and_lanes_its_reader_refuses(mode, lanes):
    """Written, then refused on reading (an autosave of it could not be restored)."""
    song = song_of(TimingData.constant(120), [Note(F(0), 0)], mode=mode, lanes=lanes)
    with pytest.raises(WriteError, match="the JSON reader refuses it"):
        game_json.dumps(song)


def test_a_mode_the_reader_takes_is_written():
    song = song_of(TimingData.constant(120), [Note(F(0), 7)], mode="osu-mania-8k", lanes=8)
    assert game_json.loads(game_json.dumps(song)) == song


def test_a_warp_on_the_first_beat_keeps_the_lead_in():
    """The first segment started after the warp (beat 2 at beat 0's time), so extending it backwards put the lead-in
    two beats off: the project's timing says beat -2 at 0 ms."""
    timing = TimingData(offset=F(-1), bpms=((F(0), F(120)),), warps=((F(0), F(2)),))
    segments = json.loads(game_json.dumps(song_of(timing, [Note(F(4), 0)])))["timing"]["segments"]
    assert segments[0] == {"start_beat": 0.0, "start_ms": 1000.0, "bpm": 120.0}
    beat_at = doc_loader()["beat_at"]
    for t_ms in (0.0, 500.0, 1000.0, 2000.0):
        assert beat_at(segments, t_ms) == pytest.approx(float(timing.seconds_to_beat(F(t_ms) / 1000)))


def test_a_note_on_a_delay_inside_a_warp_follows_the_beat_to_time_rule():
    """StepMania judges it (at 4300 ms); the piece after the delay had bpm 0, so the rule gave 4500 ms."""
    timing = TimingData(bpms=((F(0), F(120)),), warps=((F(8), F(4)),), delays=((F(9), F(3, 10)),),
                        stops=((F(10), F(1, 5)),))
    notes = [Note(F(9), 0, NoteKind.HOLD, F(1)), Note(F(10), 1), Note(F(12), 2), Note(F(16), 3)]
    doc = json.loads(game_json.dumps(song_of(timing, notes)))
    judged = [n for n in doc["charts"][0]["notes"] if not n.get("warped")]
    assert [(n["beat"], n["time_ms"]) for n in judged] == [(9.0, 4300.0), (10.0, 4300.0), (12.0, 4500.0),
                                                           (16.0, 6500.0)]
    for n in judged:
        assert time_of_beat(doc["timing"], n["beat"]) == pytest.approx(n["time_ms"])
    beat_at = doc_loader()["beat_at"]
    assert beat_at(doc["timing"]["segments"], 4300.0) == 10.0  # the stop's pause: the warp passes after it
    assert beat_at(doc["timing"]["segments"], 4500.0) == 12.0
    hold = judged[0]
    assert hold["end_time_ms"] == hold["time_ms"]  # documented: its length lies in the warp, over at once


def test_the_osu_writer_writes_a_hold_over_at_once_as_a_listed_note():
    """It wrote a hold whose end was its head (osu! has no such hold; our reader read it as a note, unlisted)."""
    timing = TimingData(bpms=((F(0), F(120)),), warps=((F(8), F(4)),), delays=((F(9), F(3, 10)),))
    song = song_of(timing, [Note(F(9), 0, NoteKind.HOLD, F(1)), Note(F(16), 1, NoteKind.HOLD, F(1))])
    notes = conversions(song, "osu")
    assert notes[0] == ("conversion: dance-single/Hard: hold over in the millisecond it starts (its "
                        "length lies in a warp): written as a note")
    assert len(notes) == 2
    assert notes[1].startswith("conversion: song: 1 delay and 1 warp (the first a warp at beat 8")
    objects = osu_mania.dumps(song).split("[HitObjects]\n", 1)[1].splitlines()
    assert [line.split(",")[2:4] for line in objects] == [["4300", "1"], ["6300", "128"]]


def test_the_documented_loader_leaves_out_notes_of_fake_segments(tmp_path):
    """The page says to treat ``fake_segment`` notes like fakes; its loader kept them as notes to judge."""
    timing = TimingData.constant(120).with_changes(extra=(("FAKES", "4.000=2.000"),))
    notes = [Note(F(b), b % 4) for b in range(8)] + [Note(F(7), 0, NoteKind.FAKE)]
    path = tmp_path / "x.json"
    path.write_text(game_json.dumps(song_of(timing, notes)), encoding="utf-8")
    _, charts = doc_loader()["load"](str(path))
    assert [(t, lane) for t, lane, *_ in charts[0]["notes"]] == [(0.0, 0), (500.0, 1), (1000.0, 2), (1500.0, 3),
                                                                   (3000.0, 2), (3500.0, 3)]

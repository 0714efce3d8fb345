"""Holds overlapping in one lane: .sm/.ssc note data cannot hold them (the first tail closes the later head, so one
hold was lost and the other cut, silently); a tap inside a hold is written back but listed; .osu and .json hold
overlapping holds as they are."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

import pytest

from chart.checks.registry import check_song
from chart.formats import game_json, osu_mania, sm, ssc
from chart.formats.errors import WriteError
from chart.formats.registry import conversions, loads, unrepresentable
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

REPO = Path(__file__).resolve().parents[3]

# an osu!mania map with long notes 1000-2000 and 1500-2500 ms in column 0 (120 BPM: beats 2-4 and 3-5)
OVERLAPPING_OSU = """osu file format v14

[General]
AudioFilename: a.mp3
Mode: 3

[Metadata]
Title:x
Artist:y
Creator:z
Version:Hard

[Difficulty]
CircleSize:4

[TimingPoints]
0,500,4,1,0,100,1,0

[HitObjects]
64,192,1000,128,0,2000:0:0:0:0:
64,192,1500,128,0,2500:0:0:0:0:
192,192,3000,1,0,0:0:0:0:
"""


def song_of(*notes: Note) -> Song:
    return Song(title="t", music="a.ogg", timing=TimingData.constant(120),
                charts=[Chart(slot=Slot.HARD, meter=5, notes=sorted(notes, key=lambda n: (n.beat, n.lane)))])


@pytest.mark.parametrize("writer", [sm, ssc])
@pytest.mark.parametrize("second", [Note(F(3), 0, NoteKind.HOLD, F(2)), Note(F(3), 0, NoteKind.ROLL, F(1, 2)),
                                    Note(F(5, 2), 0, NoteKind.HOLD, F(1, 4))])
def test_a_hold_starting_inside_a_hold_of_its_lane_is_refused(writer, second):
    """2-4 with 3-5 was written 2/2/3/3 and read back as one hold 3-4 (StepMania reads it so too); a hold nested in
    another lost the outer one."""
    song = song_of(Note(F(2), 0, NoteKind.HOLD, F(2)), second, Note(F(6), 1))
    with pytest.raises(WriteError, match=rf"beat {second.beat.numerator / second.beat.denominator:g} .*"
                                         rf"{second.kind.value} starting inside the hold from beat 2 \(lane 1\)"):
        writer.dumps(song)
    assert [p.note for p in unrepresentable(song, writer.NAME) if p.fatal] == [second]


def test_holds_touching_or_in_other_lanes_are_still_written():
    song = song_of(Note(F(2), 0, NoteKind.HOLD, F(1)), Note(F(4), 0, NoteKind.HOLD, F(1)),
                   Note(F(3), 1, NoteKind.HOLD, F(2)), Note(F(2), 2, NoteKind.HOLD, F(4)))
    assert not [p for p in unrepresentable(song, "ssc")]
    assert ssc.loads(ssc.dumps(song)).charts[0].notes == song.charts[0].notes


def test_convert_of_an_osu_map_with_overlapping_long_notes_refuses_in_one_line(tmp_path):
    source = tmp_path / "x.osu"
    source.write_text(OVERLAPPING_OSU, encoding="utf-8")
    result = subprocess.run([sys.executable, "main.py", "convert", str(source), str(tmp_path / "x.ssc")], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "Traceback" not in result.stderr
    assert "beat 3" in lines[0]
    assert "inside the hold from beat 2 (lane 1)" in lines[0]
    assert not (tmp_path / "x.ssc").exists()


def test_verify_for_the_target_format_shows_the_refusal_as_a_problem():
    """What the editor's Save/Export review lists (check_song with the target format): one PROBLEM, the ``holds``
    check's; ``representable`` leaves that note to it (one bad note, one row)."""
    song = loads(OVERLAPPING_OSU, "osu")
    issues = [i for i in check_song(song, target_format="ssc") if i.severity.name == "PROBLEM"]
    assert [i.check_id for i in issues] == ["holds"]
    assert "overlaps the hold from beat 2" in issues[0].message


@pytest.mark.parametrize("writer", [sm, ssc])
def test_a_tap_inside_a_hold_is_written_back_as_it_was_and_listed(writer):
    """Our reader keeps both (StepMania drops the hold): the file is written as read, and the list says so."""
    song = song_of(Note(F(0), 0, NoteKind.HOLD, F(2)), Note(F(1), 0), Note(F(3, 2), 0, NoteKind.MINE))
    assert writer.loads(writer.dumps(song)).charts[0].notes == song.charts[0].notes
    assert conversions(song, writer.NAME)[-2:] == [
        "conversion: dance-single/Hard: tap inside the hold from beat 0 (lane 1): StepMania drops that hold (kept "
        "here; Verify flags it)",
        "conversion: dance-single/Hard: mine inside the hold from beat 0 (lane 1): StepMania drops that hold (kept "
        "here; Verify flags it)"]


@pytest.mark.parametrize("module", [osu_mania, game_json])
def test_osu_and_json_hold_overlapping_holds_as_they_are(module):
    """Each hit object (each JSON note) stands alone: nothing is lost, so nothing is refused; Verify flags them."""
    song = loads(OVERLAPPING_OSU, "osu")
    assert not [p for p in module.problems(song) if p.fatal]
    assert module.loads(module.dumps(song)).charts[0].notes == song.charts[0].notes

"""Verify findings about a row: a couple Beginner chart whose players each step one arrow at a time has no jumps
(each player on their own pad, as the ``hands`` check and ``info``), and ``audio-range`` names the lanes of a row
out of the audio in one line rather than repeating the same line for each arrow of a jump or hand."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.checks.base import CheckContext, Issue, Severity
from chart.checks.registry import run_checks
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData


def _song(notes: list[Note], mode: str = "dance-single", lanes: int = 4, slot: Slot = Slot.HARD) -> Song:
    chart = Chart(slot=slot, meter=1, notes=sorted(notes), mode=mode, lanes=lanes)
    return Song(title="t", timing=TimingData.constant(120), charts=[chart])  # a beat is 0.5 s


def _found(song: Song, check_id: str, **kwargs) -> list[Issue]:
    return [i for i in run_checks(CheckContext(song, song.charts[0], **kwargs)) if i.check_id == check_id]


@pytest.mark.parametrize(("mode", "lanes"), [("dance-couple", 8), ("pump-couple", 10)])
def test_both_players_stepping_one_arrow_each_is_no_beginner_jump(mode, lanes):
    half = lanes // 2
    notes = [Note(Fraction(b), lane) for b in range(32) for lane in (b % 4, half + (b + 1) % 4)]
    assert _found(_song(notes, mode, lanes, Slot.BEGINNER), "beginner") == []


def test_a_couple_beginner_counts_each_players_jumps_over_each_players_rows():
    """Player 2 jumps on 4 of 32 beats, player 1 never: 4 jumps of 64 player-rows (6 %), an INFO."""
    steps = [Note(Fraction(b), lane) for b in range(32) for lane in (0, 5)]
    jumps = [Note(Fraction(b), 6) for b in range(3, 32, 8)]
    (issue,) = _found(_song(steps + jumps, "dance-couple", 8, Slot.BEGINNER), "beginner")
    assert issue.severity == Severity.INFO
    assert issue.message == "4 jumps in a Beginner chart (6% of rows), first at beat 3"
    assert set(issue.notes) == {n for n in steps + jumps if n.lane >= 4 and n.beat in (3, 11, 19, 27)}


def test_a_doubles_beginner_is_still_one_player_on_both_pads():
    notes = [Note(Fraction(b), lane) for b in range(32) for lane in (0, 4)]
    (issue,) = _found(_song(notes, "dance-double", 8, Slot.BEGINNER), "beginner")
    assert issue.message.startswith("32 jumps in a Beginner chart (100% of rows)")


def test_a_jump_and_a_hand_after_the_audio_are_one_line_each_naming_their_lanes():
    notes = [Note(Fraction(40), 0), Note(Fraction(40), 1),  # 20 s: a jump
             Note(Fraction(41), 0), Note(Fraction(41), 1), Note(Fraction(41), 2),  # a hand
             Note(Fraction(42), 3), Note(Fraction(42), 2, NoteKind.MINE)]  # a tap and a mine: two kinds, two lines
    found = _found(_song(notes), "audio-range", audio_length_s=19.0)
    assert [(i.severity, i.message) for i in found] == [
        (Severity.PROBLEM, "taps at beat 40 (lanes 1, 2) are 1.000 s after the audio ends (19.000 s)"),
        (Severity.PROBLEM, "taps at beat 41 (lanes 1, 2, 3) are 1.500 s after the audio ends (19.000 s)"),
        (Severity.PROBLEM, "tap at beat 42 (lane 4) is 2.000 s after the audio ends (19.000 s)"),
        (Severity.WARNING, "mine at beat 42 (lane 3) is 2.000 s after the audio ends (19.000 s)")]
    assert [len(i.notes) for i in found] == [2, 3, 1, 1]  # every note still selected by a click
    assert sum(len(i.notes) for i in found) == len(notes)


def test_holds_of_one_row_with_different_overruns_stay_apart_and_name_their_lanes():
    notes = [Note(Fraction(36), 0, NoteKind.HOLD, Fraction(2)), Note(Fraction(36), 3, NoteKind.HOLD, Fraction(4)),
             Note(Fraction(-2), 1), Note(Fraction(-2), 2)]  # a jump at -1 s: before the audio
    found = _found(_song(notes), "audio-range", audio_length_s=18.5)
    assert [i.message for i in found] == [
        "taps at beat -2 (lanes 2, 3) are 1.000 s before the audio starts (games play silence first; check the "
        "offset)",
        "hold at beat 36 (lane 1) ends 0.500 s after the audio ends (18.500 s)",
        "hold at beat 36 (lane 4) ends 1.500 s after the audio ends (18.500 s)"]


def test_a_couple_charts_densest_spot_is_the_busier_players():
    """The density check's figure is the busier player's (as the Stats panel's); its "densest around" and its note
    minimum were counted over both players, so player 2's short burst was named where player 1 is the dense one."""
    p1 = [Note(Fraction(b, 4), b % 4) for b in range(4 * 32)]  # 16ths for 32 beats: 8 notes/s
    p2 = [Note(Fraction(b), 4) for b in range(0, 200, 4)]  # sparse, with one burst of 24 32nds at beat 120
    p2 += [Note(Fraction(121) + Fraction(b, 8), 5 + b % 3) for b in range(24)]
    (issue,) = _found(_song(p1 + p2, "dance-couple", 8, Slot.BEGINNER), "density")
    assert "densest around beat 12" not in issue.message
    assert issue.message.startswith("8.00 notes/s is far above")
    assert 0 <= issue.beat < 32  # where player 1 steps


def test_a_couple_chart_whose_busier_player_has_few_steps_is_not_judged_for_density():
    """Fewer than 20 steps say nothing about density: per player, as the figure is."""
    notes = [Note(Fraction(b, 4), lane) for b in range(12) for lane in (b % 4, 4 + b % 4)]  # 12 steps each
    assert _found(_song(notes, "dance-couple", 8, Slot.BEGINNER), "density") == []

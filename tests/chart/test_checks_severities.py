"""Verify severities that called playable or storable charts broken (exit 1 in ``check``), and findings reported
twice or worded wrong: a hold whose tail ends a few ms after the audio, a note before 0 s (games add a lead-in),
notes off the 1/192 grid for the JSON export (it keeps them), couple charts (two players, two pads) read as one
player's hands, one off-grid note counted as two PROBLEMs, a late hold's message giving its tail's overrun."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.checks.base import CheckContext, Issue, Severity
from chart.checks.registry import check_song, run_checks
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData


def song_of(notes: list[Note], offset: str = "0", mode: str = "dance-single", lanes: int = 4,
            slot: Slot = Slot.HARD) -> Song:
    """120 BPM (a beat is 0.5 s; beat 0 at -offset s), one chart of a clean stream from beat 4 to 19 plus ``notes``."""
    stream = [Note(Fraction(b), b % 4) for b in range(4, 20)]
    chart = Chart(slot=slot, meter=8, notes=sorted(stream + notes), mode=mode, lanes=lanes)
    return Song(title="t", timing=TimingData.constant(120, offset), charts=[chart])


def found(song: Song, check_id: str, **kwargs) -> list[Issue]:
    return [i for i in run_checks(CheckContext(song, song.charts[0], **kwargs)) if i.check_id == check_id]


def test_a_hold_whose_tail_alone_runs_past_the_audio_is_a_warning():
    """hodobox's "Vojtech" ends a hold 6 ms after its audio: StepMania plays on past the music, the head is judged
    within it; a PROBLEM made ``check`` exit 1 on a published chart."""
    song = song_of([Note(Fraction(16), 0, NoteKind.HOLD, Fraction(4))], offset="-0.005")  # 8.005 s .. 10.005 s
    (issue,) = found(song, "audio-range", audio_length_s=10.0)
    assert (issue.severity, issue.message) == (Severity.WARNING, "hold at beat 16 (lane 1) ends 0.005 s after the "
                                                                 "audio ends (10.000 s)")
    late_tap = song_of([Note(Fraction(21), 1)], offset="-0.005")  # its step is judged after the end: still broken
    assert [i.severity for i in found(late_tap, "audio-range", audio_length_s=10.0)] == [Severity.PROBLEM]


def test_a_hold_starting_after_the_audio_gives_its_heads_overrun():
    song = song_of([Note(Fraction(24), 0, NoteKind.HOLD, Fraction(4)), Note(Fraction(24), 1)])  # 12 s .. 14 s
    messages = [(i.severity, i.message) for i in found(song, "audio-range", audio_length_s=10.0)]
    assert messages == [(Severity.PROBLEM, "hold at beat 24 (lane 1) is 2.000 s after the audio ends (10.000 s)"),
                        (Severity.PROBLEM, "tap at beat 24 (lane 2) is 2.000 s after the audio ends (10.000 s)")]


def test_a_note_before_0_s_is_a_warning_as_the_games_play_it_after_a_lead_in():
    song = song_of([Note(Fraction(0), 0)], offset="0.5")  # beat 0 at -0.5 s
    for fmt in (None, "sm", "ssc", "osu", "json"):
        issues = [i for i in run_checks(CheckContext(song, song.charts[0], audio_length_s=60.0, target_format=fmt))
                  if i.severity == Severity.PROBLEM]
        assert issues == [], fmt
    (issue,) = found(song, "audio-range", audio_length_s=60.0)
    assert issue.severity == Severity.WARNING
    assert issue.message.startswith("tap at beat 0 (lane 1) is 0.500 s before the audio starts (games play "
                                     "silence first")


def test_a_note_before_beat_0_is_still_a_problem_where_the_format_cannot_hold_it():
    song = song_of([Note(Fraction(-1), 0)], offset="-1")  # beat -1 at 0.5 s: in the audio, but before beat 0
    (issue,) = found(song, "representable", target_format="ssc")
    assert (issue.severity, issue.message) == (Severity.PROBLEM, "ssc: beat -1: note before beat 0")
    assert found(song, "audio-range", audio_length_s=60.0) == []


@pytest.mark.parametrize("fmt", ["sm", "ssc", "osu", None])
def test_off_grid_notes_are_problems_for_the_stepmania_and_osu_targets(fmt):
    song = song_of([Note(Fraction(21, 5), 1), Note(Fraction(22, 5), 2)])
    assert [i.severity for i in found(song, "unsnapped", target_format=fmt)] == [Severity.PROBLEM] * 2


def test_off_grid_notes_for_the_json_export_are_one_info():
    """The JSON export keeps any beat exactly (docs/editor.md, Snap): a 1/5-beat stream was 48 PROBLEMs there."""
    fifths = [Note(Fraction(20) + Fraction(k, 5), k % 4) for k in range(1, 20) if k % 5]
    tail = Note(Fraction(30), 0, NoteKind.HOLD, Fraction(6, 5))  # only its end is off the grid
    both = Note(Fraction(161, 5), 1, NoteKind.HOLD, Fraction(7, 5))  # head and end off the grid: counted once
    song = song_of(fifths + [tail, both])
    issues = run_checks(CheckContext(song, song.charts[0], audio_length_s=60.0, target_format="json"))
    assert [i for i in issues if i.severity == Severity.PROBLEM] == []
    (issue,) = [i for i in issues if i.check_id == "unsnapped"]
    assert issue.severity == Severity.INFO
    assert issue.message == ("18 notes off the 1/192 grid, first at beat 20.2: the JSON export keeps them exactly "
                             "(.sm, .ssc and .osu cannot)")
    assert set(issue.notes) == set(fifths) | {tail, both}
    assert issue.beat == Fraction(101, 5)


@pytest.mark.parametrize("fmt", ["sm", "ssc", "osu"])
def test_an_off_grid_note_or_hold_end_is_one_problem_that_names_it(fmt):
    """unsnapped and representable both reported an off-grid note (doubling the counts), and for .osu a hold whose
    tail is off the grid was named at its head only ("beat 44: would read back 4.17 ms away")."""
    note = Note(Fraction(41) + Fraction(1, 5), 1)
    hold = Note(Fraction(44), 2, NoteKind.HOLD, Fraction(1, 5))
    notes = [Note(Fraction(b), b % 4) for b in range(4, 40)] + [note, hold]
    song = Song(title="x", timing=TimingData.constant(120), charts=[Chart(slot=Slot.HARD, meter=8, notes=notes)])
    problems = [i for i in check_song(song, audio_length_s=60, target_format=fmt) if i.severity == Severity.PROBLEM]
    assert [(i.check_id, i.message.split(" (")[0], i.notes) for i in problems] == [
        ("unsnapped", "note at beat 41.2 off the 1/192 grid", (note,)),
        ("unsnapped", "hold end at beat 44.2 off the 1/192 grid", (hold,))]


def test_an_off_grid_note_before_beat_0_keeps_the_formats_own_problem():
    """Only the grid entries go to ``unsnapped``: the format's other reasons for the same note stay."""
    song = song_of([Note(Fraction(-1, 5), 0)], offset="-1")
    assert [i.message for i in found(song, "representable", target_format="sm")] == ["sm: beat -0.2: note before "
                                                                                      "beat 0"]


@pytest.mark.parametrize(("mode", "lanes"), [("dance-couple", 8), ("pump-couple", 10)])
def test_a_couple_chart_is_two_players_each_on_their_own_pad(mode, lanes):
    half = lanes // 2
    both_jump = [Note(Fraction(41), lane) for lane in (0, 3, half, half + 3)]  # each player jumps: no hands
    p1_jump_p2_step = [Note(Fraction(43), lane) for lane in (0, 3, half + 1)]
    p2_hands = [Note(Fraction(45), half, NoteKind.HOLD, Fraction(2)), Note(Fraction(46), half + 1),
                Note(Fraction(46), half + 2)]  # player 2 jumps while holding: needs a hand
    song = song_of(both_jump + p1_jump_p2_step + p2_hands, mode=mode, lanes=lanes, slot=Slot.MEDIUM)
    issues = found(song, "hands")
    assert [(i.severity, i.beat) for i in issues] == [(Severity.WARNING, Fraction(46))]
    assert issues[0].message == "player 2: a jump while 1 hold is down at beat 46: two feet cannot press them together"
    assert set(issues[0].notes) == set(p2_hands)


def test_a_doubles_chart_is_still_one_player_on_both_pads():
    song = song_of([Note(Fraction(41), lane) for lane in (0, 3, 4, 7)], mode="dance-double", lanes=8,
                   slot=Slot.MEDIUM)
    assert [i.message.split(" at ")[0] for i in found(song, "hands")] == ["4-panel hand"]

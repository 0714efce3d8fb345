"""The .sm/.ssc readers on files from the wild, StepMania 5's semantics, and what the writers refuse."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.formats import sm, ssc
from chart.formats.errors import ParseError, WriteError
from chart.formats.msd import escape, parse_tags
from chart.formats.notedata import format_notes, parse_notes, unrepresentable_notes
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

MINIMAL = "#TITLE:t;\n#OFFSET:0;\n#BPMS:0=120;\n#NOTES:dance-single:d:Hard:5::\n{}\n;\n"


def notes_of(data: str) -> list[Note]:
    return sm.loads(MINIMAL.format(data)).charts[0].notes


def test_worked_example_times_match_stepmania():
    """The example of chart-editors.md 5.4, note times worked out by StepMania's rules."""
    text = ("#OFFSET:-0.100;\n#BPMS:0.000=120.000,8.000=240.000;\n#STOPS:4.000=0.500;\n"
            "#NOTES:dance-single::Easy:1::\n1000\n0100\n0010\n0001\n,\n2000\n0000\n3000\n0M00\n;")
    song = sm.loads(text)
    t = song.timing
    times = [t.beat_to_seconds(n.beat) for n in song.charts[0].notes]
    assert times == [F(1, 10), F(6, 10), F(11, 10), F(16, 10), F(21, 10), F(41, 10)]
    hold = song.charts[0].notes[4]
    assert (hold.kind, hold.length, t.beat_to_seconds(hold.end_beat)) == (NoteKind.HOLD, 2, F(36, 10))
    assert t.seconds_to_beat(3) == F(24, 5)  # stop over at 2.6 s, then 0.4 s at 120 BPM


def test_lenient_syntax_bom_crlf_comments_missing_semicolon_escapes():
    text = ("\ufeff#TITLE:Re\\:Zero // a comment\r\n#ARTIST:a\\;b\r\n#BPMS:0=120\r\n"  # missing ';' twice
            "#NOTES:dance-single:desc:Hard:7:0.5,0.5:\r\n1000 // first row\r\n0000\r\n0000\r\n0000\r\n;")
    song = sm.loads(text)
    assert song.title == "Re:Zero"
    assert song.artist == "a;b"
    assert song.timing.bpms == ((F(0), F(120)),)
    assert song.charts[0].notes == [Note(F(0), 0)]


def test_tags_are_case_insensitive_and_freezes_is_stops():
    song = sm.loads("#title:x;\n#bpms:0=100;\n#FREEZES:1=0.5;\n")
    assert song.title == "x"
    assert song.timing.stops == ((F(1), F(1, 2)),)


def test_windows_1252_text_is_read():
    data = "#TITLE:Caf\u00e9;\n#BPMS:0=120;\n".encode("cp1252")
    assert sm.load_bytes(data).title == "Caf\u00e9"


def test_measure_lines_are_placed_on_stepmania_rows():
    # 5 lines in a measure: line i at 4i/5 beats, rounded to the 1/48 row as StepMania does.
    beats = [n.beat for n in notes_of("1000\n1000\n1000\n1000\n1000")]
    assert beats == [F(0), F(38, 48), F(77, 48), F(115, 48), F(154, 48)]


def test_holds_rolls_mines_lifts_fakes_and_stepmania_drops():
    report: list = []
    text = MINIMAL.format("2400\nM0LF\n3030\nK000\n,\n0300\n2000\n0000\n0000")
    notes = sm.loads(text, report).charts[0].notes
    assert Note(F(0), 0, NoteKind.HOLD, F(2)) in notes
    assert Note(F(0), 1, NoteKind.ROLL, F(4)) in notes
    assert {(n.lane, n.kind) for n in notes if n.beat == 1} == {
        (0, NoteKind.MINE), (2, NoteKind.LIFT), (3, NoteKind.FAKE)}
    reasons = " ".join(p.reason for p in report)  # orphan tail (lane 2), unclosed head, keysound
    assert "orphan tail" in reasons
    assert "unclosed head" in reasons
    assert "auto-keysound" in reasons
    assert all(not p.fatal for p in report)


def test_negative_bpm_becomes_a_warp_with_the_same_note_times():
    # 120 BPM; at beat 4 a -120 BPM segment for 1 beat runs the clock back 0.5 s, then 120 BPM again:
    # StepMania 5 skips beats 4..6 (1 beat back + 1 beat to catch up).
    text = "#OFFSET:0;\n#BPMS:0=120,4=-120,5=120;\n#NOTES:dance-single::Easy:1::\n1000\n0000\n0000\n0000\n,\n" \
           "0000\n0000\n1000\n1000\n;"
    song = sm.loads(text)
    assert song.timing.bpms == ((F(0), F(120)), (F(5), F(120)))  # the negative entry goes, the others stay
    assert song.timing.warps == ((F(4), F(2)),)
    assert [song.timing.beat_to_seconds(n.beat) for n in song.charts[0].notes] == [0, 2, F(5, 2)]


def test_negative_stop_becomes_a_warp_and_is_written_back_as_one():
    text = "#OFFSET:0;\n#BPMS:0=120;\n#STOPS:4=-1;\n"
    song = sm.loads(text)
    assert (song.timing.stops, song.timing.warps) == ((), ((F(4), F(2)),))
    assert "#STOPS:4.000=-1.000;" in sm.dumps(song)


def test_stop_before_a_negative_bpm_is_kept():
    song = sm.loads("#BPMS:0=100,8=-100,12=100;\n#STOPS:8=0.6;\n")
    # The stop plays (clock at T + 0.6 s), the clock runs back 2.4 s over beats 8..12, and at 100 BPM it takes
    # 4 more beats to be back at T + 0.6 s: beats 8..16 are skipped and beat 16 plays right after the stop.
    assert song.timing.stops == ((F(8), F(3, 5)),)
    assert song.timing.warps == ((F(8), F(8)),)
    assert song.timing.beat_to_seconds(16) == song.timing.beat_to_seconds(8) + F(3, 5)


def test_bad_values_raise_one_line_parse_errors_with_line_numbers():
    with pytest.raises(ParseError, match=r"line 2: #BPMS value is not a number"):
        sm.loads("#TITLE:x;\n#BPMS:0=fast;\n")
    report: list = []  # a BPM of 0 is ignored, as StepMania ignores it; with none left, 60 BPM as there
    assert sm.loads("#BPMS:0=0;", report).timing.bpms == ((F(0), F(60)),)
    assert "BPM(s) of 0" in report[0].reason
    with pytest.raises(ParseError, match="needs 6"):
        sm.loads("#NOTES:dance-single:x:Easy;")


def test_writer_uses_the_fewest_lines_per_measure():
    notes = [Note(F(0), 0), Note(F(1, 3), 1), Note(F(4), 0), Note(F(4) + F(1, 48), 2), Note(F(8), 3)]
    blocks = format_notes(notes, 4).split("\n,\n")
    assert [len(b.split("\n")) for b in blocks] == [12, 192, 4]


@pytest.mark.parametrize(("beat", "why"), [
    (F(1, 96), "off StepMania's grid"),  # a 1/384 measure: finer than 192 rows
    (F(1, 5), "off StepMania's grid"),
    (F(-1), "before beat 0"),
])
def test_unrepresentable_notes_are_reported_and_refused(beat, why):
    chart = Chart(notes=[Note(F(0), 0), Note(beat, 1)])
    problems = unrepresentable_notes(chart.notes, 4)
    assert [(p.note, p.fatal) for p in problems] == [(Note(beat, 1), True)]
    assert why in problems[0].reason
    with pytest.raises(WriteError, match=why):
        ssc.dumps(Song(charts=[chart]))


def test_collisions_and_zero_length_holds_are_refused():
    chart = Chart(notes=[Note(F(0), 0, NoteKind.HOLD, F(1)), Note(F(1), 0), Note(F(2), 1, NoteKind.HOLD, F(0))])
    reasons = [p.reason for p in unrepresentable_notes(chart.notes, 4)]
    assert any("same lane and row" in r for r in reasons)
    assert any("length 0" in r for r in reasons)


def test_sm_refuses_per_chart_timing():
    """(A delay with a note on the row before it was refused here too; the stop one row earlier times that note
    the same, so it is written: test_sm_delay_row.py.)"""
    chart = Chart(notes=[Note(F(0), 0)], timing=TimingData.constant(150))
    with pytest.raises(WriteError, match="one timing per song"):
        sm.dumps(Song(charts=[chart]))


def test_sm_keeps_a_chart_whose_own_timing_differs_only_in_display_tags():
    """SM5 editors give a chart its own timing for scroll gimmicks alone (bossy.ssc of the shared simfiles):
    the notes time the same with the song's timing, so .sm drops the gimmicks (a note) instead of refusing. A
    chart whose own FAKES differ is refused: that changes which notes are judged."""
    song_timing = TimingData(bpms=((F(0), F(150)),), extra=(("SCROLLS", "0.000=1.000"),))
    own = TimingData(bpms=((F(0), F(150)),), extra=(("SCROLLS", "0.000=1.000,\n8.000=0.500"), ("SPEEDS", "0=1=0=0")))
    song = Song(timing=song_timing, charts=[Chart(notes=[Note(F(0), 0), Note(F(9), 1)], timing=own)])
    notes = [p for p in sm.problems(song) if "one timing per song" in p.reason]
    assert len(notes) == 1
    assert not notes[0].fatal
    assert "SCROLLS, SPEEDS" in notes[0].reason
    back = sm.loads(sm.dumps(song))
    assert back.charts[0].notes == song.charts[0].notes
    assert back.charts[0].timing is None
    judged = Chart(notes=[Note(F(0), 0)], timing=TimingData(bpms=((F(0), F(150)),), extra=(("FAKES", "4=2"),)))
    with pytest.raises(WriteError, match="one timing per song"):
        sm.dumps(Song(timing=TimingData(bpms=((F(0), F(150)),)), charts=[judged]))


def test_sm_writes_delays_as_stops_one_row_earlier_with_the_same_times():
    timing = TimingData(bpms=((F(0), F(120)),), delays=((F(2), F(1, 4)),))
    song = Song(timing=timing, charts=[Chart(notes=[Note(F(1), 0), Note(F(2), 1), Note(F(3), 2)])])
    back = sm.loads(sm.dumps(song))
    assert back.timing.stops == ((F(2) - F(1, 48), F(1, 4)),)
    assert [back.timing.beat_to_seconds(n.beat) for n in back.charts[0].notes] == \
        [timing.beat_to_seconds(n.beat) for n in song.charts[0].notes]


def test_ssc_chart_timing_falls_back_to_song_bpms_and_offset():
    text = ("#VERSION:0.83;\n#OFFSET:-0.5;\n#BPMS:0=100;\n#NOTEDATA:;\n#STEPSTYPE:dance-single;\n"
            "#DIFFICULTY:Medium;\n#STOPS:1=0.25;\n#NOTES:\n1000\n0000\n0000\n0000\n;\n"
            "#NOTEDATA:;\n#DIFFICULTY:Edit;\n#DESCRIPTION:no notes tag;\n")
    song = ssc.loads(text)
    (chart,) = song.charts  # a #NOTEDATA without #NOTES is skipped, as StepMania does
    assert chart.slot == Slot.MEDIUM
    assert chart.timing == TimingData(offset=F(-1, 2), bpms=((F(0), F(100)),), stops=((F(1), F(1, 4)),))


def test_unknown_difficulty_and_meter_placeholders_are_lenient():
    song = sm.loads("#NOTES:dance-single::Oni:?::0000;\n#NOTES:dance-single::Wild:3.0::0000;")
    assert [(c.slot, c.meter) for c in song.charts] == [(Slot.CHALLENGE, 1), (Slot.EDIT, 3)]


def test_escape_round_trips_through_the_tokenizer():
    for value in ["a:b;c#d\\e", "http://x//y", "line\n#not a tag", "trailing\\"]:
        tag = parse_tags(f"#T:{escape(value)};")[0]
        assert tag.text == value.strip()


def test_huge_input_is_refused_quickly():
    with pytest.raises(ParseError, match="too large"):
        sm.loads("0" * (21 * 1024 * 1024))


def test_parse_notes_counts_are_exact_for_many_measures():
    data = "\n,\n".join(["1000\n0100\n0010\n0001"] * 500)
    notes, ignored = parse_notes(data, 4)
    assert len(notes) == 2000
    assert ignored == {}
    assert notes[-1].beat == F(1999, 1)


def test_regression_hash_at_the_start_of_an_unknown_tag_value_survives():
    """Found converting ../shared/data/charts-only: '#MENUCOLOR:#FF0000;' came back as '\\#FF0000'."""
    song = sm.loads("#MENUCOLOR:#FF0000;\n#BPMS:0=120;\n")
    assert song.extra == [("MENUCOLOR", "#FF0000")]
    assert "#MENUCOLOR:#FF0000;" in ssc.dumps(song)
    assert ssc.loads(ssc.dumps(song)).extra == song.extra


def test_regression_sm_radar_field_with_hash_or_colon_stays_one_field():
    """Found by the hypothesis round trip: a radar value '#0' began a line of #NOTES and opened a new tag."""
    chart = Chart(notes=[Note(F(0), 0)], extra=[("RADARVALUES", "#0:1")])
    back = sm.loads(sm.dumps(Song(charts=[chart])))
    assert back.charts[0].extra == [("RADARVALUES", "#0:1")]
    assert back.charts[0].notes == chart.notes


def test_regression_warp_written_as_negative_stop_comes_back_exact():
    """Found converting ../shared/data/charts-only (190 BPM, 8-beat warps): 6 decimals of stop seconds gave
    warps of 8.00000098 beats. Seconds now carry 9 decimals and near-row warp lengths snap back."""
    timing = TimingData(bpms=((F(0), F(190)),), warps=((F(28), F(16)), (F(1631, 8), F(8))))
    song = Song(timing=timing, charts=[Chart(notes=[Note(F(44), 0)])])
    assert sm.loads(sm.dumps(song)).timing.warps == timing.warps


# ------------------------------------------------------------------------------- read as StepMania reads (audit)
def read_with_report(text: str, reader=sm) -> tuple[Song, list[str]]:
    report: list = []
    song = reader.loads(text, report)
    assert all(not p.fatal for p in report)
    return song, [p.reason for p in report]


def test_note_lines_stepmania_accepts_are_read_as_it_reads_them_and_reported():
    """A lower-case 'm' (empty in StepMania), a line longer or shorter than the lanes: the file plays in StepMania,
    so it opens here too (it was a ParseError), read the same way and said in the read report."""
    song, reasons = read_with_report(MINIMAL.format("m100\n10000[3]\n01\n0001"))
    assert [(n.beat, n.lane) for n in song.charts[0].notes] == [(0, 1), (1, 0), (2, 1), (3, 3)]
    assert reasons == ["1 unknown character 'm' in the note data read as empty, as StepMania does",
                       "1 keysound index(es) [n] on notes dropped (#KEYSOUNDS itself is kept)",
                       "1 note line(s) longer than 4 characters: the extra ones ignored, as StepMania does",
                       "1 note line(s) shorter than 4 characters: the lanes they lack read as empty, as StepMania "
                       "does"]


def test_a_note_inside_a_hold_of_its_lane_is_kept_and_reported():
    """StepMania drops such a hold; we keep both (Verify flags the overlap) and say so, instead of claiming to read
    as StepMania does."""
    song, reasons = read_with_report(MINIMAL.format("2000\n1000\n3000\n0000"))
    assert song.charts[0].notes == [Note(F(0), 0, NoteKind.HOLD, F(2)), Note(F(1), 0)]
    assert reasons == ["1 hold(s) with a note inside on their lane: StepMania drops such a hold; kept here "
                       "(Verify flags it)"]
    from chart.checks.registry import check_song

    assert any(i.check_id == "note-in-hold" and i.severity.name == "PROBLEM" for i in check_song(song))


ROUTINE = ("#TITLE:r;\n#OFFSET:0;\n#BPMS:0=120;\n#NOTES:\n dance-routine:\n :\n Hard:\n 5:\n :\n"
           "10000000\n01000000\n00100000\n00010000\n&\n00001000\n00000100\n00000010\n00000001\n;\n")


@pytest.mark.parametrize("writer", [sm, ssc])
def test_routine_player_two_is_kept_and_written_back(writer):
    """Player 2's notes (after '&') were dropped on read, so saving a routine chart lost half of it."""
    from chart.formats import game_json, osu_mania
    from chart.formats.notedata import PLAYER2

    song, reasons = read_with_report(ROUTINE)
    (chart,) = song.charts
    assert [n.lane for n in chart.notes] == [0, 1, 2, 3]
    assert dict(chart.extra)[PLAYER2] == "00001000\n00000100\n00000010\n00000001"
    assert reasons == ["player 2's 4 notes (after '&') are kept unchanged and written back to .sm/.ssc; only "
                       "player 1's are shown and edited"]
    text = writer.dumps(song)
    assert "00010000\n&\n00001000\n00000100\n00000010\n00000001\n;" in text
    assert PLAYER2 not in text  # not a tag of its own
    assert writer.loads(text) == song
    assert not [p for p in writer.problems(song) if "player 2" in p.reason or PLAYER2 in p.reason]
    assert any("player 2" in p.reason and not p.fatal for p in osu_mania.problems(song))  # listed where lost
    assert any("player 2" in p.reason and not p.fatal for p in game_json.problems(song))


def test_sm_writes_taps_inside_fake_segments_as_fake_notes():
    """StepMania 5's .sm reader ignores #FAKES (and #SCROLLS #SPEEDS #COMBOS #LABELS): the .sm kept #FAKES, so the
    never-judged notes became judged in game without a word."""
    song = ssc.loads("#VERSION:0.83;\n#OFFSET:0;\n#BPMS:0=120;\n#FAKES:4=4;\n#SCROLLS:0=1,8=2;\n#NOTEDATA:;\n"
                     "#STEPSTYPE:dance-single;\n#DIFFICULTY:Hard;\n#METER:5;\n#NOTES:\n1000\n0000\n0000\n0000\n,\n"
                     "1L0M\n0000\n2000\n3000\n,\n1000\n0000\n0000\n0000\n;\n")
    reasons = [(p.reason, p.fatal) for p in sm.problems(song)]
    assert ("StepMania 5 ignores #SCROLLS in .sm files (display only: plain scroll and combo in game)",
            False) in reasons
    assert ("tap inside a fake segment written as a fake note (F): StepMania 5 ignores #FAKES in .sm files",
            False) in reasons
    assert ("lift inside a fake segment written as a fake note (F): StepMania 5 ignores #FAKES in .sm files",
            False) in reasons
    assert sum("becomes judged" in r and not fatal for r, fatal in reasons) == 2  # the mine and the hold
    text = sm.dumps(song)
    assert "#FAKES" not in text
    assert "#SCROLLS:" in text
    assert "\nFF0M\n" in text  # beat 4: the tap and the lift become fakes, the mine stays; beat 8 stays a tap
    back, notes = read_with_report(text)
    assert notes == []  # no #FAKES left to say anything about
    kinds = [(n.beat, n.kind) for n in back.charts[0].notes]
    assert (F(4), NoteKind.FAKE) in kinds
    assert (F(8), NoteKind.TAP) in kinds
    _, reasons_in = read_with_report(MINIMAL.replace("#BPMS:0=120;", "#BPMS:0=120;\n#FAKES:0=2;").format("1000"))
    assert reasons_in == ["1 notes inside #FAKES segments: StepMania 5 ignores #FAKES in a .sm file and judges "
                          "them (they are read as never judged)"]


def test_ssc_before_version_070_reads_as_stepmania_reads_it():
    """Below #VERSION 0.70 StepMania ignores chart timing tags and reads #WARPS as end beats."""
    text = ("#VERSION:0.59;\n#OFFSET:0;\n#BPMS:0=120;\n#WARPS:4=8;\n#NOTEDATA:;\n#STEPSTYPE:dance-single;\n"
            "#DIFFICULTY:Hard;\n#METER:5;\n#BPMS:0=60;\n#NOTES:\n1000\n0000\n0000\n0000\n,\n0100\n0000\n0000\n0000\n"
            ",\n0010\n0000\n0000\n0000\n;\n")
    song, reasons = read_with_report(text, ssc)
    chart = song.charts[0]
    assert chart.timing is None
    assert song.timing.warps == ((F(4), F(4)),)
    assert [song.timing.beat_to_seconds(n.beat) for n in chart.notes] == [0, 2, 2]  # beat 4 warped, 8 at 2 s
    assert reasons == ["#WARPS values read as end beats: the file's #VERSION is below 0.70, as StepMania does",
                       "chart-level #BPMS ignored: the file's #VERSION is below 0.70 (no split timing yet), as "
                       "StepMania does"]
    assert ssc.loads(ssc.dumps(song)) == song  # written as 0.83, same play
    current = ssc.loads(text.replace("0.59", "0.70"))
    assert current.charts[0].timing is not None
    assert current.timing.warps == ((F(4), F(8)),)


def test_legacy_difficult_is_medium_as_in_stepmania():
    song = sm.loads("#NOTES:dance-single::Difficult:7::0000;\n#NOTES:dance-single::Hard:9::0000;")
    assert [c.slot for c in song.charts] == [Slot.MEDIUM, Slot.HARD]
    assert Slot.parse("difficult") == Slot.MEDIUM


def test_an_attack_with_a_space_stays_on_its_line_and_suffixes_are_reported():
    """StepMania splits note data into lines (then trims them): an attack "{*2 drunk:4.000}" (.ssc) holds a space,
    and splitting on any whitespace made 5 rows of a 4-line measure, moving its notes to 19/24 and 77/24."""
    notes, ignored = parse_notes("1000\n  0100[1]\nA000{*2 drunk:4.000}\n0001\n", 4)
    assert [(n.beat, n.lane) for n in notes] == [(0, 0), (1, 1), (3, 3)]
    assert ignored["keysound index"] == 1
    assert ignored["attack suffix"] == 1
    assert ignored["A"] == 1

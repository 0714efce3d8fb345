"""Review timestamps: osu!'s text written and read back, the other forms Go to Timestamp reads, and matching the
listed notes (1 ms, lane) on a chart whose timing has tempo changes and stops."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chart.notes import Note, NoteKind
from chart.timestamp import (
    Position,
    TimestampError,
    find_picks,
    format_time,
    format_timestamp,
    parse_timestamp,
    picks_of,
    timestamp_for,
)
from chart.timing import TimingData
from tests.chart.helpers import hold, tap

#: 150 BPM, 200 from beat 8, 87.5 from beat 20; a 0.5 s stop at beat 4 and a 1/3 s stop at beat 16; 3/4 from 24
TIMING = TimingData(offset=Fraction("0.037"), bpms=((0, 150), (8, 200), (20, Fraction(175, 2))),
                    stops=((4, Fraction(1, 2)), (16, Fraction(1, 3))), time_signatures=((24, 3, 4),))


def test_format_is_osus_editor_text():
    assert format_time(0) == "00:00:000"
    assert format_time(83_456) == "01:23:456"
    assert format_time(-1250) == "-00:01:250"
    assert format_time(6_000_123) == "100:00:123"  # minutes past 99 keep counting, as osu-web reads them
    assert format_timestamp(5920, [(5920, 3), (6623, 3), (6857, 2)]) == "00:05:920 (5920|3,6623|3,6857|2) - "
    assert format_timestamp(12_000) == "00:12:000 - "


def test_a_selection_is_listed_in_time_order_from_its_first_note():
    timing = TimingData.constant(120, "-0.1")  # beat 0 at 0.1 s
    notes = [tap(2, 3), tap(1, 2), tap(1, 0)]  # any order
    assert timestamp_for(notes, timing, 99.0) == "00:00:600 (600|0,600|2,1100|3) - "
    assert timestamp_for([], timing, Fraction("83.4564")) == "01:23:456 - "


@pytest.mark.parametrize(("text", "expected"), [
    ("00:12:345 (12345|0,12500|1) - jack too dense here", Position(Fraction("12.345"), picks=((12345, 0), (12500, 1)))),
    ("see 01:02:003 - and 00:00:001 -", Position(Fraction("62.003"))),  # the first one counts
    ("-00:01:250 - ", Position(Fraction("-1.25"))),
    ("00:05:920 (1,2,3) - ", Position(Fraction("5.92"), combo=True)),  # osu!standard combo numbers: time only
    ("1:23.456", Position(Fraction("83.456"))),
    ("1:23", Position(Fraction(83))),
    ("-0:00.5", Position(Fraction("-0.5"))),
    ("83.25", Position(Fraction("83.25"))),
    ("83.25 s", Position(Fraction("83.25"))),
    ("83250ms", Position(Fraction("83.25"))),
    ("b123.5", Position(beat=Fraction("123.5"))),
    ("B 370/3", Position(beat=Fraction(370, 3))),
    ("beat -2", Position(beat=Fraction(-2))),
    ("m45", Position(measure=45)),
    ("measure 0", Position(measure=0)),
])
def test_parse_reads_each_documented_form(text, expected):
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "hello", "1:2:3", "1:75", "b", "m4.5", "00:12:3456", "12 beats"])
def test_an_unreadable_text_is_a_one_line_error(text):
    with pytest.raises(TimestampError) as info:
        parse_timestamp(text)
    assert "\n" not in str(info.value)
    assert "m:ss.mmm" in str(info.value)


@pytest.mark.parametrize("text", ["99999:00:000", "b9999999", "m99999999", "99999999ms"])
def test_a_position_beyond_any_song_is_refused_before_anything_walks_to_it(text):
    with pytest.raises(TimestampError, match="beyond any song"):
        parse_timestamp(text)


def test_beats_and_measures_resolve_through_the_timing():
    assert parse_timestamp("m0").beat_in(TIMING) == 0
    assert parse_timestamp("m7").beat_in(TIMING) == 24 + 3  # 6 measures of 4 beats, then 3/4
    assert parse_timestamp("b8").seconds_in(TIMING) == TIMING.beat_to_seconds(8)
    during_stop = TIMING.beat_to_seconds(4) + Fraction(1, 4)
    assert Position(seconds=during_stop).beat_in(TIMING) == 4


def chart_notes() -> list[Note]:
    """Notes around every tempo change and stop: on them, just before and after, 1/192 apart at 200 BPM."""
    beats = [Fraction(k, 4) for k in range(0, 112)] + [Fraction(k, 48) for k in range(4 * 48 - 2, 4 * 48 + 3)]
    notes = {(b, k % 4): Note(b, k % 4) for k, b in enumerate(beats)}
    notes[(Fraction(16), 1)] = Note(Fraction(16), 1)  # a jump on the second stop
    notes[(Fraction(30), 2)] = hold(30, 2, 2)
    notes[(Fraction(31), 3)] = Note(Fraction(31), 3, NoteKind.MINE)
    return sorted(notes.values())


def test_round_trip_selects_the_same_notes_on_a_chart_with_tempo_changes_and_stops():
    notes = chart_notes()
    for chosen in (notes, notes[::7], [n for n in notes if n.beat in (4, 16)], notes[-3:]):
        position = parse_timestamp("review: " + timestamp_for(chosen, TIMING, 0.0) + "this part")
        found, missing = find_picks(notes, TIMING, position.picks)
        assert missing == []
        assert sorted(found) == sorted(chosen)
        first = min(TIMING.beat_to_seconds(n.beat) for n in chosen)
        assert abs(position.seconds - first) <= Fraction(1, 2000)


@settings(max_examples=100, deadline=None)
@given(st.integers(-2_000, 1_200_000))
def test_any_time_reads_back_to_the_same_millisecond(ms):
    assert parse_timestamp(format_timestamp(ms)).seconds == Fraction(ms, 1000)


def test_matching_takes_the_lane_and_the_nearest_note_within_1_ms():
    timing = TimingData.constant(120)  # beat 0 at 0 s; a beat is 500 ms
    notes = [tap(2, 0), tap(2, 1), tap(Fraction(2) + Fraction(1, 500), 1)]  # 1000 ms, 1000 ms, 1001 ms
    found, missing = find_picks(notes, timing, [(1001, 1), (1000, 1), (1000, 2), (1001, 0), (1002, 0)])
    assert found == [notes[2], notes[1], notes[0]]  # each pick its nearest note; 1001|0 is 1 ms from lane 0's
    assert missing == [(1000, 2), (1002, 0)]  # no lane-2 note; lane 0's note is taken (and 2 ms away)


def test_picks_are_osu_milliseconds_rounded_as_the_osu_writer_rounds():
    timing = TimingData.constant(Fraction(180))  # a 16th is 83.33 ms
    assert picks_of([tap(Fraction(1, 4), 0), tap(Fraction(1, 2), 1)], timing) == [(83, 0), (167, 1)]


@pytest.mark.parametrize("text", ["b1/0", "beat 3/0", "B 0 / 0"])
def test_a_beat_fraction_over_0_is_a_one_line_refusal(text):
    with pytest.raises(TimestampError, match="divides by 0") as info:
        parse_timestamp(text)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("text", ["9" * 5000, "b" + "9" * 5000, "m" + "9" * 5000, "9" * 5000 + ":00", "0." + "9" * 5000,
                                  "1:00." + "1" * 5000, "00:00:000 (1|" + "9" * 5000 + ") - ",
                                  "00:00:000 (" + "9" * 5000 + "|1) - ", "9" * 31 + "ms"])
def test_a_number_too_long_for_any_position_is_refused_not_converted(text):
    # past 4300 digits Python's int() raises a plain ValueError: the dialog's preview and prefill catch only ours
    with pytest.raises(TimestampError, match="more than 30 digits"):
        parse_timestamp(text)


def test_a_decimal_beat_over_a_whole_number_reads_exactly():
    assert parse_timestamp("b1.5/2") == Position(beat=Fraction(3, 4))
    assert parse_timestamp("beat -7 / 3") == Position(beat=Fraction(-7, 3))

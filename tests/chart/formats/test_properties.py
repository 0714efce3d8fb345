"""Hypothesis: parse(write(song)) == song for every format, and readers raise only ParseError on any input."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chart.formats import game_json, osu_mania, radar, sm, ssc
from chart.formats.errors import ParseError
from chart.notes import NoteKind
from chart.song import Chart, Song
from tests.chart.formats import strategies as gen

_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(gen.stepmania_song())
def test_ssc_round_trip(song):
    radar.forget()  # a #RADARVALUES an earlier example read is judged by that example's chart (chart.formats.radar)
    text = ssc.dumps(song)
    assert ssc.loads(text) == song
    assert ssc.dumps(ssc.loads(text)) == text


@_SETTINGS
@given(gen.stepmania_song(sm=True))
def test_sm_round_trip(song):
    radar.forget()
    text = sm.dumps(song)
    assert sm.loads(text) == song
    assert sm.dumps(sm.loads(text)) == text


@_SETTINGS
@given(gen.osu_song())
def test_osu_round_trip(song):
    text = osu_mania.dumps(song)
    report: list = []
    assert osu_mania.loads(text, report) == song
    assert report == []


@_SETTINGS
@given(gen.timing(warps=False, extras=False, max_bpm=240), gen.notes(4, kinds=(NoteKind.TAP, NoteKind.HOLD)))
def test_osu_keeps_every_hit_time_through_stops_and_delays(timing, notes):
    """Pauses become timing points and come back as delays or stops chosen by where the hit objects are: no note
    moves by more than the 1 ms the writer checks, whichever the pause was."""
    song = Song(music="a.ogg", timing=timing, charts=[Chart(notes=notes)])
    assert not [p for p in osu_mania.problems(song) if p.fatal]
    back = osu_mania.loads(osu_mania.dumps(song))
    before = sorted((float(timing.beat_to_seconds(n.beat)), n.lane) for n in notes)
    after = sorted((float(back.timing.beat_to_seconds(n.beat)), n.lane) for n in back.charts[0].notes)
    assert [lane for _, lane in after] == [lane for _, lane in before]
    assert all(abs(a - b) <= 1e-3 for (a, _), (b, _) in zip(after, before, strict=True))


@_SETTINGS
@given(gen.json_song())
def test_json_round_trip(song):
    text = game_json.dumps(song)
    assert game_json.loads(text) == song


# ------------------------------------------------------------------------------------- only ParseError
_MSD_PIECES = ["#", ":", ";", "\n", ",", "=", "//", "\\", "#NOTES:", "#NOTEDATA:;", "#BPMS:", "#STOPS:",
               "#WARPS:", "#DELAYS:", "#OFFSET:", "#TIMESIGNATURES:", "#STEPSTYPE:", "#METER:", "dance-single:",
               "0000\n", "1000\n", "2000\n", "3000\n", "4M0L\n", "F0K0\n", "0=120", "4=-60", "8=-0.5", "1e5",
               "-1", "0,5", "nan", "[1]", "{x}", "&", "\r\n", "\ufeff", "#DIFFICULTY:Hard;", "99999999999"]
_OSU_PIECES = ["osu file format v14\n", "[General]\n", "Mode: 3\n", "[Difficulty]\n", "CircleSize:4\n",
               "[TimingPoints]\n", "0,500,4,1,0,100,1,0\n", "100,-50,4,1,0,100,0,0\n", "[HitObjects]\n",
               "64,192,100,1,0,0:0:0:0:\n", "448,192,300,128,0,900:0:0:0:0:\n", ",", ":", "-1", "1e9", "0",
               "nan", "\n", "[Events]\n", "CircleSize:0\n", "99999999999999", "512,", "x"]
_JSON_PIECES = ['{', '}', '[', ']', ',', ':', '"', '"charts"', '"notes"', '"timing"', '"exact"', '"bpms"',
                '"lane"', '"type"', '"beat_exact"', '"1/0"', '"3/4"', '0', '-1', '1e400', 'null', 'true',
                '"hold"', '"end_beat"', '"version"', '2', '"segments"', '"lanes"', '65', 'NaN']


def _soup(pieces):
    return st.lists(st.sampled_from(pieces) | st.text(max_size=5), max_size=60).map("".join)


_READERS = {
    "sm": (sm.loads, _MSD_PIECES), "ssc": (ssc.loads, _MSD_PIECES),
    "osu": (osu_mania.loads, _OSU_PIECES), "json": (game_json.loads, _JSON_PIECES),
}


def _only_parse_error(read, text):
    message = ""
    try:
        read(text)
    except ParseError as err:
        message = str(err)
    assert "\n" not in message  # errors are one line


@pytest.mark.parametrize("fmt", sorted(_READERS))
def test_readers_raise_only_parse_error(fmt):
    read, pieces = _READERS[fmt]

    @settings(max_examples=2000, deadline=None, database=None)
    @given(st.one_of(st.text(max_size=200), _soup(pieces)))
    def check(text):
        _only_parse_error(read, text)

    check()


@pytest.mark.slow
@pytest.mark.parametrize("fmt", sorted(_READERS))
def test_readers_raise_only_parse_error_10k(fmt):
    read, pieces = _READERS[fmt]

    @settings(max_examples=10_000, deadline=None, database=None)
    @given(st.one_of(st.text(max_size=400), _soup(pieces), st.binary(max_size=300).map(
        lambda b: b.decode("latin-1"))))
    def check(text):
        _only_parse_error(read, text)

    check()

"""Timing edits that changed or lost data on saving, and measure lines that cost one array entry per beat: a
10^9-beat warp listed 2.5 * 10^8 measures; a BPM of 1e-10 was saved as 0 (the file no longer opened); a stop or
delay inside a warp, overlapping warps and a delay at beat 0 read back from .sm as other timing without a word;
two labels on one 1/48 row wrote a tag that reads back as one; a time signature at a negative beat made the grid
and PgDn disagree; an off-row beat was refused at save as 'beat 801/100'."""

from __future__ import annotations

import random
from fractions import Fraction as F

import pytest

from chart.formats import display_segments as ds
from chart.formats import sm, ssc
from chart.formats.errors import WriteError
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData


def song_with(timing: TimingData, notes: list[Note] | None = None) -> Song:
    notes = notes if notes is not None else [Note(F(k, 4), k % 4) for k in range(0, 96)]
    return Song(title="t", music="a.ogg", timing=timing, charts=[Chart(slot=Slot.HARD, meter=5, notes=notes)])


def test_measure_lines_of_a_huge_warp_cost_what_the_view_holds():
    timing = TimingData(bpms=((F(0), F(120)),), warps=((F(8), F(10**9)),))
    beats, numbers, strides = timing.measure_lines(0.0, 1e9 + 64, beats_apart=1e7)
    assert len(beats) < 1000  # one entry per 2^k measures, not 2.5 * 10^8
    assert (numbers % strides == 0).all()
    assert timing.measure_position(1e9 + 9.0) == (250000002, 1.0)  # one bisection, not every line before it


def test_measure_lines_are_the_measure_starts_where_nothing_is_thinned():
    timing = TimingData(time_signatures=((F(2), 3, 4), (F(11), 7, 8)))
    beats, numbers, _ = timing.measure_lines(0.0, 30.0)
    assert beats.tolist() == [0, 2, 5, 8, 11, 14.5, 18, 21.5, 25, 28.5]
    assert numbers.tolist() == list(range(10))
    assert timing.measure_starts(30.0).tolist() == beats.tolist()


def test_a_time_signature_at_a_negative_beat_counts_alike_in_grid_and_pgdn():
    timing = TimingData(bpms=((F(0), F(120)),), time_signatures=((F(-4), 3, 4),))
    lines = timing.measure_starts(12).tolist()
    stepped = [float(timing.measure_line(F(0), k)) for k in range(0, 5)]
    assert lines == stepped == [0.0, 3.0, 6.0, 9.0, 12.0]
    assert timing.measure_position(6.0) == (2, 0.0)


@pytest.mark.parametrize("module", [sm, ssc])
def test_a_bpm_written_as_zero_is_refused_by_the_writers(module):
    song = song_with(TimingData(bpms=((F(0), F(120)), (F(8), F(1, 10**10)))))
    with pytest.raises(WriteError, match="written as 0"):
        module.dumps(song)


def test_an_off_row_beat_is_named_as_a_decimal_when_save_refuses_it():
    song = song_with(TimingData(bpms=((F(0), F(120)),), stops=((F("8.01"), F(1)),)))
    with pytest.raises(WriteError, match=r"beat 8\.01: stop off StepMania's 1/48-beat rows \(nearest row: beat 8"):
        sm.dumps(song)


def test_display_segments_refuse_two_entries_on_one_row():
    with pytest.raises(ValueError, match="two label entries"):
        ds.write("LABELS", [(F(8), "Verse"), (F("8.01"), "Chorus")])


def test_overlapping_warps_are_written_as_their_union():
    timing = TimingData(bpms=((F(0), F(120)),), warps=((F(2), F(2)), (F(3), F(2))))
    back = sm.loads(sm.dumps(song_with(timing))).timing
    assert back.warps == ((F(2), F(3)),)


def _judged(timing: TimingData, beat: F):
    return None if ds.never_judged(timing, beat) else timing.beat_to_seconds(beat)


def _random_timing(rng: random.Random) -> TimingData:
    row = lambda lo, hi: F(rng.randrange(lo * 4, hi * 4), 4)  # noqa: E731
    bpms = [(F(0), F(rng.choice([60, 120, 150])))] + [(row(1, 24), F(rng.choice([90, 180]))) for _ in range(rng.randrange(2))]
    stops = [(row(0, 24), F(rng.choice([1, 2]), 4)) for _ in range(rng.randrange(3))]
    delays = [(row(0, 24), F(rng.choice([1, 2]), 4)) for _ in range(rng.randrange(3))]
    warps = [(row(0, 24), F(rng.randrange(1, 12), 4)) for _ in range(rng.randrange(3))]
    return TimingData(offset=F(-1, 10), bpms=tuple(dict(bpms).items()), stops=tuple(dict(stops).items()),
                      delays=tuple(dict(delays).items()), warps=tuple(dict(warps).items()))


def test_every_note_a_sm_round_trip_retimes_is_listed_as_a_conversion():
    rng = random.Random(20)
    checked = listed = 0
    for _ in range(300):
        song = song_with(_random_timing(rng))
        problems = sm.problems(song)
        if any(p.fatal for p in problems):
            continue
        back = sm.loads(sm.dumps(song))
        changed = [n.beat for n in song.charts[0].notes
                   if _judged(song.timing, n.beat) != _judged(back.timing, n.beat)
                   and not (_judged(song.timing, n.beat) and _judged(back.timing, n.beat)
                            and abs(_judged(song.timing, n.beat) - _judged(back.timing, n.beat)) < F(1, 10**6))]
        checked += 1
        if changed:
            listed += 1
            assert any(not p.fatal and "reads back" in p.reason for p in problems), (song.timing, changed)
    assert checked > 100  # the property was put to the test both ways
    assert listed > 10

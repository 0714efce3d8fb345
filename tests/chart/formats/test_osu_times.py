"""The whole milliseconds an .osu writes (chart.formats.osu_times): the exact ones, without a Fraction chain per note.

Each note's time was a chain of Fraction operations (TimingData.beat_to_seconds), about a second per 10k notes, and
an export ran that scan five times per chart: a 58k-note song froze the window for 10-20 s. The fast path must give
the very milliseconds of the exact one, half-millisecond ties (rounded half to even) included.
"""

from __future__ import annotations

import random
from fractions import Fraction

from chart.formats.osu_times import whole_ms
from chart.formats.registry import unrepresentable
from chart.notes import Note, NoteKind
from chart.song import Chart, Song
from chart.timing import TimingData


def exact_ms(timing: TimingData, beats: list[Fraction]) -> list[int]:
    return [round(timing.beat_to_seconds(b) * 1000) for b in beats]


def test_the_milliseconds_are_the_exact_ones_ties_included():
    rnd = random.Random(7)
    ties = 0
    for _ in range(60):
        bpm = rnd.choice([Fraction(125), Fraction(120), Fraction(150), Fraction(rnd.randint(60, 300))])
        timing = TimingData.constant(bpm, Fraction(rnd.randint(-2000, 2000), 2000))  # half-ms offsets: ties
        beats = [Fraction(rnd.randint(-50, 5000), rnd.choice([1, 2, 4, 3, 48, 96])) for _ in range(60)]
        got, floats = whole_ms(timing, beats)
        assert got == exact_ms(timing, beats)
        assert floats == [float(timing.beat_to_seconds(b) * 1000) for b in beats]
        ties += sum((timing.beat_to_seconds(b) * 1000).denominator == 2 for b in beats)
    assert ties > 100  # the hard case was exercised


def test_stops_delays_and_tempo_changes_give_the_exact_milliseconds():
    timing = TimingData(offset=Fraction(-3, 1000), bpms=[(Fraction(0), Fraction(128)), (Fraction(16), Fraction(175))],
                        stops=[(Fraction(8), Fraction(1, 4))], delays=[(Fraction(20), Fraction(1, 8))])
    beats = [Fraction(k, 12) for k in range(-24, 600)]
    assert whole_ms(timing, beats)[0] == exact_ms(timing, beats)


def test_the_osu_check_does_not_time_each_note_with_fractions(monkeypatch):
    """Notes on whole milliseconds (120 BPM, 1/4 beats = 125 ms) need no exact time at all."""
    calls = []
    real = TimingData.beat_to_seconds
    monkeypatch.setattr(TimingData, "beat_to_seconds", lambda self, beat: calls.append(beat) or real(self, beat))
    notes = [Note(Fraction(k, 4), k % 4) for k in range(2000)]
    notes += [Note(Fraction(k) + Fraction(1, 4), 0, NoteKind.HOLD, Fraction(1, 2)) for k in range(600, 700)]
    song = Song(timing=TimingData.constant(120), charts=[Chart(notes=notes)])
    assert not [u for u in unrepresentable(song, "osu") if u.fatal]
    assert len(calls) < 50  # was one per note and hold end (2100+)

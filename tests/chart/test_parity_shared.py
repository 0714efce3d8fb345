"""One foot parse per edit: Verify's parity check and View > Foot Labels parse the same notes after an edit (~200 ms
of Python each on a 13k-note chart); the second reader gets the first one's parse."""

from __future__ import annotations

from fractions import Fraction

from chart import parity, parity_cache
from chart.checks.base import CheckContext
from chart.checks.parity import CheckParity
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.song_copy import snapshot
from chart.timing import TimingData


def song() -> Song:
    notes = [Note(Fraction(k, 2), (0, 1, 3, 2, 0, 3)[k % 6]) for k in range(40)]
    return Song(title="T", timing=TimingData.constant(180), charts=[Chart(slot=Slot.EASY, meter=3, notes=notes)])


def test_verify_reuses_the_foot_labels_parse(monkeypatch):
    calls = []
    real = parity.parse_feet
    monkeypatch.setattr(parity_cache, "parse_feet", lambda n, t: calls.append(1) or real(n, t))
    parity_cache.forget()
    s = song()
    chart = s.charts[0]
    labels = parity_cache.parse_feet_shared(chart.notes, s.timing_for(chart))  # Foot Labels, on the live chart
    copy = snapshot(s)  # Verify's worker checks a snapshot: the same note objects
    issues = list(CheckParity().run(CheckContext(copy, copy.charts[0])))
    assert len(calls) == 1
    assert parity_cache.parse_feet_shared(list(chart.notes), s.timing_for(chart)) is labels
    assert issues == list(CheckParity().run(CheckContext(copy, copy.charts[0])))
    assert labels == real(chart.notes, s.timing_for(chart))  # the same parse as one made afresh

    chart.notes = chart.notes[:-1]  # an edit: parsed again
    parity_cache.parse_feet_shared(chart.notes, s.timing_for(chart))
    assert len(calls) == 2
    parity_cache.forget()

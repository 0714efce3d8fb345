"""A timing edit with Keep notes in time (``editor.panels.timing.push_timing``: the Timing table, F7/F8/F11/F12
nudges, the Offset box) maps each distinct beat of the song once, for all the charts that use the timing, and
converts none in Fractions: one F12 nudge froze the window for 1.1 s on a 6-chart song of 6,200 notes and 3.5 s
on a 28k-note one (every chart mapped its own beats, twice: notes, then osu! extras). Work is counted, not timed;
what the step does is checked against re-beating each chart alone."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

import chart.retime
import chart.retime_map
import chart.snap
from chart.document import Document
from chart.notes import Note, NoteKind
from chart.retime import retime_notes
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from editor.panels.timing import push_timing
from editor.session import EditorSession

pytestmark = pytest.mark.qt
ROWS = 600


def _song() -> Song:
    """Three charts on the same 16th rows (a harder chart holds the easier one's rows), holds included."""
    rows = [F(k, 4) for k in range(ROWS)]
    charts = [Chart(slot=slot, meter=3 + i, notes=[
        Note(b, k % 4, NoteKind.HOLD if k % 8 == 0 else NoteKind.TAP, F(1, 2) if k % 8 == 0 else F(0))
        for k, b in enumerate(rows) if k % step == 0]) for i, (slot, step) in
        enumerate(((Slot.EASY, 4), (Slot.HARD, 2), (Slot.CHALLENGE, 1)))]
    return Song(title="Shared rows", timing=TimingData(bpms=((F(0), F(170)),), stops=((F(40), F(1, 4)),)),
                charts=charts)


def _count_work(monkeypatch) -> tuple[list[int], dict[str, int]]:
    """(the sizes of the batches given to the snap, calls of the exact Fraction conversions)."""
    snapped: list[int] = []
    calls = {"conversions": 0}
    real = chart.snap.snap_preferring_coarse

    def counting(beats, *args, **kwargs):
        snapped.append(int(np.size(beats)))
        return real(beats, *args, **kwargs)

    for module in (chart.snap, chart.retime, chart.retime_map):
        monkeypatch.setattr(module, "snap_preferring_coarse", counting, raising=False)
    for name in ("beat_to_seconds", "seconds_to_beat"):
        conversion = getattr(TimingData, name)

        def counted(self, value, _conversion=conversion):
            calls["conversions"] += 1
            return _conversion(self, value)

        monkeypatch.setattr(TimingData, name, counted)
    return snapped, calls


def test_a_nudge_maps_each_distinct_beat_once_for_every_chart_without_fractions(qtbot, monkeypatch):
    s = EditorSession()
    s.set_document(Document(_song()))
    s.keep_notes_in_time = True
    old = s.doc.song.timing
    before = [list(c.notes) for c in s.doc.song.charts]
    new = old.with_changes(offset=F(1, 100))  # 10 ms: every beat lands off the grid and is snapped
    want = [retime_notes(notes, old, new)[0] for notes in before]
    snapped, calls = _count_work(monkeypatch)
    assert push_timing(s, new, None, "Nudge offset", merge=False)
    distinct = len({n.beat for n in before[2]} | {n.end_beat for n in before[2]})
    assert sum(snapped) <= distinct  # was 2 per beat of each chart: its notes, then its osu! extras
    assert calls["conversions"] <= 10  # was 2 or more per beat of each chart
    monkeypatch.undo()
    assert [c.notes for c in s.doc.song.charts] == want
    s.doc.undo()
    assert [c.notes for c in s.doc.song.charts] == before

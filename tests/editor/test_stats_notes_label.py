"""The Stats panel's note counts add up and agree with ``main.py info`` (its "Notes" counted mines and fakes and
the breakdown below did not add up to it: "40 (16 steps in 16 rows)" beside 16 / 0 / 0 / 16)."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest

from chart.formats.registry import save
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.stats import chart_stats
from chart.timing import TimingData

pytestmark = pytest.mark.qt
WARPED = TimingData.constant(120).with_changes(warps=((Fraction(20), Fraction(2)),))  # beats 20..22 take no time


def test_notes_are_the_steps_info_counts_and_the_parts_add_up(window, tmp_path):
    notes = ([Note(Fraction(b), b % 4) for b in range(16)]
             + [Note(Fraction(b) + Fraction(1, 2), (b + 2) % 4, NoteKind.MINE) for b in range(16)]
             + [Note(Fraction(b) + Fraction(1, 4), 1, NoteKind.FAKE) for b in range(8)]
             + [Note(Fraction(17), 0, NoteKind.HOLD, Fraction(1)), Note(Fraction(19), 3, NoteKind.LIFT),
                Note(Fraction(21), 2)])  # the last one in the warp: StepMania skips it
    save(Song(title="M", timing=WARPED, charts=[Chart(slot=Slot.HARD, meter=8, notes=notes)]), tmp_path / "m.ssc")
    assert window.open_path(tmp_path / "m.ssc")
    window.stats_panel.refresh()
    labels = window.stats_panel.labels
    line = labels["Notes"].text()
    assert line == "18 steps in 18 rows; also 16 mines, 8 fakes, 1 skipped step (warps, fake segments)"
    parts = [int(n) for n in labels["Taps / holds / rolls / lifts"].text().split(" / ")]
    assert parts == [16, 1, 0, 1]
    song = window.session.doc.song
    steps = chart_stats(song.charts[0], song.timing_for(song.charts[0])).onsets  # `main.py info`'s "notes"
    assert sum(parts) == steps == int(line.split()[0])
    assert steps + sum(int(n) for n in re.findall(r"(\d+) (?:mine|fake|skipped)", line)) == len(notes)

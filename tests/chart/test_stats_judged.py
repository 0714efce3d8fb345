"""Stats measures that must agree with each other: the Compare line's rows count judged notes as the Stats rows
do, and the mean NPS never exceeds the peak."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.document import Document
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.stats import chart_stats, row_overlap
from chart.timing import TimingData

WARPED = TimingData.constant(120).with_changes(warps=((Fraction(8), Fraction(8)),))  # beats 8..16 take no time


def test_row_overlap_counts_the_judged_rows_as_chart_stats_does() -> None:
    easy = Chart(slot=Slot.EASY, meter=3, notes=[Note(Fraction(k), k % 4) for k in range(24)])
    hard = Chart(slot=Slot.HARD, meter=8, notes=sorted(
        [Note(Fraction(k), k % 4) for k in range(24)] + [Note(Fraction(2 * k + 1, 2), (k + 1) % 4) for k in range(24)],
        key=lambda n: (n.beat, n.lane)))
    overlap = row_overlap(hard, WARPED, easy, WARPED)
    assert overlap.reference_rows == chart_stats(easy, WARPED).rows == 16  # 8 of Easy's 24 rows are warped over
    assert overlap.rows == chart_stats(hard, WARPED).rows == 32
    assert overlap.shared == 16


@pytest.mark.parametrize("taps", [2, 3, 4, 8, 33])
def test_mean_nps_of_an_evenly_spaced_chart_never_exceeds_the_peak(taps: int) -> None:
    chart = Chart(slot=Slot.BEGINNER, meter=1, notes=[Note(Fraction(2 * k), k % 4) for k in range(taps)])
    stats = chart_stats(chart, TimingData.constant(120))  # one tap a second: N taps over N-1 gaps
    assert stats.peak_nps == pytest.approx(1.0)
    assert stats.mean_nps == pytest.approx(1.0)


def test_the_cap_leaves_an_uneven_chart_s_mean_as_it_was() -> None:
    notes = [Note(Fraction(k, 4), k % 4) for k in range(16)] + [Note(Fraction(40 + k), k % 4) for k in range(4)]
    stats = chart_stats(Chart(slot=Slot.HARD, meter=8, notes=notes), TimingData.constant(120))
    assert stats.mean_nps == pytest.approx(20 / stats.drain_s)
    assert stats.mean_nps < stats.peak_nps


def test_history_clean_index_follows_saves_and_is_none_when_unreachable() -> None:
    from chart.commands import AddNotes

    doc = Document(Song(title="H", timing=TimingData.constant(120), charts=[Chart(slot=Slot.EASY, meter=1)]))
    chart = doc.song.charts[0]
    assert doc.history.clean_index == 0
    doc.push(AddNotes(chart, [Note(Fraction(1), 0)]))
    doc.push(AddNotes(chart, [Note(Fraction(2), 0)]))
    doc.history.set_clean()
    assert doc.history.clean_index == 2
    doc.undo()
    doc.undo()
    doc.push(AddNotes(chart, [Note(Fraction(3), 0)]))  # the saved state was on the redo stack: gone
    assert doc.history.clean_index is None

"""The drafts' jump floor and cap: per-chart jump shares of human charts (no torch, no shared data)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.formats.registry import save
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from inference.lane_features import rows_from_notes
from training.lane_calibrate import corpus_rows, jump_share_range, repeat_share_range


def chart_with_jumps(slot: Slot, rows: int, jumps: int) -> Chart:
    notes = []
    for i in range(rows):
        beat = Fraction(i, 2)
        notes.append(Note(beat, i % 4))
        if i < jumps:
            notes.append(Note(beat, (i + 2) % 4))
    return Chart(slot=slot, meter=5, notes=notes)


def test_range_is_per_chart_quantiles_not_the_pooled_rate():
    # Hard: three short charts with 10 % jumps and one long one with 50 %: pooled 0.41, per-chart median 0.1
    charts = [chart_with_jumps(Slot.HARD, 40, 4) for _ in range(3)] + [chart_with_jumps(Slot.HARD, 400, 200)]
    charts += [chart_with_jumps(Slot.EASY, 40, j) for j in (0, 2, 4, 6, 8)]
    rows = [rows_from_notes(c.notes) for c in charts]
    got = jump_share_range(rows, [int(c.slot) for c in charts], (0.25, 0.75))
    assert (got["low"][3], got["high"][3]) == pytest.approx((0.1, 0.2))  # of (0.1, 0.1, 0.1, 0.5)
    assert (got["low"][1], got["high"][1]) == pytest.approx((0.05, 0.15))
    shipped = jump_share_range(rows, [int(c.slot) for c in charts])  # the 25th percentile and the median
    assert (shipped["low"][3], shipped["high"][3]) == pytest.approx((0.1, 0.1))
    assert (shipped["low"][1], shipped["high"][1]) == pytest.approx((0.05, 0.1))
    assert shipped["quantiles"] == [0.25, 0.5]
    assert (got["low"][0], got["high"][0]) == (None, None)  # Beginner: no jumps by rule
    assert got["low"][2] is None  # no Medium chart
    assert got["charts"] == [0, 5, 0, 4, 0]


def test_corpus_rows_reads_usable_charts_and_skips_broken_files(tmp_path):
    song = Song(title="t", timing=TimingData.constant(120, Fraction(0)),
                charts=[chart_with_jumps(Slot.EASY, 40, 4), chart_with_jumps(Slot.HARD, 10, 0)])  # Hard: <= 20
    (tmp_path / "a").mkdir()
    save(song, tmp_path / "a" / "a.ssc")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "b.sm").write_text("#NOTES:::")  # malformed: the reader refuses it
    (tmp_path / "c").mkdir()  # no chart file
    rows, slots, _seconds = corpus_rows(sorted(tmp_path.iterdir()))
    assert slots == [int(Slot.EASY)]
    assert len(rows[0]) == 40


def test_repeat_range_counts_single_arrows_on_the_row_befores_panel_at_every_slot():
    def chart(slot: Slot, lanes: list[int]) -> Chart:
        return Chart(slot=slot, meter=1, notes=[Note(Fraction(i), lane) for i, lane in enumerate(lanes)])

    charts = [chart(Slot.BEGINNER, [0, 0, 1, 1, 2, 3, 3, 0]),  # 3 repeats in 8 rows
              chart(Slot.BEGINNER, [0, 1, 2, 3, 0, 1, 2, 3]),  # none
              chart(Slot.BEGINNER, [0, 0, 0, 0, 0, 0, 0, 0])]  # 7 of 8
    jump = Chart(slot=Slot.EASY, meter=1, notes=[Note(Fraction(0), 0), Note(Fraction(0), 3), Note(Fraction(1), 0),
                                                 Note(Fraction(1), 3), Note(Fraction(2), 0), Note(Fraction(3), 0)])
    charts.append(jump)  # a repeated jump is not a repeat; 0,0 after it is one: 1 of 4
    rows = [rows_from_notes(c.notes) for c in charts]
    got = repeat_share_range(rows, [int(c.slot) for c in charts], (0.0, 1.0))
    assert (got["low"][0], got["high"][0]) == pytest.approx((0.0, 7 / 8))
    assert (got["low"][1], got["high"][1]) == pytest.approx((0.25, 0.25))
    assert got["charts"] == [3, 1, 0, 0, 0]
    assert repeat_share_range(rows, [int(c.slot) for c in charts])["high"][0] == pytest.approx(3 / 8)  # median

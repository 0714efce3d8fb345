"""The chart behind the BENCHMARKS chart-domain, Verify and stats figures is what its docstring says: 16th streams
on all four lanes with a jump every beat, not the lane-0 jack that ``(k * 3) % 3`` (always 0) made of it."""

from __future__ import annotations

from collections import Counter

from benchmarks.bench_chart_domain import N_NOTES, big_song
from chart.checks.base import Severity
from chart.checks.registry import check_song
from chart.notes import beat_rows


def test_the_benchmark_chart_is_a_stream_over_all_lanes():
    song = big_song()
    notes = song.charts[0].notes
    assert len(notes) == N_NOTES
    lanes = Counter(n.lane for n in notes)
    assert set(lanes) == {0, 1, 2, 3}
    assert min(lanes.values()) > N_NOTES // 8
    singles = [row[0].lane for _beat, row in beat_rows(notes) if len(row) == 1]
    assert sum(a == b for a, b in zip(singles, singles[1:])) == 0  # no jacks in the stream
    assert sum(len(row) == 2 for _beat, row in beat_rows(notes)) > N_NOTES // 6  # a jump on 7 beats of 8
    assert not [i for i in check_song(song, 3600.0, "ssc") if i.severity == Severity.PROBLEM]

"""On the 80 human-charted songs of ../shared/data/charts (skipped where absent): checks never crash and find
no structural problem, and the difficulty estimate orders a song's slots and follows the authors' meters.

Figures when written: 348 dance-single Beginner..Challenge charts; Spearman(estimate, meter) 0.84; within each
song the estimate rises from one slot to the next in 265 of 268 adjacent pairs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chart.checks.base import Severity
from chart.checks.registry import check_song
from chart.formats.registry import load
from chart.stats import chart_stats

STRUCTURAL = {"unsnapped", "duplicates", "note-in-hold", "holds"}


def songs(folder: Path):
    for song_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        files = sorted(song_dir.glob("*.ssc")) or sorted(song_dir.glob("*.sm"))
        if files:
            song = load(files[0])
            song.charts = [c for c in song.charts if c.mode == "dance-single"
                           and sum(n.kind.is_onset for n in c.notes) > 20]
            yield song_dir.name, song


@pytest.mark.slow
def test_checks_on_human_charts(shared_charts: Path) -> None:
    crashed, structural, charts = [], [], 0
    for name, song in songs(shared_charts):
        charts += len(song.charts)
        for issue in check_song(song, target_format="ssc"):
            if "failed:" in issue.message:
                crashed.append(f"{name}: {issue.message}")
            if issue.check_id in STRUCTURAL and issue.severity == Severity.PROBLEM:
                structural.append(f"{name} {issue.chart_id}: {issue.message}")
    assert charts > 300
    assert crashed == []
    assert structural == []


@pytest.mark.slow
def test_difficulty_estimate_follows_slots_and_meters(shared_charts: Path) -> None:
    from scipy.stats import spearmanr

    estimates, meters, ordered, pairs = [], [], 0, 0
    for _, song in songs(shared_charts):
        by_slot: dict[int, list[float]] = {}
        for chart in song.charts:
            if chart.slot.value > 4:  # Edit charts have no place in the order
                continue
            difficulty = chart_stats(chart, song.timing_for(chart)).difficulty
            estimates.append(difficulty)
            meters.append(chart.meter)
            by_slot.setdefault(chart.slot.value, []).append(difficulty)
        slots = sorted(by_slot)
        for low, high in zip(slots, slots[1:]):
            pairs += 1
            ordered += max(by_slot[low]) <= min(by_slot[high])
    assert len(estimates) > 300
    assert spearmanr(estimates, meters)[0] > 0.75
    assert ordered / pairs > 0.95

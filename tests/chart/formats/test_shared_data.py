"""Every chart file of ../shared/data/charts converts .ssc->.ssc and .sm->.ssc->.sm with identical note times
(<= 0.1 ms) and counts. Slow; skipped where the folder is absent."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.formats import radar, registry, sm, ssc
from chart.song import Song

pytestmark = pytest.mark.slow
TOLERANCE_S = Fraction(1, 10_000)


def note_times(song: Song) -> list[list[tuple[Fraction, int, str, Fraction]]]:
    """Per chart: (time s, lane, kind, end time s) of every note."""
    out = []
    for chart in song.charts:
        t = song.timing_for(chart).beat_to_seconds
        out.append([(t(n.beat), n.lane, n.kind.value, t(n.end_beat)) for n in chart.notes])
    return out


def assert_same_notes(a: Song, b: Song) -> None:
    ta, tb = note_times(a), note_times(b)
    assert [len(c) for c in ta] == [len(c) for c in tb]
    for ca, cb in zip(ta, tb, strict=True):
        for (s0, lane0, kind0, e0), (s1, lane1, kind1, e1) in zip(ca, cb, strict=True):
            assert (lane0, kind0) == (lane1, kind1)
            assert abs(s0 - s1) <= TOLERANCE_S
            assert abs(e0 - e1) <= TOLERANCE_S


def test_every_shared_chart_converts_with_identical_note_times(shared_charts):
    files = sorted(p for p in shared_charts.rglob("*") if p.suffix.lower() in (".sm", ".ssc"))
    assert len(files) >= 80
    for path in files:
        song = registry.load(path)
        assert song.charts, path
        via_ssc = ssc.loads(ssc.dumps(song))
        assert_same_notes(song, via_ssc)
        if path.suffix.lower() == ".sm":  # a .sm file's 5 radar values are not the .ssc layout: left out there
            for chart in song.charts:
                chart.extra = [item for item in chart.extra if item[0] != radar.TAG]
        assert via_ssc == song, path  # .ssc holds everything else we read, exactly
        if path.suffix.lower() == ".sm":
            back = sm.loads(sm.dumps(via_ssc))
            assert_same_notes(song, back)
            assert sm.dumps(back) == sm.dumps(via_ssc), path

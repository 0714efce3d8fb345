"""Writing .osu lists StepMania's display and fake segments it drops (they live in the timing's extra, not the
song's, and were dropped silently: no conversion listed, the editor's Save asked nothing)."""

from __future__ import annotations

from fractions import Fraction as F

from chart.formats import osu_mania
from chart.formats.registry import conversions, save
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

SEGMENTS = (("SCROLLS", "0.000=1.000,16.000=0.500"), ("SPEEDS", "8.000=2.000=1.000=0"), ("LABELS", "4.000=Chorus"),
            ("TICKCOUNTS", "0.000=2"), ("COMBOS", "0.000=2"))


def _song(extra=SEGMENTS, own=None) -> Song:
    timing = TimingData(offset=F("-0.1"), bpms=((F(0), F(120)),), extra=extra)
    notes = [Note(F(k), k % 4) for k in range(32)]
    return Song(title="t", timing=timing, charts=[Chart(slot=Slot.HARD, meter=8, notes=notes, timing=own)])


def test_the_songs_display_segments_are_listed_as_dropped():
    lines = conversions(_song(), "osu")
    assert lines == ["conversion: song: .osu drops timing tags #SCROLLS, #SPEEDS, #LABELS, #TICKCOUNTS, #COMBOS "
                     "(display only: plain scroll and combo in game)"]


def test_a_charts_own_timing_tags_are_listed_under_the_chart():
    own = TimingData(offset=F("-0.1"), bpms=((F(0), F(120)),), extra=(("FAKES", "16.000=2.000"),))
    song = _song(extra=(), own=own)
    drops = [p for p in osu_mania.problems(song) if "timing tags" in p.reason]
    assert [(p.chart_id, p.fatal) for p in drops] == [(song.charts[0].chart_id(), False)]
    assert "#FAKES" in drops[0].reason
    assert "notes inside fake segments are dropped" in drops[0].reason


def test_empty_tags_and_an_osu_map_list_nothing(tmp_path):
    assert not [p for p in osu_mania.problems(_song(extra=(("FAKES", ""),))) if "timing tags" in p.reason]
    path = tmp_path / "t.osu"
    save(_song(extra=()), path)
    assert not [p for p in osu_mania.problems(osu_mania.loads(path.read_text())) if "timing tags" in p.reason]

"""The registry: formats by extension, load/save (atomic), unrepresentable()."""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

import pytest

from chart.formats import registry
from chart.formats.errors import ParseError, WriteError
from chart.notes import Note
from chart.song import Chart, Song

GOLDEN = Path(__file__).parent / "golden"


def test_formats_and_extensions():
    assert [f.name for f in registry.formats()] == ["ssc", "sm", "osu", "json"]
    assert registry.format_for("x/Song.SSC").name == "ssc"
    assert registry.format_for(name=".osu").name == "osu"
    with pytest.raises(ParseError, match=r"unknown chart file extension '.dwi' \(known: .ssc, .sm, .osu, .json\)"):
        registry.format_for("song.dwi")
    with pytest.raises(ParseError, match="unknown chart format 'midi'"):
        registry.format_for(name="midi")


@pytest.mark.parametrize("name", ["basic.sm", "split_timing.ssc", "mania4k.osu", "export.json"])
def test_load_sets_source_path_and_save_is_atomic(name, tmp_path):
    song = registry.load(GOLDEN / name)
    assert song.source_path == GOLDEN / name
    out = tmp_path / name
    registry.save(song, out)
    assert out.read_bytes() == (GOLDEN / name).read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no temp file left behind


def test_refused_save_leaves_the_old_file(tmp_path):
    out = tmp_path / "x.sm"
    out.write_text("old")
    bad = Song(charts=[Chart(notes=[Note(F(1, 5), 0)])])
    with pytest.raises(WriteError, match="off StepMania's grid"):
        registry.save(bad, out)
    assert out.read_text() == "old"


def test_load_errors_name_the_file(tmp_path):
    with pytest.raises(ParseError, match=r"missing.sm: cannot read"):
        registry.load(tmp_path / "missing.sm")
    bad = tmp_path / "bad.ssc"
    bad.write_text("#BPMS:0=zero;")
    with pytest.raises(ParseError, match=r"bad.ssc: line 1: #BPMS value is not a number"):
        registry.load(bad)


def test_unrepresentable_for_a_chart_and_a_song():
    chart = Chart(notes=[Note(F(0), 0), Note(F(1, 5), 1)])
    (problem,) = registry.unrepresentable(chart, "sm")
    assert (problem.note, problem.fatal) == (Note(F(1, 5), 1), True)
    song = registry.load(GOLDEN / "basic.sm")
    assert registry.unrepresentable(song, "ssc") == []
    assert any(p.fatal and "one difficulty" in p.reason for p in registry.unrepresentable(song, "osu"))
    assert registry.unrepresentable(song, "json") == []

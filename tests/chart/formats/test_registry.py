"""The registry: formats by extension, load/save (atomic), unrepresentable()."""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

import pytest

from chart.formats import registry
from chart.formats.errors import ParseError, WriteError
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

GOLDEN = Path(__file__).parent / "golden"


def test_formats_and_extensions():
    assert [f.name for f in registry.formats()] == ["ssc", "sm", "osu", "json", "osz"]
    assert registry.format_for("x/Song.SSC").name == "ssc"
    assert registry.format_for(name=".osu").name == "osu"
    with pytest.raises(ParseError, match=r"unknown chart file extension '.dwi' \(known: .ssc, .sm, .osu, .json, .osz\)"):
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


def _set_song() -> Song:
    """Three difficulties; Hard plays with timing of its own (its .osu file has other timing points)."""
    charts = [Chart(slot=slot, meter=meter, notes=[Note(F(b, step), b % 4) for b in range(4, 40)])
              for slot, meter, step in ((Slot.HARD, 9, 4), (Slot.EASY, 3, 1), (Slot.MEDIUM, 6, 2))]
    charts[0].timing = TimingData.constant(150, "-0.1")
    charts[0].extra = [("Difficulty.OverallDifficulty", "8.5"), ("Metadata.BeatmapID", "77")]
    return Song(title="Set", artist="A", music="a.ogg", timing=TimingData.constant(120, "-0.25"), charts=charts,
                extra=[("Metadata.Tags", "tag")])


def test_osu_set_is_saved_one_file_per_difficulty_and_opened_as_one_song(tmp_path):
    song = _set_song()
    written = registry.save_split(song, tmp_path / "set.osu")
    assert sorted(p.name for p in written) == ["set [Easy].osu", "set [Hard].osu", "set [Medium].osu"]
    hard_text = (tmp_path / "set [Hard].osu").read_text()
    assert "OverallDifficulty:8.5" in hard_text  # a chart's own osu! keys go to its file only
    assert "BeatmapID:77" in hard_text
    assert "BeatmapID:77" not in (tmp_path / "set [Easy].osu").read_text()
    back, file = registry.load_folder(tmp_path)
    assert file is None  # several files: saving asks where
    assert back.source_path == tmp_path / "set [Easy].osu"
    assert [c.slot for c in back.charts] == [Slot.EASY, Slot.MEDIUM, Slot.HARD]  # by slot
    by_slot = {c.slot: c for c in song.charts}
    for chart in back.charts:
        before = by_slot[chart.slot]
        t0, t1 = song.timing_for(before).beat_to_seconds, back.timing_for(chart).beat_to_seconds
        assert [(t1(n.beat), n.lane) for n in chart.notes] == [(t0(n.beat), n.lane) for n in before.notes]
    assert back.charts[2].timing is not None  # Hard's own timing
    assert back.charts[0].timing is None
    assert back.charts[1].timing is None
    assert ("Metadata.Tags", "tag") in back.extra
    assert ("Difficulty.OverallDifficulty", "8.5") in back.charts[2].extra
    (tmp_path / "again").mkdir()
    again = registry.save_split(back, tmp_path / "again" / "set.osu")
    assert len(again) == 3
    for path in again:  # and out again: the same files
        assert path.read_text() == (tmp_path / path.name).read_text()


def test_a_set_that_cannot_be_written_writes_no_file(tmp_path):
    song = _set_song()
    song.charts[1].timing = TimingData.constant(4000)  # Easy: rows 0.3 ms apart ...
    song.charts[1].notes[:2] = [Note(F(0), 0), Note(F(1, 48), 0)]  # ... two notes in one lane, one millisecond
    with pytest.raises(WriteError):
        registry.save_split(song, tmp_path / "set.osu")
    assert list(tmp_path.iterdir()) == []


def test_song_folder_reads_its_ssc_and_refuses_to_guess_between_songs(tmp_path):
    song = _set_song()
    song.charts = song.charts[1:]
    registry.save(song, tmp_path / "a.ssc")
    registry.save(song, tmp_path / "a.sm")
    loaded, file = registry.load_folder(tmp_path)
    assert file == tmp_path / "a.ssc"
    registry.save(song, tmp_path / "b.ssc")
    with pytest.raises(ParseError, match="2 .ssc files"):
        registry.load_folder(tmp_path)
    other = tmp_path / "osu"
    other.mkdir()
    one, two = _set_song(), _set_song()
    two.music = "b.ogg"
    registry.save_split(one, other / "x.osu")
    registry.save_split(two, other / "y.osu")
    with pytest.raises(ParseError, match="different audio"):
        registry.load_folder(other)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ParseError, match="no chart file"):
        registry.load_folder(empty)


def test_charts_of_one_slot_get_files_of_their_own(tmp_path):
    """A song with a single and a double Hard (a shared song has both of every slot) wrote both to
    "NAME [Hard].osu", the second over the first."""
    notes = [Note(F(b), b % 4) for b in range(4, 12)]
    song = Song(music="a.ogg", charts=[Chart(slot=Slot.HARD, notes=notes),
                                       Chart(mode="dance-double", slot=Slot.HARD, notes=notes),
                                       Chart(slot=Slot.EASY, notes=notes), Chart(slot=Slot.EASY, notes=notes)])
    written = registry.save_split(song, tmp_path / "s.osu")
    assert [p.name for p in written] == ["s [4K Hard].osu", "s [8K Hard].osu", "s [Easy].osu", "s [Easy 2].osu"]
    assert len(registry.load_folder(tmp_path)[0].charts) == 4


def test_a_hybrid_beatmap_set_opens_its_mania_difficulties(tmp_path):
    """A set with an osu!standard difficulty beside the mania ones could not be opened: the std file refused the
    whole folder. It is skipped and named in the read report; a set with no mania difficulty is still refused."""
    song = _set_song()
    song.charts = song.charts[1:]  # Easy and Medium
    registry.save_split(song, tmp_path / "set.osu")
    std = (tmp_path / "set [Easy].osu").read_text().replace("Mode: 3", "Mode: 0")
    (tmp_path / "set [Std].osu").write_text(std)
    report: list = []
    back, file = registry.load_folder(tmp_path, report)
    assert ([c.slot for c in back.charts], file) == ([Slot.EASY, Slot.MEDIUM], None)
    assert registry.read_notes(report) == [
        "read: song: set [Std].osu skipped: not an osu!mania beatmap (Mode: 0, osu!standard; expected 3)"]
    (tmp_path / "set [Medium].osu").unlink()
    one, file = registry.load_folder(tmp_path)  # one mania difficulty left: saving rewrites its file
    assert (len(one.charts), file) == (1, tmp_path / "set [Easy].osu")
    (tmp_path / "set [Easy].osu").unlink()
    with pytest.raises(ParseError, match=r"set \[Std\]\.osu: not an osu!mania beatmap"):
        registry.load_folder(tmp_path)


def test_read_notes_count_repeats():
    from chart.formats.errors import Unrepresentable

    report = [Unrepresentable("dance-single/Hard", F(0), "x", fatal=False)] * 2
    report.append(Unrepresentable("", F(0), "y", fatal=False))
    assert registry.read_notes(report) == ["read: dance-single/Hard: x (x2)", "read: song: y"]


def test_document_open_passes_the_read_report_on(tmp_path):
    from chart.document import Document

    path = tmp_path / "k.sm"
    path.write_text("#OFFSET:0;\n#BPMS:0=120;\n#NOTES:dance-single::Hard:5::\nK100\n0000\n0000\n0000\n;\n")
    report: list = []
    doc = Document.open(path, report=report)
    assert len(doc.song.charts[0].notes) == 1
    assert registry.read_notes(report) == ["read: dance-single/Hard: 1 auto-keysound (K) ignored on read"]

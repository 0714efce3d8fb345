""".osu files read as osu! reads them (osu!lazer's LegacyBeatmapDecoder, ConvertHitObjectParser,
ManiaBeatmapConverter): lenient timing points, the key count, old format versions, sliders and spinners, each said
in the read report; a set's unreadable difficulty skipped, not blocking the others; a set's per-file preview kept;
the first red line written where it was read."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.formats import osu_mania, registry
from chart.formats.errors import ParseError, Unrepresentable
from chart.notes import NoteKind


def beatmap(points: list[str], objects: list[str] | None = None, version: str = "Hard", header: int = 14,
            keys: str | None = "4", preview: int = -1, extra: str = "") -> str:
    size = f"CircleSize:{keys}\n" if keys is not None else ""
    hits = objects if objects is not None else ["64,192,1000,1,0,0:0:0:0:", "192,192,1500,1,0,0:0:0:0:"]
    return (f"osu file format v{header}\n\n[General]\nAudioFilename: audio.ogg\nPreviewTime: {preview}\nMode: 3\n\n"
            f"[Metadata]\nTitle:Song\nArtist:Artist\nCreator:Mapper\nVersion:{version}\n\n"
            f"[Difficulty]\n{size}OverallDifficulty:8\n{extra}\n[TimingPoints]\n" + "\n".join(points)
            + "\n\n[HitObjects]\n" + "\n".join(hits) + "\n")


def read(text: str) -> tuple:
    report: list[Unrepresentable] = []
    song = osu_mania.loads(text, report)
    return song, [u.reason for u in report]


RED = "1000,500,4,1,0,100,1,0"


@pytest.mark.parametrize("green", ["1500,NaN,4,1,0,100,0,0", "1500,-1E+12,4,1,0,100,0,0",
                                   "1500,-1E-100,4,1,0,100,0,0"])
def test_a_green_line_osu_takes_is_kept_as_it_is(green):
    """osu!lazer takes any number as a green line's beatLength (NaN turns slider ticks off); the file was refused
    over a value the reader never uses, and the line is written back as it was."""
    song, _ = read(beatmap([RED, green]))
    assert len(song.charts[0].notes) == 2
    assert green in osu_mania.dumps(song)


def test_meter_zero_is_four_four_as_osu_reads_it_and_said():
    song, notes = read(beatmap(["1000,500,0,1,0,100,1,0"]))
    assert song.timing.time_signatures == ()
    assert notes == ["timing point meter 0 read as 4/4, as osu! reads it"]
    with pytest.raises(ParseError, match="beatLength"):  # a red line still needs its tempo
        osu_mania.loads(beatmap(["1000,NaN,4,1,0,100,1,0"]))


def test_an_unreadable_difficulty_is_skipped_and_named_not_blocking_the_set(tmp_path):
    (tmp_path / "Song [Easy].osu").write_text(beatmap([RED], version="Easy"))
    (tmp_path / "Song [Hard].osu").write_text(beatmap([RED]).replace("[HitObjects]", "[HitObjects]\nbroken"))
    (tmp_path / "Song [Insane].osu").write_text(beatmap([RED], version="Insane"))
    report: list[Unrepresentable] = []
    song, file = registry.load_folder(tmp_path, report)
    assert ([c.description for c in song.charts], file) == (["Easy", "Insane"], None)
    assert registry.read_notes(report) == [
        "read: song: Song [Hard].osu skipped: cannot be read: line 22: hit object 'broken' needs x,y,time,type"]
    (tmp_path / "Song [Easy].osu").unlink()
    (tmp_path / "Song [Insane].osu").unlink()
    with pytest.raises(ParseError, match=r"Song \[Hard\]\.osu: line 22: hit object"):  # nothing readable: refused
        registry.load_folder(tmp_path)


def test_circle_size_is_rounded_half_to_even_at_least_one_key_as_osu_reads_it():
    xs = [10, 120, 230, 340, 500]
    objects = [f"{x},192,{1000 + 250 * i},1,0,0:0:0:0:" for i, x in enumerate(xs)]
    song, notes = read(beatmap([RED], objects, keys="4.6"))
    assert (song.charts[0].lanes, [n.lane for n in song.charts[0].notes]) == (5, [0, 1, 2, 3, 4])
    assert notes == ["CircleSize 4.6 read as 5 keys, as osu! rounds it"]
    assert read(beatmap([RED], keys="4.5"))[0].charts[0].lanes == 4  # Math.Round: half to even
    one, notes = read(beatmap([RED], keys="0"))
    assert (one.charts[0].lanes, notes) == (1, ["CircleSize 0 read as 1 key, as osu! rounds it"])
    assert read(beatmap([RED], keys=None))[0].charts[0].lanes == 5  # osu!'s default CircleSize


def test_format_v4_and_older_play_24_ms_later_as_osu_plays_them():
    text = beatmap([RED, "1500,-50,4,1,0,100,0,0"], ["64,192,1000,1,0,0:0:0:0:", "64,192,1500,128,0,2000:0:0:0:0:"],
                   header=4, preview=3000, extra="\n[Events]\n2,1600,1900\n")
    song, notes = read(text)
    ms = [song.timing.beat_to_seconds(n.beat) * 1000 for n in song.charts[0].notes]
    assert ms == [1024, 1524]
    assert song.timing.beat_to_seconds(song.charts[0].notes[1].end_beat) == F(2024, 1000)
    assert song.sample_start == F(3024, 1000)
    assert notes == ["osu file format v4: every time read 24 ms later, as osu! plays files of v4 and older "
                     "(written as v14)"]
    out = osu_mania.dumps(song)
    assert out.startswith("osu file format v14")
    assert "1524,-50,4,1,0,100,0,0" in out
    assert "2,1624,1924" in out
    assert read(beatmap([RED], header=5))[0].timing.offset == F(-1)  # v5 on: as written


def test_sliders_and_spinners_are_holds_of_their_length_as_osu_mania_plays_them():
    """A spinner lasts to its end time; a slider slides * length / (100 * SliderMultiplier * SV / beatLength) ms:
    here 2 * 140 / (100 * 1.4 * 2 / 500) = 500 ms at a 2x green line (beatLength -50)."""
    objects = ["256,192,1000,12,0,2000,0:0:0:0:", "64,192,3000,2,0,L|64:100,2,140", "448,192,4000,6,0,B|448:50,1,0"]
    song, notes = read(beatmap([RED, "2500,-50,4,1,0,100,0,0"], objects, extra="SliderMultiplier:1.4\n"))
    timing = song.timing
    got = [(n.kind, n.lane, timing.beat_to_seconds(n.beat) * 1000, timing.beat_to_seconds(n.end_beat) * 1000)
           for n in song.charts[0].notes]
    assert got == [(NoteKind.HOLD, 2, 1000, 2000), (NoteKind.HOLD, 0, 3000, 3500), (NoteKind.TAP, 3, 4000, 4000)]
    assert notes == ["1 slider without a length read as notes",
                     "2 sliders and 1 spinner read as holds, as osu!mania plays them (written back as holds)"]
    out = osu_mania.dumps(song)
    assert "320,192,1000,128,0,2000:0:0:0:0:" in out
    assert "64,192,3000,128,0,3500:0:0:0:0:" in out


def test_a_set_keeps_each_difficultys_preview_time(tmp_path):
    (tmp_path / "Song [Easy].osu").write_text(beatmap([RED], version="Easy", preview=5000))
    (tmp_path / "Song [Hard].osu").write_text(beatmap([RED], version="Hard", preview=42000))
    song, _ = registry.load_folder(tmp_path)
    assert song.sample_start == 5
    (tmp_path / "out").mkdir()
    written = registry.save_split(song, tmp_path / "out" / "Song.osu")
    previews = [next(line for line in p.read_text().splitlines() if line.startswith("PreviewTime")) for p in written]
    assert previews == ["PreviewTime: 5000", "PreviewTime: 42000"]


def test_the_first_red_line_is_written_where_it_was_read():
    """A note 0.5 ms before the first red line numbers beat 0 a measure earlier; the rewrite put the red line (and
    its kiai) there, 2 s before it was."""
    text = beatmap(["1000.5,500,4,2,0,80,1,1"], ["64,192,1000,1,0,0:0:0:0:", "192,192,1500,1,0,0:0:0:0:"])
    song, _ = read(text)
    points = osu_mania.dumps(song).split("[TimingPoints]\n")[1].split("\n\n")[0].splitlines()
    assert points == ["1000.5,500,4,2,0,80,1,1"]
    assert read(osu_mania.dumps(song))[0] == song


def test_a_note_on_the_first_red_line_rounded_to_its_millisecond_stays_on_beat_0():
    """A new song's first beat at 65.4 ms (tempo detection): the note on it is written at 65 ms, 0.4 ms before the
    red line, and read back as before it the whole chart moved a measure later (every beat +4, #OFFSET +2.3 s)."""
    from chart.notes import Note
    from chart.song import Chart, Slot, Song
    from chart.timing import TimingData

    timing = TimingData.constant(F("100.87"), offset=F("-0.0654"))
    song = Song(title="T", artist="A", timing=timing, charts=[
        Chart(slot=Slot.BEGINNER, meter=1, lanes=4, notes=[Note(F(0), 0), Note(F(1), 1), Note(F(2), 2)])])
    text = osu_mania.dumps(song)
    assert "\n64,192,65,1,0," in text  # written a hair before the red line at 65.4 ms
    back = osu_mania.loads(text)
    assert back.timing.offset == F("-0.0654")
    assert [n.beat for n in back.charts[0].notes] == [0, 1, 2]
    assert osu_mania.dumps(back) == text  # the red line stays at 65.4 ms


def test_an_unreadable_difficulty_of_an_archive_is_skipped_and_named_as_in_its_folder(tmp_path):
    import zipfile

    members = {"Song [Easy].osu": beatmap([RED], version="Easy"),
               "Song [Hard].osu": beatmap([RED]).replace("[HitObjects]", "[HitObjects]\nbroken")}
    with zipfile.ZipFile(tmp_path / "Song.osz", "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    report: list[Unrepresentable] = []
    song = registry.load(tmp_path / "Song.osz", report)
    assert [c.description for c in song.charts] == ["Easy"]
    assert registry.read_notes(report) == [
        "read: song: Song [Hard].osu skipped: cannot be read: line 22: hit object 'broken' needs x,y,time,type"]
    with zipfile.ZipFile(tmp_path / "Hard.osz", "w") as zf:
        zf.writestr("Song [Hard].osu", members["Song [Hard].osu"])
    with pytest.raises(ParseError, match=r"Hard\.osz: Song \[Hard\]\.osu: line 22: hit object"):
        registry.load(tmp_path / "Hard.osz")

""".osu round trips an audit found lossy, each without a word: an unedited map's hit objects moved by 1 ms (a red
line at a fractional ms, notes before the first red line); a set's difficulty with its own Title/Artist took the
first file's; StepMania stops and delays became red lines unlisted; ``PreviewTime: 0`` came back ``-1``; a set
read back and written again renamed a numbered difficulty's file ("4K Easy 2" -> "Easy 2")."""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

from chart.formats import osu_mania, ssc
from chart.formats.registry import conversions, load_folder, save_split, split_per_chart
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

HEAD = ("osu file format v14\n\n[General]\nAudioFilename: a.ogg\n{preview}Mode: 3\n\n[Metadata]\nTitle:{title}\n"
        "{unicode}Artist:{artist}\nCreator:C\nVersion:{version}\n\n[Difficulty]\nCircleSize:4\nOverallDifficulty:8\n\n")


def osu_text(tail: str, version="Hard", title="T", artist="A", unicode="", preview="") -> str:
    return HEAD.format(title=title, artist=artist, version=version, unicode=unicode, preview=preview) + tail


def objects(text: str) -> list[str]:
    return text.split("[HitObjects]\n", 1)[1].split()


FRACTIONAL_RED = ("[TimingPoints]\n0,500,4,2,0,60,1,0\n2103.5,400,4,2,0,60,1,0\n\n[HitObjects]\n64,192,0,1,0,0:0:0:0:\n"
                  "192,192,2103,1,0,0:0:0:0:\n320,192,2503,1,0,0:0:0:0:\n448,192,2903,128,0,3303:0:0:0:0:\n")
LEAD_IN = ("[TimingPoints]\n120,500,4,2,0,60,1,0\n\n[HitObjects]\n64,192,100,1,0,0:0:0:0:\n192,192,600,1,0,0:0:0:0:\n"
           "320,192,1100,128,0,1600:0:0:0:0:\n448,192,2120,1,0,0:0:0:0:\n")


def test_an_unedited_map_is_written_back_with_its_own_milliseconds():
    for tail in (FRACTIONAL_RED, LEAD_IN):
        text = osu_text(tail)
        report: list = []
        song = osu_mania.loads(text, report)
        assert report == []
        assert objects(osu_mania.dumps(song)) == objects(text)
        again = osu_mania.loads(osu_mania.dumps(song))  # and so on, and through .ssc
        assert objects(osu_mania.dumps(again)) == objects(text)
        assert objects(osu_mania.dumps(ssc.loads(ssc.dumps(song)))) == objects(text)


def test_a_note_moved_or_retimed_is_written_at_its_rows_time():
    song = osu_mania.loads(osu_text(LEAD_IN))
    chart = song.charts[0]
    first = chart.notes[0]
    chart.notes = [Note(first.beat + F(1, 2), first.lane), *chart.notes[1:]]  # moved half a beat: 250 ms later
    assert objects(osu_mania.dumps(song))[0] == "64,192,349,1,0,0:0:0:0:"  # its row's time, rounded
    song.timing = song.timing.with_changes(offset=song.timing.offset + F(3, 1000))  # a 3 ms nudge: no kept ms fits
    assert [line.split(",")[2] for line in objects(osu_mania.dumps(song))][1:3] == ["596", "1096"]


def test_kept_milliseconds_are_written_to_ssc_and_json_only_for_notes_that_still_use_them():
    # review of 945ad41: HitObjects.times was never pruned (a map cut to 10 notes still carried every line)
    from chart.formats import game_json

    def kept(song: Song, fmt) -> list[str]:
        chart = fmt.loads(fmt.dumps(song)).charts[0]
        return dict(chart.extra).get("HitObjects.times", "").split("\n")

    song = osu_mania.loads(osu_text(FRACTIONAL_RED))
    for fmt in (ssc, game_json):
        assert kept(song, fmt) == ["67/16,1,2103", "83/16,2,2503", "99/16,3,2903,3303"]
    chart = song.charts[0]
    chart.notes = [n for n in chart.notes if n.lane != 2]  # one note deleted, one moved a row later
    chart.notes = [Note(n.beat + F(1, 48), n.lane, n.kind, n.length) if n.lane == 1 else n for n in chart.notes]
    for fmt in (ssc, game_json):
        assert kept(song, fmt) == ["99/16,3,2903,3303"]
    assert objects(osu_mania.dumps(ssc.loads(ssc.dumps(song))))[-1] == "448,192,2903,128,0,3303:0:0:0:0:"
    song.timing = song.timing.with_changes(offset=song.timing.offset + F(3, 1000))  # no kept ms fits any more
    for fmt in (ssc, game_json):
        assert "HitObjects.times" not in dict(fmt.loads(fmt.dumps(song)).charts[0].extra)


def set_folder(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir()
    (folder.parent / "out").mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def metadata(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines()
            if line.split(":")[0] in ("Title", "TitleUnicode", "Artist", "ArtistUnicode", "PreviewTime")]


TAIL = "[TimingPoints]\n100,500,4,2,0,60,1,0\n\n[HitObjects]\n64,192,100,1,0,0:0:0:0:\n192,192,600,1,0,0:0:0:0:\n"


def test_a_set_difficulty_keeps_its_own_title_and_artist(tmp_path):
    folder = set_folder(tmp_path / "set", {
        "A - S [Easy].osu": osu_text(TAIL, "Easy", "Song", "Band", "TitleUnicode:ソング\n"),
        "A - S [Insane].osu": osu_text(TAIL, "Insane", "Song (TV Size)", "Band feat. Guest",
                                       "TitleUnicode:ソング (TV Size)\nArtistUnicode:バンド\n")})
    written = save_split(load_folder(folder)[0], tmp_path / "out" / "S.osu")
    by_name = {p.name: metadata(p) for p in written}
    assert by_name["S [Easy].osu"] == ["PreviewTime: -1", "Title:Song", "TitleUnicode:ソング", "Artist:Band"]
    assert by_name["S [Insane].osu"] == ["PreviewTime: -1", "Title:Song (TV Size)", "TitleUnicode:ソング (TV Size)",
                                         "Artist:Band feat. Guest", "ArtistUnicode:バンド"]


def test_a_set_difficulty_with_its_own_title_follows_an_artist_rename(tmp_path):
    # review of 945ad41: the whole name set was kept for "Song (TV Size)", so a Song panel rename of the artist
    # reached every difficulty but that one (the set then named two artists)
    folder = set_folder(tmp_path / "set", {"A - S [Easy].osu": osu_text(TAIL, "Easy", "Song", "Band"),
                                           "A - S [Hard].osu": osu_text(TAIL, "Hard", "Song (TV Size)", "Band")})
    song = load_folder(folder)[0]
    assert not any(k.startswith("Metadata.Artist") for c in song.charts for k, _ in c.extra)
    song.artist = "New Band"
    by_name = {p.name: metadata(p) for p in save_split(song, tmp_path / "out" / "S.osu")}
    assert by_name["S [Easy].osu"] == ["PreviewTime: -1", "Title:Song", "Artist:New Band"]
    assert by_name["S [Hard].osu"] == ["PreviewTime: -1", "Title:Song (TV Size)", "Artist:New Band"]


def test_stops_and_delays_written_as_red_lines_are_listed():
    timing = TimingData(bpms=((F(0), F(120)),), stops=((F(4), F(1, 2)),), delays=((F(6), F(1, 10)),))
    song = Song(title="t", music="a.ogg", timing=timing, charts=[Chart(slot=Slot.HARD, meter=3, notes=[Note(F(8), 0)])])
    notes = [line for line in conversions(song, "osu") if "pauses" in line]
    assert len(notes) == 1
    assert "1 stop and 1 delay (the first a stop at beat 4, 0.5 s)" in notes[0]
    song.timing = timing.with_changes(stops=((F(4), F(1, 2)),), delays=())
    assert any("stop at beat 4 (0.5 s): osu! has no stops" in line for line in conversions(song, "osu"))
    read = osu_mania.loads(osu_text(FRACTIONAL_RED))  # a red line off the rows: a delay under a row, read back as is
    assert read.timing.delays
    assert not any("delay" in line for line in conversions(read, "osu"))


def test_preview_time_0_is_kept_apart_from_none(tmp_path):
    for preview in ("0", "-1", "2500"):
        text = osu_text(TAIL, preview=f"PreviewTime: {preview}\n")
        assert f"PreviewTime: {preview}\n" in osu_mania.dumps(osu_mania.loads(text))
        assert f"PreviewTime: {preview}\n" in osu_mania.dumps(ssc.loads(ssc.dumps(osu_mania.loads(text))))
    song = ssc.loads("#TITLE:t;\n#MUSIC:a.ogg;\n#OFFSET:0;\n#BPMS:0=120;\n#SAMPLESTART:0.000;\n#NOTEDATA:;\n"
                     "#STEPSTYPE:dance-single;\n#DIFFICULTY:Hard;\n#METER:3;\n#NOTES:\n1000\n;\n")
    assert "PreviewTime: -1\n" in osu_mania.dumps(song)  # StepMania's 0 is no preview set (it picks one)
    folder = set_folder(tmp_path / "set", {"A [Easy].osu": osu_text(TAIL, "Easy", preview="PreviewTime: 5000\n"),
                                           "A [Hard].osu": osu_text(TAIL, "Hard", preview="PreviewTime: 0\n")})
    written = {p.name: metadata(p)[0] for p in save_split(load_folder(folder)[0], tmp_path / "out" / "S.osu")}
    assert written == {"S [Easy].osu": "PreviewTime: 5000", "S [Hard].osu": "PreviewTime: 0"}


def test_a_set_read_back_names_its_numbered_difficulties_alike(tmp_path):
    charts = [Chart(slot=Slot.EASY, meter=3, notes=[Note(F(0), 0)], lanes=lanes) for lanes in (4, 4, 8)]
    song = Song(title="T", music="a.ogg", timing=TimingData.constant(120), charts=charts)
    path = tmp_path / "out" / "Song.osu"
    path.parent.mkdir()
    written = save_split(song, path)
    first = sorted(p.name for p in written)
    assert first == ["Song [4K Easy].osu", "Song [8K Easy].osu", "Song [Easy 2].osu"]
    texts = {p.name: p.read_bytes() for p in written}
    again = split_per_chart(load_folder(path.parent)[0], path)
    assert sorted(target.name for _, target in again) == first
    assert all(osu_mania.dumps(part).encode() == texts[target.name] for part, target in again)

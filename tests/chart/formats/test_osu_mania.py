"""osu!mania: columns, timing points, the 1 ms grid report, and conversions from StepMania charts."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.formats import osu_mania
from chart.formats.errors import ParseError, WriteError
from chart.formats.osu_modes import keyboard_mark
from chart.formats.osu_timing import TimingPoint, bpm_of, points_from_timing, timing_from_points
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData


def beatmap(objects: str, keys: int = 4, points: str = "0,500,4,1,0,100,1,0", mode: int = 3) -> str:
    return (f"osu file format v14\n\n[General]\nAudioFilename: a.ogg\nMode: {mode}\n\n[Metadata]\nTitle:T\n"
            f"Version:Insane\n\n[Difficulty]\nCircleSize:{keys}\nOverallDifficulty:8.4\n\n"
            f"[TimingPoints]\n{points}\n\n[HitObjects]\n{objects}\n")


@pytest.mark.parametrize(("keys", "xs"), [(4, [64, 192, 320, 448]), (7, [36, 109, 182, 256, 329, 402, 475])])
def test_columns_follow_osu_and_are_written_at_column_centres(keys, xs):
    objects = "\n".join(f"{x},192,{i * 500},1,0,0:0:0:0:" for i, x in enumerate(xs))
    song = osu_mania.loads(beatmap(objects, keys))
    assert [n.lane for n in song.charts[0].notes] == list(range(keys))
    out = osu_mania.dumps(song)
    assert [int(line.split(",")[0]) for line in out.split("[HitObjects]\n")[1].splitlines()] == xs


def test_column_formula_clamps_like_osu():
    song = osu_mania.loads(beatmap("0,192,0,1,0\n127,192,500,1,0\n128,192,1000,1,0\n600,192,1500,1,0"))
    assert [n.lane for n in song.charts[0].notes] == [0, 0, 1, 3]


def test_holds_metadata_and_slot_guess():
    song = osu_mania.loads(beatmap("448,192,1000,128,0,2250:0:0:0:0:"))
    (c,) = song.charts
    assert c.notes == [Note(F(2), 3, NoteKind.HOLD, F(5, 2))]
    assert (c.slot, c.meter, c.description, song.music, song.title) == (Slot.CHALLENGE, 8, "Insane", "a.ogg", "T")


def test_notes_off_the_grid_are_reported_not_hidden():
    report: list = []
    song = osu_mania.loads(beatmap("64,192,1003,1,0\n64,192,1500,1,0"), report)
    assert [n.beat for n in song.charts[0].notes] == [F(2), F(3)]  # 1003 ms -> beat 2.006: row 2 is 3 ms away
    assert len(report) == 1
    assert report[0].reason == ("1 note more than 1 ms off the 1/192 grid put on the nearest row (up to 3.0 ms; "
                                "the first at 1003 ms, lane 0)")
    assert (report[0].beat, report[0].chart_id) == (2, "dance-single/Challenge")


def test_objects_before_the_first_timing_point_shift_beat_zero_by_whole_measures():
    song = osu_mania.loads(beatmap("64,192,1000,1,0\n64,192,3250,1,0", points="3000,500,4,1,0,100,1,0"))
    assert song.timing.offset == F(-1)  # the point at 3.0 s becomes beat 4, so beat 0 is at 1.0 s
    assert [n.beat for n in song.charts[0].notes] == [F(0), F(9, 2)]


def test_timing_point_between_rows_becomes_a_pause_and_keeps_times():
    # 120 BPM from 0 ms; a new point at 1003 ms (beat 2.006): beat 2 + a 3 ms pause, then 150 BPM. A delay (a note
    # on beat 2 is judged after it, at 1003 ms, on the new grid) unless a note sits on the old grid's beat 2.
    points = [TimingPoint(F(0), F(500), 4), TimingPoint(F(1003), F(400), 4)]
    timing = timing_from_points(points, None)
    assert timing.bpms == ((F(0), F(120)), (F(2), F(150)))
    assert (timing.stops, timing.delays) == ((), ((F(2), F(3, 1000)),))
    assert timing.beat_to_seconds(F(2)) == F(1003, 1000)
    assert timing.beat_to_seconds(F(3)) == F(1403, 1000)
    # Written back: one point where the delay ends and the tempo changes; the same timing read back.
    assert points_from_timing(timing) == points
    assert timing_from_points(points_from_timing(timing), None) == timing
    on_old_grid = timing_from_points(points, None, [F(1000)])  # a note at 1000 ms and none at 1003 ms: a stop
    assert (on_old_grid.stops, on_old_grid.delays) == (((F(2), F(3, 1000)),), ())
    assert on_old_grid.beat_to_seconds(F(2)) == 1
    written = points_from_timing(on_old_grid)  # the tempo change where it happens, a point where the stop ends
    assert written == [TimingPoint(F(0), F(500), 4), TimingPoint(F(1000), F(400), 4), TimingPoint(F(1003), F(400), 4)]
    assert timing_from_points(written, None, [F(1000)]) == on_old_grid


def test_stops_longer_than_a_row_keep_times_but_renumber_later_beats():
    # 0.51 s at 120 BPM is 1.02 beats: read back as beats 2..3 played, then a 0.01 s pause at beat 3.
    timing = TimingData(bpms=((F(0), F(120)),), stops=((F(2), F(51, 100)),))
    back = timing_from_points(points_from_timing(timing), None)
    assert back.delays == ((F(3), F(1, 100)),)
    assert back.beat_to_seconds(F(5)) == timing.beat_to_seconds(F(4))


def test_beat_length_of_a_three_decimal_bpm_reads_as_that_bpm():
    assert bpm_of(F("428.571428571429")) == 140
    assert bpm_of(F(333)) == F(60000, 333)  # not close to a 3-decimal BPM: kept exact


def test_not_mania_or_bad_key_count_or_no_tempo_is_a_parse_error():
    with pytest.raises(ParseError, match="not an osu!mania beatmap"):
        osu_mania.loads(beatmap("", mode=0))
    with pytest.raises(ParseError, match="CircleSize 65 is not a key count"):  # CircleSize 0 is 1 key to osu!
        osu_mania.loads(beatmap("", keys=65))
    with pytest.raises(ParseError, match="no uninherited timing point"):
        osu_mania.loads(beatmap("64,192,0,1,0", points="0,-100,4,1,0,100,0,0"))
    with pytest.raises(ParseError, match="no 'osu file format"):
        osu_mania.loads("[General]\nMode: 3\n")


def test_stepmania_chart_converts_with_documented_losses():
    timing = TimingData(bpms=((F(0), F(150)),), stops=((F(4), F(1, 2)),), delays=((F(8), F(1, 4)),))
    notes = [Note(F(0), 0), Note(F(4), 1, NoteKind.ROLL, F(2)), Note(F(5), 2, NoteKind.MINE),
             Note(F(8), 3), Note(F(9), 0, NoteKind.LIFT)]
    song = Song(timing=timing, charts=[Chart(notes=notes, slot=Slot.HARD, meter=9)])
    problems = osu_mania.problems(song)
    assert not any(p.fatal for p in problems)
    assert sorted(p.reason.split(":")[0] for p in problems) == [
        "1 stop and 1 delay (the first a stop at beat 4, 0.5 s)", "osu!mania has no lifts", "osu!mania has no mines",
        "roll written as a hold"]
    back = osu_mania.loads(osu_mania.dumps(song))
    times = [back.timing.beat_to_seconds(n.beat) for n in back.charts[0].notes]
    assert times == [timing.beat_to_seconds(n.beat) for n in (notes[0], notes[1], notes[3])]
    assert back.charts[0].notes[1].kind == NoteKind.HOLD


def test_several_charts_or_millisecond_collisions_are_refused():
    with pytest.raises(WriteError, match="one difficulty"):
        osu_mania.dumps(Song(charts=[Chart(), Chart(slot=Slot.HARD)]))
    fast = TimingData.constant(4000)  # rows 0.3 ms apart
    song = Song(timing=fast, charts=[Chart(notes=[Note(F(0), 0), Note(F(1, 48), 0)])])
    with pytest.raises(WriteError, match="same millisecond"):
        osu_mania.dumps(song)


def hit_times_ms(song: Song) -> list[float]:
    timing = song.timing_for(song.charts[0])
    return [float(timing.beat_to_seconds(n.beat) * 1000) for n in song.charts[0].notes]


@pytest.mark.parametrize(("points", "objects"), [
    # 60 BPM, then 150 BPM from 12345 ms (between rows) with a note on it, as osu! mappers place them
    ("0,1000,4,1,0,100,1,0\n12345,400,4,1,0,100,1,0", [12000, 12345, 12745]),
    # an "offset reset": the same tempo, the grid moved 7 ms (under a row) where a note is
    ("0,500,4,1,0,100,1,0\n10007,500,4,1,0,100,1,0", [10007, 10507]),
])
def test_a_note_on_a_timing_point_between_rows_keeps_its_time(points, objects):
    """The gap to the point was a stop on the row before it, and a note on a stop's row is judged when the pause
    starts: the note on the point moved up to a row earlier, without a report."""
    text = beatmap("\n".join(f"{64 + 128 * (i % 4)},192,{t},1,0,0:0:0:0:" for i, t in enumerate(objects)),
                   points=points)
    report: list = []
    song = osu_mania.loads(text, report)
    assert hit_times_ms(song) == pytest.approx(objects, abs=1e-9)
    assert report == []
    assert song.timing.stops == ()
    assert len(song.timing.delays) == 1
    out = osu_mania.dumps(song)  # written back: the same points, no extra one for the pause
    assert out.split("[TimingPoints]\n")[1].split("\n\n")[0].splitlines() == [
        f"{p.split(',')[0]},{p.split(',')[1]},4,1,0,100,1,0" for p in points.splitlines()]
    assert osu_mania.loads(out) == song


def test_a_difficulty_name_from_another_tool_is_written_back_as_it_was():
    """osu! tells a set's difficulties apart by Version: "Insane" became "Challenge Lv.8: Insane"."""
    song = osu_mania.loads(beatmap("64,192,0,1,0,0:0:0:0:"))  # Version:Insane, OverallDifficulty:8.4
    (chart,) = song.charts
    assert (chart.slot, chart.meter, chart.description) == (Slot.CHALLENGE, 8, "Insane")
    assert "\nVersion:Insane\n" in osu_mania.dumps(song)
    assert osu_mania.loads(osu_mania.dumps(song)) == song
    chart.meter = 9  # changed in the editor: the name says so, as ours do
    assert "\nVersion:Challenge Lv.9: Insane\n" in osu_mania.dumps(song)
    ours = osu_mania.loads(osu_mania.dumps(song))
    assert ours.charts[0].extra == keyboard_mark()  # our own names are not kept twice


def test_a_beatmap_of_another_mode_raises_its_own_parse_error():
    with pytest.raises(osu_mania.NotManiaError, match=r"Mode: 0, osu!standard"):
        osu_mania.loads(beatmap("64,192,0,1,0", mode=0))


def test_a_set_is_exported_under_the_difficulty_names_osu_shows(tmp_path):
    from chart.formats.registry import split_per_chart

    insane = osu_mania.loads(beatmap("64,192,0,1,0,0:0:0:0:")).charts[0]  # Version:Insane
    easy = Chart(slot=Slot.EASY, meter=2, notes=list(insane.notes))
    song = osu_mania.loads(beatmap("64,192,0,1,0,0:0:0:0:"))
    song.charts = [easy, insane]
    names = [p.name for _part, p in split_per_chart(song, tmp_path / "set.osu")]
    assert names == ["set [Easy].osu", "set [Insane].osu"]  # was "set [Challenge Insane].osu"

"""osu!mania red lines: only the kept lines that keep the tempo are written where the timing makes no line (a
deleted or moved BPM change leaves none behind), and writing a map of many red lines stays near-linear
(chart/formats/osu_red.py, osu_timing.py)."""

from __future__ import annotations

import time
from fractions import Fraction as F

from chart.formats import osu_mania, osu_red
from chart.retime import retime_osu_extra

HEAD = ("osu file format v14\n\n[General]\nAudioFilename: a.ogg\nMode: 3\n\n[Metadata]\nTitle:T\nArtist:A\n"
        "Creator:C\nVersion:Insane\n\n[Difficulty]\nCircleSize:4\nOverallDifficulty:8\n\n")
# 120 BPM, 150 BPM from beat 4.5 (mid-measure), a kiai line keeping 150 BPM at beat 10.5 (5650 ms)
POINTS = "1000,500,4,1,0,80,1,0\n3250,400,4,1,0,80,1,0\n5650,400,4,1,0,80,1,1"
OBJECTS = ["64,192,1000,1,0,0:0:0:0:", "64,192,3250,1,0,0:0:0:0:", "64,192,4050,1,0,0:0:0:0:",
           "64,192,5650,1,0,0:0:0:0:"]


def text(points: str, objects: list[str]) -> str:
    return HEAD + f"[TimingPoints]\n{points}\n\n[HitObjects]\n" + "\n".join(objects) + "\n"


def red(out: str) -> list[str]:
    lines = out.split("[TimingPoints]\n", 1)[1].split("\n\n", 1)[0].strip().splitlines()
    return [line for line in lines if line.split(",")[6] == "1"]


def test_unedited_the_bpm_change_and_the_kiai_line_are_written_back():
    song = osu_mania.loads(text(POINTS, OBJECTS))
    assert song.timing.bpms == ((F(0), F(120)), (F(9, 2), F(150)))
    assert red(osu_mania.dumps(song)) == POINTS.splitlines()


def test_a_deleted_bpm_change_leaves_no_red_line_and_the_kiai_line_keeps_its_beat():
    song = osu_mania.loads(text(POINTS, OBJECTS))
    song.timing = song.timing.with_changes(bpms=song.timing.bpms[:1])  # the 150 BPM change deleted
    assert red(osu_mania.dumps(song)) == ["1000,500,4,1,0,80,1,0", "6250,500,4,1,0,80,1,1"]  # beat 10.5 at 120


def test_a_moved_bpm_change_leaves_no_red_line_at_its_old_beat():
    song = osu_mania.loads(text(POINTS, OBJECTS))
    song.timing = song.timing.with_changes(bpms=((F(0), F(120)), (F(6), F(150))))  # moved to beat 6 (4000 ms)
    assert red(osu_mania.dumps(song)) == ["1000,500,4,1,0,80,1,0", "4000,400,4,1,0,80,1,0",
                                          "5800,400,4,1,0,80,1,1"]  # kiai still on beat 10.5


def test_a_bpm_change_moved_keeping_notes_in_time_leaves_no_line_and_the_kiai_line_keeps_its_time():
    song = osu_mania.loads(text(POINTS, OBJECTS))
    old = song.timing
    new = old.with_changes(bpms=((F(0), F(120)), (F(6), F(150))))
    song.timing = new
    song.extra = retime_osu_extra(song.extra, (), old, new, on=song.charts[0].notes)
    assert red(osu_mania.dumps(song)) == ["1000,500,4,1,0,80,1,0", "4000,400,4,1,0,80,1,0",
                                          "5650,400,4,1,0,80,1,1"]


def test_deleting_the_bpm_change_keeping_notes_in_time_leaves_only_the_kiai_line_at_its_time():
    song = osu_mania.loads(text(POINTS, OBJECTS))
    old = song.timing
    new = old.with_changes(bpms=old.bpms[:1])
    song.timing = new
    song.extra = retime_osu_extra(song.extra, (), old, new, on=song.charts[0].notes)
    lines = red(osu_mania.dumps(song))  # the kiai line stays on its note (rounded to a row at 120 BPM: 5645.8 ms)
    assert lines == ["1000,500,4,1,0,80,1,0", "5645.833333333,500,4,1,0,80,1,1"]


def test_an_offset_nudge_moves_the_bpm_change_and_the_kiai_line_with_the_beats():
    song = osu_mania.loads(text(POINTS, OBJECTS))
    song.timing = song.timing.with_changes(offset=song.timing.offset - F(30, 1000))
    assert red(osu_mania.dumps(song)) == ["1030,500,4,1,0,80,1,0", "3280,400,4,1,0,80,1,0",
                                          "5680,400,4,1,0,80,1,1"]


def _tempo_map(points: int) -> str:
    """Alternating tempi, every 7th red line at volume 80 (so every red line's settings are kept)."""
    lines, t = [], 1000
    for i in range(points):
        length = 500 if i % 2 == 0 else 400
        lines.append(f"{t},{length},4,1,0,{80 if i % 7 == 0 else 100},1,0")
        t += 2 * length
    return text("\n".join(lines), ["64,192,1000,1,0,0:0:0:0:"])


def test_regression_writing_many_kept_red_lines_is_not_quadratic():
    """Each kept red line looked up its tempo by a scan of the timing, before asking whether the timing made a line
    there anyway (a 16 000-line map: 23 s more to save). Time the writer's red-line step (the lines and their
    settings, as Save and the hitsound player make them) for 32x the lines against a run measured alongside, so
    machine load cancels: the quadratic version took ~310x, this one ~50x (Fraction sorts and bisections)."""
    small, large = osu_mania.loads(_tempo_map(500)), osu_mania.loads(_tempo_map(16_000))
    times: dict[str, list[float]] = {"small": [], "large": []}
    for _ in range(3):
        for name, song in (("small", small), ("large", large)):
            t0 = time.perf_counter()
            lines = osu_red.red_points(song.timing, song.extra)
            osu_red.red_sounds(song.extra, [b for b, _ in lines])
            times[name].append(time.perf_counter() - t0)
    assert len(lines) == 16_000
    ratio = min(times["large"]) / min(times["small"])
    assert ratio < 150, f"16k red lines took {ratio:.1f}x as long as 500"


def test_an_extra_saved_before_the_marks_keeps_its_same_tempo_lines():
    """A song saved before the ``,same``/``,line`` marks (an .ssc holding ``TimingPoints.red`` of 5 fields) lost its
    kiai and sample-set lines on export: every unmarked entry was taken for a line of the timing."""
    points = "1000,500,4,1,0,100,1,0\n5000,500,4,2,0,80,1,1\n9000,500,4,1,0,100,1,0"
    song = osu_mania.loads(text(points, ["64,192,1000,1,0,0:0:0:0:"]))
    song.extra = [(k, "0,1,0,100,0\n8,2,0,80,1\n16,1,0,100,0" if k == osu_red.RED_LINES else v) for k, v in song.extra]
    assert red(osu_mania.dumps(song)) == points.splitlines()
    marked = dict(osu_mania.loads(osu_mania.dumps(song)).extra)[osu_red.RED_LINES]
    assert marked.splitlines() == ["0,1,0,100,0,line", "8,2,0,80,1,same", "16,1,0,100,0,same"]

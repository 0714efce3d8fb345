"""The song's own Verify findings (timing or metadata the target format cannot hold, its music file): once per
song, and with whichever chart a run of one chart checks (``CheckContext.song_level``); notes outside the chart's
lanes are a PROBLEM whatever the format, and the JSON writer refuses them as its reader does."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from chart.checks.base import CheckContext, Severity
from chart.checks.registry import check_song, run_checks
from chart.formats.errors import WriteError
from chart.formats.registry import dumps, load, save, unrepresentable
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from tests.chart.helpers import tap


def two_charts(music: str = "") -> Song:
    notes = [tap(Fraction(b, 2), b % 4) for b in range(8, 200)]
    return Song(title="Two", artist="x", music=music, timing=TimingData.constant(150),
                charts=[Chart(slot=Slot.EASY, meter=3, notes=notes[::2]), Chart(slot=Slot.HARD, meter=8, notes=notes)])


def of(issues, check_id: str) -> list:
    return [i for i in issues if i.check_id == check_id]


# ---------------------------------------------------------------------------------------------- song level
def test_a_song_level_problem_shows_with_the_chart_a_run_of_one_chart_checks() -> None:
    song = two_charts()
    song.timing = TimingData(bpms=((Fraction(0), Fraction(150)),), stops=((Fraction("40.01"), Fraction(1, 2)),))
    hard = song.charts[1]
    alone = run_checks(CheckContext(song, hard, target_format="ssc", song_level=True))
    (stop,) = of(alone, "representable")
    assert stop.severity == Severity.PROBLEM
    assert "stop off StepMania's 1/48-beat rows" in stop.message
    # by default only the song's first chart reports it: a whole song lists it once
    assert of(run_checks(CheckContext(song, hard, target_format="ssc")), "representable") == []
    assert len(of(check_song(song, target_format="ssc"), "representable")) == 1


# ---------------------------------------------------------------------------------------------- music
@pytest.fixture(autouse=True)
def _folders(tmp_path: Path) -> None:
    for name in ("named", "only", "none", "several"):
        (tmp_path / name).mkdir()


def saved(tmp_path: Path, song: Song, *files: str) -> Song:
    for name in files:
        (tmp_path / name).write_bytes(b"")
    return load(save(song, tmp_path / "two.ssc"))


def test_missing_music_is_one_warning_for_the_song(tmp_path: Path) -> None:
    song = saved(tmp_path, two_charts("song.ogg"))
    (issue,) = of(check_song(song), "music")  # two charts, one finding
    assert issue.severity == Severity.WARNING
    assert issue.message == "the music file song.ogg is not in the song folder: StepMania cannot play this chart"
    assert issue.beat is None
    assert issue.chart_id == "dance-single/Easy"
    hard = run_checks(CheckContext(song, song.charts[1], song_level=True))
    assert [i.message for i in of(hard, "music")] == [issue.message]
    assert of(check_song(song, target_format="sm"), "music") == [issue]


def test_music_found_as_the_editor_finds_it_is_no_issue(tmp_path: Path) -> None:
    assert of(check_song(saved(tmp_path / "named", two_charts("Song.OGG"), "song.ogg")), "music") == []
    # no #MUSIC (or a missing one), but the folder's only audio file: StepMania's fallback plays it
    assert of(check_song(saved(tmp_path / "only", two_charts(), "a.ogg")), "music") == []
    assert of(check_song(two_charts("song.ogg")), "music") == []  # never saved: no folder to look in


def test_no_music_and_no_audio_in_the_folder_is_a_warning(tmp_path: Path) -> None:
    (issue,) = of(check_song(saved(tmp_path / "none", two_charts())), "music")
    assert issue.message == ("the song names no music file (#MUSIC) and the folder holds none: StepMania cannot "
                             "play this chart")
    (several,) = of(check_song(saved(tmp_path / "several", two_charts(), "a.ogg", "b.mp3")), "music")
    assert several.message == ("the song names no music file (#MUSIC) and the folder holds 2 audio files (a.ogg, "
                               "b.mp3): name the one to play")


def test_a_format_that_carries_the_audio_says_it_once_as_a_problem(tmp_path: Path) -> None:
    song = saved(tmp_path, two_charts("song.ogg"))
    osu = of(check_song(song, target_format="osu"), "music")
    assert [i.message for i in osu] == ["the music file song.ogg is not in the song folder: osu! cannot play this "
                                        "chart"]
    issues = check_song(song, target_format="osz")
    assert of(issues, "music") == []  # the .osz export's own PROBLEM says it
    (problem,) = [i for i in issues if "song.ogg" in i.message]
    assert problem.severity == Severity.PROBLEM
    assert problem.check_id == "representable"


# ---------------------------------------------------------------------------------------------- lanes
def song_with_a_note_in_lane_7() -> Song:
    notes = [tap(b, b % 4) for b in range(4, 40)] + [tap(41, 6), tap(42, 6)]
    return Song(title="t", timing=TimingData.constant(120), charts=[Chart(slot=Slot.MEDIUM, meter=5, notes=notes)])


@pytest.mark.parametrize("target", [None, "sm", "ssc", "osu", "json"])
def test_a_note_outside_the_lanes_is_one_problem_whatever_the_format(target) -> None:
    song = song_with_a_note_in_lane_7()
    issues = check_song(song, target_format=target)
    (issue,) = [i for i in issues if "lane 7" in i.message]  # once: not again as the format's
    assert issue.check_id == "lanes"
    assert issue.severity == Severity.PROBLEM
    assert issue.message == "2 notes in lane 7, outside the chart's 4 lanes (1-4), first at beat 41: no format " \
                            "can save them"
    assert issue.beat == 41
    assert len(issue.notes) == 2


def test_the_json_writer_refuses_a_note_outside_the_lanes() -> None:
    song = song_with_a_note_in_lane_7()
    assert [p.reason for p in unrepresentable(song, "json") if p.fatal] == ["lane 6 outside the chart's 4 lanes"] * 2
    with pytest.raises(WriteError, match="lane 6 outside the chart's 4 lanes"):
        dumps(song, "json")

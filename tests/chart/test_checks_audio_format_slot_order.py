"""Verify's ``audio-format`` (music the target game does not play: FLAC passed every check and went into an .osz
unmentioned) and ``slot-order`` (a Hard refined from Easy came out easier than the song's Medium, and nothing said
so)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from chart.checks.base import Severity
from chart.checks.registry import check_song
from chart.checks.slot_order import order_notes
from chart.formats.registry import load, save
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from tests.chart.helpers import tap


def of(issues, check_id: str) -> list:
    return [i for i in issues if i.check_id == check_id]


def song_with(music: str, folder: Path | None = None) -> Song:
    notes = [tap(Fraction(b, 2), b % 4) for b in range(8, 120)]
    song = Song(title="Flac", artist="x", music=music, timing=TimingData.constant(150),
                charts=[Chart(slot=Slot.EASY, meter=3, notes=notes[::2]), Chart(slot=Slot.HARD, meter=8, notes=notes)])
    if folder is None:
        return song
    (folder / music).write_bytes(b"")
    return load(save(song, folder / "song.ssc"))


# ---------------------------------------------------------------------------------------------- audio-format
def test_flac_music_is_a_warning_for_stepmania_and_a_problem_for_osu(tmp_path: Path) -> None:
    song = song_with("song.flac", tmp_path)
    for fmt in (None, "sm", "ssc"):  # no target: the song's own .ssc
        (issue,) = of(check_song(song, target_format=fmt), "audio-format")  # once for the song
        assert issue.severity == Severity.WARNING, fmt
        assert "StepMania does not play" in issue.message
        assert "Convert Music to Ogg" in issue.message
    for fmt in ("osu", "osz"):
        (issue,) = of(check_song(song, target_format=fmt), "audio-format")
        assert issue.severity == Severity.PROBLEM, fmt
        assert issue.message.startswith("the music song.flac is FLAC, which osu! does not play (it plays MP3 and Ogg)")
    assert of(check_song(song, target_format="json"), "audio-format") == []  # the game's formats: unknown


def test_music_the_games_play_passes_and_wav_is_an_info_for_osu(tmp_path: Path) -> None:
    for name in ("song.ogg", "song.mp3", "song.OGG"):
        song = song_with(name)
        for fmt in ("sm", "ssc", "osu", "osz"):
            assert of(check_song(song, target_format=fmt), "audio-format") == [], (name, fmt)
    wav = song_with("song.wav")
    assert of(check_song(wav, target_format="ssc"), "audio-format") == []
    (issue,) = of(check_song(wav, target_format="osu"), "audio-format")
    assert issue.severity == Severity.INFO  # it plays; no rankable map has it
    for name in ("song.opus", "song.m4a"):
        (issue,) = of(check_song(song_with(name), target_format="osz"), "audio-format")
        assert issue.severity == Severity.PROBLEM, name


# ---------------------------------------------------------------------------------------------- slot-order
def steps(count: int, per_beat: int, meter: int, slot: Slot) -> Chart:
    """``count`` taps, ``per_beat`` a beat, from beat 8 (150 BPM: 2.5 * per_beat notes a second)."""
    return Chart(slot=slot, meter=meter, notes=[tap(8 + Fraction(i, per_beat), i % 4) for i in range(count)])


def test_a_hard_easier_than_the_song_s_medium_is_a_warning() -> None:
    medium, hard = steps(160, 2, 11, Slot.MEDIUM), steps(80, 1, 9, Slot.HARD)
    song = Song(timing=TimingData.constant(150), charts=[steps(60, 1, 3, Slot.EASY), medium, hard])
    (issue,) = of(check_song(song), "slot-order")
    assert issue.severity == Severity.WARNING
    assert issue.chart_id == "dance-single/Hard"
    assert "fewer notes per second and a lower meter than the song's Medium" in issue.message
    hard.meter = 12  # sparser, but rated harder: worth a look only
    (issue,) = of(check_song(song), "slot-order")
    assert issue.severity == Severity.INFO
    hard.notes = steps(320, 4, 12, Slot.HARD).notes  # in order again
    assert of(check_song(song), "slot-order") == []


def test_edits_other_modes_and_placeholders_are_not_compared() -> None:
    medium = steps(160, 2, 11, Slot.MEDIUM)
    edit, double = steps(80, 1, 2, Slot.EDIT), steps(80, 1, 2, Slot.HARD)
    double.mode = "dance-double"
    placeholder = steps(5, 1, 1, Slot.HARD)  # a handful of steps says nothing
    song = Song(timing=TimingData.constant(150), charts=[medium, edit, double, placeholder])
    assert of(check_song(song), "slot-order") == []


def test_order_notes_name_the_made_chart_and_the_one_above_it() -> None:
    easy, medium, hard = steps(60, 1, 3, Slot.EASY), steps(160, 2, 11, Slot.MEDIUM), steps(80, 1, 9, Slot.HARD)
    song = Song(timing=TimingData.constant(150), charts=[easy, medium, hard])
    (line,) = order_notes(song, [hard])
    assert line.startswith("Hard (80 notes, 2.50 notes/s, meter 9) has fewer notes per second and a lower meter")
    assert order_notes(song, [easy]) == []
    assert order_notes(song, [medium]) == [line]  # a Medium made denser than the Hard above it

"""``main.py convert/check/info`` through a real subprocess: output, exit codes 0/1/2, one-line errors."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from chart.formats.registry import load, save
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.stats import chart_stats
from chart.timing import TimingData

REPO = Path(__file__).resolve().parents[2]


def run(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", *map(str, args)], cwd=REPO, capture_output=True,
                          text=True, timeout=120)


def song_for_tests(offset: str = "0") -> Song:
    """Two clean charts at 120 BPM (Easy ~2 notes/s, Hard ~4 notes/s for 30 s)."""
    easy = [Note(Fraction(b), b % 4) for b in range(4, 64)]
    hard = [Note(Fraction(b, 2), b % 4) for b in range(8, 128)]
    hard.append(Note(Fraction(70), 0, NoteKind.HOLD, Fraction(2)))
    hard += [Note(Fraction(b), 3, NoteKind.MINE) for b in range(72, 76)]
    return Song(title="CLI Song", artist="Tester", music="missing.ogg", timing=TimingData.constant(120, offset),
                charts=[Chart(slot=Slot.EASY, meter=3, notes=easy), Chart(slot=Slot.HARD, meter=8, notes=hard)])


@pytest.fixture
def ssc(tmp_path: Path) -> Path:
    return save(song_for_tests(), tmp_path / "song.ssc")


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_info_table_and_json(ssc: Path) -> None:
    result = run("info", ssc)
    assert result.returncode == 0, result.stderr
    assert "CLI Song - Tester" in result.stdout
    assert "120 BPM" in result.stdout
    assert "dance-single/Hard" in result.stdout
    data = json.loads(run("info", ssc, "--json").stdout)
    assert [c["slot"] for c in data["charts"]] == ["Easy", "Hard"]
    song = load(ssc)
    expected = chart_stats(song.charts[1], song.timing).as_dict()
    hard = data["charts"][1]
    assert hard["counts"] == expected["counts"] == {"tap": 120, "hold": 1, "roll": 0, "mine": 4, "fake": 0,
                                                    "lift": 0}
    assert hard["mean_nps"] == expected["mean_nps"]
    assert hard["peak_nps"] == pytest.approx(4.0)
    assert hard["difficulty"] == expected["difficulty"]


def test_info_json_difficulty_is_the_documented_formula(tmp_path: Path) -> None:
    """``info --json`` "difficulty" of a chart small enough to work out by hand (chart/stats.py's formula).

    60 BPM from 0 s (a beat is a second): jumps (lanes 1+4) at 0, 0.5, 1 and 1.5 s, single taps at 4, 7, 9.5 and
    12 s. Onsets: 4 x 2 + 4 = 12 from 0 to 12 s, mean 12 / 12 = 1 NPS; the densest 2 s window [0, 2) holds the 8
    onsets of the jumps, peak 8 / 2 = 4 NPS; 4 jump rows of 8 rows, jump ratio 0.5. Difficulty
    -6.95 + 6.07 * sqrt(1) + 2.52 * sqrt(4) - 3.72 * 0.5 = -6.95 + 6.07 + 5.04 - 1.86 = 2.30.
    """
    jumps = [Note(Fraction(b, 2), lane) for b in range(4) for lane in (0, 3)]
    singles = [Note(beat, 1) for beat in (Fraction(4), Fraction(7), Fraction(19, 2), Fraction(12))]
    song = Song(title="Hand", artist="Tester", music="missing.ogg", timing=TimingData.constant(60),
                charts=[Chart(slot=Slot.EASY, meter=2, notes=jumps + singles)])
    data = json.loads(run("info", save(song, tmp_path / "hand.ssc"), "--json").stdout)
    (chart,) = data["charts"]
    assert (chart["onsets"], chart["rows"], chart["jumps"]) == (12, 8, 4)
    assert chart["mean_nps"] == 1.0
    assert chart["peak_nps"] == 4.0
    assert chart["difficulty"] == 2.3


def test_check_clean_file_exits_0(ssc: Path) -> None:
    (ssc.parent / "missing.ogg").touch()  # its music is there (not decoded: --audio-length)
    result = run("check", ssc, "--audio-length", "60")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "0 problems" in result.stderr


def test_check_problem_exits_1_with_one_line_per_issue(tmp_path: Path) -> None:
    path = save(song_for_tests(offset="1"), tmp_path / "inside.ssc")  # beat 4 sounds at 1 s, beat 71 at 34.5 s
    song = load(path)
    song.charts[1].notes.append(Note(Fraction(71), 0))  # inside the hold from beat 70 (before 0 s is only a WARNING)
    save(song, path)
    (tmp_path / "missing.ogg").touch()  # its music is there (not decoded: --audio-length)
    result = run("check", path, "--audio-length", "60")
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    problem = ("dance-single/Hard\tPROBLEM\t0:34.500\ttap at beat 71 lies inside the hold from beat 70 (lane 1)\t"
               "[note-in-hold]")
    assert lines[0] == problem
    assert [line.split("\t")[1] for line in lines[1:]] == ["INFO"]  # .ssc (its own format): StepMania drops the hold
    quiet = run("check", path, "--audio-length", "60", "--min-severity", "problem")
    assert quiet.stdout == problem + "\n"


def test_check_audio_length_and_target_format(ssc: Path, tmp_path: Path) -> None:
    short = run("check", ssc, "--audio-length", "20")
    assert short.returncode == 1
    assert "after the audio ends (20.000 s)" in short.stdout
    song = load(ssc)
    song.charts[1].timing = TimingData.constant(140)  # split timing: fine in .ssc, impossible in .sm
    split = save(song, tmp_path / "split.ssc")
    assert run("check", split, "--audio-length", "60").returncode == 0
    as_sm = run("check", split, "--audio-length", "60", "--format", "sm")
    assert as_sm.returncode == 1
    assert "one timing per song" in as_sm.stdout


def test_check_without_audio_says_so(ssc: Path) -> None:
    result = run("check", ssc)
    assert result.returncode == 0
    assert "notes after the end of the audio are not checked" in result.stderr
    assert "the music file missing.ogg is not in the song folder" in result.stdout  # the music check, once


def test_convert_round_trip_keeps_notes(ssc: Path, tmp_path: Path) -> None:
    sm = tmp_path / "song.sm"
    result = run("convert", ssc, sm)
    assert result.returncode == 0, result.stderr
    assert [c.notes for c in load(sm).charts] == [c.notes for c in load(ssc).charts]
    back = tmp_path / "back.ssc"
    assert run("convert", sm, back).returncode == 0
    assert [c.notes for c in load(back).charts] == [c.notes for c in load(ssc).charts]


def test_convert_to_osu_writes_one_file_per_difficulty_and_reads_the_set_back(ssc: Path, tmp_path: Path) -> None:
    out = tmp_path / "set"
    out.mkdir()
    result = run("convert", ssc, out / "song.osu")
    assert result.returncode == 0, result.stderr
    assert "wrote 2 files, one per difficulty" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["song [Easy].osu", "song [Hard].osu"]
    info = run("info", out, "--json")  # the folder reads back as one song with both difficulties
    assert info.returncode == 0, info.stderr
    assert [c["slot"] for c in json.loads(info.stdout)["charts"]] == ["Easy", "Hard"]
    osu = tmp_path / "hard.osu"
    result = run("convert", ssc, osu, "--chart", "hard")
    assert result.returncode == 0, result.stderr
    assert "no mines: dropped (4x)" in result.stderr
    (chart,) = load(osu).charts
    assert sum(n.kind.is_onset for n in chart.notes) == 121


def test_convert_into_another_folder_names_the_audio_from_there(tmp_path: Path) -> None:
    song_dir = tmp_path / "song"
    song_dir.mkdir()
    (song_dir / "music.ogg").write_bytes(b"not decoded here")
    src = save(dataclasses.replace(song_for_tests(), music="music.ogg"), song_dir / "song.ssc")
    (tmp_path / "set").mkdir()
    assert run("convert", src, tmp_path / "set" / "song.osu").returncode == 0
    assert run("convert", tmp_path / "set", tmp_path / "out" / "song.sm").returncode == 2  # no such folder
    (tmp_path / "out").mkdir()
    assert run("convert", tmp_path / "set", tmp_path / "out" / "song.sm").returncode == 0
    assert run("convert", src, song_dir / "same.sm").returncode == 0
    copied = tmp_path / "set" / "music.ogg"  # osu! loads audio only from the set's folder: copied in
    assert copied.read_bytes() == b"not decoded here"
    for written in [*sorted((tmp_path / "set").glob("*.osu")), tmp_path / "out" / "song.sm"]:
        assert load(written).audio_path().resolve() == copied.resolve(), written
    assert load(song_dir / "same.sm").audio_path().resolve() == (song_dir / "music.ogg").resolve()
    assert load(song_dir / "same.sm").music == "music.ogg"
    assert load(tmp_path / "out" / "song.sm").music == "../set/music.ogg"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["info", "{tmp}/missing.ssc"], "file not found"),
        (["check", "{tmp}/missing.sm"], "file not found"),
        (["convert", "{tmp}/missing.sm", "{tmp}/out.ssc"], "file not found"),
        (["convert", "{ssc}", "{tmp}/out.txt"], "unknown chart file extension"),
        (["check", "{ssc}", "--format", "midi"], "unknown chart format"),
        (["check", "{ssc}", "--audio-length", "-3"], "--audio-length must be a positive"),
        (["info", "{tmp}/empty"], "holds no chart file"),
        (["info", "{bad}"], "line 1"),
        (["convert", "{ssc}", "{tmp}/x.osu", "--chart", "Challenge"], "no chart matches"),
        # usage errors: exit 2 like every bad input (exit 1 means "check found a PROBLEM"), one line
        (["check", "{ssc}", "--min-severity", "bogus"], "invalid choice"),
        (["convert"], "required"),
        (["frobnicate"], "invalid choice"),
        (["info", "{ssc}", "--no-such-option"], "unrecognized arguments"),
    ],
)
def test_bad_input_is_one_line_exit_2(argv: list[str], expected: str, ssc: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.sm"
    bad.write_text("#NOTES:dance-single:;\n", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    args = [a.format(tmp=tmp_path, ssc=ssc, bad=bad) for a in argv]
    assert expected in one_line_error(run(*args))


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for name in ("convert", "check", "info"):
        assert name in result.stdout


def test_check_times_use_the_charts_own_timing(tmp_path: Path) -> None:
    song = song_for_tests()
    song.charts[1].timing = TimingData.constant(60, offset="2")  # beat 0 of Hard at -2 s
    song.charts[1].notes.insert(0, Note(Fraction(1), 2))  # -1 s: before the audio (a WARNING: games add a lead-in)
    path = save(song, tmp_path / "split.ssc")
    result = run("check", path, "--audio-length", "200", "--min-severity", "warning")
    assert result.returncode == 0
    assert "dance-single/Hard\tWARNING\t-0:01.000\ttap at beat 1 (lane 3) is 1.000 s before" in result.stdout


def test_native_stderr_is_silenced_but_python_messages_still_show():
    """mpg123 writes "Note: ..." lines to descriptor 2 on a damaged mp3; the CLI silences those around decoding,
    and its own progress and error lines must still reach the terminal."""
    code = ("import os, sys\n"
            "from audio.decode import native_stderr_silenced\n"
            "with native_stderr_silenced():\n"
            "    os.write(2, b'native line\\n')\n"
            "    print('python line', file=sys.stderr)\n"
            "os.write(2, b'native after\\n')\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["python line", "native after"]


def test_undecodable_mp3_in_draft_is_one_line(tmp_path):
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"ID3" + bytes(1000))  # libmpg123 prints "Note: Trying to resync..." lines on this
    result = run("draft", bad, "-o", tmp_path / "out.ssc")
    assert result.returncode == 2, result.stderr
    lines = [ln for ln in result.stderr.splitlines() if not ln.startswith("[")]  # progress lines: "[  0.0 s] ..."
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: cannot decode audio bad.mp3"), result.stderr
    assert not (tmp_path / "out.ssc").exists()


@pytest.mark.parametrize("argv", [["train", "--songs", "{tmp}", "--out", "{file}"],
                                  ["train-lanes", "--songs", "{tmp}", "--out", "{file}"],
                                  ["separate", "{file}", "-o", "{file}"]])
def test_an_output_folder_that_is_a_file_is_one_line(argv, tmp_path: Path) -> None:
    """mkdir on a file said only "File exists: PATH"."""
    file = tmp_path / "taken"
    file.write_text("x", encoding="utf-8")
    line = one_line_error(run(*[a.format(tmp=tmp_path, file=file) for a in argv]))
    assert "is a file; give a folder" in line


def test_what_the_reader_moved_is_printed_by_convert_check_and_info(tmp_path: Path) -> None:
    """osu! notes off the 1/192 grid were put on the nearest row (up to a few ms) without a word: the reader's report
    was built but no command printed it."""
    osu = tmp_path / "in.osu"
    osu.write_text("osu file format v14\n\n[General]\nAudioFilename: a.ogg\nMode: 3\n\n[Metadata]\nTitle:T\n"
                   "Version:Hard\n\n[Difficulty]\nCircleSize:4\n\n[TimingPoints]\n0,500,4,1,0,100,1,0\n\n"
                   "[HitObjects]\n64,192,0,1,0,0:0:0:0:\n192,192,100,1,0,0:0:0:0:\n320,192,1337,1,0,0:0:0:0:\n")
    line = ("note: read: dance-single/Hard: 2 notes more than 1 ms off the 1/192 grid put on the nearest row "
            "(up to 4.2 ms; the first at 100 ms, lane 1)")
    for argv in (["convert", osu, tmp_path / "out.ssc"], ["check", osu, "--audio-length", "60"],
                 ["info", osu, "--json"]):
        result = run(*argv)
        assert result.returncode == 0, result.stderr
        assert line in result.stderr.splitlines(), result.stderr
    assert json.loads(run("info", osu, "--json").stdout)["charts"][0]["slot"] == "Hard"  # stdout stays JSON


def test_convert_over_existing_files_keeps_them_as_bak(ssc: Path, tmp_path: Path) -> None:
    """draft/convert -o over an existing chart replaced it and kept nothing (a hand-made six-chart song became a
    one-chart draft); the old file is now kept as NAME.bak and stderr says so."""
    out = tmp_path / "out" / "copy.ssc"
    out.parent.mkdir()
    out.write_text("#TITLE:hand made;\n", encoding="utf-8")
    done = run("convert", ssc, out)
    assert done.returncode == 0, done.stderr
    assert (out.parent / "copy.ssc.bak").read_text(encoding="utf-8") == "#TITLE:hand made;\n"
    assert f"the old {out} is kept as copy.ssc.bak" in done.stderr


def test_convert_to_an_osu_set_with_a_folder_in_the_way_writes_nothing(ssc: Path, tmp_path: Path) -> None:
    """A folder named like one difficulty's file: the others were written and stayed, and the error named the
    set's base name instead of the file that failed."""
    out = tmp_path / "set"
    out.mkdir()
    first = run("convert", ssc, out / "s.osu")
    assert first.returncode == 0, first.stderr
    files = sorted(out.glob("*.osu"))
    assert len(files) == 2
    for f in files:
        f.unlink()
    files[1].mkdir()
    done = run("convert", ssc, out / "s.osu")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert str(files[1]) in done.stderr
    assert sorted(p.name for p in out.iterdir()) == [files[1].name]


def test_check_takes_the_files_own_format_as_the_editors_verify_does(tmp_path: Path) -> None:
    """Notes off StepMania's grid are kept exactly by .json: no PROBLEM there (the default target was none, which
    reported them as if for StepMania), a PROBLEM when --format says ssc."""
    song = song_for_tests()
    song.charts[0].notes.append(Note(Fraction(41, 5), 2))  # a 1/5 beat: off the 1/48 rows
    path = save(song, tmp_path / "fifths.json")
    (tmp_path / "missing.ogg").touch()
    own = run("check", path, "--audio-length", "60")
    assert own.returncode == 0, own.stdout + own.stderr
    assert "[unsnapped]" in own.stdout
    assert "PROBLEM" not in own.stdout
    as_ssc = run("check", path, "--audio-length", "60", "--format", "ssc")
    assert as_ssc.returncode == 1
    assert "PROBLEM" in as_ssc.stdout

"""Charts the CLI makes from a song's charts stay where they are heard: ``refine``/``simplify`` from a chart with
its own timing (.ssc split timing) wrote the new chart on the song's timing (every row after the source's stop a
second early), and ``draft CHART --bpm``/``--timing`` put a new timing under the file's other charts (every note
of them moved). Also: draft's note on a chart it replaces counts notes as ``info`` does (no mines)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
import soundfile as sf

from chart.formats.registry import load, save
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.stats import chart_stats
from chart.timing import TimingData
from chart.timing_form import same_times
from main import main
from tests.inference.tiny_models import click_track, drafting_model

SR = 22050
SONG_TIMING = TimingData.constant(120, "-0.25")
#: Medium's own timing: the song's, plus a one-second stop at beat 16
MEDIUM_TIMING = SONG_TIMING.with_changes(stops=((Fraction(16), Fraction(1)),))


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("derived")
    drafting_model(folder / "models")
    sf.write(folder / "song.wav", click_track(120, 0.25, 40.0, SR), SR)
    medium = [Note(Fraction(b, 2), b % 4) for b in range(8, 120)] + [Note(Fraction(70), 1, NoteKind.MINE)]
    easy = [Note(Fraction(b), b % 4) for b in range(4, 60)] + [Note(Fraction(b), 3, NoteKind.MINE) for b in (61, 63)]
    song = Song(title="Split", music="song.wav", timing=SONG_TIMING,
                charts=[Chart(slot=Slot.EASY, meter=3, notes=easy),
                        Chart(slot=Slot.MEDIUM, meter=6, notes=medium, timing=MEDIUM_TIMING)])
    save(song, folder / "split.ssc")
    return folder


def _run(work: Path, argv: list, capsys) -> tuple[int, str]:
    code = main([str(a) for a in [*argv, "--models", work / "models"]])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(("command", "slot"), [("refine", Slot.HARD), ("simplify", Slot.EASY)])
def test_a_chart_made_from_one_with_its_own_timing_plays_on_that_timing(work, capsys, tmp_path, command, slot):
    out = tmp_path / "out.ssc"
    code, err = _run(work, [command, work / "split.ssc", "--from", "medium", "--to", slot.sm_name.lower(),
                            "-o", out], capsys)
    assert code == 0, err
    song = load(out)
    medium, new = song.chart(Slot.MEDIUM), song.chart(slot)
    assert new.timing is not None
    assert same_times(new.timing, MEDIUM_TIMING)
    # the Medium rows the new chart keeps after the stop sound where Medium's do (they were a second early)
    kept = {n.beat for n in new.notes} & {n.beat for n in medium.notes if n.kind.is_onset and n.beat > 16}
    assert kept, err
    heard, played = song.timing_for(medium), song.timing_for(new)
    assert [played.beat_to_seconds(b) for b in sorted(kept)] == [heard.beat_to_seconds(b) for b in sorted(kept)]


@pytest.mark.parametrize("flags", [["--bpm", "140", "--offset", "0.1"], ["--timing", "other.ssc"]])
def test_draft_refuses_a_timing_that_would_move_the_files_other_charts(work, capsys, tmp_path, flags):
    save(Song(title="Other", music="song.wav", timing=TimingData.constant(140, "-0.1")), work / "other.ssc")
    flags = [str(work / f) if f.endswith(".ssc") else f for f in flags]
    out = tmp_path / "out.ssc"
    code, err = _run(work, ["draft", work / "split.ssc", *flags, "--slots", "hard", "-o", out], capsys)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert "its Easy chart plays on its timing" in lines[0]  # Medium has its own timing: not moved
    assert not out.exists()


def test_draft_with_a_timing_over_charts_it_replaces_or_leaves_alone_runs(work, capsys, tmp_path):
    out = tmp_path / "out.ssc"  # the Easy chart is replaced, the Medium has its own timing: no note moves
    code, err = _run(work, ["draft", work / "split.ssc", "--bpm", "140", "--slots", "easy,hard", "-o", out], capsys)
    assert code == 0, err
    song = load(out)
    assert float(song.timing.bpms[0][1]) == 140
    assert same_times(song.timing_for(song.chart(Slot.MEDIUM)), MEDIUM_TIMING)
    # the replaced Easy is counted as info counts it: its notes without its two mines
    assert "note: replaces the Easy chart (56 notes)" in err
    assert chart_stats(load(work / "split.ssc").chart(Slot.EASY), SONG_TIMING).onsets == 56

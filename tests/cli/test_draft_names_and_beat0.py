"""``draft AUDIO`` (audit 24): ``--bpm`` without ``--offset`` finds beat 0 in the audio at that BPM and says so
(it was put at 0 s, every drafted note off the music's beats, without a word), and the song takes its title and
artist from the audio's tags, else from the file name with ``_`` as spaces, as the editor's New Song does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import soundfile as sf

from chart.formats.registry import load
from main import main
from tests.inference.tiny_models import click_track, drafting_model

SR = 22050


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("names")
    drafting_model(folder / "models")
    samples = click_track(128, 0.3, 16.0, SR)
    sf.write(folder / "my_click_song.wav", samples, SR)
    with sf.SoundFile(str(folder / "tagged_file.ogg"), "w", SR, 1) as f:
        f.title, f.artist = "Coral Crown (From Hades II)", "FalKKonE/Rena"
        f.write(samples)
    return folder


def run(work, audio, *flags, out):
    return main(["draft", str(work / audio), *flags, "--slots", "easy", "--models", str(work / "models"),
                 "-o", str(out)])


def test_bpm_without_offset_detects_beat_0_and_notes_it(work, capsys, tmp_path):
    out = tmp_path / "out.ssc"
    assert run(work, "my_click_song.wav", "--bpm", "128", out=out) == 0
    err = capsys.readouterr().err
    assert re.search(r"note: --bpm 128 without --offset: beat 0 detected at 0\.30\d s", err), err
    song = load(out)
    assert float(song.timing.bpms[0][1]) == 128
    assert float(song.timing.offset) == pytest.approx(-0.3, abs=0.003)  # was 0: a third of a beat off


def test_bpm_with_offset_is_taken_as_given(work, capsys, tmp_path):
    out = tmp_path / "out.ssc"
    assert run(work, "my_click_song.wav", "--bpm", "128", "--offset", "0.05", out=out) == 0
    assert "detected" not in capsys.readouterr().err
    assert float(load(out).timing.offset) == pytest.approx(-0.05)


def test_the_song_is_named_from_the_audio_tags_else_its_file_name(work, capsys, tmp_path):
    assert run(work, "tagged_file.ogg", "--bpm", "128", "--offset", "0.3", out=tmp_path / "a.ssc") == 0
    song = load(tmp_path / "a.ssc")
    assert (song.title, song.artist) == ("Coral Crown (From Hades II)", "FalKKonE/Rena")
    assert run(work, "my_click_song.wav", "--bpm", "128", "--offset", "0.3", out=tmp_path / "b.osu") == 0
    song = load(next(tmp_path.glob("*.osu")))
    assert (song.title, song.artist) == ("my click song", "")  # as the editor names it: was "my_click_song"


def test_a_chart_files_bpm_without_offset_keeps_its_offset(work, capsys, tmp_path):
    """Review of audit 24: ``draft song.ssc --bpm B`` with a chart kept detected beat 0 anyway, never exactly the
    chart's offset, and was refused after the analysis ("would change" its timing); it ran before."""
    from fractions import Fraction

    from chart.formats.registry import save
    from chart.notes import Note
    from chart.song import Chart, Slot, Song
    from chart.timing import TimingData

    song = Song(title="S", music=str(work / "my_click_song.wav"),
                timing=TimingData.constant(128, Fraction(-1, 4)),  # beat 0 at 0.25 s, the clicks at 0.3 s
                charts=[Chart(slot=Slot.BEGINNER, meter=1, notes=[Note(Fraction(k), k % 4) for k in range(8)])])
    save(song, tmp_path / "song.ssc")
    out = tmp_path / "out.ssc"
    assert main(["draft", str(tmp_path / "song.ssc"), "--bpm", "128", "--slots", "easy", "--models",
                 str(work / "models"), "-o", str(out)]) == 0
    assert "detected" not in capsys.readouterr().err
    drafted = load(out)
    assert float(drafted.timing.offset) == pytest.approx(-0.25)  # the chart's own, under its kept Beginner
    assert [c.slot for c in drafted.charts] == [Slot.BEGINNER, Slot.EASY]

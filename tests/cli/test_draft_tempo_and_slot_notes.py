"""``draft AUDIO``'s tempo line gives each alternative as the ``--bpm B --offset S`` to draft on it (it printed bare
BPMs, "100.87", hiding that the authored grid was the candidate of that BPM with beat 0 half a beat later), and the
chart commands say when a chart they wrote is easier than the song's chart of the slot below it (a Hard refined from
Easy came out sparser than the song's Medium and nothing said so)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from audio.tempo import TempoCandidate
from chart.formats.registry import load
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from cli import _draft_tempo
from cli._draft_write import _write
from inference.draft_types import Provenance, SlotDraft


def test_the_tempo_line_gives_each_alternative_as_the_flags_to_draft_on_it(monkeypatch, capsys) -> None:
    found = [TempoCandidate(100.872, 0.0650, 0.4), TempoCandidate(201.745, 0.0651, 0.2),
             TempoCandidate(100.872, 0.3628, 0.15), TempoCandidate(50.436, 0.0650, 0.1)]
    monkeypatch.setattr("audio.tempo.detect_tempo", lambda samples, rate: found)
    analysis = SimpleNamespace(samples=np.zeros(10, dtype=np.float32), sample_rate=22050)
    timing = _draft_tempo.detect_tempo(analysis, Path("buster.ogg"))
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("tempo: 100.872 BPM, beat 0 at 0.065 s (confidence 0.40); alternatives: ")
    assert line.endswith("--bpm 201.745 --offset 0.0651; --bpm 100.872 --offset 0.3628; --bpm 50.436 --offset 0.0650")
    assert timing.offset == Fraction("-0.065")


def steps(count: int, per_beat: int, slot: Slot, meter: int) -> Chart:
    return Chart(slot=slot, meter=meter, notes=[Note(8 + Fraction(i, per_beat), i % 4) for i in range(count)])


def test_a_written_chart_easier_than_the_slot_below_it_is_said(tmp_path: Path, capsys) -> None:
    timing = TimingData.constant(150)
    song = Song(title="x", artist="y", timing=timing,
                charts=[steps(60, 1, Slot.EASY, 3), steps(160, 2, Slot.MEDIUM, 11)])
    prov = Provenance("m", 1, "0" * 64, "lanes", "cpu", 0, {"refined_from": "Easy"})
    sparse = SlotDraft(Slot.HARD, steps(80, 1, Slot.HARD, 1).notes, Fraction(0), Fraction(1000), 0.5, prov)
    assert _write(song, [sparse], timing, tmp_path / "song.ssc") == 0
    err = capsys.readouterr().err
    (note,) = [line for line in err.splitlines() if "the song's Medium" in line]
    assert note.startswith("note: Hard (80 notes, 2.50 notes/s, meter ")
    assert "fewer notes per second" in note
    assert [c.slot for c in load(tmp_path / "song.ssc").charts] == [Slot.EASY, Slot.MEDIUM, Slot.HARD]
    dense = SlotDraft(Slot.HARD, steps(320, 4, Slot.HARD, 1).notes, Fraction(0), Fraction(1000), 0.5, prov)
    assert _write(song, [dense], timing, tmp_path / "song.ssc") == 0
    assert "the song's" not in capsys.readouterr().err  # in order: nothing said


def test_convert_says_when_the_game_does_not_play_the_music(tmp_path: Path, capsys) -> None:
    import soundfile as sf

    from chart.formats.registry import save
    from main import main

    sf.write(tmp_path / "song.flac", np.zeros(22050, dtype=np.float32), 22050)
    song = Song(title="x", artist="y", music="song.flac", timing=TimingData.constant(150),
                charts=[steps(60, 1, Slot.EASY, 3)])
    save(song, tmp_path / "song.ssc")
    assert main(["convert", str(tmp_path / "song.ssc"), str(tmp_path / "song.osz")]) == 0
    (line,) = [x for x in capsys.readouterr().err.splitlines() if "song.flac" in x]
    assert line.startswith("warning: osz: the music song.flac is FLAC, which osu! does not play")
    assert main(["convert", str(tmp_path / "song.ssc"), str(tmp_path / "song.sm")]) == 0
    assert "StepMania does not play" in capsys.readouterr().err

"""AI commands on an osu! set of another key count (7K) or a mixed 4K+7K set: to .osu they write the charts they made
and nothing else (a designer's 7K chart of the drafted slot was written again, and into the set's own folder stood
in it twice), and a 4K draft for a 7K map is a keyboard chart, as the editor's Draft makes it (the command line's
was judged for feet: a pad density warning)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
import soundfile as sf

from chart.formats.osu_modes import keyboard_mark
from chart.formats.registry import load, save
from chart.keyboard import is_keyboard, keyboard_extra
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from main import main
from tests.inference.tiny_models import click_track, drafting_model

SR = 22050


def _keys(mode: str, lanes: int, slot: Slot) -> Chart:
    return Chart(mode=mode, lanes=lanes, slot=slot, meter=8, extra=keyboard_mark(),
                 notes=[Note(Fraction(k, 2), (k * 3) % lanes) for k in range(8, 90)])


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("keys7")
    drafting_model(folder / "models")
    sf.write(folder / "song.wav", click_track(128, 0.3, 24.0, SR), SR)
    timing = TimingData.constant(128, Fraction("-0.3"))
    seven = Song(title="Keys", music="song.wav", timing=timing, charts=[_keys("kb7-single", 7, Slot.HARD)])
    save(seven, folder / "keys7.osu")
    mixed = Song(title="Mixed", music="song.wav", timing=timing,
                 charts=[_keys("dance-single", 4, Slot.HARD), _keys("kb7-single", 7, Slot.HARD),
                         _keys("kb7-single", 7, Slot.EASY)])
    save(mixed, folder / "mixed.ssc")  # .ssc keeps the keyboard marks
    return folder


def run(argv, capsys) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out + out.err


def _written(folder: Path) -> list[tuple[int, str]]:
    return sorted((c.lanes, c.slot.sm_name) for p in folder.glob("*.osu") for c in load(p).charts)


def test_draft_of_a_7k_map_writes_the_new_chart_only(work, capsys, tmp_path):
    out = tmp_path / "d"
    out.mkdir()
    code, err = run(["draft", work / "keys7.osu", "--slots", "hard", "--models", work / "models",
                     "-o", out / "d.osu"], capsys)
    assert code == 0, err
    assert _written(out) == [(4, "Hard")], err  # not the designer's 7K Hard again


@pytest.mark.parametrize("argv", [["simplify", "--from", "hard", "--to", "easy"], ["arrows", "--slot", "hard"]])
def test_rework_of_a_mixed_set_writes_the_new_chart_only(work, capsys, tmp_path, argv):
    code, err = run([argv[0], work / "mixed.ssc", *argv[1:], "--models", work / "models", "-o", tmp_path / "o.osu"],
                    capsys)
    assert code == 0, err
    assert _written(tmp_path) == [(4, argv[-1].capitalize())], err  # the 7K chart of that slot is not written


def test_a_4k_draft_for_a_7k_map_is_a_keyboard_chart(work, capsys, tmp_path):
    code, err = run(["draft", work / "keys7.osu", "--slots", "challenge", "--models", work / "models",
                     "-o", tmp_path / "d.ssc"], capsys)
    assert code == 0, err
    song = load(tmp_path / "d.ssc")
    assert is_keyboard(song.chart(Slot.CHALLENGE)), "the 4K draft of a 7K map lost the keyboard mark"
    code, err = run(["check", tmp_path / "d.ssc"], capsys)
    assert code == 0, err
    assert "density" not in err, err  # no pad density ranges for a keyboard chart


def test_keyboard_extra_without_a_chart_of_the_mode_follows_the_whole_song():
    seven, pad = _keys("kb7-single", 7, Slot.HARD), Chart(mode="dance-double", lanes=8, slot=Slot.HARD)
    assert keyboard_extra(Song(charts=[seven]), "dance-single") == keyboard_mark()  # as the editor's Draft on it
    assert keyboard_extra(Song(charts=[seven, pad]), "dance-single") == []  # a mixed song: no guess

"""AI commands on an osu!mania map (a keyboard chart, :mod:`chart.keyboard`): the charts they make keep the mark
(they lost it in .ssc/.json, and Verify and the foot labels judged them for feet), simplify moves no arrow for the
feet; and the output/input messages of ``draft``/``refine``/``simplify``/``arrows``."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
import soundfile as sf

from chart.formats.osu_modes import keyboard_mark
from chart.formats.registry import formats, load, save
from chart.keyboard import is_keyboard, keyboard_extra
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from main import main
from tests.inference.tiny_models import click_track, drafting_model

SR = 22050


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("kbcli")
    drafting_model(folder / "models")
    sf.write(folder / "song.wav", click_track(128, 0.3, 24.0, SR), SR)
    hard = Chart(slot=Slot.HARD, meter=8, notes=[Note(Fraction(k, 2), (k * 3) % 4) for k in range(8, 90)],
                 extra=keyboard_mark())
    song = Song(title="Keys", music="song.wav", timing=TimingData.constant(128, Fraction("-0.3")), charts=[hard])
    save(song, folder / "keys.ssc")  # .ssc keeps the mark (#KEYBOARD)
    return folder


def run(argv, capsys) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_new_charts_of_a_keyboard_map_are_keyboard_charts(work, capsys, tmp_path, monkeypatch):
    import inference.simplify as simplify

    def no_feet(*_a, **_k):
        raise AssertionError("a keyboard chart's arrows were moved for the feet")

    monkeypatch.setattr(simplify, "eased", no_feet)
    monkeypatch.setattr(simplify, "uncrossed", no_feet)
    models = ["--models", work / "models"]
    simple = tmp_path / "simple.ssc"
    code, _, err = run(["simplify", work / "keys.ssc", "--from", "hard", "--to", "easy,beginner", *models,
                        "-o", simple], capsys)
    assert code == 0, err
    song = load(simple)
    hard = {(n.beat, n.lane) for n in song.chart(Slot.HARD).notes}
    for slot in (Slot.EASY, Slot.BEGINNER):
        assert is_keyboard(song.chart(slot)), slot
        assert {(n.beat, n.lane) for n in song.chart(slot).notes} <= hard  # the designer's own keys
    refined = tmp_path / "refined.json"
    code, _, err = run(["refine", work / "keys.ssc", "--from", "hard", "--to", "challenge", *models, "-o", refined],
                       capsys)
    assert code == 0, err
    assert is_keyboard(load(refined).chart(Slot.CHALLENGE))
    drafted = tmp_path / "drafted.ssc"
    code, _, err = run(["draft", work / "keys.ssc", "--slots", "medium", *models, "-o", drafted], capsys)
    assert code == 0, err
    assert is_keyboard(load(drafted).chart(Slot.MEDIUM))  # every dance-single chart of the song is a keyboard one


def test_simplify_of_a_pad_chart_still_eases_the_feet(work, tmp_path, monkeypatch):
    """The keyboard flag turns the easing off, nothing else does."""
    import inference.simplify as simplify
    from inference.drafter import Drafter

    calls = []
    real = simplify.eased
    monkeypatch.setattr(simplify, "eased", lambda *a: calls.append(1) or real(*a))
    drafter = Drafter.from_models_dir(work / "models")
    song = load(work / "keys.ssc")
    notes = song.chart(Slot.HARD).notes
    drafter.simplify(work / "song.wav", song.timing, notes, "hard", ["easy"])
    assert calls == [1]
    drafter.simplify(work / "song.wav", song.timing, notes, "hard", ["easy"], keyboard=True)
    assert calls == [1]


def test_keyboard_extra_follows_the_source_and_the_songs_charts():
    pad = Chart(slot=Slot.HARD)
    keys = Chart(slot=Slot.EASY, extra=keyboard_mark())
    assert keyboard_extra(Song(charts=[keys]), "dance-single") == keyboard_mark()
    assert keyboard_extra(Song(charts=[keys, pad]), "dance-single") == []  # a mixed song: no guess
    assert keyboard_extra(Song(charts=[keys, pad]), "dance-single", keys) == keyboard_mark()
    assert keyboard_extra(Song(charts=[keys]), "dance-double") == keyboard_mark()  # no chart of it: the whole song
    assert keyboard_extra(Song(), "dance-single") == []


@pytest.mark.parametrize("command", ["draft", "refine", "simplify", "arrows"])
def test_help_lists_every_writable_format(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for fmt in formats():
        assert all(ext in text for ext in fmt.extensions), (command, fmt.name)
    assert ".json or .osz" in text


def test_input_and_output_errors_say_what_is_wrong(work, capsys, tmp_path):
    code, _, err = run(["simplify", work / "song.wav", "--from", "hard", "--to", "easy", "-o", tmp_path / "x.ssc"],
                       capsys)
    assert code == 2
    known = ", ".join(ext for fmt in formats() for ext in fmt.extensions)
    assert f"is not a chart file ({known})" in err
    assert ".osz" in known


def test_an_output_under_a_file_says_it_is_not_a_folder(work, capsys, tmp_path):
    (tmp_path / "afile").write_text("x")
    for out in (tmp_path / "afile" / "out.ssc", tmp_path / "afile" / "deeper" / "out.ssc"):
        code, _, err = run(["simplify", work / "keys.ssc", "--from", "hard", "--to", "easy", "-o", out], capsys)
        assert code == 2
        assert err.strip() == f"error: cannot write {out}: {tmp_path / 'afile'} is not a folder"
    code, _, err = run(["simplify", work / "keys.ssc", "--from", "hard", "--to", "easy", "-o",
                        tmp_path / "none" / "out.ssc"], capsys)
    assert err.strip() == f"error: output folder {tmp_path / 'none'} does not exist"

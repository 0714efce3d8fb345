"""``convert ... set/song.osu`` makes a missing set folder (one level, said) whatever the chart count and whether
the audio is found; a deeper missing path is refused and makes nothing, audio or not (``write_set`` made every
missing folder above a copied audio file without a word, and a one-chart set or one without audio was refused)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from chart.formats.osu_set_files import write_set
from chart.formats.registry import save
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from main import main


def _song(folder: Path, charts: int, audio: bool) -> Path:
    folder.mkdir()
    if audio:
        (folder / "a.ogg").write_bytes(b"OggS not really audio")
    notes = [Note(Fraction(b), b % 4) for b in range(8)]
    slots = [(Slot.EASY, 3), (Slot.HARD, 8)][:charts]
    return save(Song(title="S", music="a.ogg", timing=TimingData.constant(120, "0"),
                     charts=[Chart(slot=s, meter=m, notes=notes) for s, m in slots]), folder / "song.ssc")


@pytest.mark.parametrize(("charts", "audio"), [(1, False), (1, True), (2, False), (2, True)])
def test_a_missing_set_folder_is_made_and_said_alike(tmp_path: Path, capsys, charts: int, audio: bool) -> None:
    ssc = _song(tmp_path / "src", charts, audio)
    code = main(["convert", str(ssc), str(tmp_path / "set" / "song.osu")])
    err = capsys.readouterr().err
    assert code == 0, err
    assert f"note: created the folder {tmp_path / 'set'} for the set" in err
    assert len(list((tmp_path / "set").glob("*.osu"))) == charts
    assert (tmp_path / "set" / "a.ogg").exists() == audio


@pytest.mark.parametrize(("charts", "audio"), [(1, False), (1, True), (2, False), (2, True)])
def test_a_deeper_missing_path_is_refused_and_makes_nothing(tmp_path: Path, capsys, charts: int, audio: bool) -> None:
    ssc = _song(tmp_path / "src", charts, audio)
    code = main(["convert", str(ssc), str(tmp_path / "typo" / "deeper" / "set" / "song.osu")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: cannot write ")
    assert "No such file or directory" in err
    assert not (tmp_path / "typo").exists()


def test_write_set_makes_a_subfolder_of_the_set_but_never_the_set_folder(tmp_path: Path) -> None:
    (tmp_path / "set").mkdir()
    written = write_set([(tmp_path / "set" / "x.osu", b"osu")], [(tmp_path / "set" / "sb" / "star.png", b"png")])
    assert written == [tmp_path / "set" / "x.osu"]
    assert (tmp_path / "set" / "sb" / "star.png").read_bytes() == b"png"
    with pytest.raises(FileNotFoundError):
        write_set([(tmp_path / "new" / "x.osu", b"osu")], [(tmp_path / "new" / "sb" / "star.png", b"png")])
    assert not (tmp_path / "new").exists()



@pytest.mark.parametrize(("fault", "code"), [(KeyboardInterrupt(), 130), (OSError(28, "No space left on device"), 2),
                                             (RuntimeError("a bug"), None)])
def test_the_made_set_folder_goes_on_any_failure(tmp_path: Path, monkeypatch, fault, code) -> None:
    import cli.chart_cmds

    def fail(song, output):  # Ctrl+C (or an unexpected error) before any file of the set is written
        raise fault

    monkeypatch.setattr(cli.chart_cmds, "write_chart_files", fail)
    argv = ["convert", str(_song(tmp_path / "src", 1, False)), str(tmp_path / "set" / "song.osu")]
    if code is None:
        with pytest.raises(RuntimeError, match="a bug"):
            main(argv)
    else:
        assert main(argv) == code
    assert not (tmp_path / "set").exists()  # was: the empty set/ was left behind


def test_a_set_folder_that_is_not_empty_stays(tmp_path: Path, monkeypatch) -> None:
    import cli.chart_cmds

    def fail(song, output):  # something else put a file there meanwhile: not ours to remove
        (output.parent / "other.txt").write_text("x")
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.chart_cmds, "write_chart_files", fail)
    assert main(["convert", str(_song(tmp_path / "src", 1, False)), str(tmp_path / "set" / "song.osu")]) == 130
    assert (tmp_path / "set" / "other.txt").read_text() == "x"

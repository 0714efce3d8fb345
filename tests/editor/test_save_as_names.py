"""Save As (audit 22): a name typed with a dot but no extension ("Mr. Brightside") gets the chosen filter's
extension (it was refused as "unknown chart file extension '. brightside'"; Export too); an ``.osu`` saved to a
folder its audio is not in copies the audio in, after asking, as Export does (it named ``../audio/x.ogg``, which
osu! does not load); a song with no difficulty left says so when saved as ``.osu``."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from chart.formats.registry import load
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from tests.editor.conftest import SR_HZ, click_track, open_with_audio

pytestmark = pytest.mark.qt


@pytest.mark.parametrize(("typed", "chosen", "name"), [
    ("Mr. Brightside", "StepMania 5 (*.ssc)", "Mr. Brightside.ssc"),
    ("Song (feat. Someone)", "osu!mania (*.osu)", "Song (feat. Someone).osu"),
    ("Vol. 2", "StepMania (*.sm)", "Vol. 2.sm"),
    ("My Song", "StepMania 5 (*.ssc)", "My Song.ssc"),
    ("Song.SM", "StepMania 5 (*.ssc)", "Song.SM"),  # an extension typed is kept
])
def test_a_name_with_a_dot_gets_the_filters_extension(window, monkeypatch, tmp_path, typed, chosen, name):
    from editor.controllers import file_dialogs
    from editor.controllers.export import ExportController

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *_a: (str(tmp_path / typed), chosen)))
    assert file_dialogs.ask_save_path(window, None) == tmp_path / name
    assert ExportController(window).ask_export_path() == tmp_path / name


def osu_song(window, tmp_path, qtbot) -> Path:
    """A one-difficulty song of taps (nothing osu!mania converts) whose audio is media/clicks.wav, open with its
    audio; the audio file."""
    song = Song(title="Clicks", artist="Test", music="clicks.wav", timing=TimingData.constant(120, "-0.1"),
                charts=[Chart(slot=Slot.EASY, meter=4, notes=[Note(Fraction(k), k % 4) for k in range(8)])])
    open_with_audio(window, qtbot, tmp_path / "media", song, click_track(10.0), SR_HZ)
    return tmp_path / "media" / "clicks.wav"


def test_save_as_osu_away_from_its_audio_copies_it_in_after_asking(window, boxes, tmp_path, qtbot):
    audio = osu_song(window, tmp_path, qtbot)
    target = tmp_path / "set" / "clicks.osu"
    target.parent.mkdir()
    window.files.ask_save_path = lambda *_a, **_k: target
    assert not window.files.save_as()  # the question answered No (Cancel): nothing written, nothing changed
    (text,) = [t for kind, title, t in boxes if title == "Copy into the set's folder?"]
    assert "copies the audio clicks.wav" in text
    assert sorted(p.name for p in target.parent.iterdir()) == []
    assert window.session.doc.song.music == "clicks.wav"
    assert window.session.doc.path == audio.with_suffix(".ssc")
    boxes.answers = [QMessageBox.StandardButton.Yes]
    window.editing.place(Fraction(30), 1, window.session.place_kind)
    assert window.files.save_as()
    assert sorted(p.name for p in target.parent.iterdir()) == ["clicks.osu", "clicks.wav"]
    assert (target.parent / "clicks.wav").read_bytes() == audio.read_bytes()
    saved = load(target)
    assert saved.music == "clicks.wav"  # was ../media/clicks.wav: osu! loads audio only from the set's folder
    assert Note(Fraction(30), 1) in saved.charts[0].notes
    assert "copied the audio clicks.wav" in window.statusBar().currentMessage()
    doc = window.session.doc
    assert doc.is_clean
    assert doc.path == target
    assert doc.song.music == "clicks.wav"
    boxes.clear()
    window.editing.place(Fraction(31), 2, window.session.place_kind)
    assert window.files.save()  # the copy is there now: no question
    assert not [b for b in boxes if b[1] == "Copy into the set's folder?"]


def test_save_as_osu_beside_its_audio_copies_nothing(window, boxes, tmp_path, qtbot):
    target = osu_song(window, tmp_path, qtbot).with_suffix(".osu")
    window.files.ask_save_path = lambda *_a, **_k: target
    assert window.files.save_as()
    assert boxes == []
    assert load(target).music == "clicks.wav"


def test_save_as_osu_of_a_song_without_a_difficulty_says_so(window, boxes, tmp_path):
    doc = window.session.doc
    for chart in list(doc.song.charts):
        doc.delete_chart(chart)
    window.files.ask_save_path = lambda *_a, **_k: tmp_path / "x.osu"
    assert not window.files.save_as()
    (text,) = [t for kind, title, t in boxes if title == "Cannot save"]
    assert "no difficulty to write" in text
    assert "beat 0" not in text  # the writer's words, for another mistake
    assert not Path(tmp_path / "x.osu").exists()

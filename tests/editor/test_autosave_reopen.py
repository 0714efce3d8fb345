"""A crashed session whose song no file holds is offered again when what it came from is opened again: the folder of
an osu! beatmap set (opened as one song, no one file to save to), or the audio file of a new song never saved."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from PySide6.QtWidgets import QMessageBox

from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from tests.editor.conftest import click_track
from tests.editor.test_autosave import close, crash, edit, new_window

pytestmark = pytest.mark.qt


def osu_set(folder):
    from chart.formats.registry import save_split

    folder.mkdir()
    song = Song(title="Setty", artist="A", music="missing.ogg", timing=TimingData.constant(120),
                charts=[Chart(slot=Slot.EASY, meter=2, notes=[Note(Fraction(k), k % 4) for k in range(8)]),
                        Chart(slot=Slot.HARD, meter=8, notes=[Note(Fraction(k, 2), k % 4) for k in range(16)])])
    save_split(song, folder / "Setty.osu")
    return folder


def marker(win) -> dict:
    return json.loads((win.autosave.folder / "session.json").read_text())


def offered(boxes) -> list[str]:
    return [text for _k, _t, text in boxes if "did not close properly" in text]


def test_an_osu_set_opened_as_a_folder_is_offered_when_the_folder_is_opened_again(window, boxes, settings, qtbot,
                                                                                   tmp_path):
    folder = osu_set(tmp_path / "set")
    assert window.files.open_path(folder, check_unsaved=False)
    window.autosave.start_session()
    added = edit(window, 40, 1)
    window.autosave.autosave()
    assert marker(window)["document"] is None
    assert marker(window)["opened"] == str(folder)
    crashed = crash(window)
    second = new_window(qtbot, settings)
    second.autosave.start_session()
    boxes.answers = [QMessageBox.StandardButton.Yes]
    assert second.files.open_path(folder, check_unsaved=False)  # File > Open of the folder: was never offered
    (text,) = offered(boxes)
    assert "Setty" in text
    assert str(folder) in text
    assert added in second.session.chart.notes
    assert second.session.doc.undo_stack_names() == ["Restore autosave"]
    assert not crashed.exists()
    crash(second)
    third = new_window(qtbot, settings)  # and at start-up with the folder on the command line
    statuses = []
    third.session.status.connect(statuses.append)
    boxes.answers = [QMessageBox.StandardButton.Yes]
    assert third.autosave.offer_recovery(folder)
    assert not any("other songs" in s for s in statuses)
    assert added in third.session.chart.notes
    close(third)


def new_song(win, audio_path):
    from editor.audio_support import decode_job
    from editor.controllers.new_song import finish_new_song
    from editor.workers import Job

    job = Job("t", decode_job, audio_path)
    audio = job._fn(job.ctx, audio_path)
    assert finish_new_song(win, audio_path, audio, [], timing=TimingData.constant(140, "-0.25"))


def autosaved_new_song(window, tmp_path):
    """A new song from song/loop.wav (a 140 BPM click track) with one note added and autosaved: (its audio, the
    note)."""
    import soundfile as sf

    audio_path = tmp_path / "song" / "loop.wav"
    audio_path.parent.mkdir()
    sf.write(str(audio_path), click_track(6.0, bpm=140, first_beat_s=0.25), 22050)
    window.autosave.start_session()
    new_song(window, audio_path)
    added = edit(window, 8, 2)
    assert window.autosave.autosave() is not None
    return audio_path, added


def test_a_new_song_never_saved_is_offered_when_its_audio_is_opened_again(window, boxes, settings, qtbot, tmp_path,
                                                                          monkeypatch):
    import editor.controllers.new_song as new_song_module

    audio_path, added = autosaved_new_song(window, tmp_path)
    assert marker(window)["document"] is None
    assert marker(window)["opened"] == str(audio_path)
    crash(window)
    second = new_window(qtbot, settings)
    second.autosave.start_session()
    analysed = []
    monkeypatch.setattr(new_song_module, "Job", lambda *a, **k: analysed.append(a) or pytest.fail("analysed"))
    boxes.answers = [QMessageBox.StandardButton.Yes]
    assert second.files.open_path(audio_path, check_unsaved=False)  # File > Open of the audio: a fresh new song
    (text,) = offered(boxes)
    assert "a new song from" in text
    assert str(audio_path) in text
    assert not analysed  # restored as it was: no tempo to detect and confirm again
    doc = second.session.doc
    assert added in second.session.chart.notes
    assert float(doc.song.timing.bpms[0][1]) == 140
    assert doc.path is None
    assert not doc.is_clean
    assert marker(second)["opened"] == str(audio_path)  # a second crash is offered for the same audio
    crash(second)
    third = new_window(qtbot, settings)  # at start-up with the audio on the command line
    statuses = []
    third.session.status.connect(statuses.append)
    boxes.answers = [QMessageBox.StandardButton.Yes]
    assert third.autosave.offer_recovery(audio_path)
    assert not any("other songs" in s for s in statuses)
    assert added in third.session.chart.notes
    qtbot.waitUntil(lambda: third.session.audio is not None, timeout=10000)
    close(third)

"""Save and Export say what the format cannot hold at all (the writer's refusal) before any question: Save As .sm
of a song with a chart of its own timing asked "Save with conversions? ... Save anyway?" about dropped chart tags,
and after Yes said "Cannot save: .sm has one timing per song"; Export asked "Export anyway?" and then refused."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from tests.editor.conftest import open_with_audio

pytestmark = pytest.mark.qt
REASON = ".sm has one timing per song; this chart has its own"


def _split_song(win, qtbot, tmp_path) -> Song:
    """Two charts, the second of its own timing, with a .ssc-only chart name (a conversion in .sm)."""
    notes = [Note(F(k), k % 4) for k in range(16)]
    song = Song(title="t", music="a.wav", timing=TimingData.constant(120, "-0.1"),
                charts=[Chart(slot=Slot.EASY, meter=3, notes=list(notes), extra=[("CHARTNAME", "Mine")]),
                        Chart(slot=Slot.MEDIUM, meter=5, notes=list(notes),
                              timing=TimingData.constant(130, "-0.3"))])
    return open_with_audio(win, qtbot, tmp_path / "song", song, np.zeros(22050 * 10, dtype=np.float32), 22050, "a")


def test_save_as_sm_refuses_at_once_without_asking(window, qtbot, tmp_path, boxes):
    _split_song(window, qtbot, tmp_path)
    target = tmp_path / "out" / "a.sm"
    target.parent.mkdir()
    window.files.ask_save_path = lambda *a, **k: target
    boxes.answers = [QMessageBox.StandardButton.Yes] * 3
    assert not window.files.save_as()
    assert [(kind, title) for kind, title, _ in boxes] == [("critical", "Cannot save")]
    assert REASON in boxes[0][2]
    assert not target.exists()
    assert window.session.doc.path != target


def test_export_sm_refuses_at_once_without_asking(window, qtbot, tmp_path, boxes):
    from editor.controllers.export import ExportController

    _split_song(window, qtbot, tmp_path)
    target = tmp_path / "out" / "a.sm"
    target.parent.mkdir()
    boxes.answers = [QMessageBox.StandardButton.Yes] * 3
    assert not ExportController(window).export(target)
    assert [(kind, title) for kind, title, _ in boxes] == [("critical", "Cannot export")]
    assert REASON in boxes[0][2]
    assert list(target.parent.iterdir()) == []


def test_the_same_song_still_saves_as_ssc_and_exports_as_osu(window, qtbot, tmp_path, boxes):
    from editor.controllers.export import ExportController

    _split_song(window, qtbot, tmp_path)
    boxes.answers = [QMessageBox.StandardButton.Yes] * 3
    assert ExportController(window).export(tmp_path / "song" / "a.osu")  # one timing per .osu file: fine
    assert not [b for b in boxes if b[0] == "critical"]
    assert sorted(p.name for p in (tmp_path / "song").glob("*.osu")) == ["a [Easy].osu", "a [Medium].osu"]


def test_export_refuses_before_asking_about_pending_drafts(window, qtbot, tmp_path, boxes):
    """Review of audit 25's fix: with AI drafts pending, Export asked "AI drafts not accepted ... Export without
    them?" and after Yes refused anyway; the refusal comes first, as in Save."""
    from editor.controllers.export import ExportController
    from editor.controllers.ghosts import GhostDraft

    song = _split_song(window, qtbot, tmp_path)
    chart = window.session.doc.song.charts[0]
    window.drafting.ghosts.put(GhostDraft(chart, [Note(F(40), 1)], {}, {"seed": 0}, regions=[(F(40), F(44))],
                                          timing=window.session.doc.song.timing_for(chart)))
    target = tmp_path / "out" / "a.sm"
    target.parent.mkdir()
    boxes.answers = [QMessageBox.StandardButton.Yes] * 3
    assert not ExportController(window).export(target)
    assert [(kind, title) for kind, title, _ in boxes] == [("critical", "Cannot export")], boxes
    assert song is not None

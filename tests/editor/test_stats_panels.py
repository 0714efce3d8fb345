"""Stats, History and minimap agree with what the player steps on and with Ctrl+Z: judged notes only in the
compared and ghost curves, a minimap span that grows with a charts-only song, History clicks that undo through
the same path as Ctrl+Z, and the saved state marked in History."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.commands import AddNotes
from chart.formats.registry import save
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

pytestmark = pytest.mark.qt
WARPED = TimingData.constant(120).with_changes(warps=((Fraction(8), Fraction(8)),))  # beats 8..16 take no time


def _open(window, tmp_path, song: Song, name: str = "s.ssc"):
    path = tmp_path / name
    save(song, path)
    assert window.open_path(path)
    return window.session


def test_compared_and_ghost_curves_count_only_judged_notes(window, tmp_path, qtbot):
    easy = Chart(slot=Slot.EASY, meter=3, notes=[Note(Fraction(k), k % 4) for k in range(24)])  # 8 warped over
    hard = Chart(slot=Slot.HARD, meter=8, notes=[Note(Fraction(k, 2), k % 4) for k in range(48)])
    s = _open(window, tmp_path, Song(title="W", timing=WARPED, charts=[easy, hard]))
    easy, hard = s.doc.song.charts
    s.set_chart(hard)
    s.set_reference(easy)
    window.minimap.refresh()
    _t, nps = window.minimap._reference
    assert nps.max() == pytest.approx(2.0)  # one tap a beat at 120 BPM; the warp's 8 taps at one instant made 5
    _t, ghost = window.sync._density(easy.notes, WARPED)  # the AI draft's curve goes through the same function
    assert ghost.max() == pytest.approx(2.0)
    window.stats_panel.refresh()
    assert "16/16" in window.stats_panel.labels["Compared with"].text()  # Stats counts 16 judged Easy rows


def test_minimap_span_grows_with_the_notes_of_a_song_without_audio(window, tmp_path, qtbot):
    song = Song(title="M", timing=TimingData.constant(120),
                charts=[Chart(slot=Slot.EASY, meter=3, notes=[Note(Fraction(k), k % 4) for k in range(64)])])
    s = _open(window, tmp_path, song, "m.sm")
    assert s.audio is None
    assert window.minimap.duration_s == pytest.approx(60.0)
    s.push(AddNotes(s.chart, [Note(Fraction(200 + k), k % 4) for k in range(64)]))  # 100 s .. 131.5 s
    qtbot.waitUntil(lambda: window.minimap.duration_s == pytest.approx(s.duration_s()), timeout=3000)
    assert window.minimap.duration_s > 131.5
    assert window.minimap.time_at(window.minimap.height() * 0.9) > 100.0  # the new notes are reachable by click


def _two_chart_song() -> Song:
    return Song(title="H", timing=TimingData.constant(120),
                charts=[Chart(slot=Slot.BEGINNER, meter=1, notes=[Note(Fraction(0), 0)]),
                        Chart(slot=Slot.EASY, meter=3, notes=[Note(Fraction(0), 1)])])


def test_history_click_undoes_like_ctrl_z_showing_the_chart_it_edits(window, tmp_path, qtbot):
    s = _open(window, tmp_path, _two_chart_song())
    beginner, easy = s.doc.song.charts
    s.set_chart(beginner)
    window.editing.place(Fraction(4), 0, s.place_kind)
    window.editing.place(Fraction(5), 1, s.place_kind)
    s.set_chart(easy)
    messages: list[str] = []
    s.status.connect(messages.append)
    window.history_panel.go_to(1)
    assert len(beginner.notes) == 2
    assert s.chart is beginner  # the undone edit is shown, not taken back out of sight
    assert messages == ["Undid Add tap in Beginner"]
    s.set_chart(easy)
    window.history_panel.go_to(0)
    assert len(beginner.notes) == 1
    assert s.chart is beginner
    assert messages[-1] == "Undid Add tap in Beginner"


def test_history_marks_the_saved_state(window, tmp_path, qtbot):
    s = _open(window, tmp_path, _two_chart_song())
    panel = window.history_panel

    def marked() -> list[int]:
        return [i for i in range(panel.list.count()) if panel.list.item(i).font().bold()
                or panel.list.item(i).text().endswith("(saved)")]

    assert marked() == [0]
    window.editing.place(Fraction(4), 0, s.place_kind)
    window.editing.place(Fraction(5), 1, s.place_kind)
    assert marked() == [0]
    s.doc.history.set_clean()  # what a save does
    panel.refresh()
    window.editing.place(Fraction(6), 2, s.place_kind)
    assert marked() == [2]
    item = panel.list.item(2)
    assert item.font().bold()
    assert item.text() == "Add tap  (saved)"
    panel.go_to(0)
    window.editing.place(Fraction(7), 3, s.place_kind)  # drops the redo steps, the saved state with them
    assert marked() == []

"""The Stats panel counts a couple chart's players each on their own pad and shows no estimated difficulty for a
chart without steps; the minimap spans notes past the end of the audio and seeks to them."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import QPoint, Qt

from chart.formats.registry import save
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from tests.editor.conftest import SR_HZ, click_track, open_with_audio

pytestmark = pytest.mark.qt


def _labels(window, song: Song, tmp_path, chart: int = 0) -> dict[str, str]:
    save(song, tmp_path / "s.ssc")
    assert window.open_path(tmp_path / "s.ssc")
    window.session.set_chart(window.session.doc.song.charts[chart])
    window.stats_panel.refresh()
    return {row: label.text() for row, label in window.stats_panel.labels.items()}


def test_a_couple_chart_is_counted_per_player(window, tmp_path):
    notes = [n for k in range(64) for n in (Note(Fraction(k, 2), k % 4), Note(Fraction(k, 2), 4 + (k + 1) % 4))]
    notes += [Note(Fraction(40), 0), Note(Fraction(40), 3), Note(Fraction(40), 5)]
    song = Song(title="C", timing=TimingData.constant(120),
                charts=[Chart(slot=Slot.MEDIUM, meter=5, mode="dance-couple", lanes=8, notes=sorted(notes))])
    labels = _labels(window, song, tmp_path)
    assert labels["Notes"] == "131 steps (player 1: 66 in 65 rows, player 2: 65 in 65 rows)"
    assert labels["Jumps / hands / quads"] == "player 1: 1 / 0 / 0, player 2: 0 / 0 / 0"  # was 65 / 1 / 0
    assert labels["Mean NPS"] == "3.30 (player 1's, the busier)"  # was 6.55
    assert "per player (typical of Medium" in labels["Estimated difficulty"]
    assert labels["Verdict"].startswith("Within the usual Medium range")  # was "Dense for Medium"


def test_a_chart_without_steps_has_no_estimated_difficulty(window, tmp_path):
    song = Song(title="E", timing=TimingData.constant(120), charts=[
        Chart(slot=Slot.HARD, meter=9, notes=[]),
        Chart(slot=Slot.CHALLENGE, meter=12, notes=[Note(Fraction(k), k % 4, NoteKind.MINE) for k in range(8)])])
    for chart, meter in ((0, 9), (1, 12)):
        labels = _labels(window, song, tmp_path, chart)
        assert labels["Estimated difficulty"] == f"- (no steps; meter says {meter})"  # was "1.0 (typical of Beginner"
        assert labels["Verdict"] == "-"


def test_the_minimap_reaches_notes_past_the_end_of_the_audio(window, tmp_path, qtbot):
    # 8 s of audio; 16ths from 6 s to 11.9 s (120 BPM, beat 0 at 0 s)
    song = Song(title="P", music="clicks.wav", timing=TimingData.constant(120),
                charts=[Chart(slot=Slot.HARD, meter=8, notes=[Note(Fraction(48 + k, 4), k % 4) for k in range(48)])])
    open_with_audio(window, qtbot, tmp_path / "p", song, click_track(8.0, first_beat_s=0.0), SR_HZ)
    last_s = (48 + 47) / 4 / 2
    minimap = window.minimap
    qtbot.waitUntil(lambda: minimap.duration_s == pytest.approx(last_s), timeout=3000)  # was the audio's 8 s
    times, nps = minimap._curve
    assert times[-1] > last_s - 0.25
    assert nps[times > 8.5].max() == pytest.approx(8.0)
    qtbot.mouseClick(minimap, Qt.MouseButton.LeftButton, pos=QPoint(10, minimap.height() - 1))
    assert window.timeline.cursor_s == pytest.approx(last_s, abs=0.05)  # the bottom is the last note, not 8 s

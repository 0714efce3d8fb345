"""Keys 9 and 0 place notes in lanes 9 and 10 of an osu! 9K/10K map (they did nothing and said nothing: the keymap
stopped at edit.place_8), record mode takes 0 for lane 10 as well, and a number key with no lane on the chart (5 on
a 4-lane chart) says so on the status line instead of doing nothing."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
import soundfile as sf
from PySide6.QtCore import Qt

from chart.formats.osu_modes import keyboard_mark, mode_for_keys
from chart.formats.registry import save
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from editor.actions import SPEC_BY_ID
from editor.controllers.record import record_keys
from tests.editor.conftest import SR_HZ, click_track

pytestmark = pytest.mark.qt
DIGITS = [getattr(Qt.Key, f"Key_{k % 10}") for k in range(1, 11)]


def test_keys_1_to_0_place_lanes_1_to_10_and_a_missing_lane_is_said(window, qtbot, tmp_path: Path):
    sf.write(str(tmp_path / "clicks.wav"), click_track(10.0), SR_HZ)
    song = Song(title="Ten", music="clicks.wav", timing=TimingData.constant(120, "-0.1"),
                charts=[Chart(mode=mode_for_keys(10), lanes=10, slot=Slot.HARD, meter=5, extra=keyboard_mark()),
                        Chart(slot=Slot.EASY, meter=2)])
    save(song, tmp_path / "ten.ssc")
    assert window.open_path(tmp_path / "ten.ssc")
    win, said = window, []
    win.session.status.connect(said.append)
    ten = next(c for c in win.session.doc.song.charts if c.lanes == 10)
    win.session.set_chart(ten)
    win.timeline.setFocus()
    for key in DIGITS:
        qtbot.keyClick(win.timeline, key)
    assert sorted(n.lane for n in win.session.chart.notes) == list(range(10))
    assert all(n.beat == Fraction(0) for n in win.session.chart.notes)
    assert not said
    four = next(c for c in win.session.doc.song.charts if c.lanes == 4)
    win.session.set_chart(four)
    win.timeline.setFocus()
    qtbot.keyClick(win.timeline, Qt.Key.Key_5)
    assert not four.notes
    assert said[-1:] == ["Place Note in Lane 5: this chart has 4 lanes"]


def test_the_keymap_file_and_record_mode_know_keys_9_and_0():
    shipped = json.loads((Path(__file__).parents[2] / "resources" / "keymap.json").read_text(encoding="utf-8"))
    for lane, key in ((9, "9"), (10, "0")):
        assert SPEC_BY_ID[f"edit.place_{lane}"].shortcut == key
        assert shipped[f"edit.place_{lane}"] == key
    keys = record_keys(10)
    assert keys[int(Qt.Key.Key_9)] == 8
    assert keys[int(Qt.Key.Key_0)] == 9

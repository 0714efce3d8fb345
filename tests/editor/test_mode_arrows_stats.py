"""The notefield draws dance arrows (Left, Down, Up, Right per pad) only for charts whose panels are those: every 4- or
8-lane chart got them, a techno-single8 (DL L UL D U UR R DR), a bm-single7, a kickbox chart and an osu!mania 8K map
(keys) included. The Stats verdict does not judge a StepMania keyboard-mode chart (kb7-single) by the dance-pad
slots' NPS ranges either, mark or not."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.formats.registry import save
from chart.keyboard import KEYBOARD, OSU_MANIA
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

pytestmark = pytest.mark.qt

CASES = [("dance-single", 4, False, True), ("dance-double", 8, False, True), ("dance-couple", 8, False, True),
         ("techno-single4", 4, False, True), ("techno-single8", 8, False, False), ("bm-single7", 8, False, False),
         ("kickbox-human", 4, False, False), ("dance-double", 8, True, False), ("dance-single", 4, True, False),
         ("kb7-single", 7, False, False)]


def test_arrows_only_for_left_down_up_right_pads(window, tmp_path):
    charts = [Chart(mode=mode, slot=Slot.EDIT, description=f"c{k}", meter=5, lanes=lanes,
                    notes=[Note(Fraction(b, 2), b % lanes) for b in range(16)],
                    extra=[(KEYBOARD, OSU_MANIA)] if keyboard else [])
              for k, (mode, lanes, keyboard, _arrows) in enumerate(CASES)]
    path = save(Song(title="A", timing=TimingData.constant(120), charts=charts), tmp_path / "a.ssc")
    assert window.open_path(path)
    tl = window.timeline
    for index, (mode, lanes, keyboard, arrows) in enumerate(CASES):
        window.choose_chart(index)
        chart = window.session.chart
        assert (chart.mode, chart.lanes) == (mode, lanes)
        drawn = [tl.notes_item.arrows, tl.ghost_item.arrows, tl.reference_item.arrows]
        assert drawn == [arrows] * 3, (mode, keyboard)  # techno-single8, bm-single7, an osu! 8K map: were arrows


def test_stats_verdict_of_a_keyboard_mode_names_no_slot_range(window, tmp_path):
    stream = [Note(Fraction(k, 4), k % 7) for k in range(200)]  # 16ths at 150 BPM: 10 notes/s
    song = Song(title="K", timing=TimingData.constant(150), charts=[
        Chart(mode="kb7-single", slot=Slot.EASY, meter=3, lanes=7, notes=stream)])
    assert window.open_path(save(song, tmp_path / "k.sm"))
    panel = window.stats_panel
    panel.refresh()
    verdict = panel.labels["Verdict"].text()
    assert verdict.startswith("kb7-single chart: no slot range"), verdict  # was "Dense for Easy (10.00 > 3.20 ..."

"""A chart added to a song goes where its mode's charts stay in difficulty order (F5/F6 and the chart list walk the
song's order): the AI's "Draft all difficulties" on a song of Beginner and Challenge put Easy, Medium and Hard after
Challenge, so F6 from Beginner went to Challenge."""

from __future__ import annotations

from chart.chart_commands import slot_position
from chart.song import Chart, Slot


def _charts(*spec: tuple[str, Slot]) -> list[Chart]:
    return [Chart(mode=mode, slot=slot) for mode, slot in spec]


def test_a_new_chart_goes_after_its_modes_easier_charts():
    charts = _charts(("dance-single", Slot.BEGINNER), ("dance-single", Slot.CHALLENGE), ("dance-double", Slot.EASY))
    assert slot_position(charts, Chart(mode="dance-single", slot=Slot.EASY)) == 1
    assert slot_position(charts, Chart(mode="dance-single", slot=Slot.EDIT)) == 2
    assert slot_position(charts, Chart(mode="dance-double", slot=Slot.BEGINNER)) == 2
    assert slot_position(charts, Chart(mode="dance-double", slot=Slot.HARD)) == 3
    assert slot_position(charts, Chart(mode="pump-single", slot=Slot.HARD)) == 3
    assert slot_position(charts, Chart(mode="dance-single", slot=Slot.BEGINNER)) == 1  # after the one it shares

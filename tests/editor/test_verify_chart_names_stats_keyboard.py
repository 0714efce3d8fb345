"""Verify's "all charts" rows tell apart charts that share a slot (a dance-double Beginner beside the dance-single
one read "Beginner:" both), and the Stats panel's Verdict does not judge a keyboard chart (an osu!mania map) by the
pad slots' NPS ranges, which Verify's density check says do not apply to it."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.formats.registry import save
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

pytestmark = pytest.mark.qt


def _open(window, path, song: Song):
    save(song, path)
    assert window.open_path(path)
    return window.session


def _jumpy(mode: str, lanes: int, slot: Slot = Slot.BEGINNER, description: str = "") -> Chart:
    notes = [n for k in range(24) for n in (Note(Fraction(2 * k), 0), Note(Fraction(2 * k), lanes - 1))]
    notes += [Note(Fraction(60) + Fraction(k, 4), "LDUR".index(c)) for k, c in enumerate("LDRUL")]
    # jumps (Beginner: listed), and a fast L D R U L: a crossover (dance-single: listed at every slot)
    return Chart(mode=mode, slot=slot, meter=1, notes=notes, description=description)


def test_all_charts_rows_name_the_chart_when_another_shares_its_slot(window, tmp_path):
    song = Song(title="R", timing=TimingData.constant(120), charts=[
        _jumpy("dance-single", 4), _jumpy("dance-double", 8), _jumpy("dance-single", 4, Slot.EASY),
        _jumpy("dance-single", 4, Slot.EDIT, "Wild"), _jumpy("dance-single", 4, Slot.EDIT, "Mild")])
    s = _open(window, tmp_path / "r.ssc", song)
    panel = window.verify_panel
    panel.all_charts.setChecked(True)
    panel.run_checks()
    prefixes = {panel.list.item(k).text().split("] ", 1)[1].split(": ", 1)[0]: chart
                for k, (chart, _issue) in enumerate(panel.issues)}
    single, double, easy, wild, mild = s.doc.song.charts
    expected = {"dance-single/Beginner": single, "dance-double/Beginner": double, "Easy": easy,
                "dance-single/Edit/Wild": wild, "dance-single/Edit/Mild": mild}
    assert {p: prefixes.get(p) for p in expected} == expected  # was "Beginner" for both, "Edit" for both
    assert set(prefixes) == set(expected)


def test_stats_verdict_of_a_keyboard_chart_names_no_slot_range(window, tmp_path):
    dense = Chart(slot=Slot.BEGINNER, meter=1, notes=[Note(Fraction(k, 4), k % 4) for k in range(160)])  # 8 NPS
    s = _open(window, tmp_path / "k.osu", Song(title="K", timing=TimingData.constant(120), charts=[dense]))
    panel = window.stats_panel
    panel.refresh()
    assert s.chart is not None
    verdict = panel.labels["Verdict"].text()
    assert verdict.startswith("Keyboard chart: no slot range"), verdict  # was "Dense for Beginner (8.00 > ...)"
    plain = _open(window, tmp_path / "p.ssc", Song(title="P", timing=TimingData.constant(120), charts=[dense]))
    assert plain.chart is not None
    panel.refresh()
    assert panel.labels["Verdict"].text().startswith("Dense for Beginner")  # a pad chart is judged as before

"""Verify shows the song's own findings (a stop .ssc cannot hold makes Save refuse) whichever chart is on screen,
and once with "all charts"."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest

from chart.commands import SetTiming
from chart.song import Slot

pytestmark = pytest.mark.qt


def test_a_song_level_problem_shows_on_every_chart_and_once_for_all(opened):
    win = opened
    s = win.session
    song = s.doc.song
    easy = song.chart(Slot.EASY)
    assert song.charts[0] is not easy  # the Beginner chart comes first
    s.set_chart(easy)
    off_grid = dataclasses.replace(song.timing, stops=((Fraction("3.01"), Fraction(1, 2)),))
    assert s.push(SetTiming(off_grid, name="Add stop"))
    panel = win.verify_panel
    problems = [i for i in panel.run_checks() if i.check_id == "representable"]
    (stop,) = problems  # was hidden: only the song's first chart (Beginner) reported it
    assert stop.message.startswith("ssc: beat 3.01: stop off StepMania's 1/48-beat rows")
    assert "1 problem(s)" in panel.summary.text()
    panel.all_charts.setChecked(True)
    panel.run_checks()
    listed = [(c, i) for c, i in panel.issues if i.check_id == "representable"]
    assert [(c.slot, i.message) for c, i in listed] == [(Slot.BEGINNER, stop.message)]  # once

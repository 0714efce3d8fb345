"""Verify rows: a long row wraps and has its full text as a tooltip, and its beat prefix is written as the
messages write beats ("beat 111.458: ... first at beat 2675/24" read as two different beats)."""

from __future__ import annotations

from fractions import Fraction

from chart.checks.base import Issue, Severity


def test_a_row_names_its_beat_as_its_message_does_and_shows_all_of_it(opened):
    win = opened
    panel = win.verify_panel
    message = "26 notes on unusual 1/96 or 1/192 snaps, first at beat 2675/24 (1/96) " + "and more words " * 10
    panel.issues = [(win.session.chart, Issue(Severity.WARNING, message, Fraction(2675, 24)))]
    panel._show()
    item = panel.list.item(0)
    assert item.text().startswith("[warning] beat 2675/24: 26 notes")
    assert item.toolTip() == item.text()
    assert panel.list.wordWrap()

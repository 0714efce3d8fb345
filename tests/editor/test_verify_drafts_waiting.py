"""An empty chart whose AI drafts wait (audit 25): Verify's empty-chart warning told the designer to "fill it, or
delete it in the Charts panel" while 309 drafted notes sat in it; deleting would throw the draft away. With drafts
waiting, the row says how many and that accepting them keeps them; once they are accepted the warning is gone, and
without drafts the check's own words stand."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.commands import RemoveNotes
from chart.notes import Note

pytestmark = pytest.mark.qt


def _rows(win) -> list[str]:
    panel = win.verify_panel
    panel.run_checks()
    return [panel.list.item(k).text() for k in range(panel.list.count()) if "no notes" in panel.list.item(k).text()]


def test_empty_chart_with_drafts_waiting_says_accept_them_not_delete(opened):
    from editor.controllers.ghosts import GhostDraft

    win = opened
    song = win.session.doc.song
    chart = song.charts[0]
    win.session.set_chart(chart)
    win.session.push(RemoveNotes(chart, list(chart.notes)))
    rows = _rows(win)
    assert len(rows) == 1, rows
    assert "delete it in the Charts panel" in rows[0], rows  # no drafts: the check's own advice
    notes = [Note(Fraction(40), 1), Note(Fraction(41), 2), Note(Fraction(42), 3)]
    win.drafting.ghosts.put(GhostDraft(chart, notes, {}, {"seed": 0}, regions=[(Fraction(40), Fraction(44))],
                                       timing=song.timing_for(chart)))
    rows = [win.verify_panel.list.item(k).text() for k in range(win.verify_panel.list.count())]
    rows = [r for r in rows if "no notes" in r]  # shown again when the drafts came, without a new run
    assert len(rows) == 1, rows
    assert "3 AI draft notes wait in it" in rows[0], rows
    assert "accept them in the AI panel" in rows[0], rows
    assert "delete it" not in rows[0]
    win.actions.actions["ai.accept_all"].trigger()
    assert _rows(win) == []  # accepted: the chart has notes

"""A hold an Accept cut short grows back on a later Accept even when a second draft of the same chart was put beside
the pending ghosts meanwhile (GhostStore.put carries the old draft's cut holds over)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.commands import ReplaceNotes
from chart.notes import Note, NoteKind
from editor.controllers.ghost_holds import carried

F = Fraction
HOLD = Note(F(7, 2), 0, NoteKind.HOLD, F(1))
CUT = HOLD.replace(length=F(1, 4))


def test_carried_keeps_holds_beside_the_new_draft_and_trims_or_drops_the_others():
    held = {(HOLD.beat, 0): (CUT, HOLD)}
    assert carried(held, F(16), F(20), [Note(F(17), 0)], F(1, 48)) == held  # far away: kept as it was
    assert carried(held, F(0), F(4), [], F(1, 48)) == {}  # the new draft covers the hold's head
    trimmed = carried(held, F(4), F(8), [Note(F(4), 0)], F(1, 4))  # a new ghost at beat 4 in its lane
    assert trimmed == {}  # cut to 1/4 beat before it: no longer than as written
    grown = carried(held, F(4), F(8), [Note(F(9, 2), 0)], F(1, 4))
    assert grown == {(HOLD.beat, 0): (CUT, HOLD.replace(length=F(3, 4)))}


@pytest.mark.qt
def test_a_second_draft_keeps_the_hold_an_accept_cut(opened):
    from editor.controllers.ghosts import GhostDraft

    win = opened
    chart = win.session.chart
    ghosts = [Note(F(1), 1), HOLD, Note(F(6), 3)]
    designer = [Note(F(2), 2), Note(F(4), 0), Note(F(5), 2)]
    win.session.push(ReplaceNotes(chart, list(chart.notes), designer))
    win.drafting.ghosts.put(GhostDraft(chart, list(ghosts), {}, {"seed": 0}, regions=[(F(0), F(8))]))
    win.session.set_range((F(0), F(4)))
    win.accept_drafts()  # measure 1: the hold is cut at the designer's tap of beat 4
    assert CUT in chart.notes
    win.drafting.ghosts.put(GhostDraft(chart, [Note(F(17), 2)], {}, {"seed": 1}, regions=[(F(16), F(20))]))
    win.session.set_range((F(4), F(8)))
    win.accept_drafts()  # measure 2 replaces the tap that cut the hold
    assert HOLD in chart.notes
    assert Note(F(4), 0) not in chart.notes

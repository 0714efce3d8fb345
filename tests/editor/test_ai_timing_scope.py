"""Which timing edits drop AI work (audit 21): a label, scroll, speed, tick count or combo segment wiped every pending
ghost ("they sat on the old beats, off the music") and a running draft's result, though no beat moved in time.
What places notes (offset, BPMs, stops, delays, warps) and fake segments (no note judged there) still do."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.notes import Note
from chart.song import Slot
from tests.editor.conftest import wait_job
from tests.editor.test_ai_results import hold, status

pytestmark = pytest.mark.qt

F = Fraction
KEPT = {"LABELS": [(F(8), "Chorus")], "SCROLLS": [(F(8), F(2))], "SPEEDS": [(F(8), F(2), F(1), 0)],
        "TICKCOUNTS": [(F(8), 2)], "COMBOS": [(F(8), 2, 1)]}


def retimed(win, tag: str, entries: list, chart=None):
    """The song's timing (or ``chart``'s own) with ``entries`` for ``tag`` (a display segment or ``signature``)."""
    from chart.commands import SetTiming
    from chart.formats.display_segments import with_entries

    timing = win.session.doc.song.timing_for(chart) if chart is not None else win.session.doc.song.timing
    new = (timing.with_changes(time_signatures=entries) if tag == "signature"
           else with_entries(timing, tag, entries))
    assert win.session.push(SetTiming(new, chart=chart, name=tag))


def pending_ghost(win):
    """One pending AI ghost (beat 9, lane 0) on the song's second chart: (the chart, the window's ghosts)."""
    from editor.controllers.ghosts import GhostDraft

    song = win.session.doc.song
    chart = song.charts[1]
    ghosts = win.drafting.ghosts
    ghosts.put(GhostDraft(chart, [Note(F(9), 0)], {}, {}, regions=[(F(0), F(16))], timing=song.timing_for(chart)))
    return chart, ghosts


def test_segments_that_move_no_note_keep_the_pending_ghosts(opened):
    win = opened
    chart, ghosts = pending_ghost(win)
    for tag, entries in (*KEPT.items(), ("signature", [(F(0), 3, 4)])):
        retimed(win, tag, entries)
        assert ghosts.get(chart) is not None, tag
        assert "cleared" not in status(win)
    retimed(win, "FAKES", [(F(8), F(2))])  # the ghost at beat 9 would be a note StepMania never judges
    assert ghosts.get(chart) is None
    assert "AI ghosts of Easy cleared: the timing changed" in status(win)


def test_a_label_added_while_the_ai_works_keeps_its_result(ai, qtbot):
    win = ai
    s = win.session
    gate = hold(win, "draft", "variants")
    assert win.ai_panel.draft([Slot.HARD]) is not None
    retimed(win, "LABELS", KEPT["LABELS"])
    gate.set()
    wait_job(qtbot, win)
    assert win.drafting.ghosts.get(s.doc.song.chart(Slot.HARD)) is not None
    assert "dropped" not in status(win)
    # Regenerate on the chart's own timing: a scroll added there keeps the variants
    easy = s.doc.song.chart(Slot.EASY)
    s.set_chart(easy)
    s.set_range((F(8), F(16)))
    gate = hold(win, "variants")
    assert win.ai_panel.regenerate() is not None
    retimed(win, "SCROLLS", KEPT["SCROLLS"], chart=easy)
    gate.set()
    wait_job(qtbot, win)
    assert win.drafting.ghosts.get(easy).variant_region == (8, 16)
    assert "dropped" not in status(win)

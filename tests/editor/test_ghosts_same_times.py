"""AI ghosts across a timing edit that moves no beat (audit 21): a BPM row repeating the BPM in force (or a stop of
0 s) cleared every ghost with "they sat on the old beats, off the music", as the BPM lists were compared as
written; now the times they give are (chart.timing_form.same_times). A real change still clears them."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.commands import SetTiming
from tests.editor.test_ai_results import status
from tests.editor.test_ai_timing_scope import pending_ghost

pytestmark = pytest.mark.qt


def test_a_timing_edit_that_moves_no_beat_keeps_the_ghosts_and_a_real_one_clears_them(opened):
    win = opened
    song = win.session.doc.song
    chart, ghosts = pending_ghost(win)
    t = song.timing
    same = t.with_changes(bpms=(*t.bpms, (F(40), t.bpm_at(F(40)))), stops=(*t.stops, (F(12), F(0))))
    assert same != t
    assert win.session.push(SetTiming(same, name="repeat BPM"))
    assert song.timing == same
    assert ghosts.get(chart) is not None
    assert "cleared" not in status(win)
    faster = same.with_changes(bpms=tuple((b, v + 1 if b == same.bpms[0][0] else v) for b, v in same.bpms))
    assert win.session.push(SetTiming(faster, name="BPM +1"))
    assert ghosts.get(chart) is None
    assert "AI ghosts of Easy cleared: the timing changed" in status(win)

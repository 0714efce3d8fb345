"""GhostStore decisions (audit 19): a drafted region's silence is part of the proposal, pending ghosts follow their
chart's timing, a regenerated passage leaves the rest of the draft's curve and tints alone, and the Seed box says
what it does. No model needed: drafts are put in the store directly."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from chart.notes import Note

pytestmark = pytest.mark.qt


def notes_in(chart, b0, b1):
    return [n for n in chart.notes if b0 <= n.beat < b1]


def test_accepting_a_regenerated_passage_the_ai_left_silent_clears_it(opened):
    """All variants empty: Accept said "No ghosts there" and kept the chart's notes, while Accept All of a whole
    draft deleted the notes of its silent measures."""
    win = opened
    chart = win.session.doc.song.chart(win.session.chart.slot)
    ghosts = win.drafting.ghosts
    region = (Fraction(2), Fraction(6))
    assert notes_in(chart, *region)
    ghosts.put_variants(chart, [[], [], []], region, {}, {"seed": 0}, 0.5, None, 0.0)
    assert "silence" in win.ai_panel.ghost_label.text()
    steps = len(win.session.doc.history.undo_stack_names())
    win.session.set_range(region)
    assert win.accept_drafts() == 0
    assert notes_in(chart, *region) == []
    assert len(win.session.doc.history.undo_stack_names()) == steps + 1  # one undo step
    assert win.statusBar().currentMessage().startswith("Accepted the AI's silence there:")
    assert ghosts.get(chart) is None  # decided
    win.session.doc.undo()
    assert notes_in(chart, *region)


def test_a_silent_measure_of_a_whole_draft_accepts_as_accept_all_does(opened):
    from editor.controllers.ghosts import GhostDraft

    win = opened
    chart = win.session.chart
    ghosts = win.drafting.ghosts
    drafted = [Note(Fraction(1), 0), Note(Fraction(9), 2)]
    ghosts.put(GhostDraft(chart, drafted, {}, {"seed": 0}, regions=[(Fraction(0), Fraction(12))]))
    win.session.set_range((Fraction(4), Fraction(8)))  # no ghosts there: the AI proposes silence
    assert notes_in(chart, 4, 8)
    win.accept_drafts()
    assert notes_in(chart, 4, 8) == []
    assert ghosts.get(chart).notes == drafted  # the rest still pending
    win.session.set_range((Fraction(0), Fraction(4)))
    win.reject_drafts()
    win.session.set_range((Fraction(10), Fraction(12)))
    kept = notes_in(chart, 10, 12)
    win.reject_drafts()
    assert "Rejected the AI's silence there" in win.statusBar().currentMessage()
    assert notes_in(chart, 10, 12) == kept
    win.session.set_range((Fraction(40), Fraction(44)))  # never drafted
    win.accept_drafts()
    assert win.statusBar().currentMessage() == "No ghosts there"


def test_pending_ghosts_are_cleared_when_their_charts_timing_changes(opened):
    """Ghosts kept their beats across a BPM change: they landed off the music, or inside a new warp."""
    from chart.commands import SetTiming
    from editor.controllers.ghosts import GhostDraft

    win = opened
    s = win.session
    song = s.doc.song
    beginner, easy = song.charts[0], song.charts[1]
    ghosts = win.drafting.ghosts
    for chart in (beginner, easy):
        ghosts.put(GhostDraft(chart, [Note(Fraction(1), 0)], {}, {}, regions=[(Fraction(0), Fraction(4))],
                              timing=song.timing_for(chart)))
    assert s.push(SetTiming(song.timing.with_changes(offset=Fraction(-1, 5)), chart=easy, name="Easy's own"))
    assert ghosts.get(easy) is None
    assert ghosts.get(beginner) is not None  # its timing did not change
    assert "AI ghosts of Easy cleared: the timing changed" in win.statusBar().currentMessage()
    assert s.push(SetTiming(song.timing.with_changes(bpms=((Fraction(0), Fraction(100)),)), name="BPM"))
    assert ghosts.get(beginner) is None


def test_a_regenerated_passage_keeps_the_rest_of_the_curve_and_the_tints(opened):
    """The draft's curve became the window's (zero elsewhere) and its threshold the window's, re-tinting every
    other pending ghost."""
    from editor.controllers.ghosts import GhostDraft

    win = opened
    chart = win.session.chart
    ghosts = win.drafting.ghosts
    curve = np.linspace(0.1, 0.9, 2000).astype(np.float32)
    outside = [Note(Fraction(b), b % 4) for b in (1, 2, 30, 31)]
    ghosts.put(GhostDraft(chart, outside, {n.beat: 0.5 + 0.1 * k for k, n in enumerate(outside)}, {}, 0.4, curve,
                          100.0, regions=[(Fraction(0), Fraction(40))]))
    tints = ghosts.get(chart).note_confidence()
    window = np.zeros(2000, dtype=np.float32)
    window[500:700] = 0.95
    ghosts.put_variants(chart, [[Note(Fraction(12), 1)]], (Fraction(10), Fraction(14)), {Fraction(12): 0.3}, {},
                        0.2, window, 100.0)
    draft = ghosts.get(chart)
    assert np.array_equal(draft.curve[:500], curve[:500])
    assert np.array_equal(draft.curve[700:], curve[700:])
    assert np.all(draft.curve[500:700] == np.float32(0.95))
    tinted = dict(zip(draft.notes, draft.note_confidence()))
    assert [tinted[n] for n in outside] == pytest.approx(tints)
    assert tinted[Note(Fraction(12), 1)] == pytest.approx((0.3 - 0.2) / 0.8)  # its own threshold


def test_the_seed_box_says_what_the_seed_does(opened):
    """It said "Same seed, same draft", but drafts are greedy: only variants 2..N are sampled from it."""
    tip = opened.ai_panel.seed.toolTip()
    assert "Same seed, same draft" not in tip
    assert "variants 2 to N" in tip
    assert "do not depend on it" in tip

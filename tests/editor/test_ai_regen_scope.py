"""Audit 25 (AI editing): a regenerated range past the end of the audio ends there (its ghosts' region, status line
and Accept: the designer's notes after the audio stay); a regenerated passage under its NPS target warns as a draft
does; an Accept that replaces the chart's notes says how many.

The synthetic song: 120 BPM, beat 0 at 0.1 s, 20 s of audio, so the audio ends at beat 39.8. Tiny real ONNX models
(tests.inference.tiny_models) where a job runs."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.commands import AddNotes
from chart.notes import Note
from chart.song import Slot
from tests.editor.conftest import wait_job

pytestmark = pytest.mark.qt

AUDIO_END_BEAT = Fraction(398, 10)


def logged(win) -> list[str]:
    return [m.text for m in win.message_bar.log]


def test_a_regenerated_range_past_the_audio_end_leaves_the_notes_after_it(ai, qtbot):
    win, s = ai, ai.session
    qtbot.waitUntil(lambda: s.audio is not None, timeout=10000)
    easy = s.doc.song.chart(Slot.EASY)
    s.set_chart(easy)
    mine = [Note(Fraction(50), 0), Note(Fraction(52), 3)]  # the designer's, after the audio (a cut preview)
    assert s.push(AddNotes(easy, mine))
    s.set_range((Fraction(32), Fraction(60)))
    win.ai_panel.variants.setValue(2)
    assert win.ai_panel.regenerate() is not None
    wait_job(qtbot, win)
    draft = win.drafting.ghosts.get(easy)
    assert draft is not None
    b0, b1 = draft.variant_region
    assert b0 == 32
    assert b1 <= AUDIO_END_BEAT
    assert all(e <= AUDIO_END_BEAT for _s, e in draft.covered())
    assert any(t.startswith(f"2 variant(s) of beats 32-{float(b1):g} (Easy)") for t in logged(win)), logged(win)
    s.set_range((Fraction(32), Fraction(60)))
    win.accept_drafts()
    assert all(n in easy.notes for n in mine)


def test_a_regenerated_passage_under_its_target_warns(window, song_files, qtbot, tmp_path):
    """Easy rows 1 beat apart at 120 BPM allow about 1.6 NPS: a 5 NPS target on a regenerated passage says so."""
    from tests.editor.test_status_messages import open_with_easy_gap_models

    open_with_easy_gap_models(window, song_files, qtbot, tmp_path)
    window.session.set_chart(window.session.doc.song.chart(Slot.EASY))
    window.ai_panel.nps[Slot.EASY].setValue(5.0)
    window.ai_panel.variants.setValue(1)
    window.session.set_range((Fraction(8), Fraction(32)))
    assert window.ai_panel.regenerate() is not None
    wait_job(qtbot, window)
    warned = [t for t in logged(window) if t.startswith("Under the NPS target: Easy")]
    assert warned, logged(window)
    assert "(target 5.00): its 1-beat minimum gap" in warned[-1]
    assert any(t.startswith("1 variant(s) of beats 8-32 (Easy)") for t in logged(window))  # not lost either


def accept_eight_ghosts(win, chart) -> str:
    """Accept a draft of 8 ghosts on beats 4-11 of ``chart``; the status line."""
    from editor.controllers.ghosts import GhostDraft

    ghosts = [Note(Fraction(k), (k + 1) % 4) for k in range(4, 12)]
    win.drafting.ghosts.put(GhostDraft(chart, ghosts, dict.fromkeys((n.beat for n in ghosts), 0.9), {"model": "t"},
                                       regions=[(Fraction(4), Fraction(12))]))
    assert win.accept_drafts(everything=True) == 8
    return win.statusBar().currentMessage()


def test_an_accept_over_the_charts_notes_says_how_many_it_replaced(opened):
    from editor.controllers.ghosts import GhostDraft

    win, s = opened, opened.session
    easy = s.doc.song.chart(Slot.EASY)  # the designer's 16 notes on beats 0-7.5
    s.set_chart(easy)
    said = accept_eight_ghosts(win, easy)
    assert said.startswith("Accepted 8 drafted note(s), replacing 8 of the chart's notes (one undo step)"), said
    # into an empty stretch: nothing replaced, nothing said of it
    more = [Note(Fraction(20), 0)]
    win.drafting.ghosts.put(GhostDraft(easy, more, {Fraction(20): 0.9}, {"model": "t"},
                                       regions=[(Fraction(20), Fraction(24))]))
    assert win.accept_drafts(everything=True) == 1
    assert "replacing" not in win.statusBar().currentMessage()


def test_an_accept_names_the_mines_it_replaced_apart(opened):
    """"replacing 10 of the chart's notes" counted two mines among them, where the chart lists leave mines out."""
    from chart.commands import AddNotes
    from chart.notes import NoteKind

    win, s = opened, opened.session
    easy = s.doc.song.chart(Slot.EASY)
    s.set_chart(easy)
    assert s.push(AddNotes(easy, [Note(Fraction(9, 2), 0, NoteKind.MINE), Note(Fraction(11, 2), 3, NoteKind.MINE)]))
    said = accept_eight_ghosts(win, easy)
    assert said.startswith("Accepted 8 drafted note(s), replacing 8 of the chart's notes and 2 mine(s) (one undo"), said

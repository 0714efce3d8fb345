"""Audit 27 on the AI panel: a song that states no tempo is not drafted on an invented 60 BPM grid (the CLI refused
it already), and a drafted hold accepted measure by measure ends where its ghost did. No model needed: the refusal
comes before any, and drafts are put in the ghost store directly (as tests/editor/test_ghost_decisions.py does)."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from PySide6.QtWidgets import QMessageBox

from chart.commands import ReplaceNotes, SetTiming
from chart.notes import Note, NoteKind
from chart.song import Slot
from chart.timing import TimingData

pytestmark = pytest.mark.qt

F = Fraction
NO = QMessageBox.StandardButton.No
YES = QMessageBox.StandardButton.Yes


@pytest.fixture
def untimed(window, song_files, qtbot):
    """The synthetic song with every #BPMS taken out of its file (it reads at 60 BPM), open with its audio."""
    path = song_files.chart
    path.write_text(re.sub(r"#BPMS:[^;]*;", "", path.read_text(encoding="utf-8")), encoding="utf-8")
    assert window.open_path(path)
    qtbot.waitUntil(lambda: window.session.audio is not None, timeout=10000)
    return window


def test_draft_regenerate_and_refine_refuse_a_song_that_states_no_tempo(untimed, boxes):
    win = untimed
    assert win.session.doc.song.timing.bpms == ((F(0), F(60)),)
    boxes.answers[:] = [NO, NO, NO]
    assert win.ai_panel.draft([Slot.MEDIUM]) is None
    win.session.set_chart(win.session.doc.song.chart(Slot.BEGINNER))
    win.session.set_range((F(0), F(8)))
    assert win.ai_panel.regenerate() is None
    win.ai_panel.refine_target.setCurrentIndex(win.ai_panel.refine_target.findData(Slot.MEDIUM))
    assert win.ai_panel.refine() is None
    assert [kind for kind, _title, _text in boxes] == ["question"] * 3
    assert all("states no tempo (#BPMS)" in text and "Detect Tempo" in text for _k, _t, text in boxes)
    assert not win.drafting.busy
    assert win.session.doc.song.chart(Slot.MEDIUM) is None  # no empty chart added for a refused draft
    assert "set it first (Timing > Detect Tempo)" in win.statusBar().currentMessage()


def test_the_refusal_offers_detect_tempo_and_a_set_tempo_lets_the_draft_go_on(untimed, boxes):
    win = untimed
    detect = []
    win.actions["timing.detect"].triggered.disconnect()  # the real one starts a tempo analysis
    win.actions["timing.detect"].triggered.connect(lambda *_: detect.append(True))
    boxes.answers[:] = [YES]
    assert win.drafting._inputs() is None  # noqa: SLF001
    assert detect == [True]
    win.session.push(SetTiming(TimingData.constant(120, "-0.1")))  # what Detect Tempo sets
    assert win.drafting._inputs() is not None  # noqa: SLF001
    win.session.doc.undo()  # the invented tempo again
    assert win.drafting._inputs() is None  # noqa: SLF001


def test_a_song_with_its_tempo_drafts_without_a_question(opened, boxes):
    assert opened.drafting._inputs() is not None  # noqa: SLF001
    assert not boxes


def accepted_by_measure(win, chart, designer: list[Note], ghosts: list[Note], decide) -> None:
    """``designer``'s notes in the chart, a draft of beats 0-8 with ``ghosts``, measure 1 accepted, then measure 2
    decided with ``decide`` (accept_drafts or reject_drafts)."""
    from editor.controllers.ghosts import GhostDraft

    win.session.push(ReplaceNotes(chart, list(chart.notes), designer))
    win.drafting.ghosts.put(GhostDraft(chart, list(ghosts), {}, {"seed": 0}, regions=[(F(0), F(8))]))
    win.session.set_range((F(0), F(4)))
    win.accept_drafts()
    win.session.set_range((F(4), F(8)))
    decide()


def test_a_hold_accepted_measure_by_measure_is_the_hold_its_ghost_showed(opened):
    """The ghost hold from beat 3.5 reaches beat 4.5, over the designer's tap at beat 4 (lane 0) that measure 2's
    draft replaces. Measure 1's Accept cut it to 1/4 beat (the chart's note past the region won) and it stayed so
    after measure 2's Accept took that note away; Accept all wrote it whole."""
    win = opened
    chart = win.session.chart
    hold = Note(F(7, 2), 0, NoteKind.HOLD, F(1))
    ghosts = [Note(F(1), 1), hold, Note(F(6), 3)]
    designer = [Note(F(2), 2), Note(F(4), 0), Note(F(5), 2)]
    accepted_by_measure(win, chart, designer, ghosts, win.accept_drafts)
    assert chart.notes == ghosts
    assert win.drafting.ghosts.get(chart) is None
    win.session.doc.undo()  # measure 2's Accept, with the hold grown back: one step
    assert Note(F(4), 0) in chart.notes
    assert hold.replace(length=F(1, 4)) in chart.notes


def test_a_hold_whose_next_measure_is_rejected_stays_cut_before_the_designers_note(opened):
    win = opened
    chart = win.session.chart
    hold = Note(F(7, 2), 0, NoteKind.HOLD, F(1))
    accepted_by_measure(win, chart, [Note(F(4), 0)], [hold, Note(F(6), 3)], win.reject_drafts)
    assert chart.notes == [hold.replace(length=F(1, 4)), Note(F(4), 0)]  # no note inside the hold

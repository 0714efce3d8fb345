"""An AI draft from start to end in the editor: its progress bar, Accept all of a simplified chart, a draft that
ends without a result taking back its empty charts, and pending drafts when the song is closed."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtWidgets import QMessageBox

from chart.commands import AddNotes
from chart.notes import Note
from chart.song import Slot
from editor.controllers.draft_progress import DRAFT_STAGES, SIMPLIFY_STAGES, JobProgress
from tests.editor.conftest import wait_job, write_song


def test_job_progress_fills_the_bar_once():
    """Each stage's own 0 -> 1 went to the bar: it filled to 100 % four times in one draft."""
    job = JobProgress(DRAFT_STAGES, slots=5)
    seen = [job(stage, f) for stage in DRAFT_STAGES for f in (0.0, 0.5, 1.0)]
    assert seen == sorted(seen)
    assert seen[0] == 0.0
    assert seen[-1] == 1.0
    assert seen.count(1.0) == 1
    assert 0.1 < job.weights[2] / sum(job.weights) < 0.6  # the model's share grows with the slots drafted
    assert JobProgress(DRAFT_STAGES, slots=1).weights[2] < job.weights[2]
    cached = JobProgress(SIMPLIFY_STAGES)  # features cached: the model's stage has the whole bar
    assert cached("model", 0.0) == 0.0
    assert cached("model", 0.5) == 0.5
    assert cached("lanes", 0.0) == 0.5  # a stage it does not plan leaves the bar
    two = JobProgress(DRAFT_STAGES, rounds=2)  # two timing groups: the second round starts at the model
    first = [two(stage, 1.0) for stage in DRAFT_STAGES]
    assert first[-1] == 0.5
    assert two("model", 0.0) == 0.5
    assert two("lanes", 1.0) == 1.0


def test_the_progress_bar_never_goes_back_during_a_draft(ai, qtbot):
    win = ai
    seen: list[float] = []
    win.drafting.progress.connect(lambda f, _text: seen.append(f))
    win.ai_panel.draft([Slot.BEGINNER, Slot.EASY])
    wait_job(qtbot, win)
    assert win.drafting.last_error is None
    qtbot.waitUntil(lambda: bool(seen) and seen[-1] == 1.0, timeout=5000)
    assert seen == sorted(seen)
    assert seen.count(1.0) == 1  # full once: when the draft is done


def test_accept_all_of_a_simplified_draft_replaces_the_whole_chart(ai, qtbot):
    """The simplified Beginner covered only the Easy chart's rows (beats 0-7.5): Accept all kept the Beginner's
    old roll at beat 8 in the AI chart."""
    win = ai
    s = win.session
    easy, beginner = s.doc.song.chart(Slot.EASY), s.doc.song.chart(Slot.BEGINNER)
    assert any(n.beat == 8 for n in beginner.notes)
    s.set_chart(easy)
    assert win.ai_panel.simplify() is not None
    wait_job(qtbot, win)
    ghosts = list(win.drafting.ghosts.get(beginner).notes)
    assert ghosts
    win.accept_drafts(everything=True)
    assert sorted(beginner.notes) == sorted(ghosts)


def test_a_failed_draft_takes_its_empty_charts_back_off_the_redo_stack(opened, tmp_path, qtbot):
    """They were taken back by Undo: Redo then brought back empty "AI draft" charts with no draft."""
    win = opened
    doc = win.session.doc
    win.drafting.models_dir = tmp_path / "no-models"  # the job fails: no model there
    charts = list(doc.song.charts)
    steps = doc.undo_stack_names()
    win.ai_panel.draft([Slot.HARD, Slot.CHALLENGE])
    wait_job(qtbot, win)
    assert win.drafting.last_error is not None
    assert doc.song.charts == charts
    assert doc.undo_stack_names() == steps
    assert doc.history.redo_stack_names() == []
    assert doc.is_clean


def _draft_easy(win, qtbot):
    win.session.set_chart(win.session.doc.song.chart(Slot.EASY))
    win.ai_panel.draft([Slot.EASY])  # the chart is there: nothing added, the document stays clean
    wait_job(qtbot, win)
    assert win.drafting.ghosts.charts_with_drafts()


def test_opening_another_song_asks_before_dropping_pending_drafts(ai, qtbot, boxes, tmp_path):
    """Drafts pending in a clean document went without a word when another song was opened."""
    win = ai
    other = write_song(tmp_path / "other").chart
    _draft_easy(win, qtbot)
    assert win.session.doc.is_clean
    n = len(win.drafting.ghosts.get(win.session.doc.song.chart(Slot.EASY)).notes)
    assert not win.open_path(other)  # Cancel (the default): the song and its drafts stay
    assert boxes[-1][1] == "AI drafts pending"
    assert f"{n} drafted note(s) not accepted (Easy) will be discarded" in boxes[-1][2]
    assert win.drafting.ghosts.charts_with_drafts()
    boxes.answers = [QMessageBox.StandardButton.Discard]
    assert win.open_path(other)
    qtbot.waitUntil(lambda: win.session.audio is not None, timeout=10000)
    asked = len(boxes)
    assert win.open_path(tmp_path / "song" / "clicks.ssc")  # no edits, no drafts: no question, as before
    assert len(boxes) == asked


@pytest.mark.parametrize("answer", [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard],
                         ids=["cancel", "discard"])
def test_the_save_question_says_the_drafts_go_either_way(ai, qtbot, boxes, tmp_path, answer):
    win = ai
    _draft_easy(win, qtbot)
    win.session.push(AddNotes(win.session.doc.song.chart(Slot.BEGINNER), [Note(Fraction(12), 1)]))
    boxes.answers = [answer]
    opened = win.open_path(write_song(tmp_path / "other").chart)
    assert opened == (answer == QMessageBox.StandardButton.Discard)
    assert boxes[-1][1] == "Unsaved changes"
    assert "drafted note(s) not accepted (Easy) will be discarded either way" in boxes[-1][2]

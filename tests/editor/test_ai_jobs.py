"""The AI panel's job and variant state (audit 21): the variant flipper of another chart stayed after a difficulty
switch, and a Draft pressed while the model loaded at start-up was refused ("The AI is still working; cancel it
first"), where Cancel then said "AI draft cancelled" though no draft ran."""

from __future__ import annotations

import threading
from fractions import Fraction

import pytest

from chart.notes import Note
from chart.song import Slot
from tests.editor.conftest import wait_job
from tests.editor.test_ai_results import status

pytestmark = pytest.mark.qt

F = Fraction


def test_the_variant_flipper_follows_the_shown_chart(opened):
    win = opened
    song = win.session.doc.song
    easy, beginner = song.chart(Slot.EASY), song.chart(Slot.BEGINNER)
    win.session.set_chart(easy)
    win.drafting.ghosts.put_variants(easy, [[Note(F(9), 0)], [Note(F(9), 1)]], (F(8), F(12)), {}, {"seed": 0},
                                     0.5, None, 0.0)
    panel = win.ai_panel
    assert panel.variant_label.text() == "variant 1/2"
    win.session.set_chart(beginner)
    assert panel.variant_label.text() == ""
    assert not panel.prev_variant.isEnabled()
    assert not panel.next_variant.isEnabled()
    win.session.set_chart(easy)
    assert panel.variant_label.text() == "variant 1/2"
    assert panel.next_variant.isEnabled()


def slow_load(win, monkeypatch) -> threading.Event:
    """The model's load (as at start-up: no drafter yet) waits for the returned gate."""
    from inference.drafter import Drafter

    gate = threading.Event()
    real = Drafter.from_models_dir.__func__
    monkeypatch.setattr(Drafter, "from_models_dir",
                        classmethod(lambda cls, *a, **k: (gate.wait(30), real(cls, *a, **k))[1]))
    win.drafting.drafter = None
    assert win.drafting.warm_up() is not None
    return gate


def test_a_draft_pressed_while_the_model_loads_starts_when_it_is_ready(ai, qtbot, monkeypatch):
    win = ai
    gate = slow_load(win, monkeypatch)
    assert win.ai_panel.draft([Slot.HARD]) is not None
    assert "the model is still loading; it starts when the model is ready" in status(win)
    assert win.drafting.busy
    assert win.ai_panel.cancel_button.isEnabled()
    gate.set()
    wait_job(qtbot, win)
    assert win.drafting.ghosts.get(win.session.doc.song.chart(Slot.HARD)) is not None


def test_cancel_while_the_model_loads_says_what_it_cancelled(ai, qtbot, monkeypatch):
    win = ai
    s = win.session
    before = list(s.doc.song.charts)
    gate = slow_load(win, monkeypatch)
    assert win.ai_panel.draft([Slot.HARD]) is not None
    win.ai_panel.cancel_button.click()  # drops the waiting draft (and its empty chart); the load goes on
    assert s.doc.song.charts == before
    assert status(win) == ("AI draft cancelled before it started (it waited for the model to load); the empty "
                           "charts made for it were removed")
    gate.set()
    wait_job(qtbot, win)
    assert win.drafting.ghosts.charts_with_drafts() == []
    assert win.ai_panel.device.text() != "model not loaded yet"
    gate = slow_load(win, monkeypatch)  # nothing waiting: Cancel while the model loads
    win.ai_panel.cancel_button.click()
    gate.set()
    wait_job(qtbot, win)
    assert "AI draft cancelled" not in status(win)
    assert status(win).startswith("Nothing to cancel: the AI was loading its model")

"""What an AI job's result becomes when the designer kept working meanwhile (audit 19): another song opened, the
chart deleted or switched, its timing edited, the job cancelled; and which variant's provenance an accept records.

Tiny real ONNX model (as tests/editor/test_ai.py); a job is held at its start with a gate, so the edit surely
happens while it runs."""

from __future__ import annotations

import threading
from fractions import Fraction

import pytest

from chart.song import Slot
from tests.editor.conftest import wait_job

pytestmark = pytest.mark.qt


def hold(win, *names: str) -> threading.Event:
    """Make the drafter's ``names`` wait for the returned gate before working."""
    drafter = win.drafting.ensure_drafter()
    gate = threading.Event()
    for name in names:
        real = getattr(drafter, name)
        setattr(drafter, name, lambda *a, _real=real, **k: (gate.wait(30), _real(*a, **k))[1])
    return gate


def status(win) -> str:
    return win.statusBar().currentMessage()


def test_accept_records_the_shown_variants_provenance(ai, qtbot):
    """Accepting variant 3 recorded variant 1's seed, lane temperature and density target, and no variant number."""
    from inference.drafter import VARIANT_TEMPERATURE

    win = ai
    win.session.set_chart(win.session.doc.song.chart(Slot.EASY))
    win.session.set_range((Fraction(8), Fraction(24)))
    win.ai_panel.variants.setValue(3)
    win.ai_panel.seed.setValue(5)
    assert win.ai_panel.regenerate() is not None
    wait_job(qtbot, win)
    win.ai_panel.flip(1)
    win.ai_panel.flip(1)
    assert "variant 3/3" in win.ai_panel.variant_label.text()
    win.accept_drafts()
    provenance = win.session.doc.history.undo_commands()[-1].provenance
    assert provenance["seed"] == 5  # the seed typed: typing it again gives this variant again (audit 27)
    assert provenance["parameters"]["variant_seed"] == 7  # the third variant's own seed (seed + 2)
    assert provenance["parameters"]["lane_temperature"] == VARIANT_TEMPERATURE
    assert provenance["parameters"]["variant"] == 2
    assert provenance["parameters"]["variants"] == 3


def test_a_timing_edit_while_the_ai_works_drops_its_draft(ai, qtbot):
    """A warp added while a draft ran: the draft came back on the old beats, ghosts (then notes) inside the warp."""
    from chart.commands import SetTiming

    win = ai
    s = win.session
    gate = hold(win, "draft")
    assert win.ai_panel.draft([Slot.HARD]) is not None
    assert s.push(SetTiming(s.doc.song.timing.with_changes(warps=((Fraction(20), Fraction(4)),)), name="warp"))
    gate.set()
    wait_job(qtbot, win)
    assert win.drafting.ghosts.get(s.doc.song.chart(Slot.HARD)) is None
    assert "AI draft of Hard dropped: the timing changed while the AI worked" in status(win)
    # Regenerate: the same, on the chart's own timing
    easy = s.doc.song.chart(Slot.EASY)
    s.set_chart(easy)
    s.set_range((Fraction(8), Fraction(16)))
    gate = hold(win, "variants")
    assert win.ai_panel.regenerate() is not None
    assert s.push(SetTiming(s.doc.song.timing.with_changes(offset=Fraction(-1, 5)), chart=easy,
                            name="Easy's own timing"))
    gate.set()
    wait_job(qtbot, win)
    assert win.drafting.ghosts.get(easy) is None
    assert "AI variants of beats 8-16 (Easy) dropped: the timing changed" in status(win)


def test_notes_edited_while_the_ai_works_keep_the_draft(ai, qtbot):
    from chart.commands import AddNotes
    from chart.notes import Note

    win = ai
    gate = hold(win, "draft")
    easy = win.session.doc.song.chart(Slot.EASY)
    assert win.ai_panel.draft([Slot.EASY]) is not None
    assert win.session.push(AddNotes(easy, [Note(Fraction(30), 1)]))
    gate.set()
    wait_job(qtbot, win)
    assert win.drafting.ghosts.get(easy) is not None  # a proposal: accepting makes room


def test_opening_another_song_cancels_the_draft_and_frees_the_ai(ai, qtbot, tmp_path):
    """The old song's draft kept running: the new song's drafts were refused ("still working") and its end said
    'its chart was removed while the AI worked'."""
    from tests.editor.conftest import write_song

    win = ai
    gate = hold(win, "draft")
    assert win.ai_panel.draft([Slot.EASY]) is not None
    other = write_song(tmp_path / "other")
    assert win.open_path(other.chart)
    qtbot.waitUntil(lambda: win.session.audio is not None, timeout=10000)
    assert not win.drafting.busy
    assert win.ai_panel.draft([Slot.EASY]) is not None  # not refused
    gate.set()
    wait_job(qtbot, win)
    qtbot.wait(200)  # the old job's end, if it reported anything, has arrived
    assert "removed" not in status(win)
    assert win.drafting.ghosts.get(win.session.doc.song.chart(Slot.EASY)) is not None


def test_deleting_the_chart_while_regenerate_runs_says_why_nothing_came(ai, qtbot):
    from chart.commands import RemoveChart

    win = ai
    s = win.session
    easy = s.doc.song.chart(Slot.EASY)
    s.set_chart(easy)
    s.set_range((Fraction(8), Fraction(16)))
    gate = hold(win, "variants")
    assert win.ai_panel.regenerate() is not None
    assert s.push(RemoveChart(easy))
    gate.set()
    wait_job(qtbot, win)
    assert "AI variants of beats 8-16 (Easy) dropped: the chart was removed while the AI worked" in status(win)


def test_switching_chart_while_regenerate_runs_shows_the_variants_on_their_chart(ai, qtbot):
    """The status said "[ and ] flip" for variants on a chart not shown, where [ said "No variants here"."""
    win = ai
    s = win.session
    easy = s.doc.song.chart(Slot.EASY)
    s.set_chart(easy)
    s.set_range((Fraction(8), Fraction(16)))
    win.ai_panel.variants.setValue(2)
    gate = hold(win, "variants")
    assert win.ai_panel.regenerate() is not None
    s.set_chart(s.doc.song.chart(Slot.BEGINNER))
    gate.set()
    wait_job(qtbot, win)
    assert s.chart is easy  # as a draft does, the view moves to the chart the variants are on
    # the variants' line (an "Under the NPS target" warning may follow it, as after a draft)
    assert any(m.text.startswith("2 variant(s) of beats 8-16 (Easy)") for m in win.message_bar.log)
    win.ai_panel.flip(1)
    assert "variant 2/2" in win.ai_panel.variant_label.text()


def test_cancel_takes_back_the_empty_charts_made_for_the_draft(ai, qtbot):
    """Cancel of Draft all left the four empty charts made for it, and the song unsaved."""
    win = ai
    s = win.session
    before = [c.slot for c in s.doc.song.charts]
    assert s.doc.is_clean
    gate = hold(win, "draft")
    assert win.ai_panel.draft(list(Slot)[:5]) is not None
    assert len(s.doc.song.charts) == 5
    win.ai_panel.cancel_button.click()
    gate.set()
    wait_job(qtbot, win)
    assert [c.slot for c in s.doc.song.charts] == before
    assert s.doc.is_clean
    assert "AI draft cancelled; the empty charts made for it were removed" in status(win)


def test_refine_from_an_empty_chart_is_refused(ai, boxes):
    """It ran, and conditioned on a chart that steps nowhere drafted a 'Hard' thinner than a plain Easy."""
    from chart.commands import AddChart
    from chart.song import Chart

    win = ai
    medium = Chart(slot=Slot.MEDIUM, meter=5)
    assert win.session.push(AddChart(medium))
    win.session.set_chart(medium)
    win.ai_panel.refine_target.setCurrentIndex(win.ai_panel.refine_target.findData(Slot.HARD))
    assert win.ai_panel.refine() is None
    assert boxes[-1][2] == "The Medium chart has no notes to refine from."
    assert not win.drafting.busy


def test_regenerate_before_beat_0(ai, qtbot, boxes):
    """The cursor's measure before beat 0 said "beats -4 to 0 is an empty range" after a job."""
    win = ai
    win.session.set_chart(win.session.doc.song.chart(Slot.EASY))
    assert win.drafting.regenerate((Fraction(-4), Fraction(0)), 2) is None
    assert "lie before beat 0" in boxes[-1][2]
    assert win.drafting.regenerate((Fraction(-2), Fraction(2)), 2) is not None  # from beat 0
    wait_job(qtbot, win)
    assert "variant(s) of beats 0-2" in status(win)
    assert win.drafting.ghosts.get(win.session.chart).variant_region == (0, 2)

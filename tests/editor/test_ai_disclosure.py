"""AI disclosure in the editor (audit 19): the first Accept that brings AI notes into a chart marks its credit in
the same undo step (undo takes it back), once per chart, after a designer's own credit; the Charts panel shows it;
saved to .ssc/.sm/.json and exported to .osu it reads back; the CLI's drafts carry the very same marker. No model
needed: drafts are put in the ghost store directly."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtWidgets import QMessageBox

from chart.commands import SetChartMeta
from chart.notes import Note

pytestmark = pytest.mark.qt

MODEL = "onset-v1"
MARK = "AI-assisted by GenéLive onset-v1"
YES = QMessageBox.StandardButton.Yes


def draft_into(win, chart, regions=((0, 4),), provenance=None):
    """Pending ghosts on ``chart``: one row per beat of each region (lanes 0-3 in turn)."""
    from editor.controllers.ghosts import GhostDraft

    notes = [Note(Fraction(b), b % 4) for s, e in regions for b in range(s, e)]
    win.drafting.ghosts.put(GhostDraft(chart, notes, {}, provenance or {"model_id": MODEL, "seed": 0},
                                       regions=[(Fraction(s), Fraction(e)) for s, e in regions]))
    return notes


def accept(win, b0, b1) -> int:
    win.session.set_range((Fraction(b0), Fraction(b1)))
    return win.accept_drafts()


def test_accept_discloses_once_in_its_own_undo_step(opened):
    win = opened
    chart = win.session.chart
    assert chart.credit == ""
    before = list(chart.notes)
    drafted = draft_into(win, chart, regions=((0, 4), (8, 12)))
    steps = len(win.session.doc.history.undo_stack_names())
    assert accept(win, 0, 4) == 4
    assert chart.credit == MARK
    assert win.charts_panel.credit.text() == MARK  # the Charts panel shows it
    assert "discloses" in win.statusBar().currentMessage()
    names = win.session.doc.history.undo_stack_names()
    assert names[len(names) - 1:] == ["Accept AI draft"]
    assert len(names) == steps + 1
    step = win.session.doc.history.undo_commands()[-1]
    assert step.provenance["model_id"] == MODEL
    assert "accepted_region" in step.provenance
    assert accept(win, 8, 12) == 4  # a second accept: the credit discloses already
    assert chart.credit == MARK
    assert len(win.session.doc.history.undo_stack_names()) == steps + 2
    win.session.doc.undo()
    assert chart.credit == MARK  # the first accept's notes are still in the chart
    win.session.doc.undo()
    assert chart.credit == ""  # undo of the accept takes the disclosure back with the notes
    assert win.charts_panel.credit.text() == ""
    assert chart.notes == before
    win.session.doc.redo()
    assert chart.credit == MARK
    assert all(n in chart.notes for n in drafted[:4])


def test_a_designers_credit_is_kept_and_can_be_edited_away(opened):
    win = opened
    chart = win.session.chart
    win.session.push(SetChartMeta(chart, credit="Alice"))
    draft_into(win, chart)
    accept(win, 0, 4)
    assert chart.credit == f"Alice ({MARK})"
    win.session.push(SetChartMeta(chart, credit="Alice"))  # the designer removes it deliberately
    draft_into(win, chart, regions=((4, 6),))
    win.session.set_range((Fraction(4), Fraction(6)))
    win.reject_drafts()
    assert chart.credit == "Alice"  # rejecting adds nothing


def test_accepting_the_ais_silence_adds_no_disclosure(opened):
    win = opened
    chart = win.session.chart
    win.drafting.ghosts.put_variants(chart, [[]], (Fraction(0), Fraction(4)), {}, {"model_id": MODEL}, 0.5, None, 0.0)
    accept(win, 0, 4)
    assert not [n for n in chart.notes if n.beat < 4]
    assert chart.credit == ""  # no AI notes in the chart


def test_an_accepted_chart_saved_in_every_format_reopens_disclosed(opened, boxes, tmp_path):
    from editor.controllers.export import ExportController

    win = opened
    chart = win.session.chart
    slot = chart.slot
    draft_into(win, chart)
    accept(win, 0, 4)
    for name in ("song.ssc", "song.sm", "song.json"):
        boxes.answers = [YES] * 5
        win.files.ask_save_path = lambda *_a, _p=tmp_path / name, **_k: _p
        assert win.files.save_as(), boxes
        assert win.open_path(tmp_path / name)
        assert win.session.doc.song.chart(slot).credit == MARK, name
    (tmp_path / "osu").mkdir()
    boxes.answers = [YES] * 5
    assert ExportController(win).export(tmp_path / "osu" / "song.osu")
    exported = next((tmp_path / "osu").glob(f"*{slot.sm_name}*.osu"))
    text = exported.read_text(encoding="utf-8")
    assert "Tags:ai-assisted genelive onset-v1\n" in text
    assert f"Creator:{win.session.doc.song.credit}\n" in text  # the human's, not the marker
    assert win.open_path(tmp_path / "osu")  # the beatmap set
    assert win.session.doc.song.chart(slot).credit == MARK


def test_the_cli_writes_the_editors_marker(opened, tmp_path, capsys):
    from chart.formats.registry import load
    from chart.song import Song
    from cli._draft_cmds import _write
    from inference.draft_types import Provenance, SlotDraft

    win = opened
    chart = win.session.chart
    draft_into(win, chart)
    accept(win, 0, 4)
    prov = Provenance(MODEL, 1, "0" * 64, "lane-v3", "local ONNX (CPU)", 0)
    drafts = [SlotDraft(chart.slot, [Note(Fraction(1), 0)], Fraction(0), Fraction(4), 0.5, prov)]
    timing = win.session.doc.song.timing
    assert _write(Song(music="clicks.wav", timing=timing), drafts, timing, tmp_path / "cli.ssc") == 0
    assert load(tmp_path / "cli.ssc").charts[0].credit == chart.credit == MARK

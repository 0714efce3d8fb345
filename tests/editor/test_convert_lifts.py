"""Edit > Convert to Lifts / Convert to Fakes (editor.controllers.transforms): every selected note becomes one, a
hold keeping only its head; a selection of lifts (fakes) only turns back into taps, as in ArrowVortex; one undo
step; Verify's osu! target notes and Export's conversion list name what the .osu file drops."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.checks.base import CheckContext, Severity
from chart.checks.registry import run_checks
from chart.formats.registry import conversions
from chart.notes import Note, NoteKind

pytestmark = pytest.mark.qt


def test_convert_to_lifts_keeps_hold_heads_and_toggles_back_to_taps(opened):
    win = opened  # Beginner: taps at 0-3, a hold at 4 (2 beats), a mine at 5, a roll at 8
    s, doc = win.session, win.session.doc
    chosen = [Note(F(1), 1), Note(F(4), 0, NoteKind.HOLD, F(2)), Note(F(8), 3, NoteKind.ROLL, F(1))]
    s.select(chosen)
    steps = len(doc.undo_stack_names())
    win.actions["edit.to_lift"].trigger()
    lifts = [Note(F(1), 1, NoteKind.LIFT), Note(F(4), 0, NoteKind.LIFT), Note(F(8), 3, NoteKind.LIFT)]
    assert set(lifts) <= set(s.chart.notes)
    assert not set(chosen) & set(s.chart.notes)
    assert set(s.selection) == set(lifts)
    assert doc.undo_stack_names()[steps:] == ["Convert to lifts"]
    assert "2 hold(s)/roll(s) keeping only their heads" in win.statusBar().currentMessage()
    win.actions["edit.to_lift"].trigger()  # all lifts: back to taps (the holds stay heads)
    assert {n.kind for n in s.selection} == {NoteKind.TAP}
    doc.undo()
    doc.undo()
    assert set(chosen) <= set(s.chart.notes)


def test_convert_to_fakes_and_what_an_osu_export_makes_of_them(opened):
    win = opened
    s = win.session
    chosen = [Note(F(0), 0), Note(F(2), 2), Note(F(5), 2, NoteKind.MINE)]
    s.select(chosen)
    win.actions["edit.to_fake"].trigger()
    assert {n.kind for n in s.selection} == {NoteKind.FAKE}
    found = run_checks(CheckContext(s.doc.song, s.chart, target_format="osu"))
    dropped = [i for i in found if "osu!mania has no fakes: dropped" in i.message]
    assert len(dropped) == 3
    assert {i.severity for i in dropped} == {Severity.INFO}
    assert any("osu!mania has no fakes: dropped (x3)" in line for line in conversions(s.doc.song, "osu"))
    s.doc.path = s.doc.path.with_suffix(".osu")  # an osu! chart: the status line says it too
    s.select(list(s.selection)[:1])
    win.actions["edit.to_tap"].trigger()
    s.select([Note(F(3), 3)])
    win.actions["edit.to_fake"].trigger()
    assert "the .osu file drops them" in win.statusBar().currentMessage()


def test_the_actions_are_in_the_edit_menu_without_default_keys(opened):
    win = opened
    edit = next(a.menu() for a in win.menuBar().actions() if a.text().replace("&", "") == "Edit")
    convert = next(a.menu() for a in edit.actions() if a.text().replace("&", "") == "Convert")  # Edit > Convert
    ids = [a.objectName() for a in convert.actions()]
    assert ids.index("edit.to_lift") == ids.index("edit.to_mine") + 1
    assert ids.index("edit.to_fake") == ids.index("edit.to_lift") + 1
    assert win.actions["edit.to_lift"].shortcut().isEmpty()  # Alt+L is the Help menu's mnemonic
    assert win.actions["edit.to_fake"].shortcut().isEmpty()  # Alt+F opens the File menu

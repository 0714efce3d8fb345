"""The Test Play panel after a run that ended before reaching a note, or before its mines."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import Qt

from chart.notes import Note, NoteKind

pytestmark = pytest.mark.qt


def _panel(win):
    from editor.panels.test_play import TestPlayPanel

    return win.findChild(TestPlayPanel)


def test_a_run_that_reached_no_note_says_so(fake, qtbot):
    """It said "none: every note Great or better, every hold kept" and counted the unreached mines."""
    win, clock = fake
    chart = win.session.chart
    win.editing.place(Fraction(21, 2), 1, NoteKind.MINE)
    win.editing.place(Fraction(25, 2), 2, NoteKind.MINE)
    assert sum(1 for n in chart.notes if n.kind == NoteKind.MINE) >= 2
    win.seek(3.0)
    assert win.test_play.start()
    clock.advance(0.3)
    qtbot.wait(40)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Escape)
    panel = _panel(win)
    assert panel.labels["Score"].text() == "no note was reached"
    assert panel.labels["Holds / mines"].text().endswith("0/0 mines hit")
    assert [panel.list.item(i).text() for i in range(panel.list.count())] == [
        "none: the run ended before the first note"]


def test_mines_count_only_those_the_run_got_past(fake, qtbot):
    win, clock = fake
    chart = win.session.chart
    chart_mines = [Note(Fraction(9), 1, NoteKind.MINE), Note(Fraction(14), 2, NoteKind.MINE)]
    for m in chart_mines:
        win.editing.place(m.beat, m.lane, NoteKind.MINE)
    mines_after = sum(1 for n in chart.notes if n.kind == NoteKind.MINE and n.beat >= 8)
    win.seek(float(win.session.timing().beat_to_seconds(8)))
    assert win.test_play.start()
    clock.advance(1.0 + 0.5 * 1.5)  # past the mine at beat 9 (4.6 s), not the one at beat 14
    qtbot.wait(40)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Escape)
    text = _panel(win).labels["Holds / mines"].text()
    assert text.endswith("0/1 mines hit")
    assert mines_after == 2


def test_the_start_buttons_tooltip_names_the_key_as_remapped(window):
    """It said "(Ctrl+T)" whatever keymap.json gave Test Play."""
    from PySide6.QtGui import QKeySequence

    button = _panel(window).start_button
    assert button.toolTip() == "Play the chart with the keyboard from the cursor, judged (Ctrl+T)"
    window.actions["play.test"].setShortcut(QKeySequence("F9"))
    assert button.toolTip() == "Play the chart with the keyboard from the cursor, judged (F9)"
    window.actions["play.test"].setShortcut(QKeySequence())
    assert button.toolTip() == "Play the chart with the keyboard from the cursor, judged"


def test_an_offset_that_rounds_to_zero_has_no_sign():
    """The status line said "median offset -0 ms"."""
    from types import SimpleNamespace

    from chart.judge import Grade
    from editor.controllers.test_play import TestPlayController, signed

    assert [signed(-0.3), signed(0.4), signed(-0.04, 1), signed(12.4), signed(-3.46, 1)] == ["0", "0", "0.0", "+12",
                                                                                             "-3.5"]
    run = SimpleNamespace(judged=2, score=1.0, counts=dict.fromkeys(Grade, 0) | {Grade.MARVELOUS: 2},
                          median_offset_ms=-0.3)
    assert TestPlayController._summary_line(run).endswith("2 Marvelous, median offset 0 ms")  # type: ignore[arg-type]

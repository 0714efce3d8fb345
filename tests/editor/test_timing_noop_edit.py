"""A Timing table edit that changes nothing (a value retyped as '120.0', a beat typed off the rows that snaps back
to its own row) is no undo step and leaves a saved song unmodified, as "Tempo unchanged" and "Section tempo
unchanged" are: each added a "Change timing" step whose undo did nothing visible, and marked the song modified."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.qt


def bpm_cell(panel, column: int, text: str) -> None:
    t = panel.table
    r = next(r for r in range(t.rowCount()) if t.item(r, 1).text() == "BPM" and t.item(r, 0).text() == "0")
    t.item(r, column).setText(text)


def test_retyping_a_bpm_or_moving_it_back_onto_its_row_is_no_step(opened):
    win = opened
    doc, panel = win.session.doc, win.timing_panel
    assert doc.history.is_clean
    timing, steps = doc.song.timing, doc.undo_stack_names()
    for column, text in ((2, "120.0"), (2, "120.000"), (0, "0.005")):
        bpm_cell(panel, column, text)
        assert doc.song.timing == timing
        assert doc.undo_stack_names() == steps, text
        assert doc.history.is_clean, text
        assert "Change timing: unchanged" in win.statusBar().currentMessage()
    assert "beat 0.005 moved to the nearest 1/48-beat row, 0" in win.statusBar().currentMessage()
    assert panel.table.item(0, 2).text() == "120"  # the cell as the file holds it again
    bpm_cell(panel, 2, "121")  # a real change is still a step
    assert doc.undo_stack_names() == [*steps, "Change timing"]
    assert not doc.history.is_clean

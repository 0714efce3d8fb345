"""Restore autosave keeps whole songs for undo and redo (the recovered charts and the ones they replaced): the
history's note budget counts their notes, not 1 for the step."""

from __future__ import annotations

from chart.document import Document
from chart.history import held_notes
from editor.controllers.autosave_command import RestoreSnapshot
from tests.chart.helpers import make_song


def test_restore_counts_the_charts_it_keeps():
    doc = Document(make_song(notes_per_chart=16))  # two charts of 16 notes
    step = RestoreSnapshot(make_song(notes_per_chart=10))
    assert held_notes(step) == 20  # the recovered song's, before it is done
    doc.push(step)
    assert held_notes(step) == 20 + 32  # and the charts it replaced
    assert doc.history._held_total == 52

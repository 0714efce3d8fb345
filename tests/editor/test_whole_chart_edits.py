"""Edits of a whole chart in the editor (Select All, then Mirror, Turn, Shift, Expand, Quantize; Copy and Paste of
it) cost what the notes cost, counted in operations, not timed: on a 20k-note chart they blocked the window for
0.3-0.5 s each, and pasting 2,000 notes for 4 s (each pasted note settled the whole pasted passage again)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtWidgets import QApplication

from chart.note_keys import NoteSet
from chart.notes import Note, NoteKind
from editor.timeline.note_index import NoteIndex
from tests.chart.helpers import fraction_calls, fraction_work
from tests.chart.test_edit_cost import dense_notes
from tests.editor.test_big_selection import open_chart

pytestmark = pytest.mark.qt

COUNT = 2_000


def beat_reads(fn) -> int:
    """How often ``fn()`` reads a Fraction's numerator or denominator: every pass over the notes' beats in Python
    (sorting by float, spans, cell keys) reads each beat's."""
    calls = fraction_calls(fn)
    return calls["numerator"] + calls["denominator"]


def counting(monkeypatch, cls, name: str) -> list[int]:
    """Count the calls of ``cls.name`` (one item per call)."""
    calls: list[int] = []
    method = getattr(cls, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return method(*args, **kwargs)

    monkeypatch.setattr(cls, name, counted)
    return calls


@pytest.mark.parametrize("action", ["edit.mirror", "edit.turn_left", "edit.shift_down", "edit.expand_2_1"])
def test_a_whole_chart_transform_looks_no_note_up_among_the_leaving_ones(window, monkeypatch, action):
    """Nothing stays where a whole chart is rewritten, so nothing is matched (make_room looked each note up among
    the leaving ones, and the selection was pruned note by note against the changed chart: 2-3 look-ups a note),
    and the passes over the notes' beats are fewer (69-108 reads of each beat's numerator and denominator, now
    27-37: the rest is the Document's and the session's)."""
    open_chart(window, dense_notes(COUNT))
    window.editing.select_all()
    QApplication.processEvents()
    looked_up = counting(monkeypatch, NoteSet, "__contains__")
    reads = beat_reads(lambda: (window.actions[action].trigger(), QApplication.processEvents()))
    assert len(window.session.doc.undo_stack_names()) == 1
    assert len(window.session.selection) == COUNT
    assert not looked_up
    assert reads < 45 * COUNT, reads / COUNT


def test_quantize_hashes_each_note_once_for_the_selection_only(window, monkeypatch):
    """Quantize hashed every selected note to find the chart's others, then every note of the chart against that
    set (3.4 hashes a note); now only the session's selection set hashes the quantized notes."""
    open_chart(window, dense_notes(COUNT))
    window.session.set_divisor(8)
    window.editing.select_all()
    QApplication.processEvents()
    hashes = counting(monkeypatch, Note, "__hash__")
    window.actions["edit.quantize"].trigger()
    QApplication.processEvents()
    assert window.session.doc.undo_stack_names() == ["Quantize to 1/8"]
    assert len(hashes) <= len(window.session.selection)


def test_an_edit_marks_its_selection_once(window, monkeypatch):
    """Select All + Mirror marked the new selection on the index of the notes before the edit (finding none of
    them), then again on the new index."""
    open_chart(window, dense_notes(COUNT))
    window.editing.select_all()
    QApplication.processEvents()
    marked = counting(monkeypatch, NoteIndex, "set_selection")
    window.actions["edit.mirror"].trigger()
    QApplication.processEvents()
    assert len(marked) == 1
    assert int(window.timeline.index.selected.sum()) == COUNT


def paste_work(win, count: int, action: str) -> int:
    """Calls into fractions.py of pasting a copied ``count``-note chart after its end."""
    open_chart(win, dense_notes(count))
    s = win.session
    win.editing.select_all()
    win.transforms.copy()
    last = s.chart.notes[-1].end_beat
    win.timeline.set_cursor(float(s.timing().beat_to_seconds(last + 8)))
    paste = win.transforms.paste if action == "paste" else win.transforms.paste_keep
    work = fraction_work(paste)
    assert len(s.chart.notes) > 1.9 * count  # settled among themselves: a few notes inside holds go
    return work


@pytest.mark.parametrize("action", ["paste", "paste_keep"])
def test_paste_costs_what_the_clipboard_holds_not_its_square(window, action):
    small, large = paste_work(window, 250, action), paste_work(window, 1_000, action)
    assert large < 6 * small, (small, large)  # note by note: ~14x (1,000 notes took 1 s, 4,000 17 s)


def test_select_all_copy_adds_up_only_the_holds(window):
    """Copy measured the selection's end and the clipboard's span by adding every note's length to its beat."""
    open_chart(window, [Note(Fraction(k, 4), k % 4, NoteKind.HOLD if k % 10 == 0 else NoteKind.TAP,
                             Fraction(1, 2) if k % 10 == 0 else Fraction(0)) for k in range(COUNT)])
    window.editing.select_all()
    assert fraction_work(window.transforms.copy) < 11 * COUNT  # was 17 a note
    assert window.transforms.clipboard_span == Fraction(COUNT - 1, 4)

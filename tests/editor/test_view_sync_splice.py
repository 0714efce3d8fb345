"""ViewSync splices the notefield's index after an edit of notes (``NoteIndex.spliced``) and builds it from scratch
after timing changes, chart switches and a new document; whatever the path, the index shown is the full build's
(arrays in ``test_note_index_splice.py``)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from chart.commands import AddNotes, MoveNotes, RemoveNotes, SetHoldLength, SetTiming
from chart.document import Document
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from editor.timeline.note_index import NoteIndex

pytestmark = pytest.mark.qt
ARRAYS = ("beats", "quant", "lanes", "kinds", "start_s", "end_s", "selected")


def held_song() -> Song:
    """Two charts; the Hard one as a lenient read leaves it: taps inside holds, a mine on a hold's end, two notes
    on one cell; timing with a stop, a warp and a fake segment."""
    notes = [Note(Fraction(k, 2), k % 4) for k in range(200)]
    notes += [Note(Fraction(10), 0, NoteKind.HOLD, Fraction(4)), Note(Fraction(11), 0), Note(Fraction(12), 0),
              Note(Fraction(14), 0, NoteKind.MINE), Note(Fraction(30), 3, NoteKind.ROLL, Fraction(2)),
              Note(Fraction(31), 3, NoteKind.LIFT), Note(Fraction(40), 1)]
    timing = TimingData(bpms=((Fraction(0), Fraction(140)), (Fraction(50), Fraction(180))),
                        stops=((Fraction(20), Fraction(1, 2)),), warps=((Fraction(60), Fraction(3)),),
                        extra=(("FAKES", "70.000=2.000"),))
    return Song(title="held", timing=timing, charts=[
        Chart(slot=Slot.HARD, meter=8, notes=notes),
        Chart(slot=Slot.EASY, meter=3, notes=[Note(Fraction(k), k % 4) for k in range(40)])])


@pytest.fixture
def held(window):
    window.files.adopt(Document(held_song()))
    window.sync._flush()
    return window


@pytest.fixture
def splices(monkeypatch):
    """What each NoteIndex.spliced call returned (None: the full build was used)."""
    results: list[NoteIndex | None] = []
    original = NoteIndex.spliced

    def spy(self, *args, **kwargs):
        results.append(original(self, *args, **kwargs))
        return results[-1]

    monkeypatch.setattr(NoteIndex, "spliced", spy)
    return results


def assert_shown_is_full_build(win) -> NoteIndex:
    s = win.session
    shown = win.timeline.index
    full = NoteIndex(s.chart.notes, s.timing())
    full.set_selection(s.selection)
    assert shown.notes == full.notes
    for name in ARRAYS:
        assert np.array_equal(getattr(shown, name), getattr(full, name)), name
    assert shown.max_len_s == full.max_len_s
    assert np.array_equal(shown.onset_times_s(), full.onset_times_s())
    return shown


def test_edits_are_spliced_into_the_shown_index(held, splices):
    s = held.session
    before = held.timeline.index
    tap = Note(Fraction(21, 4), 2)
    s.push(AddNotes(s.chart, [tap]))
    s.select([tap])
    held.sync._flush()
    shown = assert_shown_is_full_build(held)
    assert shown is not before
    assert splices
    assert splices[-1] is shown
    assert shown.selected[shown.notes.index(tap)]
    assert shown.selected.sum() == 1
    box = s.doc.notes_in_range(s.chart, Fraction(8), Fraction(13))  # a hold with taps inside it, moved
    s.push(MoveNotes(s.chart, box, Fraction(1, 4)))
    hold = next(n for n in s.chart.notes if n.kind == NoteKind.ROLL)
    s.push(SetHoldLength(s.chart, hold, Fraction(7, 2)))  # two edits before one repaint: one splice of both
    held.sync._flush()
    assert len(splices) == 2
    assert splices[-1] is not None
    assert_shown_is_full_build(held)
    s.doc.undo()
    s.doc.undo()
    held.sync._flush()
    assert_shown_is_full_build(held)
    s.push(RemoveNotes(s.chart, s.doc.notes_in_range(s.chart, Fraction(59), Fraction(72))))  # warp, fakes
    held.sync._flush()
    assert len(splices) == 4
    assert all(r is not None for r in splices)
    assert_shown_is_full_build(held)


def test_timing_changes_and_chart_switches_build_from_scratch(held, splices):
    s = held.session
    slower = s.doc.song.timing.with_changes(bpms=((Fraction(0), Fraction(100)),))
    with s.doc.transaction("Slower, and a note"):  # the timing signal comes first, then the notes'
        s.doc.push(SetTiming(slower))
        s.doc.push(AddNotes(s.chart, [Note(Fraction(33, 4), 1)]))
    held.sync._flush()
    shown = assert_shown_is_full_build(held)
    assert shown._timing is slower
    assert shown.start_s[shown.notes.index(Note(Fraction(33, 4), 1))] == pytest.approx(33 / 4 * 0.6)
    assert splices == [shown]  # the notes' change spliced into the index the timing change had built
    easy = s.doc.song.chart(Slot.EASY)
    s.set_chart(easy)
    held.sync._flush()
    assert held.timeline.index.notes == easy.notes
    assert_shown_is_full_build(held)
    s.push(AddNotes(easy, [Note(Fraction(1, 2), 3)]))
    held.sync._flush()
    assert splices[-1] is held.timeline.index  # edits of the chart switched to splice again
    assert_shown_is_full_build(held)


def test_an_edit_of_the_compared_chart_leaves_the_index(held, splices):
    s = held.session
    shown = held.timeline.index
    s.set_reference(s.doc.song.chart(Slot.EASY))
    s.push(AddNotes(s.doc.song.chart(Slot.EASY), [Note(Fraction(1, 2), 3)]))
    held.sync._flush()
    assert held.timeline.index is shown
    assert not splices
    assert held.timeline.reference is not None
    assert Note(Fraction(1, 2), 3) in held.timeline.reference.notes


def test_a_new_document_is_indexed_from_scratch(held, splices):
    s = held.session
    s.push(AddNotes(s.chart, [Note(Fraction(1, 8), 0)]))  # pending when the other song opens
    song = held_song()
    song.charts[0].notes = song.charts[0].notes[:50]
    held.files.adopt(Document(song))
    held.sync._flush()
    assert len(held.timeline.index) == 50
    assert not splices
    assert_shown_is_full_build(held)

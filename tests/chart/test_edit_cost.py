"""How much Fraction work an edit of a selection does (operation counts, not timings), in a chart of 2,000 notes
and in one of 16,000 with the same selection: a drag's mouse move recomputed the move against the whole chart
(make_room read every note of it), and the sorted insert and delete compared and hashed Fractions note by note,
so that dragging 5,000 notes of a 22k-note chart took half a second per mouse move. Results are pinned down in
``test_edit_fast_paths.py``."""

from __future__ import annotations

from fractions import Fraction

from chart import sorted_notes
from chart.commands import ReplaceNotes, move_onto
from chart.document import Document
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from tests.chart.edit_reference import copy_of
from tests.chart.helpers import fraction_work

SMALL, LARGE = 2_000, 16_000
SELECTED = 300


def dense_notes(count: int) -> list[Note]:
    """A 16th stream with jumps and a hold every 8 rows (of up to 2 beats), the selection's neighbourhood alike
    in every size."""
    notes = []
    for k in range(count * 2 // 3):
        beat = Fraction(k, 4)
        if k % 8 == 0:
            notes.append(Note(beat, k % 4, NoteKind.HOLD, Fraction(1 + k % 3, 4) * 2))
        else:
            notes.append(Note(beat, k % 4))
        if k % 2 == 0:
            notes.append(Note(beat, (k + 2) % 4, NoteKind.MINE if k % 6 == 0 else NoteKind.TAP))
    return notes[:count]


def drag_work(count: int) -> tuple[int, int]:
    """(work of one mouse move of a drag of SELECTED notes in the middle of the chart, work of its undo)."""
    chart = Chart(slot=Slot.CHALLENGE, notes=dense_notes(count))
    doc = Document(Song(charts=[chart]))
    middle = len(chart.notes) // 2
    selection = chart.notes[middle:middle + SELECTED]
    doc.begin_stroke("Move notes")
    base = list(chart.notes)
    longest = doc.longest_hold(chart)  # once per drag, as the editor reads it

    def move(beats: int) -> None:
        command = move_onto(chart, base, selection, Fraction(beats, 4), 0, longest=longest)
        doc.update_stroke(command)

    move(1)
    work = fraction_work(lambda: move(3))
    doc.commit_stroke()
    return work, fraction_work(doc.undo)


def test_a_drag_move_and_its_undo_follow_the_selection_not_the_chart():
    small, small_undo = drag_work(SMALL)
    large, large_undo = drag_work(LARGE)
    assert large < 1.1 * small + 200  # make_room read every hold of the chart at each mouse move
    assert large < 40 * SELECTED  # was ~145 per selected note: Note comparisons and hashes of Fractions
    assert large_undo < 1.1 * small_undo + 200
    assert large_undo < 15 * SELECTED  # was ~38 per selected note


def replace_work(count: int) -> int:
    """Work of swapping SELECTED notes of the chart for moved copies (what Mirror, Quantize and Paste push)."""
    chart = Chart(slot=Slot.CHALLENGE, notes=dense_notes(count))
    doc = Document(Song(charts=[chart]))
    middle = len(chart.notes) // 2
    old = chart.notes[middle:middle + SELECTED]
    new = [n.replace(lane=3 - n.lane) for n in old]
    doc.notes_overlapping(chart, Fraction(0), Fraction(1))  # the Document counts the hold lengths once
    removed, cut = sorted_notes.make_room(chart.notes, new, old, Fraction(1, 4), sorted_notes.longest(chart.notes))
    command = ReplaceNotes(chart, old + removed, new + cut, name="Mirror")
    return fraction_work(lambda: doc.push(command))


def test_replacing_notes_compares_no_fraction_per_note_of_the_chart():
    small, large = replace_work(SMALL), replace_work(LARGE)
    assert large < 1.1 * small + 200
    assert large < 10 * SELECTED  # was ~50 per note: Note comparisons and hashes of Fractions


def test_edit_commands_sort_their_notes_without_comparing_fractions():
    """Every command sorts what it removes and adds (a drag builds one per mouse move): by the beats' floats, and
    Notes compared only within a row, whose notes share a beat."""
    notes = [copy_of(n) for n in dense_notes(SMALL)]  # each with its own Fractions, as a file's reader makes them
    work = fraction_work(lambda: ReplaceNotes("x", notes[::-1], notes))
    assert work < len(notes)  # was ~27 per note: the sort keys (tuples of Fractions) compared Fractions

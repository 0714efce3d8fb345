"""Quantize's merges with unselected notes and its holds made taps, Mirror's replaced arrows, Shuffle that moves
nothing, the cursor's own row (Select from Cursor, lane keys, Paste) and the box left of the lanes (audit 26)."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from PySide6.QtCore import Qt

from chart.commands import AddNotes, RemoveNotes
from chart.notes import Note, NoteKind
from editor.controllers import jumps
from editor.timeline.pointer import Hit

pytestmark = pytest.mark.qt

F = Fraction


def start(win, new: list[Note]) -> list[str]:
    """The open chart holding only ``new`` (one undo step), the status lines said from now on."""
    s = win.session
    s.push(RemoveNotes(s.chart, list(s.chart.notes), name="Clear"))
    s.push(AddNotes(s.chart, new, name="Add"))
    said: list[str] = []
    s.status.connect(said.append)
    return said


def pick(win, *cells) -> None:
    win.session.select([n for n in win.session.chart.notes if (n.beat, n.lane) in {(F(b), k) for b, k in cells}])


def lane(win, k: int) -> list[tuple[Fraction, NoteKind, Fraction]]:
    return [(n.beat, n.kind, n.length) for n in win.session.chart.notes if n.lane == k]


def test_quantize_onto_an_unselected_note_keeps_the_step_and_the_longest(opened):
    win, s = opened, opened.session
    said = start(win, [Note(F(10), 0), Note(F(41, 4), 0, NoteKind.MINE), Note(F(47, 4), 2),
                       Note(F(12), 2, NoteKind.HOLD, F(2)), Note(F(57, 4), 1), Note(F(14), 1, NoteKind.MINE)])
    s.set_divisor(4)
    pick(win, (F(41, 4), 0))  # the mine only: it lands on the unselected tap at 10
    win.actions["edit.quantize"].trigger()
    assert lane(win, 0) == [(F(10), NoteKind.TAP, F(0))]  # the step stays (was: a mine in its place)
    assert said[-1] == "Quantize to 1/4: 1 note(s); 1 merged with a note on the same beat and lane"
    assert [(n.beat, n.lane) for n in s.selection] == [(F(10), 0)]  # what it merged into
    pick(win, (F(47, 4), 2))  # a tap onto the unselected 2-beat hold at 12
    win.actions["edit.quantize"].trigger()
    assert lane(win, 2) == [(F(12), NoteKind.HOLD, F(2))]  # the hold stays (was: replaced by the tap)
    pick(win, (F(57, 4), 1))  # a tap onto an unselected mine: the step wins, as before
    win.actions["edit.quantize"].trigger()
    assert lane(win, 1) == [(F(14), NoteKind.TAP, F(0))]
    for _ in range(3):
        s.doc.undo()
    assert lane(win, 0) == [(F(10), NoteKind.TAP, F(0)), (F(41, 4), NoteKind.MINE, F(0))]
    assert lane(win, 2) == [(F(47, 4), NoteKind.TAP, F(0)), (F(12), NoteKind.HOLD, F(2))]


def test_quantize_counts_the_holds_it_made_taps(opened):
    win, s = opened, opened.session
    said = start(win, [Note(F(12), 3, NoteKind.HOLD, F(1)), Note(F(53, 4), 3), Note(F(14), 0, NoteKind.HOLD, F(3, 4)),
                       Note(F(61, 4), 0), Note(F(18), 1)])
    s.set_divisor(4)
    win.actions["edit.select_all"].trigger()
    win.actions["edit.quantize"].trigger()
    assert not any(n.kind == NoteKind.HOLD for n in s.chart.notes)
    assert said[-1] == "Quantize to 1/4: 5 note(s); 2 hold(s) became taps (no room before the next note)"


def test_mirror_of_part_of_a_row_says_what_it_replaced(opened):
    win, s = opened, opened.session
    said = start(win, [Note(F(10), 0), Note(F(10), 3), Note(F(11), 1), Note(F(11), 2), Note(F(13), 3)])
    pick(win, (10, 0), (11, 1))  # the left two lanes of two jumps
    win.actions["edit.mirror"].trigger()
    assert len(s.chart.notes) == 3
    assert said[-1] == "Mirror: 2 note(s); replacing 2 of the chart's"
    s.doc.undo()
    pick(win, (13, 3))
    win.actions["edit.mirror"].trigger()
    assert said[-1] == "Mirror: 1 note(s)"  # nothing there: nothing more said


def test_shuffle_always_moves_the_selection(opened):
    win, s = opened, opened.session
    start(win, [Note(F(k, 2), 0) for k in range(20, 36)] + [Note(F(20), 3)])  # a jack run on the Left lane
    win.transforms._rng = random.Random(0)  # noqa: SLF001
    for _ in range(30):
        run = [n for n in s.chart.notes if n.beat < 18]
        s.select(run)
        assert win.transforms.turn("shuffle")
        lanes = {n.lane for n in s.chart.notes if n.beat < 18}
        assert len(lanes) == 1
        assert lanes != {run[0].lane}  # moved, every time
        assert lanes != {3 - run[0].lane}  # and not as the mirror would (another lane is free)


def test_shuffle_of_full_rows_says_there_is_nothing_to_move(opened):
    win, s = opened, opened.session
    said = start(win, [Note(F(b), k) for b in (10, 11) for k in range(4)])
    steps = len(s.doc.history.undo_stack_names())
    win.actions["edit.select_all"].trigger()
    assert not win.transforms.turn("shuffle")
    assert said[-1] == "Shuffle: nothing to move (every order of the lanes gives these notes back)"
    assert len(s.doc.history.undo_stack_names()) == steps


def test_the_cursor_row_off_the_snap_is_the_cursors(opened):
    """'.' onto a 16th under a 1/4 snap: the cursor shows 4.75, the row the edits use was the snapped 5."""
    win, s = opened, opened.session
    said = start(win, [Note(F(10), 0), Note(F(12), 0), Note(F(51, 4), 1), Note(F(13), 2)])
    s.set_divisor(4)
    jumps.go_to_beat(win, F(12))
    jumps.step_note(win, 1)
    assert win.timeline.exact_beat() == F(51, 4)
    assert win.timeline.cursor_beat() == 13
    win.actions["edit.select_after"].trigger()
    assert sorted((n.beat, n.lane) for n in s.selection) == [(F(51, 4), 1), (F(13), 2)]
    win.actions["edit.select_before"].trigger()
    assert sorted((n.beat, n.lane) for n in s.selection) == [(F(10), 0), (F(12), 0)]
    assert said[-1] == "Selected 2 notes: before the cursor (4 of the chart)"
    win.editing.toggle_at_cursor(1)  # key 2 on the note under the cursor removes it
    assert lane(win, 1) == []
    win.editing.toggle_at_cursor(1)  # and again puts one back, on the cursor's row (as Paste), not the snap's
    assert lane(win, 1) == [(F(51, 4), NoteKind.TAP, F(0))]
    win.editing.toggle_at_cursor(2)  # key 3 on the cursor's empty row leaves the next snap row's note alone
    assert lane(win, 2) == [(F(51, 4), NoteKind.TAP, F(0)), (F(13), NoteKind.TAP, F(0))]
    s.select([n for n in s.chart.notes if n.beat == 10])
    win.actions["edit.copy"].trigger()
    jumps.go_to_beat(win, F(51, 4))
    win.actions["edit.paste"].trigger()  # at the cursor's row
    assert lane(win, 0) == [(F(10), NoteKind.TAP, F(0)), (F(12), NoteKind.TAP, F(0)), (F(51, 4), NoteKind.TAP, F(0))]
    jumps.go_to_beat(win, F(16001, 1000))  # a beat off StepMania's rows (a review timestamp's): the snap's row
    win.actions["edit.paste"].trigger()
    assert lane(win, 0)[-1] == (F(16), NoteKind.TAP, F(0))


def hit(win, beat, x: float) -> Hit:
    t = float(win.session.timing().beat_to_seconds(F(beat)))
    return Hit(t, float(beat), F(beat), x, int(x) if 0 <= x < 4 else None, None, Qt.MouseButton.LeftButton,
               Qt.KeyboardModifier.ShiftModifier)  # Shift+drag: a box, also from inside a lane


@pytest.mark.parametrize(("x0", "x1", "lanes"), [(-1.5, -0.2, set()), (-1.5, 0.3, set()), (-1.5, 0.6, {0}),
                                                 (0.4, 1.4, {0}), (0.6, 2.5, {1, 2}), (3.6, 5.0, set())])
def test_a_box_takes_the_lanes_whose_centre_it_covers(opened, qtbot, x0, x1, lanes):
    win, s = opened, opened.session
    start(win, [Note(F(11), k) for k in range(4)])
    qtbot.waitUntil(lambda: list(win.timeline.index.notes) == list(s.chart.notes))  # the notefield redrawn
    s.clear_selection()
    win.editing.press(hit(win, 10, x0))
    win.editing.drag(hit(win, 13, x1))
    win.editing.release(hit(win, 13, x1))
    assert {n.lane for n in s.selection} == lanes

"""make_room: an edit's new notes win; no cell holds two notes and no note lies inside a hold afterwards."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from chart.commands import MoveNotes, move_onto
from chart.document import Document
from chart.notes import Note, NoteKind, sort_notes
from chart.song import Slot
from chart.sorted_notes import inside_holds, make_room
from tests.chart.helpers import FakeClock, make_song

Q = Fraction(1, 4)
GAP = Fraction(1, 2)


def shared_cells(notes: list[Note]) -> int:
    return len(notes) - len({(n.beat, n.lane) for n in notes})


def valid(notes: list[Note]) -> bool:
    return not inside_holds(notes) and not shared_cells(notes)


def test_a_tap_landing_in_a_hold_cuts_it_one_snap_step_before():
    hold = Note(Fraction(4), 1, NoteKind.HOLD, Fraction(4))
    other = Note(Fraction(4), 2)
    removed, cut = make_room([hold, other], [Note(Fraction(6), 1)], [], GAP)
    assert removed == [hold]
    assert cut == [Note(Fraction(4), 1, NoteKind.HOLD, Fraction(3, 2))]  # ends at 5.5, half a beat before 6


def test_no_room_left_makes_the_hold_a_tap_and_the_first_landed_note_decides():
    roll = Note(Fraction(4), 0, NoteKind.ROLL, Fraction(2))
    removed, cut = make_room([roll], [Note(Fraction(9, 2), 0), Note(Fraction(5), 0)], [], GAP)
    assert removed == [roll]
    assert cut == [Note(Fraction(4), 0)]  # 4.5 - 0.5 leaves no room: a tap of its head
    removed, cut = make_room([roll], [Note(Fraction(6), 0), Note(Fraction(11, 2), 0)], [], GAP)
    assert cut == [roll.replace(length=Fraction(1))]  # the earliest landed note (5.5) decides


def test_a_new_hold_replaces_what_its_body_covers_and_a_note_on_its_cell():
    notes = [Note(Fraction(1), 3), Note(Fraction(2), 3, NoteKind.MINE), Note(Fraction(3), 3), Note(Fraction(3), 2),
             Note(Fraction(7, 2), 3)]
    new = [Note(Fraction(1), 3, NoteKind.HOLD, Fraction(2))]
    removed, cut = make_room(notes, new, [], GAP)
    assert sort_notes(removed) == [Note(Fraction(1), 3), Note(Fraction(2), 3, NoteKind.MINE), Note(Fraction(3), 3)]
    assert cut == []


def test_notes_the_edit_removes_or_moves_are_left_alone():
    hold = Note(Fraction(0), 0, NoteKind.HOLD, Fraction(4))
    assert make_room([hold], [Note(Fraction(2), 0)], [hold], GAP) == ([], [])


edits = st.lists(st.tuples(st.integers(0, 48), st.integers(0, 3), st.sampled_from(list(NoteKind)),
                           st.integers(1, 16)), max_size=12)


def _notes(raw) -> list[Note]:
    out: dict[tuple, Note] = {}
    for q, lane, kind, length in raw:
        out.setdefault((q, lane), Note(Fraction(q, 4), lane, kind, Fraction(length, 4) if kind.has_length else 0))
    return sort_notes(out.values())


@settings(max_examples=300, deadline=None)
@given(edits, edits)
def test_any_edit_of_a_valid_chart_leaves_a_valid_chart(base_raw, new_raw):
    """Whatever a valid chart holds and whatever valid set of notes an edit writes, the result (base - removed +
    cut + new) has no shared cell and no note inside a hold, and every new note is kept as it is."""
    base = _notes(base_raw)
    while inside_holds(base):  # make the base valid: drop notes inside holds
        bad = {n for _h, n in inside_holds(base)}
        base = [n for n in base if n not in bad]
    new = _notes(new_raw)
    while inside_holds(new):
        bad = {n for _h, n in inside_holds(new)}
        new = [n for n in new if n not in bad]
    removed, cut = make_room(base, new, [], Q)
    assert set(removed) <= set(base)
    result = sort_notes([*(n for n in base if n not in set(removed)), *cut, *new])
    assert valid(result), (inside_holds(result), shared_cells(result))
    assert all(c.beat == r.beat and c.lane == r.lane for c in cut for r in removed if (c.beat, c.lane) == (r.beat, r.lane))


def test_nudges_into_a_hold_merge_and_undo_gives_the_hold_back_whole():
    """Alt+Up three times moves a tap into a hold's body from below: each nudge cuts the hold again; the nudges are
    one undo step and undo restores the hold as it was."""
    song = make_song()
    doc = Document(song, clock=FakeClock())
    chart = song.charts[0]
    doc.delete_notes(chart, list(chart.notes))
    hold = Note(Fraction(4), 1, NoteKind.HOLD, Fraction(4))
    tap = Note(Fraction(9), 1)
    doc.insert_notes(chart, [hold, tap])
    moving = [tap]
    for _ in range(3):  # 9 -> 8 (the hold's end), 7, 6
        command = move_onto(chart, list(chart.notes), moving, -1, 0, gap=GAP)
        assert isinstance(command, MoveNotes)
        doc.push(command)
        moving = list(command.moved)
        assert valid(list(chart.notes)), chart.notes
    assert chart.notes == [hold.replace(length=Fraction(3, 2)), Note(Fraction(6), 1)]
    assert doc.history.undo_stack_names()[-1] == "Move notes"
    assert len(doc.history.undo_stack_names()) == 1  # one step
    doc.undo()
    assert chart.notes == [hold, tap]


def test_a_moved_hold_replaces_the_notes_its_body_lands_on():
    song = make_song()
    doc = Document(song, clock=FakeClock())
    chart = song.charts[0]
    doc.delete_notes(chart, list(chart.notes))
    hold = Note(Fraction(0), 2, NoteKind.HOLD, Fraction(2))
    taps = [Note(Fraction(5), 2), Note(Fraction(6), 2), Note(Fraction(8), 2)]
    doc.insert_notes(chart, [hold, *taps])
    command = move_onto(chart, list(chart.notes), [hold], 4, 0, gap=GAP)
    doc.push(command)
    assert chart.notes == [Note(Fraction(4), 2, NoteKind.HOLD, Fraction(2)), Note(Fraction(8), 2)]
    doc.undo()
    assert chart.notes == [hold, *taps]


def test_an_accepted_region_makes_room_and_leaves_the_notes_past_it():
    """Accepting AI notes in [8, 12): a chart hold from beat 6 reaching into it ends a step before the first
    accepted note of its lane; an accepted hold reaching past 12 onto a chart note ends a step before it, and
    that note stays (outside the region the chart's notes win)."""
    from chart.commands import ReplaceRegion

    song = make_song(slots=(Slot.EASY,))
    chart = song.charts[0]
    chart.notes = [Note(Fraction(6), 0, NoteKind.HOLD, Fraction(4)), Note(Fraction(9), 1), Note(Fraction(13), 2)]
    doc = Document(song)
    drafted = [Note(Fraction(8), 0), Note(Fraction(11), 2, NoteKind.HOLD, Fraction(3))]
    doc.push(ReplaceRegion(chart, 8, 12, drafted))
    assert chart.notes == [Note(Fraction(6), 0, NoteKind.HOLD, Fraction(7, 4)), Note(Fraction(8), 0),
                           Note(Fraction(11), 2, NoteKind.HOLD, Fraction(7, 4)), Note(Fraction(13), 2)]
    assert not inside_holds(chart.notes)
    doc.undo()
    assert chart.notes == [Note(Fraction(6), 0, NoteKind.HOLD, Fraction(4)), Note(Fraction(9), 1),
                           Note(Fraction(13), 2)]

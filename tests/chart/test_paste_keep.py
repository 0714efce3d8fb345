"""fit_pasted: Paste Keeping Notes keeps the chart's notes; what it adds never shares a cell or sits in a hold."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from chart.notes import Note, NoteKind, sort_notes
from chart.paste_keep import fit_pasted
from chart.sorted_notes import inside_holds, room_made
from tests.chart.helpers import hold, tap

GAP = Fraction(1, 4)


def valid(notes: list[Note]) -> bool:
    return not inside_holds(notes) and len(notes) == len({(n.beat, n.lane) for n in notes})


def test_a_pasted_note_on_a_chart_note_or_in_a_chart_hold_is_skipped():
    chart = [tap(4, 0), hold(8, 1, 2)]
    pasted = [tap(4, 0), tap(4, 1), tap(9, 1), tap(10, 1), tap(9, 2)]
    fit = fit_pasted(chart, pasted, GAP)
    assert fit.skipped == [tap(4, 0), tap(9, 1), tap(10, 1)]  # the cell, inside the hold, on its end
    assert fit.placed == [tap(4, 1), tap(9, 2)]
    assert fit.shortened == 0


def test_a_pasted_hold_over_a_chart_note_ends_one_snap_step_before_it():
    chart = [tap(6, 2), tap(5, 3)]
    fit = fit_pasted(chart, [hold(4, 2, 4), hold(4, 3, Fraction(1, 8), NoteKind.ROLL), hold(4, 0, 4)], GAP)
    assert hold(4, 2, Fraction(7, 4)) in fit.placed  # 6 - 1/4
    assert hold(4, 3, Fraction(1, 8), NoteKind.ROLL) in fit.placed  # ends before the note: untouched
    assert hold(4, 0, 4) in fit.placed  # another lane
    assert fit.shortened == 1
    squeezed = fit_pasted([tap(Fraction(17, 4), 1)], [hold(4, 1, 2)], GAP)
    assert squeezed.placed == [tap(4, 1)]  # no room for a snap step: a tap of its head
    assert squeezed.shortened == 1


def test_a_chart_hold_starting_earlier_covers_pasted_heads_even_behind_a_shorter_one():
    """A chart opened as it was may overlap holds in a lane: the longest reach decides, not the last hold."""
    chart = [hold(0, 0, 8), hold(1, 0, 1)]
    fit = fit_pasted(chart, [tap(5, 0), tap(9, 0)], GAP)
    assert fit.skipped == [tap(5, 0)]
    assert fit.placed == [tap(9, 0)]


notes_st = st.builds(
    lambda beat, lane, kind, length: Note(Fraction(beat, 4), lane, kind,
                                          Fraction(length, 4) if kind.has_length else Fraction(0)),
    st.integers(0, 40), st.integers(0, 3), st.sampled_from([NoteKind.TAP, NoteKind.HOLD, NoteKind.MINE]),
    st.integers(1, 12))


def settled(notes: list[Note]) -> list[Note]:
    """Notes made playable as every edit leaves them (the later note wins)."""
    kept: list[Note] = []
    for note in sort_notes(notes):
        kept = sort_notes([*room_made(kept, [note], GAP), note])
    return kept


@settings(max_examples=150, deadline=None)
@given(st.lists(notes_st, max_size=25), st.lists(notes_st, max_size=25))
def test_after_any_paste_keeping_notes_the_chart_stays_playable_and_keeps_its_notes(chart, pasted):
    chart, pasted = settled(chart), settled(pasted)
    fit = fit_pasted(chart, pasted, GAP)
    assert valid(chart + fit.placed)
    assert len(fit.placed) + len(fit.skipped) == len(pasted)
    for note in fit.placed:  # each placed note is a pasted one, its hold at most shortened
        assert any(p.beat == note.beat and p.lane == note.lane and note.end_beat <= p.end_beat for p in pasted)

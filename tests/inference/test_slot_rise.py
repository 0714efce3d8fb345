"""Rising note counts across slots drafted together: the plan and the jump split (pure)."""

from __future__ import annotations

from fractions import Fraction

from chart.notes import Note, NoteKind
from inference.slot_rise import MIN_NOTE_RISE, rise_plan, split_jumps


def test_plan_goes_down_from_the_top_and_projects_thinned_slots():
    slots = [0, 1, 2, 3, 4]
    notes = {0: 100.0, 1: 200.0, 2: 300.0, 3: 700.0, 4: 650.0}  # Hard above Challenge
    plan = rise_plan(slots, [False] * 5, notes.__getitem__)
    assert [(e.index, e.upper) for e in plan] == [(3, 4)]
    assert plan[0].limit == 650.0 / MIN_NOTE_RISE
    notes[2] = 640.0  # Medium is fine against Hard's 700 notes, not against the 619 Hard is cut to
    plan = rise_plan(slots, [False] * 5, notes.__getitem__)
    assert [(e.index, e.upper) for e in plan] == [(3, 4), (2, 3)]
    assert plan[1].limit == 650.0 / MIN_NOTE_RISE ** 2


def test_plan_keeps_designer_targets_and_skips_variants():
    notes = {0: 500.0, 1: 400.0}.__getitem__
    assert rise_plan([1, 3], [True, False], notes) == []  # the lower slot's density was asked for
    assert rise_plan([3, 3], [False, False], notes) == []  # two variants of one slot
    assert rise_plan([3], [False], notes) == []
    # order of the list does not matter, slots do: the lower slot (index 0) has 500, the upper 400
    plan = rise_plan([1, 3], [False, False], notes)
    assert [(e.index, e.upper, e.notes, e.limit) for e in plan] == [(0, 1, 500.0, 400.0 / MIN_NOTE_RISE)]


def test_split_jumps_turns_the_least_confident_jumps_into_steps_without_new_jacks():
    b = Fraction
    notes = [Note(b(0), 0), Note(b(1), 0), Note(b(1), 3),  # jump L+R after L: keeps R
             Note(b(2), 1), Note(b(3), 1), Note(b(3), 2, NoteKind.HOLD, b(1)),  # jump after D: keeps U (a hold)
             Note(b(5), 0), Note(b(5), 3)]  # the most confident jump
    confidence = {b(1): 0.5, b(3): 0.6, b(5): 0.9}
    out, split = split_jumps(notes, confidence, 2)
    assert split == 2
    rows = {}
    for n in out:
        rows.setdefault(n.beat, []).append((n.lane, n.kind))
    assert rows[b(1)] == [(3, NoteKind.TAP)]
    assert rows[b(3)] == [(2, NoteKind.HOLD)]
    assert len(rows[b(5)]) == 2
    assert len(out) == len(notes) - 2
    out, split = split_jumps(notes, confidence, 10)  # fewer jumps than asked: all split, the count says so
    assert split == 3
    assert len(out) == len(notes) - 3
    assert split_jumps(notes, confidence, 0) == (list(notes), 0)

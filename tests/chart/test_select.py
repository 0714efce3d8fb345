"""chart.select: notes by snap class, jumps, kind, and side of a beat."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart import select
from chart.notes import Note, NoteKind
from tests.chart.helpers import hold, tap

NOTES = [tap(0, 0), tap(0, 3), tap(F(1, 2), 1), tap(F(1, 3), 2), tap(F(1, 4), 1), hold(1, 0, 1), tap(1, 2),
         Note(F(2), 1, NoteKind.MINE), Note(F(2), 2), tap(F(1, 96), 3), Note(F(3), 0, NoteKind.FAKE), tap(3, 1)]


@pytest.mark.parametrize(("divisor", "beats"), [
    (4, [0, 0, 1, 1, 2, 2, 3, 3]), (8, [F(1, 2)]), (12, [F(1, 3)]), (16, [F(1, 4)]), (24, []), (192, [F(1, 96)])])
def test_snap_classes_take_the_coarsest_grid_of_each_note(divisor, beats):
    assert [n.beat for n in select.on_snap(divisor)(NOTES)] == beats


def test_jumps_are_rows_of_two_stepped_arrows():
    assert select.jumps(NOTES) == [tap(0, 0), tap(0, 3), hold(1, 0, 1), tap(1, 2)]  # mine + tap at 2, fake at 3: no


def test_kinds_and_sides_of_a_beat():
    assert select.of_kinds(NoteKind.MINE, NoteKind.HOLD)(NOTES) == [hold(1, 0, 1), Note(F(2), 1, NoteKind.MINE)]
    assert [n.beat for n in select.from_beat(F(2))(NOTES)] == [2, 2, 3, 3]
    assert len(select.before_beat(F(2))(NOTES)) + len(select.from_beat(F(2))(NOTES)) == len(NOTES)
    with pytest.raises(ValueError, match="snap class"):
        select.on_snap(20)

"""On a hold's end beat the holding foot was busy until that instant: the other foot stepping that row too is no
double step (so Left hold, Down, Right on the hold's end is no crossover at Beginner), and the holding foot may
still take the row where that is the natural way on (DDR's Beginner holds ending on the foot's next step).

Lanes: 0 Left, 1 Down, 2 Up, 3 Right.
"""

from __future__ import annotations

from fractions import Fraction

from chart.checks.registry import check_song
from chart.notes import Note
from chart.parity import Foot, parse_feet, step_rows
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from tests.chart.helpers import hold, tap

L, R = Foot.LEFT, Foot.RIGHT
QUICK = TimingData.constant(210)  # a beat is 0.286 s: stepping twice with one foot is a fast double step


def left_hold_down_right(hold_beats) -> list[Note]:
    """8 repeats of: Left held for ``hold_beats``, Down a beat later, Right two beats after the hold's head."""
    notes: list[Note] = []
    for m in range(8):
        b = Fraction(8 * m + 4)
        notes += [hold(b, 0, hold_beats), tap(b + 1, 1), tap(b + 2, 3), tap(b + 4, 1)]
    return sorted(notes)


def test_the_row_on_a_holds_end_beat_is_the_other_feet() -> None:
    parse = parse_feet(left_hold_down_right(2), QUICK)
    assert [r.feet for r in parse.rows[:3]] == [(L,), (R,), (R,)]  # the left foot holds Left until beat 6
    assert parse.crossovers == 0  # was a crossover: the left foot on Right on the hold's end beat
    assert not parse.rows[2].double_step  # the other foot is holding: stepping twice is not double-stepping
    assert parse.fast_double_steps() == []


def test_no_false_beginner_crossover_warnings() -> None:
    song = Song(title="t", timing=QUICK,
                charts=[Chart(slot=Slot.BEGINNER, meter=2, notes=left_hold_down_right(2))])
    assert [i for i in check_song(song) if i.check_id == "parity"] == []


def test_the_holding_foot_may_still_step_on_its_end_beat() -> None:
    # Splash Gold's Beginner (DDR A20): Left held 6 beats while the right foot steps Up and Right, Down on the
    # hold's end beat, then a Right hold. The left foot takes Down; giving Down to the right foot would cross over.
    notes = [hold(0, 0, 6), tap(2, 2), tap(4, 3), tap(6, 1), hold(8, 3, 6), tap(10, 2), tap(12, 0), tap(14, 1)]
    parse = parse_feet(notes, TimingData.constant(300))  # 0.4 s between the rows
    assert [r.feet for r in parse.rows] == [(L,), (R,), (R,), (L,), (R,), (L,), (L,), (R,)]
    assert parse.crossovers == 0


def test_the_holding_foot_stepping_again_on_its_end_beat_is_still_a_double_step() -> None:
    # Castle in the Sky's Beginner: Left, Down held one beat by the right foot, Up on its end beat, Down, Right,
    # 0.375 s apart. Alternating, the left foot crosses over to Right; the right foot stepping Up on its own hold's
    # end (the left foot free all along) is a double step, not a free way out.
    parse = parse_feet([tap(0, 0), hold(1, 1, 1), tap(2, 2), tap(3, 1), tap(4, 3)], TimingData.constant(160))
    up = parse.rows[2]
    assert up.feet == (L,) or up.double_step
    assert parse.crossovers + parse.double_steps == 1


def test_a_jump_on_the_holds_end_beat_takes_both_feet() -> None:
    notes = [hold(0, 0, 2), tap(1, 1), tap(2, 2), tap(2, 3), tap(3, 1)]
    parse = parse_feet(notes, QUICK)
    jump = parse.rows[2]
    assert jump.feet == (L, R)
    assert not jump.hands


def test_a_jump_with_one_foot_held_past_the_row_still_needs_a_hand() -> None:
    parse = parse_feet([hold(0, 0, 3), tap(1, 1), tap(2, 2), tap(2, 3)], QUICK)
    assert parse.rows[2].hands


def test_step_rows_give_the_lanes_whose_hold_ends_on_the_row() -> None:
    rows = step_rows([hold(0, 0, 2), hold(0, 3, 4), tap(2, 1), tap(4, 2)])
    assert [(beat, held, ending) for beat, _row, held, ending in rows] == [
        (0, 0, 0), (2, 0b1000, 0b0001), (4, 0, 0b1000)]

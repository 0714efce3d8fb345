"""C-mod snap and measure steps over a warp whose ends have rows of their own: a delay on its last beat or a stop
on its first gives that end another time than the warp's inner beats. Up and PgUp stuck on the warp's end (the
step landed inside the warp, whose instant read back as its last beat); they now go by the warp's extent, both
ways, over chained warps too, and a cursor on a time that reads back as another beat keeps its own."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.timing import TimingData
from editor.timeline import cursor_steps
from tests.editor.test_warp_cursor import walk

pytestmark = pytest.mark.qt


def timing(**extra) -> TimingData:
    return TimingData(offset=F(-1, 10), bpms=((F(0), F(120)),), **extra)


DELAY_AT_END = timing(warps=((F(16), F(4)),), delays=((F(20), F(1, 2)),))
STOP_AT_START = timing(warps=((F(16), F(4)),), stops=((F(16), F(1, 2)),))
CHAINED = timing(warps=((F(16), F(4)), (F(20), F(2))), delays=((F(22), F(1, 2)),))


def at(w, t: TimingData, beat) -> None:
    w.seek(float(t.beat_to_seconds(F(beat))))


@pytest.mark.parametrize("t", [DELAY_AT_END, STOP_AT_START], ids=["delay-at-end", "stop-at-start"])
def test_up_and_page_up_leave_a_warp_whose_end_has_its_own_row(make_timeline, t):
    w = make_timeline(t)
    at(w, t, 21)
    assert walk(w, lambda: w.step_cursor(-1), 6) == [F(83, 4), F(41, 2), F(81, 4), 20, 16, F(63, 4)]
    at(w, t, 21)
    assert walk(w, lambda: w.step_measure(-1), 3) == [20, 16, 12]
    at(w, t, 15)
    assert walk(w, lambda: w.step_cursor(1), 6) == [F(61, 4), F(31, 2), F(63, 4), 16, 20, F(81, 4)]
    at(w, t, 12)
    assert walk(w, lambda: w.step_measure(1), 3) == [16, 20, 24]


def test_the_warps_instant_before_a_delay_keeps_its_own_beat(make_timeline):
    """With a delay on beat 20, the warp's instant (beats 16 .. 19.75) reads back as beat 20, which sounds half a
    second later: the cursor put there keeps beat 16, so a lane key adds the note on the row the cursor is on."""
    w = make_timeline(DELAY_AT_END)
    at(w, DELAY_AT_END, 20)
    w.step_cursor(-1)
    assert w.cursor_s == pytest.approx(float(DELAY_AT_END.beat_to_seconds(F(16))))
    assert w.exact_beat() == 16
    at(w, DELAY_AT_END, 21)
    w.step_cursor(-1)
    assert w.exact_beat() is None  # an ordinary row keeps no beat


def test_chained_warps_both_ways(make_timeline):
    w = make_timeline(CHAINED)  # warps 16..20 and 20..22: one instant, then beat 22 half a second later
    at(w, CHAINED, 23)
    assert walk(w, lambda: w.step_cursor(-1), 6) == [F(91, 4), F(45, 2), F(89, 4), 22, 20, F(63, 4)]
    assert walk(w, lambda: w.step_cursor(1), 3) == [16, 22, F(89, 4)]


def test_steps_without_a_timeline():
    snap = cursor_steps.snap_step(16)  # 16ths: a quarter beat
    plain = timing(warps=((F(16), F(4)),))
    for t in (plain, DELAY_AT_END, STOP_AT_START, CHAINED):
        beat = F(25)
        for _ in range(40):  # Up never sticks: every step lands earlier
            nxt = cursor_steps.step_beats(t, beat, -1, snap, past_shared=True)
            assert nxt < beat
            beat = nxt
    assert cursor_steps.step_beats(plain, F(20), -1, snap, past_shared=True) == F(63, 4)  # 16 shares 20's row
    assert cursor_steps.step_beats(plain, F(15), 4, snap, past_shared=True) == 16
    assert cursor_steps.step_beats(plain, F(16), 1, snap, past_shared=True) == F(81, 4)
    assert cursor_steps.step_beats(plain, F(16), 1, snap, past_shared=False) == F(65, 4)  # X-mod walks the warp

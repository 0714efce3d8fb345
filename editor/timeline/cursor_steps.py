"""Where the cursor's snap and measure steps land (Up/Down, PgUp/PgDn, the wheel), in exact beats.

A warp's inner beats all share one instant. In C-mod they share one row, so a step goes over them: from beat 21
over a warp 16..20, Up gave 20.75 .. 20 and then 20 again for ever (19.75 lies in the warp and reads back as 20).
The step goes by the warp's extent, not by equal times: a delay on the warp's last beat or a stop on its first
gives that end a row of its own, and Up stuck there too. In X-mod the warp's beats have rows of their own and the
steps walk through them; the cursor then keeps the exact beat it is on
(:meth:`editor.timeline.view.TimelineWidget.exact_beat`), as it does in C-mod where the row's time reads back as
another beat (:func:`keeps_beat`).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from chart.snap import move
from chart.timing import TimingData


def _inside_warp(timing: TimingData, beat: Fraction) -> tuple[Fraction, Fraction] | None:
    """(start, end) of a warp ``beat`` lies strictly inside, else None."""
    for start, length in timing.warps:
        if length > 0 and start < beat < start + length:
            return start, start + length
    return None


def _c_mod_step(timing: TimingData, beat: Fraction, direction: int, step: Callable[[Fraction, int], Fraction]
                ) -> Fraction:
    """One C-mod step from ``beat``: onto the next grid line (of ``step``) that is on another row. A warp's inner
    beats never get a row of their own (its ends may: a stop on its first beat or a delay on its last gives them
    times of their own), so a line inside a warp gives way to the warp's end in ``direction`` (the line at or
    past it); a line at ``beat``'s time is on the same row, so the step goes on."""
    t = timing.beat_to_seconds(beat)
    landed = step(beat, direction)
    for _ in range(_MAX_HOPS):
        warp = _inside_warp(timing, landed)
        if warp is not None:
            edge = warp[0] if direction < 0 else warp[1]
            landed = step(step(edge, -direction), direction)  # the grid line at or past the warp's edge
        elif timing.beat_to_seconds(landed) == t:
            landed = step(landed, direction)
        else:
            break
    return landed


_MAX_HOPS = 10_000  # a bound only: each hop passes a warp or a row, and a song has far fewer


def keeps_beat(timing: TimingData, beat: Fraction) -> bool:
    """Whether a C-mod cursor put on ``beat`` must keep it: its time reads back as a beat at another time (a
    warp followed by a delay on its last beat: the warp's instant reads as that beat, which sounds later), so
    without it the lane keys would edit the other row and the next step would start from there."""
    t = timing.beat_to_seconds(beat)
    return timing.beat_to_seconds(timing.seconds_to_beat(t)) != t


def step_beats(timing: TimingData, beat: Fraction, steps: int, step: Callable[[Fraction, int], Fraction],
               past_shared: bool) -> Fraction:
    """``beat`` moved ``steps`` times by ``step(beat, direction)`` (a snap or a measure step; direction 1 or -1).
    ``past_shared`` (C-mod): each step lands on another row, over a warp's inner beats (:func:`_c_mod_step`)."""
    direction = 1 if steps > 0 else -1
    for _ in range(abs(steps)):
        beat = _c_mod_step(timing, beat, direction, step) if past_shared else step(beat, direction)
    return beat


def snap_step(divisor: int) -> Callable[[Fraction, int], Fraction]:
    """The step to the next line of the grid of ``divisor`` (strictly after or before)."""
    return lambda beat, direction: move(beat, divisor, direction)


def measure_step(timing: TimingData) -> Callable[[Fraction, int], Fraction]:
    """The step to the next measure line (time signatures followed)."""
    return timing.measure_line

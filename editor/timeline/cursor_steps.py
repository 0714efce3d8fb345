"""Where the cursor's snap and measure steps land (Up/Down, PgUp/PgDn, the wheel), in exact beats.

A warp's beats all share one instant (its first beat's time is its last beat's). In C-mod they share one row,
so a step goes past the whole run of them: from beat 21 over a warp 16..20, Up gave 20.75 .. 20 and then 20
again for ever (19.75 and 16 lie in the warp, at the cursor's time, and read back as 20). In X-mod the warp's
beats have rows of their own and the steps walk through them; the cursor then keeps the exact beat it is on
(:meth:`editor.timeline.view.TimelineWidget.exact_beat`).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from chart.snap import move
from chart.timing import TimingData


def shared_run(timing: TimingData, beat: Fraction) -> tuple[Fraction, Fraction]:
    """(first, last) of the beats that share ``beat``'s time: the ends of the warp(s) ``beat`` lies in (from a
    warp's first beat to its last, chained warps joined), else ``(beat, beat)``."""
    t = timing.beat_to_seconds(beat)
    last = max(timing.seconds_to_beat(t), beat)  # the latest beat at that time (seconds_to_beat's answer)
    first = beat
    for start, length in sorted(timing.warps, reverse=True):  # later starts first: a chain is walked back in one go
        if length > 0 and start < first <= start + length and timing.beat_to_seconds(start) == t:
            first = start
    return first, last


def step_beats(timing: TimingData, beat: Fraction, steps: int, step: Callable[[Fraction, int], Fraction],
               past_shared: bool) -> Fraction:
    """``beat`` moved ``steps`` times by ``step(beat, direction)`` (a snap or a measure step; direction 1 or -1).
    ``past_shared`` (C-mod): each step starts from the far end of the beats that share the cursor's time, so it
    lands on another row."""
    direction = 1 if steps > 0 else -1
    for _ in range(abs(steps)):
        if past_shared:
            first, last = shared_run(timing, beat)
            beat = last if direction > 0 else first
        beat = step(beat, direction)
    return beat


def snap_step(divisor: int) -> Callable[[Fraction, int], Fraction]:
    """The step to the next line of the grid of ``divisor`` (strictly after or before)."""
    return lambda beat, direction: move(beat, divisor, direction)


def measure_step(timing: TimingData) -> Callable[[Fraction, int], Fraction]:
    """The step to the next measure line (time signatures followed)."""
    return timing.measure_line

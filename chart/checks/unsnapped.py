"""Unsnapped notes: heads or hold ends off StepMania's 1/192 grid, and unusually fine snaps.

Off the 192nd grid a note cannot be saved to .sm/.ssc without moving (PROBLEM). On the grid but at 1/96 or
1/192 it is almost always a slip of the mouse (WARNING); at Beginner and Easy, notes finer than the slot
usually uses are pointed out (INFO).
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity, describe_beat, rows
from chart.snap import is_on_grid, quantization, snap_beat
from chart.song import Slot

GRID_DIVISOR = 192  # finest row StepMania stores
UNUSUAL_DIVISORS = (96, 192)  # on the grid, but rarely meant
LOW_SLOT_MAX_DIVISOR = {Slot.BEGINNER: 8, Slot.EASY: 16}  # finest snap these slots normally use


class CheckUnsnapped:
    meta = CheckMeta("unsnapped", "Snapping", "Notes off the 1/192 grid or on unusual snaps")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        low_limit = LOW_SLOT_MAX_DIVISOR.get(ctx.chart.slot)
        for beat, row in rows(ctx.notes):
            off = [n for n in row if not is_on_grid(n.beat, GRID_DIVISOR)]
            if off:
                yield self._off_grid(ctx, beat, tuple(off), "note")
                continue
            divisor = quantization(beat)
            if divisor in UNUSUAL_DIVISORS:
                yield Issue(Severity.WARNING, f"unusual 1/{divisor} snap at beat {describe_beat(beat)}",
                            beat, tuple(row))
            elif low_limit is not None and divisor > low_limit:
                yield Issue(Severity.INFO, f"1/{divisor} snap at beat {describe_beat(beat)}: finer than "
                            f"{ctx.chart.slot.sm_name} charts usually go (1/{low_limit})", beat, tuple(row))
        for n in ctx.notes:
            if n.kind.has_length and n.length > 0 and not is_on_grid(n.end_beat, GRID_DIVISOR):
                yield self._off_grid(ctx, n.end_beat, (n,), "hold end")

    @staticmethod
    def _off_grid(ctx: CheckContext, beat: Fraction, notes: tuple, what: str) -> Issue:
        nearest = snap_beat(beat, GRID_DIVISOR)
        off_ms = (ctx.seconds(beat) - ctx.seconds(nearest)) * 1000
        plural = "s" if len(notes) > 1 else ""
        return Issue(Severity.PROBLEM, f"{what}{plural} at beat {describe_beat(beat)} off the 1/192 grid "
                     f"({off_ms:+.1f} ms from beat {describe_beat(nearest)})", beat, notes)

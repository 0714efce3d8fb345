"""Unsnapped notes: heads or hold ends off StepMania's 1/192 grid, and unusually fine snaps.

Off the 192nd grid a note cannot be saved to .sm/.ssc without moving: a PROBLEM for every row. Notes on the
grid but at 1/96 or 1/192 are usually slips of the mouse (WARNING), and at Beginner and Easy notes finer than
those slots usually go are worth a look (INFO); these two are summarised once per chart (with every note
attached) because human charts that use such snaps use them many times (on ../shared/data: 1/96-1/192 snaps
in 41 of 2082 charts, ~20 rows each).
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity, describe_beat
from chart.notes import Note
from chart.snap import UNUSUAL_DIVISORS, quantization, snap_beat
from chart.song import Slot

GRID_DIVISOR = 192  # finest row StepMania stores
LOW_SLOT_MAX_DIVISOR = {Slot.BEGINNER: 8, Slot.EASY: 16}  # finest snap these slots normally use


class CheckUnsnapped:
    meta = CheckMeta("unsnapped", "Snapping", "Notes off the 1/192 grid or on unusual snaps")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        low_limit = LOW_SLOT_MAX_DIVISOR.get(ctx.chart.slot)
        unusual: list[Note] = []
        fine: list[Note] = []
        notes, ints = ctx.notes, ctx.scaled
        # on the grid of GRID_DIVISOR <=> beat * GRID_DIVISOR / 4 is whole <=> (int beat) * GRID_DIVISOR is a
        # multiple of 4 * scale (chart.snap.is_on_grid on the exact ints of chart.note_rows)
        grid = 4 * ints.scale
        divisor_of: dict[int, int] = {}  # quantization depends only on the beat modulo a measure
        for i, j in ctx.rows:
            row = notes[i:j]
            at = ints.beats[i]
            if at * GRID_DIVISOR % grid:  # the row's beat is off the grid: every note of it
                yield self._off_grid(ctx, row[0].beat, tuple(row), "note")
                continue
            key = at % grid
            divisor = divisor_of.get(key) or divisor_of.setdefault(key, quantization(row[0].beat))
            if divisor in UNUSUAL_DIVISORS:
                unusual += row
            elif low_limit is not None and divisor > low_limit:
                fine += row
        for k, n in enumerate(notes):
            if ints.ends[k] != ints.beats[k] and n.kind.has_length and ints.ends[k] * GRID_DIVISOR % grid:
                yield self._off_grid(ctx, n.end_beat, (n,), "hold end")
        if unusual:
            yield _summary(Severity.WARNING, unusual, "on unusual 1/96 or 1/192 snaps")
        if fine and low_limit is not None:
            yield _summary(Severity.INFO, fine, f"finer than {ctx.chart.slot.sm_name} charts usually go "
                           f"(1/{low_limit})")

    @staticmethod
    def _off_grid(ctx: CheckContext, beat: Fraction, notes: tuple, what: str) -> Issue:
        nearest = snap_beat(beat, GRID_DIVISOR)
        off_ms = (ctx.seconds(beat) - ctx.seconds(nearest)) * 1000
        plural = "s" if len(notes) > 1 else ""
        return Issue(Severity.PROBLEM, f"{what}{plural} at beat {describe_beat(beat)} off the 1/192 grid "
                     f"({off_ms:+.1f} ms from beat {describe_beat(nearest)})", beat, notes)


def _summary(severity: Severity, notes: list[Note], what: str) -> Issue:
    first = notes[0].beat
    count = f"{len(notes)} note{'s' * (len(notes) > 1)}"
    return Issue(severity, f"{count} {what}, first at beat {describe_beat(first)} "
                 f"(1/{quantization(first)})", first, tuple(notes))

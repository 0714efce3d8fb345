"""Parity: crossovers and fast double steps in the cheapest way to step a dance-single chart with two feet.

The chart is parsed by :func:`chart.parity.parse_feet` (which foot steps each arrow, at the least cost: fast double
steps are the worst, crossovers come next, after a pause a double step is nearly free). Two findings come out of
the parse: a *crossover* (the feet end up crossed: left foot on Right or right foot on Left) and a *fast double
step* (the same foot twice in a row on different panels, less than ``FAST_DOUBLE_STEP_S`` = 0.3 s after the
previous row, where crossing over or a footswitch would have been worse; a foot that steps twice because the
other one is holding, up to and including its hold's end beat, is not double-stepping).

How often human charts do it (1,716 dance-single charts of ../shared/data/charts-only with more than 20 steps,
``scripts/parity_rates.py``; median per chart among the charts that have any):

=========  ======  =========================  ============================
slot       charts  with a crossover (median)  with a fast double step (med.)
=========  ======  =========================  ============================
Beginner   345     9 (2.6 %) (4)              0 (0 %)
Easy       351     156 (44 %) (4)             3 (0.9 %) (1)
Medium     361     260 (72 %) (5)             9 (2.5 %) (1)
Hard       384     327 (85 %) (10)            33 (8.6 %) (1)
Challenge  240     185 (77 %) (12)            28 (12 %) (1)
Edit       35      31 (89 %) (10)             9 (26 %) (1)
=========  ======  =========================  ============================

The DDR transcriptions alone (``--prefix ddr-``, 817 charts) give the same picture: Beginner 5 of 195 with a
crossover and none with a fast double step, Easy 1 of 195 with a fast double step.

So at Beginner every crossover and every fast double step is a WARNING (97 % of human Beginner charts have no
crossover, none has a fast double step); at Easy each fast double step is a WARNING and the crossovers are counted
in one INFO; from Medium up, one INFO per chart counts both (crossovers are usual there, and a fast double step
now and then is a known device).

Only ``dance-single`` is checked: the parse knows the four panels' layout. Doubles, solo and pump pads have other
layouts and keyboard modes and keyboard charts (an osu!mania 4K map: :mod:`chart.keyboard`) are played with
fingers, so they are left alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity, describe_beat
from chart.keyboard import is_keyboard
from chart.parity import Foot, FootRow
from chart.parity_cache import parse_feet_shared
from chart.song import Slot

MODES = ("dance-single",)
WARN_CROSSOVER_SLOTS = (Slot.BEGINNER,)
WARN_DOUBLE_STEP_SLOTS = (Slot.BEGINNER, Slot.EASY)


class CheckParity:
    meta = CheckMeta("parity", "Playability",
                     "Crossovers and fast double steps when the chart is stepped with alternating feet (dance-single)")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        if ctx.chart.mode not in MODES or is_keyboard(ctx.chart) or any(n.lane > 3 for n in ctx.notes):
            return
        assert ctx.timing is not None
        parse = parse_feet_shared(ctx.notes, ctx.timing)
        crossovers = [r for r in parse.rows if r.crossover]
        doubles = parse.fast_double_steps()
        counted: list[tuple[str, list[FootRow]]] = []
        if ctx.chart.slot in WARN_CROSSOVER_SLOTS:
            for r in crossovers:
                yield Issue(Severity.WARNING, f"crossover at beat {describe_beat(r.beat)}: alternating feet put the "
                            f"{_crossing_foot(r)} {_after(r.gap_s)} (beginners face forward; "
                            "the alternative is a double step)", r.beat, r.notes)
        else:
            counted.append(("crossover", crossovers))
        if ctx.chart.slot in WARN_DOUBLE_STEP_SLOTS:
            for r in doubles:
                foot = next(f for f in r.feet if f is not None)
                yield Issue(Severity.WARNING, f"fast double step at beat {describe_beat(r.beat)}: the "
                            f"{foot.name.lower()} foot steps twice in a row, {_ms(r.gap_s)} apart (crossing over "
                            "or switching feet instead would be worse)", r.beat, r.notes)
        else:
            counted.append(("fast double step", doubles))
        found = [(what, found) for what, found in counted if found]
        if not found:
            return
        first = min(r.beat for _, rows in found for r in rows)
        parts = " and ".join(f"{len(rows)} {what}{'s' * (len(rows) > 1)}" for what, rows in found)
        yield Issue(Severity.INFO, f"{parts} when stepped with alternating feet, first at beat {describe_beat(first)}",
                    first, tuple(n for _, rows in found for r in rows for n in r.notes))


def _crossing_foot(row: FootRow) -> str:
    for n, foot in zip(row.notes, row.feet, strict=True):
        if foot == Foot.LEFT and n.lane == 3:
            return "left foot on Right"
        if foot == Foot.RIGHT and n.lane == 0:
            return "right foot on Left"
    return "feet crossed"  # cannot happen: a row crosses the feet by putting one of them on the far panel


def _after(gap_s: float) -> str:
    return f"{_ms(gap_s)} after the previous step" if math.isfinite(gap_s) else "on the first step"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.0f} s"

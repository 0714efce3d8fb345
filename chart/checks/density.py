"""Density: a chart's mean notes per second far outside what its slot usually has.

The usual ranges (:data:`chart.stats.SLOT_NPS_RANGES`) are the 10th..90th percentiles of 2029 human charts;
"far" means below the range's low end divided by :data:`FAR_FACTOR` or above its high end times it. With
factor 1.5, 2.1 % of those human charts are flagged (1.25: 4.6 %; 2: 0.3 %). Edit charts have no usual range, and
charts played with fingers (osu!mania maps, StepMania's keyboard modes such as ``kb7-single`` and other games'
modes: :func:`chart.keyboard.is_foot_chart`) none of these dance-pad charts' ranges. Only the notes StepMania
judges count, as in the Stats panel: a warp's notes flash by unplayed (the ``unjudged`` check lists them). The
mean is the Stats panel's Mean NPS (:func:`chart.stats.chart_stats`: over at least one NPS window, never above the
peak): one definition, so the panel and the WARNING never disagree on the same chart.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity, describe_beat
from chart.checks.hands import pads
from chart.keyboard import is_foot_chart
from chart.stats import NPS_WINDOW_S, SLOT_NPS_RANGES, chart_stats, onset_times_s

FAR_FACTOR = 1.5
MIN_ONSETS = 20  # fewer notes say nothing about density (placeholders, intros)


class CheckDensity:
    meta = CheckMeta("density", "Difficulty", "Notes per second far from the slot's usual range")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        usual = SLOT_NPS_RANGES.get(ctx.chart.slot) if is_foot_chart(ctx.chart) else None
        assert ctx.timing is not None
        stats = chart_stats(ctx.chart, ctx.timing)  # the Stats panel's figures: a couple chart's busier player's
        judged = ctx.judged  # the steps played: a warp's notes are never judged
        if stats.player:  # that player's steps alone: both players on one row are two steps, not a jump
            judged = pads(ctx.chart.mode, ctx.chart.lanes, judged)[stats.player - 1][1]
        times = onset_times_s(judged, ctx.timing)
        if usual is None or times.size < MIN_ONSETS or times[-1] <= times[0]:
            return
        mean = stats.mean_nps
        low, high = usual
        slot = ctx.chart.slot.sm_name
        if mean > high * FAR_FACTOR:
            beat = self._densest_beat(judged, times)
            yield Issue(Severity.WARNING, f"{mean:.2f} notes/s is far above {slot}'s usual {low:.2f}-{high:.2f} "
                        f"(densest around beat {describe_beat(beat)})", beat)
        elif mean < low / FAR_FACTOR:
            yield Issue(Severity.WARNING, f"{mean:.2f} notes/s is far below {slot}'s usual {low:.2f}-{high:.2f}")

    @staticmethod
    def _densest_beat(judged: list, times: np.ndarray):
        inside = np.searchsorted(times, times + NPS_WINDOW_S, side="left") - np.arange(times.size)
        # Onsets in beat order are in time order too (time never runs backwards), so indices line up; judged ones,
        # as ``times``: the densest spot is where the player steps
        onsets = [n for n in judged if n.kind.is_onset]
        return onsets[int(np.argmax(inside))].beat

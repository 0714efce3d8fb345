"""Slot order: a difficulty easier than the one below it (a Hard with fewer notes per second and a lower meter than
the song's Medium), so that a player going up a difficulty gets an easier chart.

Each chart of a non-Edit slot is compared with the chart of the nearest lower slot of its mode in the song (the
first one, where several share it, as StepMania keeps the first): by the Stats panel's mean NPS
(:func:`chart.stats.chart_stats`, the notes StepMania judges) and by the meter. Easier by both is a WARNING; by one
of them an INFO (a Hard may be sparser but harder to read, or a meter set by hand); sparser means by more than
:data:`NPS_MARGIN`. Of 1960 human charts (the project's StepMania corpus, DDR mostly) with a lower slot charted,
13 get the WARNING (0.7 %, DDR Challenge charts made easier on purpose, "DOWNER & UPPER", "going up") and 9 the
INFO. One chart looks only one slot
down: a Hard below an Easy with a Medium between is found on whichever of the two steps is out of order. Charts
of under :data:`MIN_ONSETS` steps (placeholders, New Song's empty Beginner) are not compared. The song-level view
needs every chart of the song, which ``CheckContext.song`` gives. ``refine`` and ``draft`` print the same line as a
``note:`` for the charts they make (:func:`order_notes`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity
from chart.song import Chart, Slot, Song
from chart.stats import chart_stats

MIN_ONSETS = 20  # fewer steps say nothing about a chart's difficulty (as the density check)
NPS_MARGIN = 0.05  # sparser by under 5 % is the same density (1.61 against 1.62 notes/s)


def lower_neighbour(song: Song, chart: Chart) -> Chart | None:
    """The chart of the nearest lower non-Edit slot of ``chart``'s mode in ``song`` (None for an Edit or none)."""
    if chart.slot == Slot.EDIT:
        return None
    below = [c for c in song.charts if c.mode == chart.mode and c.slot != Slot.EDIT and c.slot < chart.slot]
    if not below:
        return None
    nearest = max(c.slot for c in below)
    return next(c for c in below if c.slot == nearest)


def below_lower_slot(song: Song, chart: Chart) -> tuple[Severity, str] | None:
    """(severity, one line) when ``chart`` is easier than the chart of the slot below it (:func:`lower_neighbour`),
    by mean NPS and meter (both: WARNING, one: INFO); None otherwise."""
    lower = lower_neighbour(song, chart)
    if lower is None:
        return None
    mine, theirs = chart_stats(chart, song.timing_for(chart)), chart_stats(lower, song.timing_for(lower))
    if mine.onsets < MIN_ONSETS or theirs.onsets < MIN_ONSETS:
        return None
    sparser = mine.mean_nps < theirs.mean_nps * (1 - NPS_MARGIN)
    lower_meter = chart.meter < lower.meter
    if not (sparser or lower_meter):
        return None
    what = (" and ".join(w for w, on in (("fewer notes per second", sparser), ("a lower meter", lower_meter)) if on))
    name, other = chart.slot.sm_name, lower.slot.sm_name
    line = (f"{name} ({mine.onsets} notes, {mine.mean_nps:.2f} notes/s, meter {chart.meter}) has {what} than the "
            f"song's {other} ({theirs.onsets} notes, {theirs.mean_nps:.2f} notes/s, meter {lower.meter}): a "
            f"player going up from {other} gets an easier chart (make the {name} denser, or swap the slots)")
    return (Severity.WARNING if sparser and lower_meter else Severity.INFO), line


def order_notes(song: Song, made: Iterable[Chart]) -> list[str]:
    """The :func:`below_lower_slot` lines for the charts ``made`` (just drafted, refined or simplified) and for the
    chart of the next higher slot above each of them (a new chart may be harder than the one above it), once
    each, in song order."""
    made = list(made)
    above = [c for c in song.charts if any(lower_neighbour(song, c) is m for m in made)]
    lines = []
    for chart in song.charts:
        if any(chart is c for c in [*made, *above]) and (found := below_lower_slot(song, chart)) is not None:
            lines.append(found[1])
    return lines


class CheckSlotOrder:
    meta = CheckMeta("slot-order", "Difficulty", "A difficulty easier than the one below it (notes/s, meter)")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        found = below_lower_slot(ctx.song, ctx.chart)
        if found is not None:
            yield Issue(*found)

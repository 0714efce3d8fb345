"""Difficulty slots and names: two charts of one mode in one non-Edit slot, and two osu! difficulties of one name.

StepMania holds one chart per steps type and difficulty, Edits aside: loading a song, ``SongUtil::AdjustDuplicateSteps``
keeps one chart of each such pair and turns the others into Edits, so a second dance-single Beginner chart is no
Beginner in the game. A WARNING on each extra chart (in song order) for the StepMania and the editor's formats.
An osu! set has no slots (the editor reads them from the difficulty names: an "Insane" and an "Expert" are both
Challenge), so an osu! target is not checked for them, nor an osu! map's (keyboard) charts with no target named.

osu! tells a set's difficulties apart by their names (``Version``): two of one name are written numbered
(:func:`chart.formats.registry.split_per_chart`, "Edit Lv.4: Easy copy 2"), which is a WARNING for an osu! target.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity
from chart.keyboard import is_keyboard
from chart.song import Chart, Slot, Song

OSU_TARGETS = ("osu", "osz")  # formats without slots, one name per difficulty
_COUNT = {2: "two", 3: "three", 4: "four"}


def first_free_slot(song: Song, mode: str) -> Slot:
    """The first difficulty no chart of ``mode`` has in ``song`` (Beginner first), else Edit."""
    taken = {c.slot for c in song.charts if c.mode == mode}
    return next((slot for slot in Slot if slot != Slot.EDIT and slot not in taken), Slot.EDIT)


def shared_slot_note(song: Song, chart: Chart, target_format: str | None = None) -> str:
    """A line saying that ``chart`` shares its non-Edit difficulty with another chart of its mode in ``song``
    ("": it does not, or ``target_format`` has no slots)."""
    if chart.slot == Slot.EDIT or target_format in OSU_TARGETS or (target_format is None and is_keyboard(chart)):
        return ""  # no target named (`check` on a set folder): an osu! map's charts are keyboard charts
    n = sum(c.mode == chart.mode and c.slot == chart.slot for c in song.charts)
    if n < 2:
        return ""
    others = "the other as an Edit" if n == 2 else "the others as Edits"
    return (f"{_COUNT.get(n, n)} {chart.slot.sm_name} charts of {chart.mode}: StepMania keeps one and plays "
            f"{others} (make one an Edit, or choose a free difficulty)")


class CheckSharedSlot:
    meta = CheckMeta("shared-slot", "Difficulty", "Several charts of one mode in one difficulty (Edits aside)")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        chart = ctx.chart
        first = next((c for c in ctx.song.charts if c.mode == chart.mode and c.slot == chart.slot), chart)
        note = shared_slot_note(ctx.song, chart, ctx.target_format)
        if note and first is not chart:  # once per extra chart
            yield Issue(Severity.WARNING, note)


class CheckOsuNames:
    meta = CheckMeta("osu-names", "Format", "Two osu! difficulties of one name (written numbered)")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        if ctx.target_format not in OSU_TARGETS or len(ctx.song.charts) < 2:
            return
        from chart.formats.osu_mania import version_name
        from chart.formats.registry import split_per_chart

        index = next((i for i, c in enumerate(ctx.song.charts) if c is ctx.chart), None)
        if index is None:
            return
        written = split_per_chart(ctx.song, Path("song.osu"))[index][0].charts[0]
        if written.description != ctx.chart.description:
            name = version_name(written, ctx.song.extra)
            yield Issue(Severity.WARNING, f"another difficulty has this one's osu! name: written as \"{name}\" "
                        "(osu! tells a set's difficulties apart by their names; change the description)")

"""The StepMania mode of an osu!mania map, and what writing a chart of another mode to .osu changes.

osu!mania keeps only the key count (``CircleSize``), so a map reads as the usual mode of its key count
(:data:`~chart.formats.steps_types.DEFAULT_MODES`: 4K ``dance-single``, 7K ``kb7-single``, 9K ``pnm-nine`` ...;
other counts ``osu-mania-Nk``, which StepMania does not know) and is marked as a keyboard chart
(:mod:`chart.keyboard`). A chart of another mode with that many lanes (``pump-halfdouble``, ``dance-couple``,
``techno-single8``) reads back as the usual one: the .osu writer lists it before writing.
"""

from __future__ import annotations

from fractions import Fraction

from chart.formats.errors import Unrepresentable
from chart.formats.osu_io import DEFAULTS, OSU_DEFAULTS
from chart.formats.steps_types import DEFAULT_MODES
from chart.keyboard import KEYBOARD, OSU_MANIA


def mode_for_keys(keys: int) -> str:
    """The mode an osu!mania map of ``keys`` keys reads as."""
    return DEFAULT_MODES.get(keys, f"osu-mania-{keys}k")


def keyboard_mark() -> list[tuple[str, str]]:
    """The ``Chart.extra`` entry every chart read from .osu carries (a keyboard chart: no foot checks)."""
    return [(KEYBOARD, OSU_MANIA)]


def written_defaults(chart) -> dict[tuple[str, str], str]:
    """The .osu keys written where ``chart`` and its song have no value: osu!'s own defaults for a chart read from
    .osu (its mark: a value it lacked was not stored, :data:`~chart.formats.osu_io.OSU_DEFAULTS`), else ours."""
    return OSU_DEFAULTS if dict(chart.extra).get(KEYBOARD) == OSU_MANIA else DEFAULTS


def mode_change(chart) -> list[Unrepresentable]:
    """The mode ``chart`` reads back as from .osu when that is not its own (listed, not refused)."""
    back = mode_for_keys(chart.lanes)
    if back == chart.mode:
        return []
    return [Unrepresentable(chart.chart_id(), Fraction(0), f"{chart.mode} reads back as {back} (osu!mania keeps "
                            f"only the key count, {chart.lanes}K)", fatal=False)]

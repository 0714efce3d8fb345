"""StepMania 5's steps types (``#STEPSTYPE``) and their lane counts, and what .sm/.ssc writers check against them.

The table is StepMania 5's ``GameManager.cpp`` (``StepsTypeInfo`` array, StepMania 5.0/5.1): a chart of a steps
type not in it is skipped by the game, and one whose note lines are not that type's width reads back with the
extra lanes dropped or the missing ones empty. StepMania matches the name case-insensitively, ``_`` read as ``-``
(``GameManager::StringToStepsType``); :func:`canonical_mode` reads it so.
"""

from __future__ import annotations

import re
from fractions import Fraction

from chart.formats.errors import Unrepresentable

# StepMania 5, src/GameManager.cpp, StepsTypeInfo (name, lanes); lights-cabinet is NUM_CabinetLight (6).
SM5_STEPS_TYPES: dict[str, int] = {
    "dance-single": 4, "dance-double": 8, "dance-couple": 8, "dance-solo": 6, "dance-threepanel": 3,
    "dance-routine": 8,
    "pump-single": 5, "pump-halfdouble": 6, "pump-double": 10, "pump-couple": 10, "pump-routine": 10,
    "kb7-single": 7, "ez2-single": 5, "ez2-double": 10, "ez2-real": 7, "para-single": 5, "ds3ddx-single": 8,
    "bm-single5": 6, "bm-versus5": 6, "bm-double5": 12, "bm-single7": 8, "bm-versus7": 8, "bm-double7": 16,
    "maniax-single": 4, "maniax-double": 8,
    "techno-single4": 4, "techno-single5": 5, "techno-single8": 8, "techno-double4": 8, "techno-double5": 10,
    "techno-double8": 16,
    "pnm-five": 5, "pnm-nine": 9, "lights-cabinet": 6,
    "kickbox-human": 4, "kickbox-quadarm": 4, "kickbox-insect": 6, "kickbox-arachnid": 8,
}

#: The usual mode of a lane count: what a chart read without a steps type (an osu!mania map, a .json chart that
#: gives only its ``lanes``) is. 3 and 9 are StepMania's only types of those widths (dance-threepanel, pop'n
#: music's 9 buttons, which osu!'s 9K copies); 7 is StepMania's keyboard mode.
DEFAULT_MODES: dict[int, str] = {3: "dance-threepanel", 4: "dance-single", 5: "pump-single", 6: "dance-solo",
                                 7: "kb7-single", 8: "dance-double", 9: "pnm-nine", 10: "pump-double"}


_OSU_MANIA_MODE = re.compile(r"osu-mania-([0-9]{1,4})k")


def mode_lanes(mode: str) -> int | None:
    """The lane count ``mode`` has: StepMania 5's for its steps types (:data:`SM5_STEPS_TYPES`), N for our own
    ``osu-mania-Nk`` (an osu!mania map of a key count StepMania has no type for); None for a mode that does not
    say (one StepMania does not know)."""
    known = SM5_STEPS_TYPES.get(mode)
    if known is not None:
        return known
    match = _OSU_MANIA_MODE.fullmatch(mode)
    return int(match.group(1)) if match else None


def canonical_mode(text: str) -> str:
    """A ``#STEPSTYPE`` value as StepMania reads it: ``Dance_Single`` is ``dance-single``. A name StepMania does
    not know is kept as written (lower case), so our own modes (``osu-mania-9k``) survive a round trip."""
    return text.strip().lower().replace("_", "-")


def mode_problems(mode: str, lanes: int, chart_id: str) -> list[Unrepresentable]:
    """What writing a chart of ``mode`` with ``lanes`` lanes to .sm/.ssc would lose: a lane count other than the
    steps type's (fatal: reading it back drops lanes or adds empty ones), a steps type StepMania 5 does not know
    (listed: the game skips the chart; this editor reads it back as it is)."""
    known = SM5_STEPS_TYPES.get(mode)
    if known is None:
        return [Unrepresentable(chart_id, Fraction(0), f"steps type {mode!r} is not one StepMania 5 knows: the "
                                f"game skips this chart (the editor reads it back)", fatal=False)]
    if known != lanes:
        return [Unrepresentable(chart_id, Fraction(0), f"{mode} has {known} lanes, the chart {lanes}: StepMania "
                                f"would read it with {known} (set the chart's mode or lanes to match)")]
    return []

"""Keyboard charts: charts played with fingers on keys (osu!mania), not stepped on a dance pad.

An osu!mania map reads as the StepMania mode of its key count (4K is ``dance-single``: the AI drafts and refines
it, the lane model places its notes, a .sm/.ssc of it plays in StepMania), so the mode alone cannot tell a 4K map
from a dance chart. The reader marks it in ``Chart.extra`` (:data:`KEYBOARD`, the game as value), and what judges
feet honours the mark: Verify's ``hands`` and ``parity`` checks, the density check (its usual ranges are of pad
charts), the editor's foot labels. The mark survives a save and reopen in the formats that keep a chart's extras
(.ssc writes it as a ``#KEYBOARD`` chart tag, which StepMania ignores; .json keeps it in ``extra``; .osu marks
every chart it reads); .sm has no place for it and lists it as dropped. A StepMania file never has it unless a
designer wrote it, so StepMania charts are judged as before. A chart the AI drafts for a keyboard map (a
new slot, a refine or simplify of a keyboard chart) carries it too (:func:`keyboard_extra`).

A mode outside the step games' pads (:data:`FOOT_GAMES`: StepMania's keyboard modes ``kb7-single`` and
``pnm-nine``, ``bm-*``, ``osu-mania-Nk`` ...) is not stepped on a dance pad either, mark or not:
:func:`is_foot_chart` is the one test that what judges feet asks (Verify's ``hands``, ``density`` and ``beginner``,
the Stats panel's slot verdict). :func:`draws_arrows` says which charts the notefield draws as Left/Down/Up/Right
arrows.
"""

from __future__ import annotations

#: ``Chart.extra`` key of the mark; the value names the game (``osu!mania``).
KEYBOARD = "KEYBOARD"
OSU_MANIA = "osu!mania"

#: Mode prefixes of the step games, played with feet on a pad (StepMania's ``dance``, ``pump`` and ``techno``).
FOOT_GAMES = ("dance-", "pump-", "techno-")

#: Modes whose panels are Left, Down, Up, Right (repeated per pad: a doubles, couple or routine chart's second
#: pad), as StepMania 5's styles lay them out (``GameManager.cpp``). ``dance-solo``, ``dance-threepanel``,
#: ``techno-single8`` and the rest have diagonal or other panels: the notefield draws them as bars.
ARROW_MODES = frozenset({"dance-single", "dance-double", "dance-couple", "dance-routine", "techno-single4",
                         "techno-double4"})


def is_keyboard(chart) -> bool:
    """Whether ``chart`` (a :class:`~chart.song.Chart`) is played on a keyboard: no foot judgement applies."""
    return any(name == KEYBOARD for name, _ in chart.extra)


def is_foot_chart(chart) -> bool:
    """Whether ``chart`` is stepped on a dance pad, so that what judges feet applies: a step game's mode
    (:data:`FOOT_GAMES`) and no keyboard mark. A keyboard mode (``kb7-single``, ``pnm-nine``), another game's
    (``bm-single7``, ``osu-mania-12k``) or a marked osu!mania map is not."""
    return chart.mode.startswith(FOOT_GAMES) and not is_keyboard(chart)


def draws_arrows(chart) -> bool:
    """Whether the notefield draws ``chart``'s notes as dance arrows (Left, Down, Up, Right per pad): a pad chart of
    one of :data:`ARROW_MODES` with its lanes; an osu!mania map (a keyboard chart) of 4 or 8 keys gets bars."""
    return chart.mode in ARROW_MODES and chart.lanes in (4, 8) and not is_keyboard(chart)


def keyboard_extra(song, mode: str, source=None) -> list[tuple[str, str]]:
    """The ``Chart.extra`` a chart made now for ``song`` in ``mode`` starts with: the mark when it is made from a
    keyboard chart (``source``: the chart a refine or simplify works from, the chart on screen in the editor); else
    when every chart of that mode in the song is one or, when the song has no chart of that mode (a 4K
    draft for a 7K map), every chart of the song (an osu!mania set drafted from the command line: the editor's
    chart on screen is then one of those). Without it a drafted Easy of an osu! map lost the mark, and Verify and
    the foot labels judged it for feet. Shared by the CLI's ``draft``/``refine``/``simplify`` and the editor's new
    charts for a draft, so they agree."""
    if source is not None and is_keyboard(source):
        marked = [source]
    else:
        marked = [c for c in song.charts if c.mode == mode] or list(song.charts)
        if not marked or not all(is_keyboard(c) for c in marked):
            return []
    return [next(item for item in marked[0].extra if item[0] == KEYBOARD)]

"""Hands: rows that need three or more panels at once (arrows of the row plus holds still held), which two feet
cannot do. A jump while a hold is down is the usual case: easy to write by accident, impossible to play without
a hand.

How often human charts do it (1,716 dance-single charts of ../shared/data/charts-only, counting a hold as held
strictly before its end): Beginner 2 of 346 charts, Easy 3 of 351, Medium 8 of 361, Hard 17 of 384, Challenge
57 of 240, Edit 27 of 36. So at Beginner..Medium each such row is a WARNING (almost always a mistake); at Hard,
Challenge and Edit, where hands are a known device, one INFO per chart counts them.

Only the step games' pads (``dance-*``, ``pump-*``, ``techno-*``) are checked: keyboard modes, and keyboard charts
of a pad's mode (an osu!mania map), are played with fingers (:func:`chart.keyboard.is_foot_chart`). A couple chart
(``dance-couple``, ``pump-couple``: StepMania's couple category) is two players, each on a pad of their own, player 1
the first half of the lanes and player 2 the second: each half is checked as one player's pad, so both players
jumping at once is two jumps, not a 4-panel hand. A routine chart's notes are player 1's alone (player 2's note
data stays in the chart's ``extra``, :data:`chart.formats.notedata.PLAYER2`), one player across both pads.
"""

from __future__ import annotations

from collections.abc import Iterator

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity, describe_beat
from chart.keyboard import is_foot_chart
from chart.notes import Note
from chart.parity import contact_rows
from chart.song import Slot

COUPLE_MODES = ("dance-couple", "pump-couple")  # two players: lanes [0, lanes/2) and [lanes/2, lanes)
WARN_SLOTS = (Slot.BEGINNER, Slot.EASY, Slot.MEDIUM)


class CheckHands:
    meta = CheckMeta("hands", "Playability", "Rows that need three or more panels at once (a jump during a hold)")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        if not is_foot_chart(ctx.chart):
            return
        players = pads(ctx.chart.mode, ctx.chart.lanes, ctx.judged)
        found = [(beat, steps, held, who) for who, notes in players for beat, steps, held in contact_rows(notes)
                 if len(steps) + len(held) >= 3]
        if not found:
            return
        if len(players) > 1:
            found.sort(key=lambda row: row[0])  # stable: player 1 first on a beat both players need hands
        if ctx.chart.slot in WARN_SLOTS:
            for beat, steps, held, who in found:
                yield Issue(Severity.WARNING, f"{who}{_what(steps, held)} at beat {describe_beat(beat)}: two feet "
                            "cannot press them together", beat, steps + held)
            return
        beat = found[0][0]
        yield Issue(Severity.INFO, f"{len(found)} row{'s' * (len(found) > 1)} need{'s' * (len(found) == 1)} hands "
                    f"(3+ panels at once), first at beat {describe_beat(beat)}", beat,
                    tuple(n for _, steps, held, _who in found for n in steps + held))


def pads(mode: str, lanes: int, notes: list[Note]) -> list[tuple[str, list[Note]]]:
    """``notes`` as each player steps them: (prefix for a message, their notes), one player but in a couple chart
    (module docstring). Every check that counts what one player steps at once (hands, the beginner check's jumps)
    reads a chart through this."""
    if mode not in COUPLE_MODES:
        return [("", notes)]
    half = lanes // 2
    return [("player 1: ", [n for n in notes if n.lane < half]), ("player 2: ", [n for n in notes if n.lane >= half])]


def _what(steps: tuple[Note, ...], held: tuple[Note, ...]) -> str:
    if not held:
        return f"{len(steps)}-panel hand"
    return (f"{'a jump' if len(steps) == 2 else f'{len(steps)} arrows' if len(steps) > 1 else 'an arrow'} while "
            f"{len(held)} hold{'s are' if len(held) > 1 else ' is'} down")

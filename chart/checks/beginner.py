"""Beginner rules: jumps and rolls. A Beginner player reads one arrow at a time; pressing two panels together
and rapid re-tapping come later. (Rows of three or more panels are the ``hands`` check's, at every slot.)

Human Beginner charts do use a few jumps (406 dance-single Beginner charts in ../shared/data: median 3.9 % of
rows are jumps, 90th percentile 11.5 %; 38 of them have rolls, 3 have hands), so jumps are summarised once
per chart: INFO up to :data:`MAX_JUMP_RATIO` of the rows, WARNING above. Rolls are a WARNING. Only the rows StepMania
judges count: the notes of a warp or a fake segment are never stepped (the ``unjudged`` check lists them).
Jumps are judged on pad charts only (:func:`chart.keyboard.is_foot_chart`): a chord of keys played with fingers
(an osu!mania map, StepMania's ``kb7-single``) is no jump, and the ratio is of dance-pad charts. A couple chart is
two players, each on their own pad (:func:`chart.checks.hands.pads`, as the ``hands`` check and the Stats panel):
both players stepping one arrow at once is no jump, and the ratio is of the rows each player steps.
"""

from __future__ import annotations

from collections.abc import Iterator

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity, describe_beat
from chart.checks.hands import pads
from chart.keyboard import is_foot_chart
from chart.notes import NoteKind, beat_rows
from chart.song import Slot

MAX_JUMP_RATIO = 0.10  # jump rows / rows above which a Beginner chart is unusually jumpy (~90th percentile)


class CheckBeginnerRules:
    meta = CheckMeta("beginner", "Difficulty", "Jumps or rolls in a Beginner chart")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        if ctx.chart.slot != Slot.BEGINNER:
            return
        jumps: list[tuple] = []
        n_rows = 0
        for _who, notes in pads(ctx.chart.mode, ctx.chart.lanes, ctx.judged):  # a couple chart: each player's
            for beat, row in beat_rows(notes):  # the rows played (a warp's notes are the unjudged check's)
                onsets = tuple(n for n in row if n.kind.is_onset)
                n_rows += bool(onsets)
                if len(onsets) == 2:
                    jumps.append((beat, onsets))
        jumps.sort(key=lambda jump: jump[0])  # stable: player 1's first on a beat both players jump
        if jumps and is_foot_chart(ctx.chart):
            ratio = len(jumps) / n_rows
            severity = Severity.WARNING if ratio > MAX_JUMP_RATIO else Severity.INFO
            yield Issue(severity, f"{len(jumps)} jump{'s' * (len(jumps) > 1)} in a Beginner chart "
                        f"({ratio:.0%} of rows), first at beat {describe_beat(jumps[0][0])}", jumps[0][0],
                        tuple(n for _, pair in jumps for n in pair))
        rolls = tuple(n for n in ctx.judged if n.kind == NoteKind.ROLL)
        if rolls:
            yield Issue(Severity.WARNING, f"{len(rolls)} roll{'s' * (len(rolls) > 1)} in a Beginner chart, first "
                        f"at beat {describe_beat(rolls[0].beat)} (lane {rolls[0].lane + 1})", rolls[0].beat, rolls)

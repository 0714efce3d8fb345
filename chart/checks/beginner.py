"""Beginner rules: no jumps and no rolls. A Beginner player reads one arrow at a time and cannot yet handle
pressing two panels together or rapid re-tapping; every major game's beginner charts follow this."""

from __future__ import annotations

from collections.abc import Iterator

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity, describe_beat, rows
from chart.notes import NoteKind
from chart.song import Slot

MAX_BEGINNER_PANELS = 1  # onsets allowed on one row at Beginner


class CheckBeginnerRules:
    meta = CheckMeta("beginner", "Difficulty", "Jumps or rolls in a Beginner chart")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        if ctx.chart.slot != Slot.BEGINNER:
            return
        for beat, row in rows(ctx.notes):
            onsets = tuple(n for n in row if n.kind.is_onset)
            if len(onsets) > MAX_BEGINNER_PANELS:
                name = "jump" if len(onsets) == 2 else f"{len(onsets)}-panel hand"
                yield Issue(Severity.WARNING, f"{name} at beat {describe_beat(beat)} in a Beginner chart",
                            beat, onsets)
            for n in row:
                if n.kind == NoteKind.ROLL:
                    yield Issue(Severity.WARNING, f"roll at beat {describe_beat(beat)} (lane {n.lane + 1}) "
                                "in a Beginner chart", beat, (n,))

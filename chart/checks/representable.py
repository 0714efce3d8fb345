"""Notes (and timing) the target format cannot hold as they are, from ``chart.formats.registry.unrepresentable``.

Fatal entries (the writer would refuse: notes would move or merge) are PROBLEMs; documented conversions (a mine
dropped by osu!mania, a roll written as a hold) are INFO. Song-level entries (shared timing, metadata) are
reported once, by the run that reports the song's findings (``CheckContext.song_level``: the song's first chart, or
the one chart the editor's Verify shows), so that a song with five charts does not list them five times and a
PROBLEM that makes Save refuse is never hidden. A note outside the chart's lanes is left to the ``lanes`` check,
which reports it whatever the format, and a note off the 1/192 grid (head or hold end) moving onto StepMania's rows
(.sm/.ssc: "off StepMania's grid", .osu: "would read back ... ms away") to the ``unsnapped`` check, whose PROBLEM
names the beat, the hold end and the ms off: one bad note is one PROBLEM, not two. So is a note that a notes check
reports as the bad one of its row (:func:`noted_elsewhere`): two notes on one lane and row (``duplicates``; the
formats' "same lane and row", "same millisecond"), a hold of length 0 or starting inside another (``holds``), a
note inside a hold or on its end row (``note-in-hold``): a format's refusal of it is left to that check's PROBLEM
(its INFOs, such as a mine osu!mania drops, stay). Its other entries (before beat 0, two notes of different beats
in one millisecond, timing) are reported here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity, describe_beat
from chart.checks.duplicates import CheckDuplicates
from chart.checks.holds import CheckHolds
from chart.checks.note_in_hold import CheckNoteInHold
from chart.checks.unsnapped import off_grid
from chart.note_keys import NoteSet

#: How the formats' ``problems`` word a note moving onto their rows (chart.formats.notedata, chart.formats.osu_mania)
MOVED_ONTO_ROWS = ("off StepMania's grid", "would read back")


class CheckRepresentable:
    meta = CheckMeta("representable", "Format", "Notes or timing the target format cannot hold")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        if ctx.target_format is None:
            return
        from chart.formats.registry import format_for, unrepresentable

        fmt = format_for(name=ctx.target_format)
        alone = dataclasses.replace(ctx.song, charts=[ctx.chart])  # this chart with the song's timing/meta
        lanes = range(ctx.chart.lanes)
        unsnapped: NoteSet | None = None
        elsewhere: NoteSet | None = None
        for p in unrepresentable(alone, fmt.name):
            if not p.chart_id and not ctx.song_level:
                continue
            if p.note is not None and p.note.lane not in lanes:
                continue  # the lanes check's PROBLEM, once
            if p.note is not None and p.fatal and any(why in p.reason for why in MOVED_ONTO_ROWS):
                unsnapped = off_grid(ctx) if unsnapped is None else unsnapped
                if p.note in unsnapped:
                    continue  # the unsnapped check's PROBLEM, once
            if p.note is not None and p.fatal and p.beat >= 0:  # (before beat 0 is this check's own)
                elsewhere = noted_elsewhere(ctx) if elsewhere is None else elsewhere
                if p.note in elsewhere:
                    continue  # the duplicates, holds or note-in-hold check's PROBLEM, once
            severity = Severity.PROBLEM if p.fatal else Severity.INFO
            where = f"beat {describe_beat(p.beat)}: " if p.note is not None or p.beat else ""
            yield Issue(severity, f"{fmt.name}: {where}{p.reason}", p.beat if p.note or p.beat else None,
                        (p.note,) if p.note is not None else ())


def noted_elsewhere(ctx: CheckContext) -> NoteSet:
    """The notes a PROBLEM of the notes checks is about: every note of a ``duplicates`` row (a format names
    any one of them), the first note of a ``holds`` or ``note-in-hold`` row (the hold too short or starting inside
    another, the note inside a hold; its second note is the hold it meets, which may have problems of its own).
    The notes themselves, not message text: what the formats say of them is theirs to word."""
    out = [n for issue in CheckDuplicates().run(ctx) for n in issue.notes]
    for check in (CheckHolds(), CheckNoteInHold()):
        out += [i.notes[0] for i in check.run(ctx) if i.severity == Severity.PROBLEM and i.notes]
    return NoteSet(out)

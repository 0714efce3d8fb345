"""Notes StepMania never judges because of the timing, and display tags it cannot read.

A note inside a warp is passed over (almost always a mistake after a timing change: WARNING); a note inside a fake
segment (``#FAKES``) is drawn and never judged, which the designer asked for (INFO, so it is not a surprise). One
issue per segment, listing its notes. A display tag (``#SCROLLS``, ``#LABELS`` ...) whose text does not read is
kept as written on save, but StepMania may ignore it (WARNING, chart-wide).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity, describe_beat
from chart.formats.display_segments import fake_ranges, readable
from chart.formats.timing_tags import in_warp
from chart.notes import NoteKind


class CheckUnjudged:
    meta = CheckMeta("unjudged", "Timing", "Notes inside warps or fake segments, and unreadable display tags")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        timing = ctx.timing
        assert timing is not None
        for tag, message in readable(timing)[1].items():
            yield Issue(Severity.WARNING, f"#{tag} cannot be read ({message}); it is kept as written, but "
                        "StepMania may ignore it")
        notes = [n for n in ctx.notes if n.kind not in (NoteKind.FAKE, NoteKind.MINE)]
        segments = [(b, b + length, "warp", Severity.WARNING) for b, length in timing.warps]
        segments += [(a, b, "fake segment", Severity.INFO) for a, b in fake_ranges(timing)]
        listed: set[tuple[str, object]] = set()  # overlapping segments of a kind: each note listed once
        beats = [n.beat for n in notes]  # sorted (chart order): a segment's notes are one bisected slice
        for start, end, what, severity in sorted(segments, key=lambda s: s[0]):
            span = notes[bisect_left(beats, start):bisect_left(beats, end)]
            inside = tuple(n for n in span if (what, n) not in listed and (what != "warp" or in_warp(timing, n.beat)))
            listed.update((what, n) for n in inside)
            if inside:
                count = f"{len(inside)} note{'s' * (len(inside) > 1)}"
                verb = "is passed over" if len(inside) == 1 else "are passed over"
                if what != "warp":
                    verb = "is drawn but never judged" if len(inside) == 1 else "are drawn but never judged"
                yield Issue(severity, f"{count} inside the {what} at beat {describe_beat(start)} {verb}",
                            start, inside)

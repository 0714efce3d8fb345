"""Notes StepMania never judges because of the timing, and display tags it cannot read.

A note inside a warp is passed over (almost always a mistake after a timing change: WARNING); a note inside a fake
segment (``#FAKES``) is drawn and never judged, which the designer asked for (INFO, so it is not a surprise). One
issue per segment, listing its notes. A display tag (``#SCROLLS``, ``#LABELS`` ...) whose text does not read is
kept as written on save (WARNING, chart-wide, naming the entries that do not read, or the entry limit
it is over): StepMania reads these tags entry
by entry and skips a ``#FAKES`` entry it cannot use, keeping the other fake segments (so does the judge here).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity, describe_beat
from chart.formats.display_segments import fake_ranges, read_entries, readable
from chart.formats.timing_tags import in_warp
from chart.notes import NoteKind
from chart.timing import TimingData


class CheckUnjudged:
    meta = CheckMeta("unjudged", "Timing", "Notes inside warps or fake segments, and unreadable display tags")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        timing = ctx.timing
        assert timing is not None
        yield from tag_issues(timing)
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


def tag_issues(timing: TimingData) -> Iterator[Issue]:
    """A WARNING per display tag whose text does not read, naming its bad entries and what becomes of them."""
    for tag, message in readable(timing)[1].items():
        entries, skipped = read_entries(tag, dict(timing.extra)[tag])
        if not skipped:  # over MAX_TIMING_ENTRIES entries (the message names the limit): none of it is read
            yield Issue(Severity.WARNING, f"#{tag} cannot be read ({message}); it is kept as written and "
                        "none of it applies here")
            continue
        bad = ", ".join(repr(text[:40]) for text, _ in skipped[:3]) + (" ..." if len(skipped) > 3 else "")
        plural, it = ("entries", "them") if len(skipped) > 1 else ("entry", "it")
        fate = (f"StepMania skips {it} and keeps the other fake segments" if tag == "FAKES"
                else f"StepMania may misread {it}; the other entries apply")
        yield Issue(Severity.WARNING, f"#{tag} {plural} {bad} cannot be read ({skipped[0][1]}); kept as written, "
                    f"{fate} ({len(entries)} read)")

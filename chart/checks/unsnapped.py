"""Unsnapped notes: heads or hold ends off StepMania's 1/192 grid, and unusually fine snaps.

Off the 192nd grid a note cannot be saved to .sm/.ssc/.osu without moving (osu! files are read back onto the same
rows): a PROBLEM for every row and every hold end off it, unless the target is the JSON export, which keeps every
beat exactly (an osu!-style 1/5-beat stream is fine there): then one INFO counts them, as a later .sm/.ssc/.osu
would refuse them. With no target known (``check`` without ``--format``, a song never saved) they stay PROBLEMs:
the formats songs are shared in cannot hold them. Notes on the grid but at 1/96 or 1/192 are usually slips of the
mouse (WARNING), and at Beginner and Easy notes finer than those slots usually go are worth a look (INFO); these
two are summarised once per chart (with every note attached) because human charts that use such snaps use them
many times (on ../shared/data: 1/96-1/192 snaps in 41 of 2082 charts, ~20 rows each)."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity, describe_beat
from chart.note_keys import NoteSet
from chart.notes import Note
from chart.snap import UNUSUAL_DIVISORS, quantization, snap_beat
from chart.song import Slot

GRID_DIVISOR = 192  # finest row StepMania stores
EXACT_FORMATS = ("json",)  # targets that keep any beat: off-grid notes are counted in one INFO there
LOW_SLOT_MAX_DIVISOR = {Slot.BEGINNER: 8, Slot.EASY: 16}  # finest snap these slots normally use


class CheckUnsnapped:
    meta = CheckMeta("unsnapped", "Snapping", "Notes off the 1/192 grid or on unusual snaps")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        low_limit = LOW_SLOT_MAX_DIVISOR.get(ctx.chart.slot)
        unusual: list[Note] = []
        fine: list[Note] = []
        kept: list[Note] = []  # off the grid, for a target that keeps them (EXACT_FORMATS)
        exact = ctx.target_format in EXACT_FORMATS
        notes, ints = ctx.notes, ctx.scaled
        # on the grid of GRID_DIVISOR <=> beat * GRID_DIVISOR / 4 is whole <=> (int beat) * GRID_DIVISOR is a
        # multiple of 4 * scale (chart.snap.is_on_grid on the exact ints of chart.note_rows)
        grid = 4 * ints.scale
        divisor_of: dict[int, int] = {}  # quantization depends only on the beat modulo a measure
        for i, j in ctx.rows:
            row = notes[i:j]
            at = ints.beats[i]
            if at * GRID_DIVISOR % grid:  # the row's beat is off the grid: every note of it
                if exact:
                    kept += row
                else:
                    yield self._off_grid(ctx, row[0].beat, tuple(row), "note")
                continue
            key = at % grid
            divisor = divisor_of.get(key) or divisor_of.setdefault(key, quantization(row[0].beat))
            if divisor in UNUSUAL_DIVISORS:
                unusual += row
            elif low_limit is not None and divisor > low_limit:
                fine += row
        for k in off_grid_ends(ctx):
            if exact:
                kept.append(notes[k])
            else:
                yield self._off_grid(ctx, notes[k].end_beat, (notes[k],), "hold end")
        if kept:
            kept = list({id(n): n for n in kept}.values())  # a hold off the grid at both ends counts once
            first = min(n.beat for n in kept)
            yield Issue(Severity.INFO, f"{len(kept)} note{'s' * (len(kept) > 1)} off the 1/192 grid, first at beat "
                        f"{describe_beat(first)}: the JSON export keeps them exactly (.sm, .ssc and .osu cannot)",
                        first, tuple(kept))
        if unusual:
            yield _summary(Severity.WARNING, unusual, "on unusual 1/96 or 1/192 snaps")
        if fine and low_limit is not None:
            yield _summary(Severity.INFO, fine, f"finer than {ctx.chart.slot.sm_name} charts usually go "
                           f"(1/{low_limit})")

    @staticmethod
    def _off_grid(ctx: CheckContext, beat: Fraction, notes: tuple, what: str) -> Issue:
        nearest = snap_beat(beat, GRID_DIVISOR)
        off_ms = (ctx.seconds(beat) - ctx.seconds(nearest)) * 1000
        plural = "s" if len(notes) > 1 else ""
        return Issue(Severity.PROBLEM, f"{what}{plural} at beat {describe_beat(beat)} off the 1/192 grid "
                     f"({off_ms:+.1f} ms from beat {describe_beat(nearest)})", beat, notes)


def off_grid_ends(ctx: CheckContext) -> list[int]:
    """Indices in ``ctx.notes`` of the holds and rolls whose end is off the 1/192 grid."""
    ints = ctx.scaled
    grid = 4 * ints.scale
    return [k for k, n in enumerate(ctx.notes) if ints.ends[k] != ints.beats[k] and n.kind.has_length
            and ints.ends[k] * GRID_DIVISOR % grid]


def off_grid(ctx: CheckContext) -> NoteSet:
    """The notes of ``ctx.notes`` whose head or (hold) end is off the 1/192 grid: what this check reports, so that
    ``representable`` does not report them again."""
    ints, grid = ctx.scaled, 4 * ctx.scaled.scale
    heads = [n for n, at in zip(ctx.notes, ints.beats, strict=True) if at * GRID_DIVISOR % grid]
    return NoteSet(heads + [ctx.notes[k] for k in off_grid_ends(ctx)])


def _summary(severity: Severity, notes: list[Note], what: str) -> Issue:
    first = notes[0].beat
    count = f"{len(notes)} note{'s' * (len(notes) > 1)}"
    return Issue(severity, f"{count} {what}, first at beat {describe_beat(first)} "
                 f"(1/{quantization(first)})", first, tuple(notes))

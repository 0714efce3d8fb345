"""Note counts that rise with the slot, for slots drafted together (the drafter applies it).

When the onset rows of two slots saturate the same grid (a fast song's Hard and Challenge both on every eighth),
the lane model's jumps decide which slot has more notes, and a Challenge could come out with fewer notes than
the Hard beside it (seen on a validation song and on the benchmark song). Human charts rise: in the text-only
corpus, 90 % of adjacent-slot pairs of one song have at least 2 % (Hard to Challenge) to 43 % (Beginner to Easy)
more notes. The drafter therefore holds, from the top slot down, each slot to at most 1/:data:`MIN_NOTE_RISE` of
the next higher drafted slot's notes:

1. on the onset rows, before lanes, at each slot's expected notes per row: a slot over its limit keeps only its
   most probable decoded rows (no decoding again: the rows and their peak probabilities are at hand);
2. on the placed notes: a slot still over its limit (its jumps came out above the expectation, or the slot above
   came out below) turns its least probable jump rows into single steps (:func:`split_jumps`), and only when it
   has too few jumps is it thinned again and its arrows placed anew.

Drafts are denser than human charts (MODEL_CARD), so thinning the lower slot, never padding the higher one, is the
safe side. A slot with the designer's density target keeps it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from chart.notes import Note
from chart.timing import TimingData
from inference.draft_types import SlotDraft

#: Drafted together, a slot has at least this many times the notes of the next lower drafted slot.
MIN_NOTE_RISE = 1.05


@dataclass(frozen=True)
class Excess:
    """Slot ``index`` (a position in the drafted list) has ``notes`` where the slot above (``upper``) allows
    ``limit``."""

    index: int
    upper: int
    notes: float
    limit: float


def rise_plan(slots: Sequence[int], fixed: Sequence[bool], notes: Callable[[int], float]) -> list[Excess]:
    """The slots over their limit, going down from the top slot.

    ``notes(i)`` is the note count of entry ``i`` (expected or placed). An entry over its limit is projected at
    its limit for the pair below it. ``fixed[i]`` entries (a designer's density target) are never listed.
    Returns nothing when a slot appears twice (variants of one slot).
    """
    if len(set(slots)) != len(slots) or len(slots) < 2:
        return []
    order = sorted(range(len(slots)), key=lambda i: slots[i], reverse=True)
    projected = {order[0]: float(notes(order[0]))}
    out = []
    for upper, i in zip(order, order[1:]):
        count, limit = float(notes(i)), projected[upper] / MIN_NOTE_RISE
        projected[i] = count
        if fixed[i] or count <= limit or count <= 0:
            continue
        out.append(Excess(i, upper, count, limit))
        projected[i] = limit
    return out


def split_jumps(notes: Sequence[Note], confidence: dict[Fraction, float], count: int) -> tuple[list[Note], int]:
    """Turn the ``count`` least confident jump rows of ``notes`` into single steps.

    A split row keeps one arrow: one not pressed on the row before (no new jack), else its leftmost; a hold
    that loses its head goes with it. Removing arrows never breaks a post-rule of :mod:`inference.lane_decision`.
    Returns the notes and how many rows were split (fewer than ``count`` when the chart has fewer jumps).
    """
    rows: dict[Fraction, list[Note]] = {}
    for n in notes:
        rows.setdefault(n.beat, []).append(n)
    beats = sorted(rows)
    jumps = [b for b in beats if len(rows[b]) >= 2]
    chosen = set(sorted(jumps, key=lambda b: (confidence.get(b, 0.0), b))[:max(count, 0)])
    drop: set[int] = set()
    previous: set[int] = set()
    for b in beats:
        row = sorted(rows[b], key=lambda n: n.lane)
        if b in chosen:
            keep = next((n for n in row if n.lane not in previous), row[0])
            drop.update(id(n) for n in row if n is not keep)
            row = [keep]
        previous = {n.lane for n in row}
    return [n for n in notes if id(n) not in drop], len(chosen)


def thin_to_limit(draft: SlotDraft, timing: TimingData, ex: Excess, capped_by: str) -> None:
    """``draft`` (slot ``ex.index``) keeps its most probable onset rows, in the proportion its limit allows, with
    its arrows cleared for the lane model (``_rows``, as the drafter's onset decode leaves a draft); ``capped_by``
    names the slot above that set the limit (provenance)."""
    ranked = sorted(draft.row_confidence.items(), key=lambda kv: (-kv[1], kv[0]))
    beats = sorted(b for b, _ in ranked[:int(len(ranked) * ex.limit / ex.notes)])
    kept = {b: draft.row_confidence[b] for b in beats}
    draft.row_confidence, draft.notes = kept, []
    draft.threshold = min(kept.values(), default=1.0)
    draft._rows = (beats, timing.beats_to_seconds_array(  # type: ignore[attr-defined]
        np.array([float(b) for b in beats], dtype=np.float64)))
    draft.provenance.parameters.update(threshold=round(draft.threshold, 6), rows_kept=len(beats),
                                       rows_capped_by=capped_by)


def jump_rows(notes: Sequence[Note]) -> int:
    """Rows of ``notes`` with two or more arrows (jumps)."""
    per_row: dict[Fraction, int] = {}
    for n in notes:
        per_row[n.beat] = per_row.get(n.beat, 0) + 1
    return sum(c >= 2 for c in per_row.values())


def rising_jumps(slots: Sequence[int], drafts: Sequence[SlotDraft]) -> None:
    """Jump counts that rise with the slot, like the note counts: going down from the top drafted slot, a slot
    with more jump rows than the next higher drafted slot turns its least probable extra ones into single steps
    (:func:`split_jumps`). Audited drafts had fewer jumps at Challenge than at Hard in 5 of 8 songs (Hard 70,
    Challenge 42), the Hard draft at its jump cap; human charts never had. Unlike the note counts this holds with
    density targets too (``main.py draft`` gives every slot one): a split costs one note a row, a few notes in a
    draft of hundreds (audited drafts: at most 6). Variants of one slot are left as they are."""
    if len(set(slots)) != len(slots):
        return
    order = sorted(range(len(slots)), key=lambda i: slots[i], reverse=True)
    for upper, i in zip(order, order[1:]):
        excess = jump_rows(drafts[i].notes) - jump_rows(drafts[upper].notes)
        if excess <= 0:
            continue
        drafts[i].notes, split = split_jumps(drafts[i].notes, drafts[i].row_confidence, excess)
        params = drafts[i].provenance.parameters
        params["jumps_split"] = params.get("jumps_split", 0) + split

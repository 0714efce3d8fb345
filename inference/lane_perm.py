"""Permuted repeats: a phrase that recurs with its lanes renamed (mirrored, rotated) predicts the next arrows.

Rows are renamed by the first appearance of their lanes, newest row first, through a 65-state automaton (the
state is the tuple of lanes named so far); :class:`PermMemory` remembers, per context length, what followed
each renamed context and maps it back through the renaming of now. Part of the lane history of
:mod:`inference.lane_memory` (measured on the monitor and training charts: contexts of 6 rows recur 2.8 times
as often this way as exactly, at 0.66 vs 0.74 accuracy).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from functools import cache
from operator import add
from typing import Any

from inference.lane_features import HINT_VALUES, N_LANES, NO_HINT, MemoryPart, gap_codes

State = tuple[int, ...]  # lanes named so far, in naming order


def _renaming_table() -> tuple[dict[tuple[State, int], tuple[State, int]], dict[State, dict[int, int]]]:
    """Renaming lanes by first appearance as a finite automaton: the state is the tuple of lanes named so far,
    in naming order (65 states: 0 to 4 distinct lanes); reading a row's mask gives the next state and the row's
    renamed code. Returns the step table ``(state, mask) -> (state, code)`` and each state's lane -> name map."""
    step: dict[tuple[State, int], tuple[State, int]] = {}
    frontier: list[State] = [()]
    seen: set[State] = {()}
    while frontier:
        state = frontier.pop()
        for mask in range(1 << N_LANES):
            names = list(state)
            code = 0
            for lane in range(N_LANES):
                if (mask >> lane) & 1:
                    if lane not in names:
                        names.append(lane)
                    code |= 1 << names.index(lane)
            step[(state, mask)] = (tuple(names), code)
            if tuple(names) not in seen:
                seen.add(tuple(names))
                frontier.append(tuple(names))
    return step, {state: {lane: i for i, lane in enumerate(state)} for state in seen}


_RENAME_STEP, _RENAME_NAMES = _renaming_table()
#: For a state that has named all four lanes, the renamed code of every mask (the state no longer changes).
_FULL_CODES = {state: [_RENAME_STEP[(state, mask)][1] for mask in range(1 << N_LANES)]
               for state in _RENAME_NAMES if len(state) == N_LANES}
#: ``(state, mask) ->`` the names of the mask's lanes in that state, in lane order (-1: a lane not named yet).
_FOLLOW = {(state, mask): tuple(names.get(lane, -1) for lane in range(N_LANES) if (mask >> lane) & 1)
           for state, names in _RENAME_NAMES.items() for mask in range(1 << N_LANES)}


def _renamed_newest_first(context: Sequence[int]) -> tuple[list[int], list[State]]:
    """The rows of ``context`` newest first with lanes renamed by first appearance (lanes of a row in lane order),
    and the renaming state after each row (``states[k - 1]`` names the lanes of the newest ``k`` rows). Once all
    four lanes are named the renaming is fixed, and the older rows go through one table."""
    newest = context[::-1]
    state: State = ()
    out: list[int] = []
    states: list[State] = []
    for mask in newest:
        state, code = _RENAME_STEP[(state, mask)]
        out.append(code)
        states.append(state)
        if len(state) == N_LANES:
            out.extend(map(_FULL_CODES[state].__getitem__, newest[len(out):]))
            states.extend([state] * (len(out) - len(states)))
            break
    return out, states


@cache
def _renamed_hint(found: tuple[int, ...], state: State) -> tuple[float, ...]:
    """The hint of a remembered follow-up ``found`` (lane names, -1 for a lane the context never used) under
    the renaming ``state`` of now; :data:`NO_HINT` when its new lanes are not determined (at most 65 x 65
    distinct arguments, so all are cached)."""
    names = _RENAME_NAMES[state]
    new = sum(1 for name in found if name < 0)
    mask = 0
    if new:
        free = [lane for lane in range(N_LANES) if lane not in names]
        if new != len(free):
            return NO_HINT
        mask = sum(1 << f for f in free)
    lanes = {name: lane for lane, name in names.items()}
    mask += sum(1 << lanes[name] for name in found if name >= 0)
    return HINT_VALUES[mask]


class PermMemory(MemoryPart):
    """For each ``k`` of ``contexts``: the arrows that followed the last occurrence of the last ``k`` rows up to
    a renaming of the lanes, mapped through the renaming of now. A lane that the context never used is
    determined only when exactly that many lanes are unused now; otherwise the hint is "not found"."""

    def __init__(self, beats: Sequence[Fraction], contexts: Sequence[int], gaps: list[int] | None = None) -> None:
        """``gaps``: the chart's :func:`inference.lane_features.gap_codes`, when the caller has them."""
        self.contexts = tuple(contexts)
        self.longest = max(self.contexts, default=0)
        self.gaps = gaps if gaps is not None else gap_codes(beats)
        self.seen: list[dict[tuple, tuple[int, ...]]] = [{} for _ in self.contexts]
        self._cached: tuple[int, list] = (-1, [])

    def _keys(self, arrows: Sequence[int], i: int) -> list:
        """Per context, (key, renaming state) of the rows before ``i`` (None when there are fewer rows). The key
        holds one int per row, newest first: its renamed code packed with the gap after it
        (:data:`inference.lane_features.CONTEXT_SYMBOLS`)."""
        if self._cached[0] != i:
            # Names by first appearance, newest row first, do not depend on older rows: one pass over the
            # longest context gives every shorter one (the decoder calls this once per row and track).
            longest = min(i, self.longest)
            codes, states = _renamed_newest_first(arrows[i - longest:i])
            symbols = tuple(map(add, codes, self.gaps[i:i - longest:-1]))
            keys: list[Any] = [(symbols[:k], states[k - 1]) if k <= i else None for k in self.contexts]
            self._cached = (i, keys)
        return self._cached[1]

    def write(self, out: list[float], arrows: Sequence[int], i: int) -> None:
        """Append row ``i``'s hints to ``out``: per context, the predicted arrows (4 bits) and a found flag."""
        for seen, entry in zip(self.seen, self._keys(arrows, i)):
            found = seen.get(entry[0]) if entry is not None else None
            out.extend(NO_HINT if found is None else _renamed_hint(found, entry[1]))

    def record(self, arrows: Sequence[int], i: int) -> None:
        """Remember row ``i``'s arrows in the names of each context ending before it (after :meth:`query`)."""
        mask = int(arrows[i])
        for seen, entry in zip(self.seen, self._keys(arrows, i)):
            if entry is not None:
                seen[entry[0]] = _FOLLOW[(entry[1], mask)]

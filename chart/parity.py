"""Foot parity of a 4-panel (dance-single) chart: which foot steps each arrow, found as the cheapest assignment.

Lanes: 0 Left, 1 Down, 2 Up, 3 Right. :func:`parse_feet` walks the chart's step rows (onset notes grouped by beat;
mines and fakes are not steps) and keeps, for every *state*, the cheapest way to reach it (Viterbi). A state is

* where each foot stands: a panel 0..3, or ``AIR`` for a foot pushed off its panel by a footswitch (the other foot
  took its panel; it lands wherever it steps next);
* which foot stepped the previous row: left, right, or both/none (after a jump, a hands-only row, or at the start).

That is 20 foot placements x 3 = 60 states. A row's transitions depend only on its arrows, on the lanes held
by holds/rolls still down (head before the row, end after it) and on the lanes whose hold ends on the row, so each
distinct (arrows, held lanes, ending lanes) gets its tables built once and cached, and a row costs a few numpy
operations on 60 x K arrays (K = the ways to give the row's arrows to the free feet: 2 for one arrow or a jump, 6
or 12 for hands).

Rules
-----
* Each arrow is stepped by one foot. A foot standing on a held lane is pinned there until the hold ends; on the
  end beat itself it may step (release and move on, as the hands check counts a hold as held strictly before its
  end), and so may the other foot, which then is no double step: it had to step the row before alone, the first
  foot was still holding (the holding foot stepping twice in a row still is one). Counting it as one made a Left
  hold, Down, Right on the hold's end a crossover of the left foot; forbidding the holding foot that row instead
  made false crossovers in DDR's Beginner charts, whose holds often end on the holding foot's next step. Arrows
  beyond the free feet (3+ arrows, a jump while a hold is down, ...) go to a hand: the row is marked ``hands``
  and each such arrow costs ``HAND_COST``, so hands are used only where feet cannot do it.
* Crossed: the left foot on Right or the right foot on Left. Left/Right are the horizontal extremes and Up/Down
  are both centre, so the left foot on Up with the right on Down is not crossed (and "left foot right of the
  right foot" reduces to the same two cases).
* Double step: the foot that stepped the previous row alone steps again on another panel, while the other foot
  is free (a foot that must step twice because the other one is holding, up to and including its hold's end
  beat, is not a double step). Jack: the same
  foot on the same panel. Footswitch: a foot steps the panel the other foot stood on.

Costs depend on the time since the previous step row, through ``pressure(gap)``: 1 at or below ``FAST_GAP_S``
(1/8 notes at 150 BPM are 0.2 s), 0 at or above ``REST_GAP_S``, linear between. A double step costs
``DOUBLE_STEP_COST + DOUBLE_STEP_FAST_COST * pressure``: almost nothing after a rest, the worst thing in a fast
stream. Entering a crossover costs ``CROSSOVER_COST + CROSSOVER_FAST_COST * pressure`` (always something: after a
rest a player turns or double-steps instead), and every further row that leaves the feet crossed
``CROSSED_ROW_COST``, so crossovers unwind soon. So in a fast stream the parse crosses over rather than double
steps, and after a pause it double-steps rather than crosses (break-even near 0.35 s); Left, Down, Right at 1/8 is stepped L R L (a
crossover), at 1/2 notes at 100 BPM L R R (a harmless double step).

The first row is never stepped crossed: from the standing stance (Left and Right, no foot held, no step before)
an uncrossed way always exists, and a player starts facing forward. Allowed, a crossover there cost no more than
one later (no pressure after an infinite gap), so a note added at a chart's end could move a mid-chart crossover
onto its first arrow.

Ties are broken towards the left foot and the earlier option, so a parse is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum
from fractions import Fraction
from functools import cache
from itertools import combinations, permutations

import numpy as np

from chart.formats.display_segments import judged_notes
from chart.note_rows import ScaledNotes, scaled
from chart.notes import Note
from chart.timing import TimingData

PANELS = 4
AIR = 4  # a foot pushed off its panel by a footswitch

FAST_GAP_S = 0.2  # at or below: full pressure (1/8 notes at 150 BPM)
REST_GAP_S = 0.5  # at or above: no pressure (1/4 notes at 120 BPM, or slower)
FAST_DOUBLE_STEP_S = 0.3  # a double step with less time than this since the previous row is "fast" (1/8 at 100 BPM)

DOUBLE_STEP_COST = 0.1
DOUBLE_STEP_FAST_COST = 3.0
CROSSOVER_COST = 1.2
CROSSOVER_FAST_COST = 0.6
CROSSED_ROW_COST = 0.2
FOOTSWITCH_COST = 0.6
FOOTSWITCH_FAST_COST = 0.6
JACK_FAST_COST = 0.2
HAND_COST = 10.0


class Foot(IntEnum):
    LEFT = 0
    RIGHT = 1


_FEET = {0: Foot.LEFT, 1: Foot.RIGHT, -1: None}
_BOTH = 2  # "last mover" value: both feet (a jump), or none (the start, a hands-only row)


def pressure(gap_s: float | np.ndarray) -> np.ndarray:
    """How hurried a step is after ``gap_s`` seconds: 1 at or below ``FAST_GAP_S``, 0 at or above ``REST_GAP_S``
    (an array of the shape of ``gap_s``; 0-d for a number)."""
    return np.clip((REST_GAP_S - np.asarray(gap_s, dtype=np.float64)) / (REST_GAP_S - FAST_GAP_S), 0.0, 1.0)


@dataclass(frozen=True)
class FootRow:
    """One step row of a parse.

    Parameters
    ----------
    beat : Fraction
    time_s : float
        Judgement time of the row.
    gap_s : float
        Seconds since the previous step row (``inf`` for the first).
    notes : tuple of Note
        The row's step notes, by lane.
    feet : tuple of (Foot or None)
        The foot of each note of ``notes``; None for an arrow left to a hand.
    crossover, double_step, footswitch, jack, hands : bool
        ``crossover``: this row crosses the feet (they were not crossed before it). See the module docstring for
        the others.
    """

    beat: Fraction
    time_s: float
    gap_s: float
    notes: tuple[Note, ...]
    feet: tuple[Foot | None, ...]
    crossover: bool = False
    double_step: bool = False
    footswitch: bool = False
    jack: bool = False
    hands: bool = False

    def fast_double_step(self, max_gap_s: float = FAST_DOUBLE_STEP_S) -> bool:
        """A double step less than ``max_gap_s`` after the previous row (the kind a player feels). Gaps within a
        microsecond of ``max_gap_s`` count as equal to it (float seconds of exact beats), so not fast."""
        return self.double_step and self.gap_s < max_gap_s - 1e-6


@dataclass(frozen=True)
class FootParse:
    """The cheapest foot assignment of a chart: its rows and the total cost."""

    rows: tuple[FootRow, ...]
    cost: float

    @property
    def crossovers(self) -> int:
        return sum(r.crossover for r in self.rows)

    @property
    def double_steps(self) -> int:
        return sum(r.double_step for r in self.rows)

    @property
    def footswitches(self) -> int:
        return sum(r.footswitch for r in self.rows)

    @property
    def jacks(self) -> int:
        return sum(r.jack for r in self.rows)

    @property
    def hands(self) -> int:
        return sum(r.hands for r in self.rows)

    def fast_double_steps(self, max_gap_s: float = FAST_DOUBLE_STEP_S) -> list[FootRow]:
        """The rows that are :meth:`FootRow.fast_double_step`."""
        return [r for r in self.rows if r.fast_double_step(max_gap_s)]

    def counts(self) -> dict[str, int]:
        """Rows, crossovers, double steps (all and fast), footswitches, jacks and hands rows."""
        return {"rows": len(self.rows), "crossovers": self.crossovers, "double_steps": self.double_steps,
                "fast_double_steps": len(self.fast_double_steps()), "footswitches": self.footswitches,
                "jacks": self.jacks, "hands": self.hands}


# ---------------------------------------------------------------------------------------------- states and tables
_PLACES = [(lf, rf) for lf in range(PANELS + 1) for rf in range(PANELS + 1) if lf != rf]  # AIR/AIR never happens
STATES: list[tuple[int, int, int]] = [(lf, rf, last) for lf, rf in _PLACES for last in (Foot.LEFT, Foot.RIGHT, _BOTH)]
_INDEX = {s: i for i, s in enumerate(STATES)}
START = _INDEX[(0, 3, _BOTH)]  # standing on Left and Right

# Flags of an option, as bits.
_CROSS, _STAY, _DOUBLE, _SWITCH, _JACK, _HANDS = 1, 2, 4, 8, 16, 32


def _crossed(lf: int, rf: int) -> bool:
    return lf == 3 or rf == 0


@dataclass(frozen=True)
class _Tables:
    """Transitions of one row type (arrow lanes, held lanes) from every state, K options each (padded)."""

    nxt: np.ndarray  # [S, K] next state index, -1 where the option does not exist
    base: np.ndarray  # [S, K] cost independent of the gap (inf where the option does not exist)
    fast: np.ndarray  # [S, K] cost multiplied by pressure(gap)
    flags: np.ndarray  # [S, K] bit flags
    feet: np.ndarray  # [S, K, len(arrows)] foot per arrow: 0 left, 1 right, -1 hand
    gather: np.ndarray  # [S, P] flat indices s*K+k of the options reaching each next state; K-1 = none
    picked: tuple[tuple[tuple[int, tuple[Foot | None, ...]], ...], ...]  # [S][K] (flags, feet) as Python values


def _options(state: tuple[int, int, int], arrows: tuple[int, ...], held: int,
             ending: int = 0) -> Iterator[tuple[int, int, tuple[int, ...]]]:
    """(next state, flags, foot per arrow) for every way the free feet can take the row's arrows. ``held``: lanes
    held past the row (bit per lane); ``ending``: lanes whose hold ends on the row (their foot is free, and the
    other foot stepping again is no double step)."""
    pos, last = [state[0], state[1]], state[2]
    free = [f for f in (0, 1) if pos[f] == AIR or not held >> pos[f] & 1]
    # holding through the row, or until it: the other foot stepping twice in a row is then no double step (a foot
    # whose hold ends on the row may step it too, and stepping again itself is one)
    busy = [pos[f] != AIR and bool((held | ending) >> pos[f] & 1) for f in (0, 1)]
    n = min(len(arrows), len(free))
    for steppers in combinations(free, n):  # steppers[i] takes arrows[chosen[i]]
        for chosen in permutations(range(len(arrows)), n):
            feet = [-1] * len(arrows)
            new = list(pos)
            for f, a in zip(steppers, chosen, strict=True):
                feet[a] = f
                new[f] = arrows[a]
            flags = _HANDS if n < len(arrows) else 0
            for f in steppers:
                other = 1 - f
                if new[f] == pos[other] != AIR:
                    flags |= _SWITCH
                    if other not in steppers:
                        new[other] = AIR
            if n == 1:
                f = steppers[0]
                if last == f and new[f] == pos[f]:
                    flags |= _JACK
                elif last == f and not busy[1 - f]:
                    flags |= _DOUBLE
            if n and _crossed(new[0], new[1]):
                flags |= _STAY if _crossed(pos[0], pos[1]) else _CROSS
            new_last = steppers[0] if n == 1 else _BOTH
            yield _INDEX[(new[0], new[1], new_last)], flags, tuple(feet)


@cache
def _tables(arrows: tuple[int, ...], held: int, ending: int = 0) -> _Tables:
    per_state = [list(_options(s, arrows, held, ending)) for s in STATES]
    # one column more than any state has options: it holds no option (cost inf), so "none" in ``gather`` can point
    # at it and a row's candidates need no extra inf appended
    n_states, k = len(STATES), max(len(o) for o in per_state) + 1
    nxt = np.full((n_states, k), -1, dtype=np.int64)
    flags = np.zeros((n_states, k), dtype=np.int64)
    feet = np.full((n_states, k, len(arrows)), -1, dtype=np.int8)
    for s, options in enumerate(per_state):
        for j, (t, fl, ft) in enumerate(options):
            nxt[s, j], flags[s, j], feet[s, j] = t, fl, ft
    hands = np.array([[sum(x < 0 for x in feet[s, j]) if nxt[s, j] >= 0 else 0 for j in range(k)]
                      for s in range(n_states)], dtype=np.float64)
    has = lambda bit: (flags & bit) != 0  # noqa: E731
    base = (CROSSOVER_COST * has(_CROSS) + CROSSED_ROW_COST * has(_STAY) + DOUBLE_STEP_COST * has(_DOUBLE)
            + FOOTSWITCH_COST * has(_SWITCH) + HAND_COST * hands)
    base = np.where(nxt >= 0, base, np.inf)
    fast = (CROSSOVER_FAST_COST * has(_CROSS) + DOUBLE_STEP_FAST_COST * has(_DOUBLE)
            + FOOTSWITCH_FAST_COST * has(_SWITCH) + JACK_FAST_COST * has(_JACK))
    sources: list[list[int]] = [[] for _ in range(n_states)]
    for s in range(n_states):
        for j in range(k):
            if nxt[s, j] >= 0:
                sources[nxt[s, j]].append(s * k + j)
    width = max(len(x) for x in sources)
    gather = np.full((n_states, width), k - 1, dtype=np.int64)  # state 0's last column: no option
    for t, src in enumerate(sources):
        gather[t, :len(src)] = src
    picked = tuple(tuple((int(flags[s, j]), tuple(_FEET[f] for f in feet[s, j].tolist())) for j in range(k))
                   for s in range(n_states))
    return _Tables(nxt, base, fast.astype(np.float64), flags, feet, gather, picked)


# ---------------------------------------------------------------------------------------------- rows
def contact_rows(notes: list[Note]) -> Iterator[tuple[Fraction, tuple[Note, ...], tuple[Note, ...]]]:
    """For every row of steps (``notes`` sorted by beat): its beat, its step notes, and the holds/rolls of other
    lanes still held at that beat (head before it, end after it)."""
    for beat, steps, held, _ending in _contact_rows(notes, scaled(notes)):
        yield beat, steps, held


def _contact_rows(notes: Sequence[Note], ints: ScaledNotes
                  ) -> Iterator[tuple[Fraction, tuple[Note, ...], tuple[Note, ...], tuple[Note, ...]]]:
    """:func:`contact_rows` on the notes' exact integer beats (:mod:`chart.note_rows`): one pass, no Fraction
    arithmetic (a hold's end was rebuilt for every row it was compared at: most of Verify's time on big charts).
    Also yields the holds/rolls of other lanes that end on the row (the parse's foot still holding there)."""
    running: dict[int, tuple[int, Note]] = {}  # lane -> (end, the hold or roll reaching furthest in it so far)
    for i, j in ints.rows():
        steps = tuple(n for n in notes[i:j] if n.kind.is_onset)
        if not steps:
            continue
        beat = ints.beats[i]
        if running:
            lanes = {n.lane for n in steps}
            held = tuple(h for lane, (end, h) in sorted(running.items()) if lane not in lanes and end > beat)
            ending = tuple(h for lane, (end, h) in sorted(running.items()) if lane not in lanes and end == beat)
        else:
            held = ending = ()
        yield steps[0].beat, steps, held, ending
        for k in range(i, j):
            n = notes[k]
            if n.kind.has_length:  # (holds and rolls are steps)
                end = ints.ends[k]
                if n.lane not in running or end > running[n.lane][0]:
                    running[n.lane] = (end, n)


def step_rows(notes: Iterable[Note]) -> list[tuple[Fraction, tuple[Note, ...], int, int]]:
    """``(beat, step notes by lane, held-lane bit mask, ending-lane bit mask)`` for every row with a step
    (:func:`contact_rows`; ending: a hold of another lane ends on the row), one note per lane (duplicates are
    another check's business)."""
    listed = list(notes)
    ints = scaled(listed)
    order = sorted(range(len(listed)), key=lambda i: (ints.beats[i], listed[i].lane))
    if any(k != i for k, i in enumerate(order)):
        listed = [listed[i] for i in order]
        ints = ScaledNotes(ints.scale, [ints.beats[i] for i in order], [ints.ends[i] for i in order])
    out: list[tuple[Fraction, tuple[Note, ...], int, int]] = []
    for beat, steps, held, ending in _contact_rows(listed, ints):
        row: tuple[Note, ...]
        if len(steps) == 1:
            row = steps
        else:
            first = {n.lane: n for n in reversed(steps)}
            row = tuple(first[lane] for lane in sorted(first))
        out.append((beat, row, _mask(held), _mask(ending)))
    return out


def _mask(holds: tuple[Note, ...]) -> int:
    mask = 0
    for h in holds:
        mask |= 1 << h.lane
    return mask


def parse_feet(notes: Iterable[Note], timing: TimingData) -> FootParse:
    """Cheapest foot assignment of a dance-single chart's steps (see the module docstring for the rules).

    Parameters
    ----------
    notes : iterable of Note
        The chart's notes, lanes 0..3 (any order; mines and fakes are ignored, and so are notes StepMania never
        judges: inside a warp or a fake segment).
    timing : TimingData
        The chart's timing, for the seconds between rows.

    Returns
    -------
    FootParse
        One :class:`FootRow` per step row, in order, and the total cost.
    """
    rows = step_rows(judged_notes(list(notes), timing))
    if not rows:
        return FootParse((), 0.0)
    for _, row, _, _ in rows:
        for n in row:
            if not 0 <= n.lane < PANELS:
                raise ValueError(f"lane {n.lane} at beat {n.beat} is not a dance-single panel (0..3)")
    times = timing.beats_to_seconds_array(np.array([float(b) for b, _, _, _ in rows], dtype=np.float64))
    gaps = np.empty_like(times)
    gaps[0] = np.inf
    gaps[1:] = np.maximum(np.diff(times), 0.0)
    press = pressure(gaps).tolist()
    n_states = len(STATES)
    every = np.arange(n_states)
    value = np.full(n_states, np.inf)
    value[START] = 0.0
    # Per row a handful of numpy calls on 60 x K arrays and nothing else (20k rows: the bulk of Verify's time).
    back: list[tuple[_Tables, np.ndarray]] = []  # per row: tables and, per next state, the best source's column
    for (_, row, held, ending), p in zip(rows, press, strict=True):
        tab = _tables(tuple(n.lane for n in row), held, ending)
        cand = value[:, None] + tab.base
        if not back:  # the first row, from the standing stance: never crossed (module docstring)
            cand[(tab.flags & _CROSS) != 0] = np.inf
        if p:  # after a rest p is 0 and p * fast adds exactly nothing
            cand += p * tab.fast
        pick = cand.ravel()[tab.gather]
        best = pick.argmin(axis=1)
        value = pick[every, best]
        back.append((tab, best))
    state = int(value.argmin())
    cost = float(value[state])
    picks: list[tuple[int, int, _Tables]] = []
    for tab, best in reversed(back):
        prev, j = divmod(int(tab.gather[state, best[state]]), tab.nxt.shape[1])
        picks.append((prev, j, tab))
        state = prev
    picks.reverse()
    out: list[FootRow] = []
    for (beat, row, _, _), t, g, (prev, j, tab) in zip(rows, times.tolist(), gaps.tolist(), picks, strict=True):
        fl, feet = tab.picked[prev][j]
        out.append(FootRow(beat, t, g, row, feet, crossover=bool(fl & _CROSS), double_step=bool(fl & _DOUBLE),
                           footswitch=bool(fl & _SWITCH), jack=bool(fl & _JACK), hands=bool(fl & _HANDS)))
    return FootParse(tuple(out), cost)

"""How one row's lane-model outputs become arrows: the post-rules and the per-slot decision rule (pure numpy).

:mod:`inference.lanes` decodes a chart row by row; for every row it asks this module which arrow sets the
post-rules allow (:func:`allowed_classes`: no note inside a hold, no jumps at Beginner, at most two panels) and
which one to take (:func:`masked_choice` under a :class:`DecisionRule`: calibrated jump and hold thresholds, and
the running jump floor and cap that keep a draft's jump share where human charts have it). The rule baselines
and the learned model go through the same functions, so they obey exactly the same constraints.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from inference.lane_features import CLASS_MASKS, N_ARROW_CLASSES, N_SLOTS, POPCOUNT

MAX_PANELS = 2  # two feet: held lanes + new arrows
JUMP_CLASSES = POPCOUNT[CLASS_MASKS] >= 2  # the arrow classes with two or more lanes
#: Running jump / hold rates of a draft may reach this multiple of the reference charts' rates.
RATE_CAP_FACTOR = 1.5
#: A draft's running jump rate is held at least at this multiple of the reference charts' rate.
RATE_FLOOR_FACTOR = 0.5
#: Rows whose jump masses rank a row while a draft is below its jump floor.
FLOOR_WINDOW_ROWS = 64
#: Rows a draft starts with as if they were within the caps, so that its first rows may hold a jump or a hold.
RATE_WARMUP_ROWS = 16
#: A repeat less than this after the row before is a fast jack (:class:`DecisionRule` ``fast_repeat_cap``).
FAST_REPEAT_S = 0.2
#: Per slot (Beginner..Challenge): a drafted row less than this after the row before takes none of its panels (no
#: jack faster). The fastest jack in the human charts of the 80 shared songs at each slot, rounded down to 0.05 s
#: (0.167, 0.167, 0.100, 0.100, 0.115 s; session 20 audit): Hard and Challenge drafts had jacks 59-74 ms apart.
MIN_JACK_S = (0.15, 0.15, 0.1, 0.1, 0.1)


def allowed_classes(held: int, slot: int) -> np.ndarray:
    """Which of the 15 arrow classes a row may take, shape (15,) bool.

    A held lane cannot get a note (it would sit inside the hold), Beginner gets no jumps, and held lanes plus
    new arrows never exceed two panels. All False only when two lanes are held: the decoder then ends those holds
    before the row.
    """
    return _ALLOWED[held, min(max(int(slot), 0), N_SLOTS - 1)]


def without_jacks(allowed: np.ndarray, previous: int, gap_s: float, slot: int) -> np.ndarray:
    """``allowed`` less the classes stepping a panel of the row before (lane mask ``previous``) when the row comes
    less than :data:`MIN_JACK_S` of its slot after it; ``allowed`` as it is when nothing else would be left."""
    if not previous or gap_s >= MIN_JACK_S[min(max(int(slot), 0), N_SLOTS - 1)] - 1e-6:
        return allowed
    ok = allowed & ((CLASS_MASKS & previous) == 0)
    return ok if ok.any() else allowed


def free_classes(held: int) -> np.ndarray:
    """Single arrows in lanes ``held`` leaves free, shape (15,) bool: a row under two holds the decoder may not end
    (the chart's own, running into a drafted passage) takes one arrow beside them (a hand, as the chart has it).
    Every class when no lane is free; the drafter then drops what lands inside those holds."""
    ok = ((CLASS_MASKS & held) == 0) & (POPCOUNT[CLASS_MASKS] == 1)
    return ok if ok.any() else np.ones(N_ARROW_CLASSES, dtype=bool)


def _allowed_table() -> np.ndarray:
    """(16 held masks, 5 slots, 15 classes) bool: the rules of :func:`allowed_classes`, computed once."""
    table = np.zeros((16, N_SLOTS, N_ARROW_CLASSES), dtype=bool)
    for held in range(16):
        for slot in range(N_SLOTS):
            ok = (CLASS_MASKS & held) == 0
            ok &= POPCOUNT[CLASS_MASKS] + POPCOUNT[held] <= MAX_PANELS
            if slot == 0:
                ok &= POPCOUNT[CLASS_MASKS] == 1
            table[held, slot] = ok
    table.setflags(write=False)
    return table


_ALLOWED = _allowed_table()


@dataclass(frozen=True)
class DecisionRule:
    """How greedy decoding turns one row's outputs into arrows and holds, per slot (Beginner..Challenge).

    A plain argmax almost never picks a jump or a hold (each is rarely the single likeliest outcome of a row),
    so the shipped model carries thresholds calibrated in training to give the reference charts' jump and hold
    rates: a row becomes a jump when the probability mass of the allowed jumps reaches ``jump[slot]`` (None =
    plain argmax), an arrow becomes a hold head when its hold probability reaches ``hold[slot]``.

    ``jump_cap``/``hold_cap`` bound the running share of jump rows (per row) / hold heads (per arrow) of a draft,
    the same shares the thresholds are calibrated to (None = no bound):
    the model reads its own earlier rows (repeats, counts), so one early jump or hold can feed on itself until a
    Medium draft is 30 % jumps or an Easy draft all holds (seen on real songs). The shipped hold cap is
    :data:`RATE_CAP_FACTOR` times the reference charts' hold rate the thresholds were calibrated on.

    ``jump_floor`` is the other side of the same loop: a draft whose first rows have no jump reads "this chart
    has no jumps" and can stay at none for the whole song (a validation song's Challenge draft: 0 jumps in 554
    rows, every jump probability after its first rows below 1 %, while the Hard draft of the same song had 96).
    While a draft's running jump share (after :data:`RATE_WARMUP_ROWS`) is below the floor, a row becomes a jump
    when its jump mass is among the top ``floor`` share of its last :data:`FLOOR_WINDOW_ROWS` rows': where the
    model itself ranks a jump likeliest, relative to the passage.

    The shipped jump floor and cap are the manifest's ``jump_range``: the 25th percentile and the median of the
    per-chart jump share of the text-only human charts at each slot (:func:`training.lane_calibrate.jump_share_range`).
    The cap is the median because a draft that copies its own jumps runs to the cap: with the 75th percentile
    there, drafts had twice the jump share of typical charts (MODEL_CARD, session 6). Manifests without one
    fall back to :data:`RATE_FLOOR_FACTOR` / :data:`RATE_CAP_FACTOR` times the reference rates.

    ``repeat_floor``/``repeat_cap`` do the same for repeats (:func:`repeat_rows`: a single arrow on the panel of
    the row before's). The model reads its own repeats too, and its drafts split in two: on 28 Beginner drafts
    of audio songs the median repeat share was 1 % and 9 were above 60 % (one 96 %), where human Beginner
    charts have 21-32 % (session 11). A row takes the repeat when its mass (:func:`repeat_mass`) ranks in the
    top ``repeat_floor`` share of its passage while the draft is below the floor, and cannot take it while the
    draft is at the cap; the bounds are the manifest's ``repeat_range``, the same per-chart quantiles of the
    text-only human charts (none without one).

    ``fast_repeat_cap`` bounds the running share of rows that are fast repeats (a repeat less than
    :data:`FAST_REPEAT_S` after the row before: a jack in a stream). Drafts of 44 audio songs put 61 % of their
    Hard repeats and 58 % of their Challenge repeats there, against 11 % and 17 % in the songs' own charts
    (session 12); the bound is the median of the per-chart share in the text-only human charts (the ``high`` of
    the manifest's ``fast_repeat_range``; 0 up to Medium, where most human charts have none). It applies only when
    the rows' times are known (:class:`inference.lanes.LaneRequest` ``seconds``).
    """

    jump: tuple[float | None, ...] = (None,) * N_SLOTS
    hold: tuple[float, ...] = (0.5,) * N_SLOTS
    jump_cap: tuple[float | None, ...] = (None,) * N_SLOTS
    hold_cap: tuple[float | None, ...] = (None,) * N_SLOTS
    jump_floor: tuple[float | None, ...] = (None,) * N_SLOTS
    repeat_floor: tuple[float | None, ...] = (None,) * N_SLOTS
    repeat_cap: tuple[float | None, ...] = (None,) * N_SLOTS
    fast_repeat_cap: tuple[float | None, ...] = (None,) * N_SLOTS

    @classmethod
    def from_manifest(cls, manifest: Any) -> DecisionRule:
        data = manifest.extra.get("decision") or {}
        rates = data.get("rates") or {}

        def scaled(key: str, factor: float) -> tuple[float | None, ...]:
            ref = rates.get(key)
            return tuple(factor * float(r) for r in ref) if ref else (None,) * N_SLOTS

        bounds = share_range(data, "jump_range")
        jump_floor, jump_cap = bounds if bounds is not None else (
            scaled("jump_reference", RATE_FLOOR_FACTOR), scaled("jump_reference", RATE_CAP_FACTOR))
        repeat_floor, repeat_cap = share_range(data, "repeat_range") or (cls.repeat_floor, cls.repeat_cap)
        fast = share_range(data, "fast_repeat_range")
        return cls(tuple(data.get("jump_threshold", cls.jump)), tuple(data.get("hold_threshold", cls.hold)),
                   jump_cap, scaled("hold_reference", RATE_CAP_FACTOR), jump_floor, repeat_floor, repeat_cap,
                   fast[1] if fast is not None else cls.fast_repeat_cap)


def share_range(decision: dict, key: str) -> tuple[tuple[float | None, ...], tuple[float | None, ...]] | None:
    """The (floor, cap) shares per slot of a lane manifest's ``extra.decision[key]`` (``jump_range``,
    ``repeat_range``, ``fast_repeat_range``: per-chart quantiles of human charts,
    :func:`training.lane_calibrate.share_range`), or None without one."""
    bounds = decision.get(key) or {}
    if not bounds:
        return None

    def per_slot(key: str) -> tuple[float | None, ...]:
        values = bounds.get(key) or [None] * N_SLOTS
        return tuple(None if v is None else float(v) for v in values)

    return per_slot("low"), per_slot("high")


def expected_notes_per_row(manifest: Any, slot: int) -> float:
    """Notes per row the lane model's drafts have at ``slot`` (1 + its calibrated jump rate; 1 without one)."""
    decision = (getattr(manifest, "extra", None) or {}).get("decision") or {}
    jumps = (decision.get("rates") or {}).get("jump") or []
    if not (0 <= slot < len(jumps) and jumps[slot] is not None):
        return 1.0
    rate = float(jumps[slot])
    bounds = share_range(decision, "jump_range")
    if bounds is not None:  # the decoder holds a draft's jump share inside the range (DecisionRule)
        low, high = bounds[0][slot], bounds[1][slot]
        if high is not None:
            rate = min(rate, high)
        if low is not None:
            rate = max(rate, low)
    return 1.0 + rate


def repeat_rows(arrows: np.ndarray) -> np.ndarray:
    """Which rows repeat the row before: a single arrow in the same lane as the previous row's single arrow
    (the same panel again, a jack when it is quick), shape (N,) bool; the first row never does."""
    arrows = np.asarray(arrows, dtype=np.int64)
    out = np.zeros(len(arrows), dtype=bool)
    if len(arrows) > 1:
        out[1:] = (arrows[1:] == arrows[:-1]) & (POPCOUNT[arrows[1:]] == 1)
    return out


def quick_rows(seconds: np.ndarray) -> np.ndarray:
    """Which rows come less than :data:`FAST_REPEAT_S` after the row before (``seconds``: the rows' times), shape
    (N,) bool; the first row never does."""
    return np.diff(np.asarray(seconds, dtype=np.float64), prepend=-np.inf) < FAST_REPEAT_S


def fast_repeat_rows(arrows: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """:func:`repeat_rows` that are :func:`quick_rows`: a jack inside a stream (``DecisionRule.fast_repeat_cap``)."""
    return repeat_rows(arrows) & quick_rows(seconds)


def within_cap(count: int, total: int, cap: float | None, more: int = 1, more_total: int = 1) -> bool:
    """Whether ``more`` jump rows (hold heads) out of ``more_total`` rows (arrows) keep the running share
    ``(count + more) / (total + more_total + warm-up)`` within ``cap``."""
    return cap is None or count + more <= cap * (total + more_total + RATE_WARMUP_ROWS)


class RateFloor:
    """The running floor of one draft on a share of rows (jump rows, repeats; :class:`DecisionRule`): its recent
    rows' masses for the kind of row, and whether a row is lifted to that kind while the draft's share of it is
    below ``floor`` (None: no floor).

    With ``per_consulted`` the share of the passage that is lifted is scaled by the rows per consulted row
    (``floor * rows / consulted``, this row included, at most 1): when only some rows can take the kind at all (a repeat needs a
    single arrow before it and, past the fast-repeat cap, a gap of :data:`FAST_REPEAT_S` or more), lifting the
    top ``floor`` share of those would leave the draft below its floor of *all* rows."""

    def __init__(self, floor: float | None, per_consulted: bool = False) -> None:
        self.floor = floor
        self.per_consulted = per_consulted
        self.consulted = 0  # rows asked so far (each remembered one mass)
        self.masses: deque[float] = deque(maxlen=FLOOR_WINDOW_ROWS)

    def lifts(self, mass: float, count: int, rows: int) -> bool:
        """Whether a row whose mass for the kind is ``mass`` takes it: ``count`` of ``rows`` are of the kind,
        under the floor, and ``mass`` is among the top ``floor`` share of the passage's (nearest-rank quantile of
        the last :data:`FLOOR_WINDOW_ROWS` masses; a flat passage, where no row ranks above another, gets none).
        Never in the first :data:`RATE_WARMUP_ROWS` rows: masses are remembered one per row with a choice. The
        row's ``mass`` is remembered."""
        out, floor = False, self.floor
        if floor is not None and len(self.masses) >= RATE_WARMUP_ROWS and count < floor * rows:
            # rows consulted so far, this one included (the first row has no row before it to consult)
            share = min(1.0, floor * rows / (self.consulted + 1)) if self.per_consulted else floor
            recent = np.fromiter(self.masses, np.float64)
            k = int(round((1.0 - share) * (len(recent) - 1)))
            rank = float(np.partition(recent, k)[k])
            out = mass >= rank > float(recent.min())
        self.masses.append(mass)
        self.consulted += 1
        return out

    def threshold(self, base: float, mass: float, count: int, rows: int) -> float:
        """The jump threshold ``base``, lowered to this row's jump ``mass`` when :meth:`lifts` it."""
        return min(base, mass) if self.lifts(mass, count, rows) else base


def jump_mass(logits: np.ndarray, allowed: np.ndarray) -> float | None:
    """Share of the allowed classes' softmax mass on jumps; None when the row cannot choose (all jumps or all
    singles allowed)."""
    jumps, singles = allowed & JUMP_CLASSES, allowed & ~JUMP_CLASSES
    if not jumps.any() or not singles.any():
        return None
    z = np.where(allowed, logits.astype(np.float64), -np.inf)
    p = np.exp(z - z.max())
    return float(p[jumps].sum() / p.sum())


def repeat_mass(logits: np.ndarray, allowed: np.ndarray, cls: int) -> float:
    """Share of the allowed single arrows' softmax mass on class ``cls`` (the row before's arrow)."""
    singles = allowed & ~JUMP_CLASSES
    z = np.where(singles, logits.astype(np.float64), -np.inf)
    p = np.exp(z - z.max())
    return float(p[cls] / p.sum())


#: below this probability the editor marks a drafted row's arrows as a guess: teacher-forced on the validation
#: charts, 35 % of the rows, right 34 % of the time (68-86 % above 0.6); in drafts of those songs, 15 % of the rows
#: (``python scripts/diagnose_drafts.py lane-confidence``)
UNSURE_ARROWS = 0.45


def choice_probability(logits: np.ndarray, allowed: np.ndarray, k: int) -> float:
    """The softmax probability of class ``k`` among the ``allowed`` classes: how sure the lane model is of an
    arrow set (see :data:`UNSURE_ARROWS`)."""
    z = np.where(allowed, logits.astype(np.float64), -np.inf)
    if not np.isfinite(z[k]):
        return 0.0
    p = np.exp(z - z.max())
    return float(p[k] / p.sum())


def masked_choice(logits: np.ndarray, allowed: np.ndarray, temperature: float, rng: np.random.Generator,
                  jump_threshold: float | None = None, mass: float | None = None) -> int:
    """Class index for one row: a softmax sample (``temperature > 0``), else the argmax restricted to
    ``allowed`` -- among jumps when their probability mass (``mass``, :func:`jump_mass` when not given)
    reaches ``jump_threshold``, else among singles."""
    z = np.where(allowed, logits.astype(np.float64), -np.inf)
    if temperature > 0:
        z = (z - z.max()) / temperature
        p = np.exp(z)
        return int(rng.choice(len(p), p=p / p.sum()))
    if jump_threshold is None:
        return int(np.argmax(z))
    share = jump_mass(logits, allowed) if mass is None else mass
    if share is None:
        return int(np.argmax(z))
    pick = allowed & (JUMP_CLASSES if share >= jump_threshold else ~JUMP_CLASSES)
    return int(np.argmax(np.where(pick, z, -np.inf)))

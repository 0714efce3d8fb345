"""Lane assignment for 4-panel dance-single: placed onset rows -> arrows, jumps and holds (pure numpy).

The drafter places onset rows (exact beats); this module decides which arrows each row gets, in the spirit of
DDC's step-selection LSTM: a small recurrent model sees, for every row, its timing (time and beats to the
neighbouring rows, beat and measure phase, snap), audio features pooled at the row, the difficulty slot, and
what it already chose (previous arrows, previous holds, lanes still held). It returns

* ``arrow_logits`` over the 15 non-empty lane subsets. A softmax over subsets, not 4 independent sigmoids,
  because lanes of a row are strongly dependent (a jump is a choice of a *pair*, and "left or right" is
  exclusive for a single step); a subset class also makes "no jumps at Beginner" a simple mask.
* ``hold_logits``, one per lane: whether the arrow in that lane is a hold head.
* ``length_logits`` over :data:`HOLD_LENGTHS_BEAT`: the length of the row's holds in beats.

Decoding is autoregressive, one row at a time, greedy (``temperature=0``) or sampled with a seed, and applies
the post-rules every chart must satisfy: no note inside a hold in its lane (held lanes are masked, so a hold
always ends before the next note in its lane), no jumps at Beginner, at most two panels pressed at once
(held + new arrows: two feet), and no mines. Rules live here, not in the model, so that the rule baseline and
the learned model obey exactly the same constraints.

Row features and history inputs come from :mod:`inference.lane_features`, which training imports too.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Protocol

import numpy as np

from chart.notes import Note
from inference.lane_features import (
    CLASS_MASKS,
    HOLD_LENGTHS_BEAT,
    N_ARROW_CLASSES,
    N_LANES,
    N_SLOTS,
    POPCOUNT,
    LaneRows,
    held_from_history,
    history_features,
    row_features,
)
from inference.lane_memory import ChartMemory, HistoryLayout
from inference.lane_rules import AlternationStepper, NgramStepper, load_ngram, prev_masks, slots_of

MAX_PANELS = 2  # two feet: held lanes + new arrows
MIN_HOLD_BEAT = Fraction(1, 4)  # shorter holds become taps
STEP_OUTPUTS = ("arrow_logits", "hold_logits", "length_logits", "state_out")
TAIL_GRID_BEAT = Fraction(1, 4)  # a hold cut short by a later row ends on the sixteenth grid before it


# ---------------------------------------------------------------------------------------------------- rules
def allowed_classes(held: int, slot: int) -> np.ndarray:
    """Which of the 15 arrow classes a row may take, shape (15,) bool.

    A held lane cannot get a note (it would sit inside the hold), Beginner gets no jumps, and held lanes plus
    new arrows never exceed two panels. All False only when two lanes are held: the decoder then ends those holds
    before the row.
    """
    return _ALLOWED[held, min(max(int(slot), 0), N_SLOTS - 1)]


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
_NO_RNG = np.random.default_rng(0)  # greedy choices never draw from it


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
    """

    jump: tuple[float | None, ...] = (None,) * N_SLOTS
    hold: tuple[float, ...] = (0.5,) * N_SLOTS
    jump_cap: tuple[float | None, ...] = (None,) * N_SLOTS
    hold_cap: tuple[float | None, ...] = (None,) * N_SLOTS
    jump_floor: tuple[float | None, ...] = (None,) * N_SLOTS

    @classmethod
    def from_manifest(cls, manifest: Any) -> DecisionRule:
        data = manifest.extra.get("decision") or {}
        rates = data.get("rates") or {}

        def scaled(key: str, factor: float) -> tuple[float | None, ...]:
            ref = rates.get(key)
            return tuple(factor * float(r) for r in ref) if ref else (None,) * N_SLOTS

        jump_range = data.get("jump_range") or {}  # per-chart quantiles of human charts (training.lane_calibrate)

        def bounds(key: str) -> tuple[float | None, ...]:
            return tuple(None if v is None else float(v) for v in jump_range[key])

        jump_cap = bounds("high") if jump_range else scaled("jump_reference", RATE_CAP_FACTOR)
        jump_floor = bounds("low") if jump_range else scaled("jump_reference", RATE_FLOOR_FACTOR)
        return cls(tuple(data.get("jump_threshold", cls.jump)), tuple(data.get("hold_threshold", cls.hold)),
                   jump_cap, scaled("hold_reference", RATE_CAP_FACTOR), jump_floor)


def expected_notes_per_row(manifest: Any, slot: int) -> float:
    """Notes per row the lane model's drafts have at ``slot`` (1 + its calibrated jump rate; 1 without one)."""
    decision = (getattr(manifest, "extra", None) or {}).get("decision") or {}
    jumps = (decision.get("rates") or {}).get("jump") or []
    if not (0 <= slot < len(jumps) and jumps[slot] is not None):
        return 1.0
    rate = float(jumps[slot])
    bounds = decision.get("jump_range") or {}
    low, high = (bounds.get(k, [None] * N_SLOTS)[slot] for k in ("low", "high"))
    if high is not None:  # the decoder holds a draft's jump share inside the range (DecisionRule)
        rate = min(rate, float(high))
    if low is not None:
        rate = max(rate, float(low))
    return 1.0 + rate


#: Running jump / hold rates of a draft may reach this multiple of the reference charts' rates.
RATE_CAP_FACTOR = 1.5
#: A draft's running jump rate is held at least at this multiple of the reference charts' rate.
RATE_FLOOR_FACTOR = 0.5
#: Rows whose jump masses rank a row while a draft is below its jump floor.
FLOOR_WINDOW_ROWS = 64
#: Rows a draft starts with as if they were within the caps, so that its first rows may hold a jump or a hold.
RATE_WARMUP_ROWS = 16


def within_cap(count: int, total: int, cap: float | None, more: int = 1, more_total: int = 1) -> bool:
    """Whether ``more`` jump rows (hold heads) out of ``more_total`` rows (arrows) keep the running share
    ``(count + more) / (total + more_total + warm-up)`` within ``cap``."""
    return cap is None or count + more <= cap * (total + more_total + RATE_WARMUP_ROWS)


def below_floor(count: int, total: int, floor: float | None) -> bool:
    """Whether ``count`` jump rows out of ``total`` rows are under the share ``floor`` (never in the warm-up)."""
    return floor is not None and total >= RATE_WARMUP_ROWS and count < floor * total


_JUMPS = POPCOUNT[CLASS_MASKS] >= 2


def jump_mass(logits: np.ndarray, allowed: np.ndarray) -> float | None:
    """Share of the allowed classes' softmax mass on jumps; None when the row cannot choose (all jumps or all
    singles allowed)."""
    jumps, singles = allowed & _JUMPS, allowed & ~_JUMPS
    if not jumps.any() or not singles.any():
        return None
    z = np.where(allowed, logits.astype(np.float64), -np.inf)
    p = np.exp(z - z.max())
    return float(p[jumps].sum() / p.sum())


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
    pick = allowed & (_JUMPS if share >= jump_threshold else ~_JUMPS)
    return int(np.argmax(np.where(pick, z, -np.inf)))


# ---------------------------------------------------------------------------------------------------- steppers
class LaneStepper(Protocol):
    """One decoding step for a batch of charts: the lane model, or a rule baseline with the same interface."""

    def initial_state(self, batch: int) -> Any:
        """Recurrent state before the first row."""
        ...

    def step(self, rows: np.ndarray, history: np.ndarray, state: Any) -> tuple[dict[str, np.ndarray], Any]:
        """Logits for one row of every chart: ``arrow_logits`` (B, 15), ``hold_logits`` (B, 4),
        ``length_logits`` (B, K); and the next state. ``rows`` (B, ROW_DIM), ``history`` (B, D) in the
        stepper's :class:`inference.lane_memory.HistoryLayout` (attribute ``layout``; lane-v1's when absent)."""
        ...


class OnnxLaneStepper:
    """The exported lane model (a single-step graph with explicit recurrent state) through a backend.

    The model also takes the shipped n-gram's log-probabilities of the row (``ngram`` input) and learns
    corrections on top of them; the n-gram comes from the manifest (``extra.ngram``) unless given.
    """

    def __init__(self, manifest: Any, backend: Any = None, ngram: NgramStepper | None = None) -> None:
        if backend is None:
            from inference.backends import OnnxBackend

            backend = OnnxBackend()
        self.manifest, self.backend = manifest, backend
        self.layers = int(manifest.extra["layers"])
        self.hidden = int(manifest.extra["hidden"])
        self.ngram = ngram if ngram is not None else load_ngram(manifest)
        # One decode makes one call per row: with the in-process backend, use its (sha-verified, cached)
        # session directly instead of re-validating four small arrays ~1500 times.
        self._session = backend.session(manifest) if hasattr(backend, "session") else None
        self.rule = DecisionRule.from_manifest(manifest)
        self.layout = HistoryLayout.of(manifest)  # which chart memories the history input holds

    def initial_state(self, batch: int) -> np.ndarray:
        return np.zeros((self.layers, batch, self.hidden), dtype=np.float32)

    def step(self, rows: np.ndarray, history: np.ndarray, state: Any) -> tuple[dict[str, np.ndarray], Any]:
        ngram = self.ngram.log_probs(slots_of(rows), prev_masks(history))
        feeds = {"row": rows, "history": history, "ngram": ngram, "state": state}
        if self._session is not None:  # local ONNX: skip per-call validation, the inputs are ours
            values = self._session.run(list(STEP_OUTPUTS), feeds)
            out = dict(zip(STEP_OUTPUTS, values))
        else:
            out = self.backend.run(self.manifest, feeds)
        return out, out["state_out"]


# ---------------------------------------------------------------------------------------------------- decoding
_LOGITS = ("arrow_logits", "hold_logits", "length_logits")


@dataclass
class LaneRequest:
    """One chart to decode: its onset rows (exact beats, and seconds from the chart's timing), slot, and the
    row features from :func:`inference.lane_features.row_features`."""

    beats: list[Fraction]
    features: np.ndarray
    slot: int


class _Track:
    """Decoding state of one chart: the rows chosen so far and the holds still running."""

    def __init__(self, request: LaneRequest, layout: HistoryLayout) -> None:
        n = len(request.beats)
        self.beats, self.slot = request.beats, int(request.slot)
        self.rows = LaneRows(list(request.beats), np.zeros(n, np.int64), np.zeros(n, np.int64),
                             [[Fraction(0)] * N_LANES for _ in range(n)])
        self.head_row = [-1] * N_LANES  # row index of the running hold in each lane, -1 when none
        self.beats_f = [float(b) for b in request.beats]  # floats of the exact beats, for fast compares
        self.hold_end = [0.0] * N_LANES  # float(head beat + length) of each lane's running hold
        self.memory = ChartMemory(self.beats, layout)
        self.jump_rows = self.hold_heads = self.arrows = 0  # decided so far: rows with a jump, hold heads, arrows
        self.masses: deque[float] = deque(maxlen=FLOOR_WINDOW_ROWS)  # recent rows' jump masses (jump floor)

    def held(self, i: int) -> int:
        mask = 0
        beat = self.beats_f[i]
        for lane, r in enumerate(self.head_row):  # floats order like the exact beats on any musical grid
            if r >= 0 and self.hold_end[lane] >= beat:
                mask |= 1 << lane
        return mask

    def history(self, i: int) -> np.ndarray:
        copy = self.memory.query(self.rows.arrows, i)
        return history_features(self.rows.arrows, self.rows.holds, i, self.held(i), copy)

    def release(self, i: int, held: int) -> None:
        """End the holds in ``held`` on the sixteenth grid before row ``i`` (or make them taps)."""
        for lane in range(N_LANES):
            r = self.head_row[lane]
            if not (held >> lane) & 1 or r < 0:
                continue
            tail = (math.ceil(self.beats[i] / TAIL_GRID_BEAT) - 1) * TAIL_GRID_BEAT
            length = tail - self.beats[r]
            self.rows.lengths[r][lane] = length if length >= MIN_HOLD_BEAT else Fraction(0)
            if length < MIN_HOLD_BEAT:
                self.rows.holds[r] &= ~(1 << lane)
            self.head_row[lane] = -1

    def choose(self, i: int, out: dict[str, np.ndarray], temperature: float, rng: np.random.Generator,
               rule: DecisionRule) -> None:
        held = self.held(i)
        allowed = allowed_classes(held, self.slot)
        if not allowed.any():
            self.release(i, held)
            held = self.held(i)
            allowed = allowed_classes(held, self.slot)
        if (allowed & ~_JUMPS).any() and not within_cap(self.jump_rows, i, rule.jump_cap[self.slot]):
            allowed = allowed & ~_JUMPS
        threshold, mass = rule.jump[self.slot], None
        if threshold is not None and temperature <= 0:
            mass = jump_mass(out["arrow_logits"], allowed)
            if mass is not None:
                floor = rule.jump_floor[self.slot]
                if floor is not None and below_floor(self.jump_rows, i, floor) and len(self.masses) >= RATE_WARMUP_ROWS:
                    # the passage's top `floor` share of jump masses; a flat passage (no row ranks above
                    # another) gets none
                    recent = np.fromiter(self.masses, np.float64)
                    k = int(round((1.0 - float(floor)) * (len(recent) - 1)))  # nearest-rank quantile
                    rank = float(np.partition(recent, k)[k])
                    if mass >= rank > float(recent.min()):
                        threshold = min(threshold, mass)
                self.masses.append(mass)
        arrows = masked_choice(out["arrow_logits"], allowed, temperature, rng, threshold, mass) + 1
        hold_p = 1.0 / (1.0 + np.exp(-out["hold_logits"].astype(np.float64)))
        holds = sum(1 << lane for lane in range(N_LANES) if (arrows >> lane) & 1 and hold_p[lane] >= rule.hold[self.slot])
        if holds and not within_cap(self.hold_heads, self.arrows, rule.hold_cap[self.slot],
                                    int(POPCOUNT[holds]), int(POPCOUNT[arrows])):
            holds = 0
        self.jump_rows += int(POPCOUNT[arrows] >= 2)
        self.hold_heads += int(POPCOUNT[holds])
        self.arrows += int(POPCOUNT[arrows])
        length = HOLD_LENGTHS_BEAT[int(np.argmax(out["length_logits"]))]
        self.rows.arrows[i], self.rows.holds[i] = arrows, holds
        self.memory.record(self.rows.arrows, i)
        for lane in range(N_LANES):
            if (holds >> lane) & 1:
                self.rows.lengths[i][lane] = length
                self.head_row[lane] = i
                self.hold_end[lane] = float(self.beats[i] + length)


def decode_rows(stepper: LaneStepper, requests: Sequence[LaneRequest], temperature: float = 0.0,
                seed: int = 0) -> list[LaneRows]:
    """Autoregressive decoding of several charts at once (one model call per row index for the whole batch).

    Parameters
    ----------
    stepper : LaneStepper
        The lane model (:class:`OnnxLaneStepper`) or a rule baseline.
    requests : sequence of LaneRequest
        Charts to decode; row counts may differ.
    temperature : float
        0 = greedy (deterministic); > 0 samples arrow sets from the tempered softmax.
    seed : int
        Seed of the sampler (same seed, same chart).

    Returns
    -------
    list of LaneRows, one per request, satisfying the post-rules of this module.
    """
    rng = np.random.default_rng(seed)
    rule = getattr(stepper, "rule", DecisionRule())
    layout = HistoryLayout.of(stepper)
    tracks = [_Track(r, layout) for r in requests]
    n_max = max((len(r.beats) for r in requests), default=0)
    state = stepper.initial_state(len(requests))
    for i in range(n_max):
        rows = np.stack([r.features[min(i, len(r.beats) - 1)] if len(r.beats) else
                         np.zeros(r.features.shape[1], np.float32) for r in requests])
        history = np.stack([t.history(i) if i < len(t.beats) else np.zeros(layout.dim, np.float32)
                            for t in tracks])
        out, state = stepper.step(rows, history, state)
        for b, track in enumerate(tracks):
            if i < len(track.beats):
                track.choose(i, {k: out[k][b] for k in _LOGITS}, temperature, rng, rule)
    return [t.rows for t in tracks]


def teacher_forced_classes(stepper: LaneStepper, features: Sequence[np.ndarray], histories: Sequence[np.ndarray],
                           slots: Sequence[int], rule: DecisionRule | None = None) -> list[np.ndarray]:
    """Next-row predictions given the *reference* previous rows (the lane metric of EVALUATION.md).

    ``features[b]`` (N_b, ROW_DIM) and ``histories[b]`` (N_b, D) are one chart's row features and
    teacher-forced history (:func:`inference.lane_features.teacher_history` in the stepper's layout). Each row's arrow set is the argmax over the classes the post-rules allow given the
    reference holds (so a model and a rule baseline are scored under the same constraints), or with ``rule``
    the greedy decision of :func:`decode_rows` under that :class:`DecisionRule`. Returns one mask array (N_b,)
    per chart.
    """
    rule = rule or DecisionRule()
    sizes = [len(f) for f in features]
    state = stepper.initial_state(len(sizes))
    preds = [np.zeros(n, dtype=np.int64) for n in sizes]
    for i in range(max(sizes, default=0)):
        idx = [min(i, max(n - 1, 0)) for n in sizes]
        rows = np.stack([f[j] if len(f) else np.zeros(f.shape[1], np.float32) for f, j in zip(features, idx)])
        hist = np.stack([h[j] if len(h) else np.zeros(h.shape[1], np.float32) for h, j in zip(histories, idx)])
        out, state = stepper.step(rows, hist, state)
        held = held_from_history(hist)
        for b, n in enumerate(sizes):
            if i < n:
                allowed = allowed_classes(int(held[b]), int(slots[b]))
                preds[b][i] = masked_choice(out["arrow_logits"][b], allowed, 0.0, _NO_RNG,
                                            rule.jump[int(slots[b])]) + 1
    return preds


def assign_lanes(rows_beats: Sequence[Fraction], rows_seconds: np.ndarray, slot: int,
                 audio_feats: np.ndarray | None = None, model: Any = None, seed: int = 0,
                 temperature: float = 0.0) -> list[Note]:
    """Arrows and holds for one chart's onset rows; what the drafter calls.

    Parameters
    ----------
    rows_beats : sequence of Fraction
        Onset rows in beats (sorted, distinct).
    rows_seconds : np.ndarray, float64, shape (N,)
        The same rows in seconds (the chart's timing).
    slot : int
        Difficulty index, Beginner=0 .. Challenge=4.
    audio_feats : np.ndarray, float32, shape (T, C), optional
        :func:`inference.features.compute_features` output with the lane manifest's feature parameters.
    model : Manifest, LaneStepper or None
        The lane model's manifest (run through :class:`OnnxLaneStepper`), any stepper, or None for the
        alternation rule.
    seed, temperature : int, float
        Greedy when ``temperature`` is 0; otherwise sampled with ``seed``.

    Returns
    -------
    list of Note
        Taps and holds in lanes 0..3 satisfying the post-rules.
    """
    stepper, frame_rate_hz, n_mels = stepper_for(model)
    feats = row_features(list(rows_beats), np.asarray(rows_seconds), int(slot), audio_feats, frame_rate_hz, n_mels)
    request = LaneRequest(list(rows_beats), feats, int(slot))
    return decode_rows(stepper, [request], temperature, seed)[0].to_notes()


def stepper_for(model: Any) -> tuple[LaneStepper, float, int]:
    """A stepper and the feature frame rate (Hz) and mel bands for ``model`` (see :func:`assign_lanes`)."""
    if model is None:
        return AlternationStepper(), 100.0, 80
    stepper = model if hasattr(model, "step") else OnnxLaneStepper(model)
    params = getattr(getattr(stepper, "manifest", None), "features", None)
    return stepper, (params.frame_rate if params else 100.0), (params.n_mels if params else 80)


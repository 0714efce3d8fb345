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
(held + new arrows: two feet), no jack faster than the slot's ``lane_decision.MIN_JACK_S``, and no mines;
the variety caps of :mod:`inference.lane_variety` (no long 2-4 row arrow loops, Beginner/Easy not all Left/Right)
and the pace caps of :mod:`inference.lane_pace` (jumps in fast runs, jump jacks, jacks under an eighth note).
Rules live in :mod:`inference.lane_decision`, not in the model, so that the rule baseline and the learned model obey exactly the same constraints.

Row features and history inputs come from :mod:`inference.lane_features`, which training imports too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Protocol

import numpy as np

from chart.notes import Note
from inference.lane_decision import (
    JUMP_CLASSES,
    DecisionRule,
    RateFloor,
    allowed_classes,
    choice_probability,
    free_classes,
    jump_mass,
    masked_choice,
    quick_rows,
    repeat_mass,
    within_cap,
)
from inference.lane_features import (
    HOLD_LENGTHS_BEAT,
    N_LANES,
    POPCOUNT,
    LaneRows,
    cut_hold_length,
    held_from_history,
    history_head,
    row_features,
)
from inference.lane_memory import ChartMemory, HistoryLayout
from inference.lane_pace import LanePace
from inference.lane_rules import AlternationStepper, NgramStepper, load_ngram, prev_masks, slots_of
from inference.lane_variety import LaneVariety

STEP_OUTPUTS = ("arrow_logits", "hold_logits", "length_logits", "state_out")
_NO_RNG = np.random.default_rng(0)  # greedy choices never draw from it
_POPCOUNT: list[int] = POPCOUNT.tolist()


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


@dataclass
class LaneRequest:
    """One chart to decode: its onset rows (exact beats, and seconds from the chart's timing), slot, and the
    row features from :func:`inference.lane_features.row_features`."""

    beats: list[Fraction]
    features: np.ndarray
    slot: int
    seconds: np.ndarray | None = None  # the rows' times; without them no fast-repeat cap (DecisionRule)
    # context: the arrows of the first ``len(given)`` rows are given (a chart's notes before the drafted
    # passage: the model reads them as it reads its own choices, so the passage continues the chart's patterns)
    given: LaneRows | None = None
    # rows anywhere whose arrows are fixed: row index -> (arrow mask, hold mask, hold length per lane), e.g. a
    # refine keeping the lower chart's arrows on the rows it keeps; decoded rows around them follow them
    fixed: dict[int, tuple[int, int, list[Fraction]]] | None = None


class _Track:
    """Decoding state of one chart: the rows chosen so far and the holds still running."""

    def __init__(self, request: LaneRequest, layout: HistoryLayout, rule: DecisionRule) -> None:
        n = len(request.beats)
        self.beats, self.slot = request.beats, int(request.slot)
        # lane masks of the rows as ints (what the history and the memories read) and hold lengths; the
        # LaneRows of the chart is built from them when decoding ends (:meth:`rows`)
        self.arrow_masks, self.hold_masks = [0] * n, [0] * n
        self.confidence = [1.0] * n  # the model's probability of each decoded row's arrow set
        self.lengths = [[Fraction(0)] * N_LANES for _ in range(n)]
        self.head_row = [-1] * N_LANES  # row index of the running hold in each lane, -1 when none
        self.beats_f = [float(b) for b in request.beats]  # floats of the exact beats, for fast compares
        self.hold_end = [0.0] * N_LANES  # float(head beat + length) of each lane's running hold
        self.memory = ChartMemory(self.beats, layout)
        self.variety = LaneVariety(self.slot)  # loop and Left/Right caps (inference.lane_variety)
        # decided so far: rows with a jump, hold heads, arrows, repeats (lane_decision.repeat_rows)
        self.jump_rows = self.hold_heads = self.arrows = self.repeats = self.fast_repeats = 0
        # which rows come soon after the row before (a repeat there is a fast jack); unknown without the times
        self.quick = [False] * n if request.seconds is None else quick_rows(request.seconds).tolist()
        self.jump_floor = RateFloor(rule.jump_floor[self.slot])
        self.repeat_floor = RateFloor(rule.repeat_floor[self.slot], per_consulted=True)
        self.fixed: dict[int, tuple[int, int, list[Fraction]]] = dict(request.fixed or {})
        # a running hold whose head is a given row (the chart's own, from before the drafted passage): the decoder
        # cannot shorten it, so it never ends it to make room (that left notes inside a real hold)
        self.n_given = len(request.given) if request.given is not None else 0
        if request.given is not None:
            g = request.given
            self.fixed.update({i: (int(g.arrows[i]), int(g.holds[i]), list(g.lengths[i])) for i in range(len(g))})
        # jack floors, fast jumps (lane_pace), the floors looking forward to fixed rows too
        self.pace = LanePace(self.slot, self.beats, request.seconds, self.fixed)

    def held(self, i: int) -> int:
        mask = 0
        beat = self.beats_f[i]
        for lane, r in enumerate(self.head_row):  # floats order like the exact beats on any musical grid
            if r >= 0 and self.hold_end[lane] >= beat:
                mask |= 1 << lane
        return mask

    def history(self, i: int) -> list[float]:
        """Row ``i``'s history vector as a list (:func:`inference.lane_features.history_features`)."""
        out = history_head(self.arrow_masks, self.hold_masks, i, self.held(i))
        self.memory.write(out, self.arrow_masks, i)
        return out

    def rows(self) -> LaneRows:
        """The chart's rows as decoded so far."""
        return LaneRows(list(self.beats), np.array(self.arrow_masks, dtype=np.int64),
                        np.array(self.hold_masks, dtype=np.int64), self.lengths,
                        np.array(self.confidence, dtype=np.float64))

    def release(self, i: int, held: int) -> None:
        """End the holds in ``held`` on the sixteenth grid before row ``i`` (or make them taps); the chart's own
        running holds (head on a given row) stay."""
        for lane in range(N_LANES):
            r = self.head_row[lane]
            if not (held >> lane) & 1 or r < self.n_given:  # -1: none running; a given row: the chart's own
                continue
            length = cut_hold_length(self.beats[r], self.beats[i])
            self.lengths[r][lane] = length
            if not length:
                self.hold_masks[r] &= ~(1 << lane)
            self.head_row[lane] = -1

    def _repeat_class(self, i: int, allowed: np.ndarray) -> int | None:
        """The class of row ``i - 1``'s arrow when it is a single that row ``i`` may repeat and another single
        is allowed too (a choice to make), else None."""
        prev = self.arrow_masks[i - 1] if i else 0
        if _POPCOUNT[prev] != 1 or not allowed[prev - 1]:
            return None
        others = allowed & ~JUMP_CLASSES
        return prev - 1 if int(others.sum()) >= 2 else None

    def force(self, i: int) -> None:
        """Row ``i`` is a fixed row (context, or kept from a lower chart): take its arrows and holds as they are,
        ending first any decoded hold that runs into its lanes or would make it a three-panel row."""
        arrows, holds, lengths = self.fixed[i]
        held = self.held(i)
        if held & arrows or _POPCOUNT[held] + _POPCOUNT[arrows] > 2:
            self.release(i, held)
        self._take(i, arrows, holds, list(lengths))

    def _take(self, i: int, arrows: int, holds: int, lengths: list[Fraction]) -> None:
        """Record row ``i``'s arrows and holds (``lengths[lane]`` of each hold): counts, memory, running holds."""
        repeated = bool(i) and arrows == self.arrow_masks[i - 1] and _POPCOUNT[arrows] == 1
        self.repeats += repeated
        self.fast_repeats += repeated and self.quick[i]
        self.jump_rows += int(_POPCOUNT[arrows] >= 2)
        self.hold_heads += _POPCOUNT[holds]
        self.arrows += _POPCOUNT[arrows]
        self.arrow_masks[i], self.hold_masks[i] = arrows, holds
        self.memory.record(self.arrow_masks, i)
        self.variety.record(self.arrow_masks, i)
        self.pace.record(self.arrow_masks, i)
        for lane in range(N_LANES):
            if (holds >> lane) & 1:
                self.lengths[i][lane] = lengths[lane]
                self.head_row[lane] = i
                self.hold_end[lane] = float(self.beats[i] + lengths[lane])

    def choose(self, i: int, out: dict[str, Any], temperature: float, rng: np.random.Generator,
               rule: DecisionRule) -> None:
        """Row ``i``'s arrows and holds from the model's outputs for it: ``arrow_logits`` (15,), ``hold_p``
        (4 hold probabilities) and ``length`` (index of the hold length), see :func:`decode_rows`."""
        held = self.held(i)
        allowed = allowed_classes(held, self.slot)
        if not allowed.any():
            self.release(i, held)
            held = self.held(i)
            allowed = allowed_classes(held, self.slot)
            if not allowed.any():  # two of the chart's own holds run here: no two-panel row fits between them
                allowed = free_classes(held)
        if (allowed & ~JUMP_CLASSES).any() and not within_cap(self.jump_rows, i, rule.jump_cap[self.slot]):
            allowed = allowed & ~JUMP_CLASSES
        allowed = self.pace.allowed(allowed, self.arrow_masks, i)
        allowed = self.variety.allowed(allowed, self.arrow_masks, i)
        logits = out["arrow_logits"]
        threshold, mass = rule.jump[self.slot], None
        if threshold is not None and temperature <= 0:
            mass = jump_mass(logits, allowed)
            if mass is not None:
                threshold = self.jump_floor.threshold(threshold, mass, self.jump_rows, i)
        repeat, lift = self._repeat_class(i, allowed), False
        if repeat is not None:  # the row may repeat the row before's arrow, or take another single
            if not within_cap(self.repeats, i, rule.repeat_cap[self.slot]) or (
                    self.quick[i] and not within_cap(self.fast_repeats, i, rule.fast_repeat_cap[self.slot])):
                allowed = allowed.copy()
                allowed[repeat] = False  # the jump mass above is the unmasked row's
            elif temperature <= 0 and self.repeat_floor.floor is not None:  # its mass only matters for a floor
                lift = self.repeat_floor.lifts(repeat_mass(logits, allowed, repeat), self.repeats, i)
        arrows = masked_choice(logits, allowed, temperature, rng, threshold, mass) + 1
        if lift and repeat is not None and _POPCOUNT[arrows] == 1:
            arrows = repeat + 1
        self.confidence[i] = choice_probability(logits, allowed, arrows - 1)
        hold_p, hold_min = out["hold_p"], rule.hold[self.slot]
        holds = sum(1 << lane for lane in range(N_LANES) if (arrows >> lane) & 1 and hold_p[lane] >= hold_min)
        if holds and not within_cap(self.hold_heads, self.arrows, rule.hold_cap[self.slot],
                                    _POPCOUNT[holds], _POPCOUNT[arrows]):
            holds = 0
        self._take(i, arrows, holds, [HOLD_LENGTHS_BEAT[out["length"]]] * N_LANES)


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
    tracks = [_Track(r, layout, rule) for r in requests]
    n_max = max((len(r.beats) for r in requests), default=0)
    state = stepper.initial_state(len(requests))
    # every step's row features at once, [row, chart, feature]; a chart past its last row repeats that row
    width = requests[0].features.shape[1] if requests else 0
    steps = np.zeros((n_max, len(requests), width), dtype=np.float32)
    for b, r in enumerate(requests):
        if len(r.beats):
            steps[:len(r.beats), b] = r.features[:len(r.beats)]
            steps[len(r.beats):, b] = r.features[len(r.beats) - 1]
    for i in range(n_max):
        rows = steps[i]
        history = np.array([t.history(i) if i < len(t.beats) else [0.0] * layout.dim for t in tracks],
                           dtype=np.float32).reshape(len(tracks), layout.dim)
        out, state = stepper.step(rows, history, state)
        # the elementwise parts of every track's choice at once (same values as row by row)
        hold_p = (1.0 / (1.0 + np.exp(-out["hold_logits"].astype(np.float64)))).tolist()
        length = np.argmax(out["length_logits"], axis=1).tolist()
        for b, track in enumerate(tracks):
            if i in track.fixed:
                track.force(i)
            elif i < len(track.beats):
                track.choose(i, {"arrow_logits": out["arrow_logits"][b], "hold_p": hold_p[b], "length": length[b]},
                             temperature, rng, rule)
    return [t.rows() for t in tracks]


def teacher_forced_classes(stepper: LaneStepper, features: Sequence[np.ndarray], histories: Sequence[np.ndarray],
                           slots: Sequence[int], rule: DecisionRule | None = None) -> list[np.ndarray]:
    """Next-row predictions given the *reference* previous rows (the lane metric of docs/evaluation.md).

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
    """Arrows and holds for one chart's onset rows (:func:`decode_rows` on one request: for tests and scripts; the
    drafter batches its charts through :func:`decode_rows` itself, with context rows and kept arrows).

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
    request = LaneRequest(list(rows_beats), feats, int(slot), np.asarray(rows_seconds, dtype=np.float64))
    return decode_rows(stepper, [request], temperature, seed)[0].to_notes()


def stepper_for(model: Any) -> tuple[LaneStepper, float, int]:
    """A stepper and the feature frame rate (Hz) and mel bands for ``model`` (see :func:`assign_lanes`)."""
    if model is None:
        return AlternationStepper(), 100.0, 80
    stepper = model if hasattr(model, "step") else OnnxLaneStepper(model)
    params = getattr(getattr(stepper, "manifest", None), "features", None)
    return stepper, (params.frame_rate if params else 100.0), (params.n_mels if params else 80)


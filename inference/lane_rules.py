"""Rule baselines for lane assignment, with the same stepper interface as the lane model (pure numpy).

* :class:`NgramStepper`: the most frequent next arrow set given the previous rows' sets and the slot, from
  sparse counts over the training charts (built by :mod:`training.lane_baseline`, shipped as
  ``lane.ngram.npz``). The lane model also reads its log-probabilities as an input and learns corrections.
* :class:`CopyNgramStepper`: the n-gram, overridden by exact repeats earlier in the chart;
  :class:`PermCopyNgramStepper` also follows repeats under a lane renaming (mirrored phrases).
* :class:`AlternationStepper`: a pure rule, feet alternate.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from inference.lane_features import (
    COPY_CONTEXTS,
    HOLD_LENGTHS_BEAT,
    N_ARROW_CLASSES,
    N_LANES,
    N_SLOTS,
    POPCOUNT,
    PREV_ROWS,
    TIMING_DIM,
)
from inference.lane_memory import DEFAULT_LAYOUT, HistoryLayout

KEY_SPAN = N_SLOTS * 16 ** PREV_ROWS  # keys of one depth lie in [0, KEY_SPAN)
_CACHE_ROWS = 100_000  # remembered n-gram rows per table before the memo starts afresh (~6 MB)


def slots_of(rows: np.ndarray) -> np.ndarray:
    """Slot index (B,) of each row from the slot one-hot inside the row features (B, ROW_DIM)."""
    return np.argmax(rows[:, TIMING_DIM - N_SLOTS:TIMING_DIM], axis=1)


def _masks(bits: np.ndarray) -> np.ndarray:
    return (bits.astype(np.int64) << np.arange(N_LANES)).sum(axis=1)


_LANE_SHIFTS = np.arange(N_LANES)


def prev_masks(history: np.ndarray) -> np.ndarray:
    """Masks of the previous PREV_ROWS rows (B, PREV_ROWS), newest first, from history features."""
    bits = history[:, :N_LANES * PREV_ROWS].reshape(len(history), PREV_ROWS, N_LANES).astype(np.int64)
    return (bits << _LANE_SHIFTS).sum(axis=2)


def context_keys(slots: np.ndarray, prev: np.ndarray, depth: int) -> np.ndarray:
    """Sparse-table keys ``slot + 5 * sum(prev_j * 16 ** j)`` over the ``depth`` newest previous masks."""
    ctx = (prev[:, :depth] * 16 ** np.arange(depth)).sum(axis=1) if depth else np.zeros(len(slots), np.int64)
    return np.asarray(slots, dtype=np.int64) + N_SLOTS * ctx


class NgramStepper:
    """Rule baseline: the most frequent next arrow set given the previous ``order - 1`` sets and the slot.

    Counts per context depth ``d = 0 .. order - 1`` are sparse: sorted int64 ``keys[d]`` (see
    :func:`context_keys`; previous masks are 0 before the chart) and float32 ``counts[d]`` (n_d, 15).
    Probabilities interpolate down the depths, ``p_d = (c_d + beta p_{d-1}) / (n_d + beta)`` from uniform.
    """

    def __init__(self, keys: Sequence[np.ndarray], counts: Sequence[np.ndarray], beta: float = 2.0) -> None:
        if not 1 <= len(keys) <= PREV_ROWS + 1 or len(keys) != len(counts):
            raise ValueError(f"n-gram order must be 1..{PREV_ROWS + 1} with one count table per depth")
        self.keys = [np.asarray(k, dtype=np.int64) for k in keys]
        self.counts = [np.asarray(c, dtype=np.float32) for c in counts]
        self.order, self.beta = len(self.keys), float(beta)
        # All depths in one sorted table (depth d's keys shifted by d * KEY_SPAN): one search per step.
        self._offsets = [d * KEY_SPAN for d in range(self.order)]
        self._all_keys = np.concatenate([k + o for k, o in zip(self.keys, self._offsets)])
        self._all_counts = np.concatenate(self.counts).reshape(-1, N_ARROW_CLASSES)
        self._cache: dict[tuple[int, ...], np.ndarray] = {}  # (slot, previous masks) -> log-probability row

    @classmethod
    def load(cls, path: str | Path) -> NgramStepper:
        """Read the ``.npz`` written by :func:`training.lane_baseline.save_ngram`."""
        with np.load(path) as data:
            order = int(data["order"])
            return cls([data[f"keys_{d}"] for d in range(order)], [data[f"counts_{d}"] for d in range(order)],
                       float(data["beta"]))

    def lookup(self, slots: np.ndarray, prev: np.ndarray) -> list[np.ndarray]:
        """Counts (B, 15) of the next set for each depth (zeros for unseen contexts)."""
        b = len(slots)
        keys = np.concatenate([context_keys(slots, prev, d) + self._offsets[d] for d in range(self.order)])
        idx = np.minimum(np.searchsorted(self._all_keys, keys), max(len(self._all_keys) - 1, 0))
        hit = self._all_keys[idx] == keys if len(self._all_keys) else np.zeros(len(keys), bool)
        counts = np.where(hit[:, None], self._all_counts[idx], 0.0).astype(np.float32) if len(self._all_keys) \
            else np.zeros((len(keys), N_ARROW_CLASSES), np.float32)
        return [counts[d * b:(d + 1) * b] for d in range(self.order)]

    def interpolate(self, counts: Sequence[np.ndarray]) -> np.ndarray:
        """Log-probabilities (B, 15) from per-depth counts (see the class docstring)."""
        p = np.full(counts[0].shape, 1.0 / N_ARROW_CLASSES)
        for d, c in enumerate(counts):
            weight = self.beta if d else 1.0
            p = (c + weight * p) / (c.sum(axis=1, keepdims=True) + weight)
        return np.log(p).astype(np.float32)

    def log_probs(self, slots: np.ndarray, prev: np.ndarray) -> np.ndarray:
        """(B, 15) log-probabilities of the next set; ``prev`` (B, >= order - 1) masks, newest first.

        Rows are computed independently, so each context's row is remembered (a decoder asks for the same
        few hundred contexts over and over, one row per step)."""
        slots = np.asarray(slots, dtype=np.int64)
        prev = np.asarray(prev, dtype=np.int64)
        keys = [(s, *p) for s, p in zip(slots.tolist(), prev[:, :self.order - 1].tolist())]
        found = [self._cache.get(key) for key in keys]
        missing = [b for b, row in enumerate(found) if row is None]
        if missing:
            if len(self._cache) > _CACHE_ROWS:
                self._cache.clear()
            fresh = self.interpolate(self.lookup(slots[missing], prev[missing]))
            for b, row in zip(missing, fresh):
                self._cache[keys[b]] = found[b] = row
        out = [row for row in found if row is not None]  # every row by now
        if not out:
            return np.zeros((0, N_ARROW_CLASSES), dtype=np.float32)
        return np.stack(out)

    def initial_state(self, batch: int) -> None:
        return None

    def step(self, rows: np.ndarray, history: np.ndarray, state: Any) -> tuple[dict[str, np.ndarray], Any]:
        return no_holds(self.log_probs(slots_of(rows), prev_masks(history))), state


def load_ngram(manifest: Any) -> NgramStepper:
    """The n-gram shipped beside a lane model (``extra.ngram``), its sha256 checked against the manifest."""
    from inference.manifest import ManifestError, file_sha256

    info = manifest.extra.get("ngram")
    if not info:
        raise ManifestError(f"{manifest.model_id}: manifest names no n-gram table (extra.ngram)")
    path = manifest.model_path.parent / info["file"]
    if not path.is_file():
        raise ManifestError(f"n-gram table missing: {path}")
    if info.get("sha256") and file_sha256(path) != info["sha256"]:
        raise ManifestError(f"{path.name} does not match its manifest (sha256)")
    return NgramStepper.load(path)


#: Permuted contexts of the :class:`PermCopyNgramStepper` rule (the best of 3..6 as the shortest on the
#: monitor charts).
RULE_PERM_CONTEXTS = (4, 6, 8, 12, 16)


class CopyNgramStepper:
    """Rule baseline: the n-gram's choice, unless the last rows (arrows and rhythm) occurred before in this
    chart -- then the arrows that followed the longest such context (the copy hints of the history features).
    Histories must be built with ``layout`` (the exact hints sit at the same place in every layout)."""

    use_perm = False

    def __init__(self, ngram: NgramStepper, layout: HistoryLayout | None = None) -> None:
        self.ngram = ngram
        self.layout = layout or (HistoryLayout(perm_contexts=RULE_PERM_CONTEXTS) if self.use_perm else DEFAULT_LAYOUT)

    def initial_state(self, batch: int) -> None:
        return None

    def step(self, rows: np.ndarray, history: np.ndarray, state: Any) -> tuple[dict[str, np.ndarray], Any]:
        logits = self.ngram.log_probs(slots_of(rows), prev_masks(history)).astype(np.float64)
        hints = self.layout.hints(history)
        # Exact hints, then (PermCopyNgramStepper) permuted ones; the longest found context wins, an exact
        # repeat over a permuted one of the same length.
        perm = self.layout.perm_contexts if self.use_perm else ()
        ranked = sorted([(k, 1, j) for j, k in enumerate(COPY_CONTEXTS)] +
                        [(k, 0, len(COPY_CONTEXTS) + j) for j, k in enumerate(perm)])
        for rank, (_, _, j) in enumerate(ranked):  # ascending: later (stronger) hints override
            found = np.flatnonzero(hints[:, j, N_LANES] > 0)
            logits[found, _masks(hints[found, j, :N_LANES]) - 1] = 100.0 + rank
        return no_holds(logits.astype(np.float32)), state


class PermCopyNgramStepper(CopyNgramStepper):
    """Rule baseline: :class:`CopyNgramStepper` that also follows repeats under a lane renaming (mirrored or
    rotated phrases, :class:`inference.lane_memory.PermMemory`). Reads histories built with :attr:`layout`."""

    use_perm = True


class AlternationStepper:
    """Pure rule baseline: feet alternate, so repeat the single arrow of two rows back when it differs from
    the previous one; otherwise step on the panel opposite the previous one (Left<->Right, Down<->Up)."""

    _OPPOSITE = {1: 8, 8: 1, 2: 4, 4: 2}

    def initial_state(self, batch: int) -> np.ndarray:
        return np.zeros(batch, dtype=np.int64)

    def step(self, rows: np.ndarray, history: np.ndarray, state: Any) -> tuple[dict[str, np.ndarray], Any]:
        prev = prev_masks(history)[:, 0]
        logits = np.zeros((len(prev), N_ARROW_CLASSES), dtype=np.float32)
        logits[:, [0, 7]] = 0.5  # Left, Right: the commonest single arrows as a fallback
        for b, (p1, p2) in enumerate(zip(prev, state)):
            if POPCOUNT[p2] == 1 and p2 != p1:
                logits[b, p2 - 1] = 2.0
            elif int(p1) in self._OPPOSITE:
                logits[b, self._OPPOSITE[int(p1)] - 1] = 1.0
        return no_holds(logits), prev


def no_holds(arrow_logits: np.ndarray) -> dict[str, np.ndarray]:
    """Step outputs of a rule: its arrow logits, never a hold."""
    b = len(arrow_logits)
    return {"arrow_logits": arrow_logits, "hold_logits": np.full((b, N_LANES), -10.0, dtype=np.float32),
            "length_logits": np.zeros((b, len(HOLD_LENGTHS_BEAT)), dtype=np.float32)}

"""Rule baselines for the lane model: an n-gram over arrow sets, stored sparse for :class:`NgramStepper`.

The n-gram predicts the next row's arrow set from the previous ``order - 1`` sets and the difficulty slot,
estimated on the training charts with interpolated backoff (see :class:`inference.lanes.NgramStepper`). The
table ships beside the lane model (``lane.ngram.npz``) so that ``main.py eval`` scores the baseline without the
training data.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from inference.lane_features import N_ARROW_CLASSES, N_SLOTS
from inference.lane_rules import NgramStepper, context_keys

BACKOFF_WEIGHT = 2.0  # beta: pseudo-counts given to the lower-order estimate
NGRAM_FILE = "lane.ngram.npz"


def _context_codes(arrows: np.ndarray, depth: int) -> np.ndarray:
    """``sum(prev_j * 16 ** j)`` over the previous ``depth`` masks of every row (0 before the chart)."""
    code = np.zeros(len(arrows), dtype=np.int64)
    for j in range(1, depth + 1):
        prev = np.zeros(len(arrows), dtype=np.int64)
        prev[j:] = arrows[:-j] if len(arrows) > j else prev[j:]
        code += prev * 16 ** (j - 1)
    return code


def build_ngram(charts: Sequence, order: int, beta: float = BACKOFF_WEIGHT) -> NgramStepper:
    """Count next-set statistics of ``charts`` (``slot`` and ``arrows`` masks are read) up to ``order``.

    Parameters
    ----------
    charts : sequence of LaneChart
    order : int
        1 (per-slot unigram), 2 (previous row), ... 5 (four previous rows).
    beta : float
        Backoff pseudo-count weight.
    """
    keys, counts = [], []
    for depth in range(order):
        all_keys = np.concatenate([c.slot + N_SLOTS * _context_codes(c.arrows, depth) for c in charts])
        all_next = np.concatenate([c.arrows - 1 for c in charts])
        uniq, inverse = np.unique(all_keys, return_inverse=True)
        table = np.zeros((len(uniq), N_ARROW_CLASSES), dtype=np.float32)
        np.add.at(table, (inverse, all_next), 1.0)
        keys.append(uniq)
        counts.append(table)
    return NgramStepper(keys, counts, beta)


def previous_masks(arrows: np.ndarray, depth: int = 4) -> np.ndarray:
    """(N, depth) masks of the previous rows of every row, newest first, 0 before the chart."""
    out = np.zeros((len(arrows), depth), dtype=np.int64)
    for j in range(1, depth + 1):
        out[j:, j - 1] = arrows[:-j] if len(arrows) > j else out[j:, j - 1]
    return out


def chart_log_probs(stepper: NgramStepper, chart, leave_out: bool) -> np.ndarray:
    """The n-gram's log-probabilities (N, 15) for every row of ``chart`` given its reference history.

    With ``leave_out`` the chart's own counts are removed first (the chart was part of the counts): a model
    trained on these features sees the n-gram as it is on unseen charts, not one that memorised the answer.
    """
    slots = np.full(len(chart.arrows), chart.slot, dtype=np.int64)
    prev = previous_masks(chart.arrows)
    counts = stepper.lookup(slots, prev)
    if leave_out:
        for d in range(stepper.order):
            keys = context_keys(slots, prev, d)
            uniq, inverse = np.unique(keys, return_inverse=True)
            own = np.zeros((len(uniq), N_ARROW_CLASSES), dtype=np.float32)
            np.add.at(own, (inverse, chart.arrows - 1), 1.0)
            counts[d] = np.maximum(counts[d] - own[inverse], 0.0)
    return stepper.interpolate(counts)


def save_ngram(stepper: NgramStepper, path: str | Path) -> Path:
    """Write the tables as ``.npz`` atomically (counts as uint32 would do; float32 keeps loading trivial)."""
    from chart.fileio import atomic_write_bytes

    arrays: dict[str, Any] = {"order": np.array(stepper.order), "beta": np.array(stepper.beta)}
    for d in range(stepper.order):
        arrays[f"keys_{d}"] = stepper.keys[d]
        arrays[f"counts_{d}"] = stepper.counts[d]
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return atomic_write_bytes(path, buf.getvalue())

"""Rule baselines for the lane model: an n-gram over arrow sets, and the choice of the best simple rule.

The n-gram predicts the next row's arrow set from the previous ``order - 1`` sets and the difficulty slot,
estimated on the training charts with interpolated backoff (absolute discounting would be overkill at 15
symbols): ``p_k = (c_k + beta * p_{k-1}) / (n_k + beta)`` down to a per-slot unigram. The table ships in the
lane manifest (``extra.ngram``) so that ``main.py eval`` scores the baseline without the training data.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from inference.lane_features import N_ARROW_CLASSES, N_SLOTS

BACKOFF_WEIGHT = 2.0  # beta: pseudo-counts given to the lower-order estimate


def _contexts(arrows: np.ndarray, depth: int) -> np.ndarray:
    """Context index of every row: ``sum(prev_j * 16 ** j)`` over the previous ``depth`` masks (0 = none)."""
    index = np.zeros(len(arrows), dtype=np.int64)
    for j in range(1, depth + 1):
        prev = np.zeros(len(arrows), np.int64)
        prev[j:] = arrows[:-j] if len(arrows) > j else prev[j:]
        index += prev * 16 ** (j - 1)
    return index


def build_ngram(charts: Sequence, order: int, beta: float = BACKOFF_WEIGHT) -> np.ndarray:
    """Log-probability table of the next arrow set.

    Parameters
    ----------
    charts : sequence of LaneChart
        Training charts (``slot`` and ``arrows`` bit masks are used).
    order : int
        1 (per-slot unigram), 2 (previous row), 3 (two previous rows), ...
    beta : float
        Backoff pseudo-count weight.

    Returns
    -------
    np.ndarray, float32, shape (N_SLOTS, 16 ** (order - 1), 15)
        Natural-log probabilities, as :class:`inference.lanes.NgramStepper` reads them.
    """
    if order < 1:
        raise ValueError(f"n-gram order must be >= 1, got {order}")
    probs = np.full((N_SLOTS, 1, N_ARROW_CLASSES), 1.0 / N_ARROW_CLASSES)
    for depth in range(order):
        counts = np.zeros((N_SLOTS, 16 ** depth, N_ARROW_CLASSES))
        for chart in charts:
            ctx = _contexts(chart.arrows, depth)
            np.add.at(counts, (chart.slot, ctx, chart.arrows - 1), 1.0)
        lower = probs[:, _parent_index(depth), :]
        total = counts.sum(axis=2, keepdims=True)
        weight = beta if depth else 1.0
        probs = (counts + weight * lower) / (total + weight)
    return np.log(probs).astype(np.float32)


def _parent_index(depth: int) -> np.ndarray:
    """For each context of ``depth`` masks, the index of the context without its oldest mask."""
    if depth == 0:
        return np.zeros(1, dtype=np.int64)
    return np.arange(16 ** depth) % 16 ** (depth - 1)


def ngram_to_json(table: np.ndarray) -> dict:
    """Compact JSON form for the manifest (log-probabilities rounded to 3 decimals)."""
    return {"order": int(round(np.log(table.shape[1]) / np.log(16))) + 1,
            "shape": list(table.shape), "log_probs": np.round(table, 3).ravel().tolist()}

"""Rule baselines and the n-gram input of the lane model."""

from __future__ import annotations

import numpy as np

from inference.lane_rules import NgramStepper


def test_ngram_memo_gives_the_rows_it_would_compute(monkeypatch) -> None:
    """The n-gram remembers each context's row; remembered, fresh and mixed batches give the computed rows,
    also across a reset of the memo."""
    import inference.lane_rules as lane_rules

    rng = np.random.default_rng(4)
    keys = [np.sort(rng.choice(5 * 16 ** d, size=40, replace=False)) if d else np.arange(5) for d in range(3)]
    counts = [rng.integers(0, 5, size=(len(k), 15)).astype(np.float32) for k in keys]
    stepper = NgramStepper(keys, counts)
    monkeypatch.setattr(lane_rules, "_CACHE_ROWS", 6)
    for _ in range(40):
        b = int(rng.integers(1, 6))
        slots, prev = rng.integers(0, 5, size=b), rng.integers(0, 3, size=(b, 4))
        expected = stepper.interpolate(stepper.lookup(slots, prev))
        got = stepper.log_probs(slots, prev)
        assert got.dtype == np.float32
        assert np.array_equal(got, expected)
    assert len(stepper._cache) <= 6 + 5  # reset once past the bound (a batch may add up to 5 rows)
    assert stepper.log_probs(np.zeros(0, np.int64), np.zeros((0, 4), np.int64)).shape == (0, 15)

"""Chart-model metrics, as fixed by docs/evaluation.md.

* Onsets: one onset per note row; predicted and reference onset times are matched one-to-one within a window
  (``mir_eval.util.match_events``, the matching ``mir_eval.onset.f_measure`` uses) at ±50 ms and ±20 ms.
  Counts are summed over charts (micro average) per difficulty slot and over all; the mean per-chart F1 is
  reported beside it.
* Density: generated notes per second ÷ reference notes per second per chart (the same song duration on both
  sides, so the ratio of counts); the median of ``|ratio - 1|`` over charts.
* Lanes: exact-row accuracy (same set of lanes) over reference rows.

Only numpy and mir_eval: no torch, so evaluation runs where only the app's dependencies are installed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

WINDOWS_S = {"50ms": 0.05, "20ms": 0.02}
SLOT_KEYS = ("beginner", "easy", "medium", "hard", "challenge")


def count_matches(ref_s: np.ndarray, est_s: np.ndarray, window_s: float) -> int:
    """Number of one-to-one matches between reference and estimated onset times.

    Parameters
    ----------
    ref_s, est_s : np.ndarray, shape (n,), (m,)
        Onset times in seconds (any order).
    window_s : float
        Largest allowed ``|ref - est|`` in seconds for a match.

    Returns
    -------
    int
        Size of a maximum matching (true positives).
    """
    import mir_eval.util

    ref = np.sort(np.asarray(ref_s, dtype=np.float64))
    est = np.sort(np.asarray(est_s, dtype=np.float64))
    if ref.size == 0 or est.size == 0:
        return 0
    return len(mir_eval.util.match_events(ref, est, window_s))


@dataclass
class Counts:
    """True positives, reference and estimated onset counts, summed over any number of charts."""

    tp: int = 0
    n_ref: int = 0
    n_est: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.n_ref + other.n_ref, self.n_est + other.n_est)

    @property
    def precision(self) -> float:
        """TP / estimated; 0 when nothing was estimated."""
        return self.tp / self.n_est if self.n_est else 0.0

    @property
    def recall(self) -> float:
        """TP / reference; 0 when the reference is empty."""
        return self.tp / self.n_ref if self.n_ref else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall, ``2 TP / (n_ref + n_est)``; 0 when both are empty."""
        total = self.n_ref + self.n_est
        return 2.0 * self.tp / total if total else 0.0


def chart_counts(ref_s: np.ndarray, est_s: np.ndarray, window_s: float) -> Counts:
    """:class:`Counts` of one chart at one window (times in seconds)."""
    return Counts(count_matches(ref_s, est_s, window_s), int(np.size(ref_s)), int(np.size(est_s)))


def density_ratio(n_est: int, n_ref: int) -> float:
    """Generated ÷ reference notes per second for one chart (same duration, so a ratio of counts).

    Returns ``inf`` for an empty reference with a non-empty estimate and 1 when both are empty.
    """
    if n_ref == 0:
        return 1.0 if n_est == 0 else float("inf")
    return n_est / n_ref


def median_density_error(ratios: Iterable[float]) -> float:
    """Median of ``|ratio - 1|`` over charts (0 for no charts)."""
    values = np.abs(np.asarray(list(ratios), dtype=np.float64) - 1.0)
    return float(np.median(values)) if values.size else 0.0


@dataclass
class OnsetTally:
    """Accumulates onset results chart by chart and produces the ``onset`` block of the eval JSON."""

    counts: dict[str, dict[str, Counts]] = field(
        default_factory=lambda: {w: {s: Counts() for s in SLOT_KEYS} for w in WINDOWS_S}
    )
    chart_f1_50ms: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    slot_charts: dict[str, int] = field(default_factory=lambda: {s: 0 for s in SLOT_KEYS})

    def charts_in(self, slot_key: str) -> int:
        """Charts of that slot scored so far."""
        return self.slot_charts[slot_key]

    def add_chart(self, slot_key: str, ref_s: np.ndarray, est_s: np.ndarray) -> Counts:
        """Score one chart (onset times in seconds) and add it; returns its ±50 ms counts."""
        if slot_key not in SLOT_KEYS:
            raise ValueError(f"unknown slot {slot_key!r}")
        result = Counts()
        for name, window_s in WINDOWS_S.items():
            c = chart_counts(ref_s, est_s, window_s)
            self.counts[name][slot_key] = self.counts[name][slot_key] + c
            if name == "50ms":
                result = c
        self.chart_f1_50ms.append(result.f1)
        self.slot_charts[slot_key] += 1
        self.ratios.append(density_ratio(int(np.size(est_s)), int(np.size(ref_s))))
        return result

    def total(self, window: str) -> Counts:
        """Micro sum over every slot at one window (``"50ms"`` or ``"20ms"``)."""
        out = Counts()
        for c in self.counts[window].values():
            out = out + c
        return out

    def _by_slot(self, window: str, attr: str) -> dict[str, float | None]:
        """Per slot and over all; None for a slot without reference charts (a figure not measured, not 0)."""
        values: dict[str, Counts | None] = {"all": self.total(window)}
        values.update({s: self.counts[window][s] if self.charts_in(s) else None for s in SLOT_KEYS})
        return {k: None if c is None else round(float(getattr(c, attr)), 4) for k, c in values.items()}

    def onset_block(self) -> dict:
        """The ``onset`` object of docs/evaluation.md (micro averages per slot and over all)."""
        mean_f1 = float(np.mean(self.chart_f1_50ms)) if self.chart_f1_50ms else 0.0
        return {
            "f1_50ms": self._by_slot("50ms", "f1"),
            "precision_50ms": self._by_slot("50ms", "precision"),
            "recall_50ms": self._by_slot("50ms", "recall"),
            "f1_20ms": self._by_slot("20ms", "f1"),
            "chart_mean_f1_50ms": round(mean_f1, 4),
        }

    def density_error_median(self) -> float:
        """Median ``|generated/reference density - 1|`` over the charts added so far."""
        return round(median_density_error(self.ratios), 4)

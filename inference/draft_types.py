"""What drafting takes and returns: song analysis, drafts with their provenance, cancel token, errors.

Split from :mod:`inference.drafter` (which re-exports these names) so that its internals in
:mod:`inference.draft_audio` can use them without importing the drafter.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from chart.notes import Note
from chart.song import MODEL_SLOTS, Slot
from chart.timing import TimingData
from inference.manifest import FeatureParams

ProgressFn = Callable[[str, float], None]
AudioLike = str | Path | tuple[np.ndarray, int]
#: Feature parameters that decide the frames (the normalisation aside): equal ones give the same raw features.
FRAME_KEYS = ("sample_rate", "hop_length", "n_mels", "n_ffts", "fmin", "fmax")


def same_frames(a: FeatureParams, b: FeatureParams) -> bool:
    """Whether raw features computed with ``a`` and ``b`` are the same (only the normalisation may differ)."""
    return all(getattr(a, k) == getattr(b, k) for k in FRAME_KEYS)


class DraftError(ValueError):
    """A draft request that cannot be served (no model, bad slot, empty range, ...); one line."""


def to_slot(value: Slot | int | str) -> Slot:
    """A model slot (Beginner..Challenge) from a Slot, index or name; DraftError otherwise."""
    try:
        slot = value if isinstance(value, Slot) else Slot(value) if isinstance(value, int) else Slot.parse(value)
    except ValueError as exc:
        raise DraftError(str(exc)) from exc
    if slot not in MODEL_SLOTS:
        raise DraftError(f"the model drafts {', '.join(s.sm_name for s in MODEL_SLOTS)}, not {slot.sm_name}")
    return slot


class Cancelled(Exception):
    """The draft was cancelled through its :class:`CancelToken`."""


class CancelToken:
    """Thread-safe cancel flag; the drafter checks it between stages."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled("draft cancelled")


@dataclass(frozen=True)
class Provenance:
    """Where a draft came from; stored with the ReplaceRegion command and printed by the CLI."""

    model_id: str
    manifest_version: int
    sha256: str
    lane_model: str
    backend: str
    seed: int
    parameters: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"model_id": self.model_id, "manifest_version": self.manifest_version, "sha256": self.sha256,
                "lane_model": self.lane_model, "backend": self.backend, "seed": self.seed,
                "parameters": dict(self.parameters)}


@dataclass
class SlotDraft:
    """Notes drafted for one slot in ``[start_beat, end_beat)``."""

    slot: Slot
    notes: list[Note]
    start_beat: Fraction
    end_beat: Fraction
    threshold: float
    provenance: Provenance
    # For the editor's ghost colours and curve overlay: each drafted onset row's peak probability (by beat), and
    # the model's onset probability per frame (frame i at i / frame_rate s; zero outside the drafted window).
    row_confidence: dict[Fraction, float] = field(default_factory=dict)
    curve: np.ndarray | None = None
    frame_rate: float = 0.0
    # the lane model's probability of each drafted row's arrow set (rows whose arrows it chose; 1 where they were
    # given, e.g. kept from a refine's lower chart)
    lane_confidence: dict[Fraction, float] = field(default_factory=dict)

    def nps(self, timing: TimingData) -> float | None:
        """Notes per second in the measure an NPS target uses (:func:`inference.decode.rows_for_nps`: a jump
        counts 2, first note to last, the drafted span for fewer than two rows); None without notes."""
        from chart.stats import onset_times_s
        from inference.decode import density_span

        seconds = onset_times_s(self.notes, timing)  # one entry per onset note
        span_s = float(self.provenance.parameters.get("span_s") or 0.0)
        return seconds.size / density_span(seconds, span_s) if seconds.size and span_s > 0 else None


@dataclass
class SongAnalysis:
    """Per-song features, computed once: raw (for the lane model) and normalised (for the onset model)."""

    raw: np.ndarray  # float32 [T, C]
    normalised: np.ndarray  # float32 [T, C]
    frame_rate: float  # frames per second
    duration_s: float
    samples: np.ndarray | None = None  # mono float32, kept for models with other feature parameters
    sample_rate: int = 0
    other_features: dict[str, np.ndarray] = field(default_factory=dict)  # raw features by params repr

    def raw_features(self, params: FeatureParams, own: FeatureParams) -> np.ndarray:
        """Raw features with ``params``: the cached ones when only the normalisation differs."""
        if same_frames(params, own):
            return self.raw
        key = repr(params)
        if key not in self.other_features:
            from inference.features import compute_features

            if self.samples is None:
                raise DraftError("this analysis kept no samples to compute the lane model's features")
            self.other_features[key] = compute_features(self.samples, self.sample_rate, params)
        return self.other_features[key]

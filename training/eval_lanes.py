"""The lane block of ``main.py eval``: exact-row accuracy of the lane model and of the rule baselines.

Every predictor sees the reference onset rows and the reference history (previous arrows, holds, held lanes:
teacher forcing, as DDC scores step selection) and takes the likeliest arrow set the post-rules allow; a row
counts when the predicted lane set equals the reference one. The baseline is the best of the rules -- the
n-gram shipped with the lane model, that n-gram overridden by exact repeats earlier in the chart, the same also
following repeats under a lane renaming (mirrored phrases), and the alternation rule -- over the same rows. The log also reports the model under the drafter's decision rule
(calibrated jump/hold thresholds, which trade some accuracy for the reference jump rate) and without audio.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from inference.draft_types import same_frames
from inference.lane_features import TIMING_DIM, row_features, rows_from_notes, teacher_history
from inference.lane_memory import HistoryLayout
from inference.lane_rules import AlternationStepper, CopyNgramStepper, PermCopyNgramStepper, load_ngram
from inference.lanes import OnnxLaneStepper, teacher_forced_classes
from training.metrics import SLOT_KEYS


class LaneScorer:
    """Accumulates lane hits song by song for the model (when shipped) and the rule baselines."""

    def __init__(self, manifest: Any = None, backend: Any = None) -> None:
        self.manifest = manifest
        self.steppers: dict[str, Any] = {"alternation": AlternationStepper()}
        if manifest is not None:
            ngram = load_ngram(manifest)
            self.steppers["model"] = OnnxLaneStepper(manifest, backend, ngram)
            self.steppers["ngram"] = ngram
            self.steppers["copy_ngram"] = CopyNgramStepper(ngram)
            self.steppers["perm_copy_ngram"] = PermCopyNgramStepper(ngram)
        self.hits = {name: np.zeros(len(SLOT_KEYS), np.int64) for name in self.steppers}
        self.rows = np.zeros(len(SLOT_KEYS), np.int64)

    def _params(self) -> tuple[float, int, Any]:
        params = self.manifest.features if self.manifest is not None else None
        return (params.frame_rate, params.n_mels, params) if params else (100.0, 80, None)

    def _features_for(self, song: Any, raw: np.ndarray | None, raw_params: Any) -> np.ndarray | None:
        """Raw features in the lane manifest's parameters (recomputed only when the onset side used others)."""
        _, _, params = self._params()
        if params is None:
            return raw
        if raw is not None and raw_params is not None and same_frames(raw_params, params):
            return raw
        from audio.decode import load_audio
        from inference.features import compute_features

        samples, sr = load_audio(song.audio, sr=params.sample_rate)
        return compute_features(samples, sr, params)

    def add_song(self, song: Any, raw: np.ndarray | None, raw_params: Any) -> None:
        """Score every chart of ``song`` (an evaluate ``_Song``) with features ``raw`` [T, C] or None."""
        rate_hz, n_mels, _ = self._params()
        feats = self._features_for(song, raw, raw_params)
        rows_in, slots, refs, charts = [], [], [], []
        for slot, chart in sorted(song.charts.items()):
            rows = rows_from_notes(chart.notes)
            seconds = song.song.timing_for(chart).beats_to_seconds_array(np.array([float(b) for b in rows.beats]))
            rows_in.append(row_features(rows.beats, seconds, slot, feats, rate_hz, n_mels))
            slots.append(slot)
            refs.append(rows.arrows)
            charts.append(rows)
            self.rows[slot] += len(rows)
        # Each predictor reads the teacher-forced history in its own layout (the rules read only their parts).
        layouts = {HistoryLayout.of(s) for s in self.steppers.values()}
        hist_by = {lay: [teacher_history(rows, lay) for rows in charts] for lay in layouts}
        runs = [(name, stepper, rows_in, None) for name, stepper in self.steppers.items()]
        if "model" in self.steppers:  # for the model card: the drafter's decision rule, and no audio at all
            model = self.steppers["model"]
            runs.append(("model_as_drafted", model, rows_in, model.rule))
            silent = [np.concatenate([r[:, :TIMING_DIM], np.zeros_like(r[:, TIMING_DIM:])], axis=1) for r in rows_in]
            runs.append(("model_without_audio", model, silent, None))
        for name, stepper, inputs, rule in runs:
            preds = teacher_forced_classes(stepper, inputs, hist_by[HistoryLayout.of(stepper)], slots, rule)
            hits = self.hits.setdefault(name, np.zeros(len(SLOT_KEYS), np.int64))
            for slot, pred, ref in zip(slots, preds, refs):
                hits[slot] += int(np.sum(pred == ref))

    def accuracy(self, name: str) -> float:
        return float(self.hits[name].sum() / max(int(self.rows.sum()), 1))

    def block(self) -> dict:
        """``{"rows", "accuracy", "baseline_accuracy"}``: argmax accuracy of the model and of the best rule
        (without a lane model, accuracy is the alternation rule's)."""
        rules = [n for n in self.steppers if n != "model"]  # the rule baselines only (argmax, like the model)
        best_rule = max(self.accuracy(n) for n in rules)
        main = self.accuracy("model") if "model" in self.steppers else self.accuracy("alternation")
        return {"rows": int(self.rows.sum()), "accuracy": round(main, 4), "baseline_accuracy": round(best_rule, 4)}

    def summary(self) -> dict:
        """Accuracy of every predictor, overall and per slot (for logs and the model card)."""
        out = {}
        for name, hits in self.hits.items():
            per_slot = {k: round(float(h / r), 4) for k, h, r in zip(SLOT_KEYS, hits, self.rows) if r}
            out[name] = {"all": round(self.accuracy(name), 4), **per_slot}
        return out

"""Validation during training: full-song onset probabilities of held-out songs and onset F1 (mir_eval).

This is the trainer's own quick check (PyTorch forward, production decoder, micro F1 at +-50 ms and +-20 ms
over all charts, plain and refine-conditioned). The official numbers come from ``main.py eval`` (docs/evaluation.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from inference.beatguide import beat_guide
from inference.decode import decode_onsets, settings_for
from inference.manifest import SlotDecode
from training.crops import impulse_train
from training.data import SongData
from training.metrics import count_matches
from training.model import OnsetEnsemble, OnsetModel


@dataclass
class ChartProbs:
    """Model output of one validation chart: probabilities [T], reference onsets (s), slot, song, mode."""

    song: str
    slot: int
    prob: np.ndarray
    ref_s: np.ndarray
    song_data: SongData
    cond_slot: int | None = None


@torch.no_grad()
def song_probs(model: OnsetModel | OnsetEnsemble, song: SongData, mean: np.ndarray, std: np.ndarray, frame_rate: float,
               device: str = "cpu", refine: bool = False) -> list[ChartProbs]:
    """Probabilities for every chart of a song: plain, or (``refine``) one per (lower, higher) pair."""
    model.eval()
    x = (song.features.astype(np.float32) - mean) / std
    enc = model.encode(torch.from_numpy(x)[None].to(device))
    t = song.n_frames
    jobs = ([(s, lo) for s in sorted(song.charts) for lo in sorted(song.charts) if lo < s] if refine
            else [(s, None) for s in sorted(song.charts)])
    if not jobs:
        return []
    guides = np.stack([beat_guide(song.charts[s].timing, t, frame_rate) for s, _ in jobs])
    cond = np.stack([impulse_train(song.charts[lo].onset_s * frame_rate, t) if lo is not None
                     else np.zeros(t, np.float32) for _, lo in jobs])
    present = np.array([lo is not None for _, lo in jobs], dtype=np.float32)
    logits = model.head(
        enc.expand(len(jobs), -1, -1), torch.from_numpy(guides).to(device),
        torch.tensor([s for s, _ in jobs], device=device),
        torch.from_numpy(cond).to(device), torch.tensor([lo or 0 for _, lo in jobs], device=device),
        torch.from_numpy(present).to(device),
    )
    prob = torch.sigmoid(logits).cpu().numpy()
    return [ChartProbs(song.key, s, prob[i], song.charts[s].onset_s, song, lo) for i, (s, lo) in enumerate(jobs)]


def f1_from_counts(tp: int, n_est: int, n_ref: int) -> tuple[float, float, float]:
    """(precision, recall, F1) from match and event counts (0 where undefined)."""
    p = tp / n_est if n_est else 0.0
    r = tp / n_ref if n_ref else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(charts: Sequence[ChartProbs], frame_rate: float, settings: dict[int, SlotDecode] | None = None,
          threshold: float | None = None, window_s: float = 0.05) -> dict[str, float]:
    """Micro P/R/F1 per slot and overall, plus the median density error |n_est / n_ref - 1|."""
    counts: dict[str, list[int]] = {}
    density = []
    for c in charts:
        cfg = settings[c.slot] if settings else settings_for(None, c.slot)
        if threshold is not None:
            cfg = SlotDecode(**{**cfg.__dict__, "threshold": threshold})
        est = decode_onsets(c.prob, frame_rate, c.song_data.charts[c.slot].timing, cfg).seconds
        tp = count_matches(c.ref_s, est, window_s)
        for key in ("all", str(c.slot)):
            acc = counts.setdefault(key, [0, 0, 0])
            acc[0] += tp
            acc[1] += len(est)
            acc[2] += len(c.ref_s)
        density.append(abs(len(est) / max(len(c.ref_s), 1) - 1.0))
    out: dict[str, float] = {}
    for key, (tp, n_est, n_ref) in counts.items():
        out[f"p_{key}"], out[f"r_{key}"], out[f"f1_{key}"] = f1_from_counts(tp, n_est, n_ref)
    out["density_error_median"] = float(np.median(density)) if density else 0.0
    return out


def validation_loss(charts: Sequence[ChartProbs], frame_rate: float) -> float:
    """Mean BCE of the probabilities against hard onset trains (a threshold-free progress signal)."""
    total, n = 0.0, 0
    for c in charts:
        y = impulse_train(c.ref_s * frame_rate, len(c.prob))
        p = np.clip(c.prob, 1e-6, 1 - 1e-6)
        total += float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).sum())
        n += len(p)
    return total / max(n, 1)

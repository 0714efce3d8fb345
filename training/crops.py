"""Random training crops with augmentation, as numpy batches ready for :class:`training.model.OnsetModel`.

A batch holds ``n_crops`` audio crops and, for each crop, one row per chart slot the song has (all slots share
the crop's audio encoding, which is what makes CPU training affordable). Each row may carry a lower chart of the
same song as refine conditioning (dropped at random so one model serves both modes).

Augmentation: time-stretch (features interpolated in time, onsets and beat guide moved with them), gain (a
constant added to the log magnitudes), a noise floor (``logaddexp`` with a constant level), SpecAugment band and
time masks, and GenéLive-style random deletion of beat-guide marks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from inference.beatguide import beat_guide_window, mask_beat_marks
from inference.draft_audio import impulse_train
from training.data import SongData


@dataclass
class CropConfig:
    """Crop size (frames), targets and augmentation probabilities."""

    crop_frames: int = 2400
    n_crops: int = 8
    target_sigma_frames: float = 1.0
    target_radius_frames: int = 2
    cond_prob: float = 0.6
    stretch_prob: float = 0.5
    stretch_max: float = 0.05
    gain_max: float = 0.7  # natural-log units (~ +-6 dB)
    noise_prob: float = 0.3
    freq_mask_prob: float = 0.5
    freq_mask_bands: int = 8
    time_mask_prob: float = 0.5
    time_mask_frames: int = 10
    beat_mask_prob: float = 0.135
    beat_mask_rate: float = 0.123
    augment: bool = True


@dataclass
class Batch:
    """Numpy batch: ``features`` [Ba, L, C]; per row ``crop`` [R] (index into Ba), ``beat_guide`` [R, L, G],
    ``difficulty`` [R], ``cond_onsets`` [R, L], ``cond_difficulty`` [R], ``cond_present`` [R],
    ``target`` [R, L] (soft onset targets in [0, 1])."""

    features: np.ndarray
    crop: np.ndarray
    beat_guide: np.ndarray
    difficulty: np.ndarray
    cond_onsets: np.ndarray
    cond_difficulty: np.ndarray
    cond_present: np.ndarray
    target: np.ndarray


def soft_targets(pos_frames: np.ndarray, n_frames: int, sigma: float, radius: int) -> np.ndarray:
    """Gaussian-smeared onset train: max over onsets of ``exp(-d^2 / 2 sigma^2)`` within ``radius`` frames.

    Parameters
    ----------
    pos_frames : np.ndarray, float [N]
        Onset positions in (fractional) frames.
    n_frames : int
    sigma, radius : float, int
        Width of the bump in frames; frames further than ``radius`` stay 0.

    Returns
    -------
    np.ndarray, float32 [n_frames]
    """
    out = np.zeros(n_frames, dtype=np.float32)
    if pos_frames.size == 0:
        return out
    centre = np.rint(pos_frames).astype(np.int64)
    for d in range(-radius, radius + 1):
        idx = centre + d
        ok = (idx >= 0) & (idx < n_frames)
        val = np.exp(-((idx[ok] - pos_frames[ok]) ** 2) / (2 * sigma ** 2)).astype(np.float32)
        np.maximum.at(out, idx[ok], val)
    return out


def _crop_features(song: SongData, start: float, rate: float, n: int) -> np.ndarray:
    """Features at source positions ``start + i * rate`` (linear interpolation, silence-padded)."""
    pos = start + np.arange(n) * rate
    lo = np.floor(pos).astype(np.int64)
    frac = (pos - lo).astype(np.float32)[:, None]
    feats = song.features
    floor_value = feats.min(axis=0) if len(feats) else 0.0
    a = np.where((lo >= 0)[:, None] & (lo < len(feats))[:, None],
                 feats[np.clip(lo, 0, len(feats) - 1)].astype(np.float32), floor_value)
    b = np.where((lo + 1 < len(feats))[:, None] & (lo + 1 >= 0)[:, None],
                 feats[np.clip(lo + 1, 0, len(feats) - 1)].astype(np.float32), floor_value)
    return a * (1 - frac) + b * frac


def _augment_raw(x: np.ndarray, cfg: CropConfig, rng: np.random.Generator) -> np.ndarray:
    x = x + rng.uniform(-cfg.gain_max, cfg.gain_max)
    if rng.random() < cfg.noise_prob:
        x = np.logaddexp(x, rng.uniform(-6.0, -3.0)).astype(np.float32)
    return x


def _spec_augment(x: np.ndarray, n_mels: int, cfg: CropConfig, rng: np.random.Generator) -> None:
    n_groups = x.shape[1] // n_mels
    if rng.random() < cfg.freq_mask_prob:
        for _ in range(2):
            w = int(rng.integers(1, cfg.freq_mask_bands + 1))
            f0 = int(rng.integers(0, n_mels - w))
            for g in range(n_groups):  # the same bands in every FFT size
                x[:, g * n_mels + f0:g * n_mels + f0 + w] = 0.0
    if rng.random() < cfg.time_mask_prob:
        for _ in range(2):
            w = int(rng.integers(1, cfg.time_mask_frames + 1))
            t0 = int(rng.integers(0, max(1, len(x) - w)))
            x[t0:t0 + w] = 0.0


def _rows_for_crop(song: SongData, ci: int, t0_s: float, period_s: float, cfg: CropConfig,
                   rng: np.random.Generator, rows: dict[str, list]) -> None:
    n = cfg.crop_frames
    slots = sorted(song.charts)
    for slot in slots:
        chart = song.charts[slot]
        guide = beat_guide_window(chart.timing, t0_s, n, period_s)
        if cfg.augment and rng.random() < cfg.beat_mask_prob:
            guide = mask_beat_marks(guide, cfg.beat_mask_rate, rng)
        pos = (chart.onset_s - t0_s) / period_s
        lower = [s for s in slots if s < slot]
        present = bool(lower) and rng.random() < cfg.cond_prob
        cond_slot = int(rng.choice(lower)) if present else 0
        cond = (impulse_train((song.charts[cond_slot].onset_s - t0_s) / period_s, n) if present
                else np.zeros(n, dtype=np.float32))
        rows["crop"].append(ci)
        rows["beat_guide"].append(guide)
        rows["difficulty"].append(slot)
        rows["cond_onsets"].append(cond)
        rows["cond_difficulty"].append(cond_slot)
        rows["cond_present"].append(1.0 if present else 0.0)
        rows["target"].append(soft_targets(pos, n, cfg.target_sigma_frames, cfg.target_radius_frames))


def sample_batch(songs: list[SongData], mean: np.ndarray, std: np.ndarray, frame_rate: float, n_mels: int,
                 cfg: CropConfig, rng: np.random.Generator) -> Batch:
    """Draw ``cfg.n_crops`` random crops (songs weighted by length) and build their rows."""
    lengths = np.array([s.n_frames for s in songs], dtype=np.float64)
    picks = rng.choice(len(songs), size=cfg.n_crops, p=lengths / lengths.sum())
    n = cfg.crop_frames
    feats = np.empty((cfg.n_crops, n, len(mean)), dtype=np.float32)
    rows: dict[str, list] = {k: [] for k in ("crop", "beat_guide", "difficulty", "cond_onsets",
                                             "cond_difficulty", "cond_present", "target")}
    for ci, si in enumerate(picks):
        song = songs[si]
        stretch = (cfg.augment and rng.random() < cfg.stretch_prob)
        rate = 1.0 + rng.uniform(-cfg.stretch_max, cfg.stretch_max) if stretch else 1.0
        span = n * rate
        start = float(rng.uniform(0, max(song.n_frames - span, 0.0)))
        if rate == 1.0:  # whole frames: no interpolation blur when there is no stretch
            start = float(int(start))
        raw = _crop_features(song, start, rate, n)
        if cfg.augment:
            raw = _augment_raw(raw, cfg, rng)
        x = (raw - mean) / std
        if cfg.augment:
            _spec_augment(x, n_mels, cfg, rng)
        feats[ci] = x
        _rows_for_crop(song, ci, start / frame_rate, rate / frame_rate, cfg, rng, rows)
    return Batch(
        features=feats,
        crop=np.asarray(rows["crop"], dtype=np.int64),
        beat_guide=np.stack(rows["beat_guide"]),
        difficulty=np.asarray(rows["difficulty"], dtype=np.int64),
        cond_onsets=np.stack(rows["cond_onsets"]),
        cond_difficulty=np.asarray(rows["cond_difficulty"], dtype=np.int64),
        cond_present=np.asarray(rows["cond_present"], dtype=np.float32),
        target=np.stack(rows["target"]),
    )

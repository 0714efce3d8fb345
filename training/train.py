"""Training loop of the onset model: data, split, normalisation, crops, checkpoints, resume, validation.

``train(TrainConfig(...))`` is what ``python main.py train`` runs. Runs are deterministic for a given seed and
machine (numpy and torch generators seeded; their states are checkpointed so ``--resume`` continues the same
random stream; a checkpoint of other settings, songs or split is refused, and :func:`saved_config` gives the
configuration a run was started with). Each epoch ends with a validation pass on the held-out songs (training/splits/validation.txt)
and writes ``last.pt`` (and ``best.pt`` when validation F1 improves) plus one JSON line in ``log.jsonl``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F  # noqa: N812

from inference.features import normalisation_stats
from inference.manifest import FeatureParams
from training import validate
from training.caches import default_cache_dir, usable_cache_dir
from training.crops import Batch, CropConfig, sample_batch
from training.data import (
    SPLIT_FILE,
    DataError,
    SongData,
    load_song_data,
    song_folders,
    split_keys,
)
from training.model import OnsetModel, OnsetModelConfig, count_parameters

Log = Callable[[str], None]


@dataclass
class TrainConfig:
    """Everything that defines a training run (saved in every checkpoint)."""

    songs: str
    out: str
    device: str = "cpu"
    seed: int = 0
    epochs: int = 8
    lr: float = 2e-3
    weight_decay: float = 1e-4
    warmup_steps: int = 100
    pos_weight: float = 4.0
    threads: int = 1
    max_minutes: float | None = None
    ablation: str = "none"
    validation_file: str = str(SPLIT_FILE)
    cache_dir: str | None = field(default_factory=lambda: str(default_cache_dir("cache")))
    model: OnsetModelConfig = field(default_factory=OnsetModelConfig)
    crops: CropConfig = field(default_factory=CropConfig)
    features: FeatureParams = field(default_factory=FeatureParams)


#: Fields that do not define a run: a resumed run may change them (the rest must match its checkpoint; ``epochs``
#: may grow, as :func:`train` allows; ``main.py train --resume`` keeps it).
_RUN_FREE = ("songs", "out", "device", "threads", "max_minutes", "cache_dir", "validation_file", "epochs")


class TrainError(RuntimeError):
    """A run that cannot start (no usable songs, checkpoint mismatch); the message is one line."""


def saved_config(path: str | Path) -> TrainConfig:
    """The :class:`TrainConfig` a checkpoint (``last.pt``, ``best.pt``) was trained with (TrainError if unreadable)."""
    try:
        raw = dict(torch.load(path, map_location="cpu", weights_only=False)["train_config"])
        raw.update(model=OnsetModelConfig(**raw["model"]), crops=CropConfig(**raw["crops"]),
                   features=FeatureParams(**raw["features"]))
        return TrainConfig(**raw)
    except Exception as exc:  # a damaged or foreign file: one line, not a traceback
        raise TrainError(f"cannot read the run's configuration from {path}: {exc}".splitlines()[0]) from exc


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def load_dataset(cfg: TrainConfig, log: Log) -> tuple[list[SongData], list[SongData]]:
    """Read every song folder (features cached) and split into (train, validation) by song."""
    folders = song_folders(cfg.songs)
    cache = usable_cache_dir(cfg.cache_dir, log) if folders else None  # nothing to cache: no folder made
    songs: list[SongData] = []
    for i, folder in enumerate(folders, 1):
        try:
            songs.append(load_song_data(folder, cfg.features, cache))
        except (DataError, OSError) as exc:
            log(f"skip {folder.name}: {exc}")
        if i % 10 == 0 or i == len(folders):
            log(f"songs {i}/{len(folders)}")
    train_keys, val_keys = split_keys([s.key for s in songs], Path(cfg.validation_file))
    train = [s for s in songs if s.key in set(train_keys)]
    val = [s for s in songs if s.key in set(val_keys)]
    if not train:
        raise TrainError(f"no usable training songs in {cfg.songs}")
    if not val:
        raise TrainError(f"none of the songs in {cfg.songs} is on the validation list {cfg.validation_file}: "
                         "training picks its best epoch and tunes the thresholds there (--validation-list FILE "
                         "names your own, one song folder per line)")
    log(f"{len(train)} training songs ({sum(len(s.charts) for s in train)} charts), "
        f"{len(val)} validation songs ({sum(len(s.charts) for s in val)} charts)")
    return train, val


def _tensors(batch: Batch, device: str) -> dict[str, torch.Tensor]:
    return {k: torch.from_numpy(v).to(device) for k, v in dataclasses.asdict(batch).items()}


def batch_loss(model: OnsetModel, batch: Batch, pos_weight: float, device: str) -> torch.Tensor:
    """Weighted BCE on soft targets: frames near an onset weigh up to ``pos_weight`` times more."""
    t = _tensors(batch, device)
    enc = model.encode(t["features"])
    logits = model.head(enc.index_select(0, t["crop"]), t["beat_guide"], t["difficulty"], t["cond_onsets"],
                        t["cond_difficulty"], t["cond_present"])
    weight = 1.0 + (pos_weight - 1.0) * t["target"]
    return F.binary_cross_entropy_with_logits(logits, t["target"], weight=weight)


def lr_factor(step: int, total: int, warmup: int) -> float:
    """Linear warm-up then cosine decay to 2 % of the peak learning rate."""
    if step < warmup:
        return (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return 0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * progress))


@dataclass
class _State:
    model: OnsetModel
    opt: torch.optim.Optimizer
    rng: np.random.Generator
    step: int = 0
    epoch: int = 0
    best_f1: float = -1.0
    loss_sum: float = 0.0  # train losses of the current epoch so far (kept across a --max-minutes stop)
    loss_n: int = 0
    split: dict = field(default_factory=dict)  # song keys of both sides and steps per epoch


def _save(path: Path, st: _State, cfg: TrainConfig, params: FeatureParams, metrics: dict) -> None:
    import io

    from chart.fileio import atomic_write_bytes

    payload = {
        "model": st.model.state_dict(), "model_config": st.model.config.to_dict(),
        "optimizer": st.opt.state_dict(), "step": st.step, "epoch": st.epoch, "best_f1": st.best_f1,
        "loss_sum": st.loss_sum, "loss_n": st.loss_n, "split": st.split,
        "rng": st.rng.bit_generator.state, "torch_rng": torch.get_rng_state(),
        "features": dataclasses.asdict(params), "train_config": _config_dict(cfg), "metrics": metrics,
    }
    buf = io.BytesIO()
    torch.save(payload, buf)
    atomic_write_bytes(path, buf.getvalue())


def _config_dict(cfg: TrainConfig) -> dict:
    return dataclasses.asdict(cfg)


def _resume(path: Path, st: _State, cfg: TrainConfig, log: Log) -> None:
    ckpt = torch.load(path, map_location="cpu", weights_only=False)
    if ckpt["model_config"] != st.model.config.to_dict():
        raise TrainError(f"checkpoint {path} was trained with a different model config; use a new --out")
    saved, now = ckpt.get("train_config", {}), _config_dict(cfg)
    differ = [k for k in now if k not in _RUN_FREE and k in saved and saved[k] != now[k]]
    old_split = ckpt.get("split") or {}
    differ += [what for what in ("train", "validation", "steps_per_epoch")
               if what in old_split and old_split[what] != st.split[what]]
    if differ:
        names = {"train": "training songs", "validation": "validation songs", "steps_per_epoch": "steps per epoch"}
        raise TrainError(f"checkpoint {path} belongs to a run with other {', '.join(names.get(k, k) for k in differ)}"
                         "; resume it with its own settings and songs, or use a new --out")
    st.model.load_state_dict(ckpt["model"])
    st.opt.load_state_dict(ckpt["optimizer"])
    st.step, st.epoch, st.best_f1 = ckpt["step"], ckpt["epoch"], ckpt["best_f1"]
    st.loss_sum, st.loss_n = ckpt.get("loss_sum", 0.0), ckpt.get("loss_n", 0)
    st.rng.bit_generator.state = ckpt["rng"]
    torch.set_rng_state(ckpt["torch_rng"])
    log(f"resumed from {path} at epoch {st.epoch}, step {st.step}")


def _model_config(cfg: TrainConfig, n_channels: int) -> OnsetModelConfig:
    ablated = OnsetModelConfig.for_ablation(cfg.ablation)
    return dataclasses.replace(cfg.model, n_features=n_channels, use_beat_guide=ablated.use_beat_guide,
                               multiscale=ablated.multiscale, conditioning=ablated.conditioning)


def _feature_params(cfg: TrainConfig, train: list[SongData]) -> FeatureParams:
    # Every 4th frame is plenty for per-band mean/std and keeps this step fast.
    mean, std = normalisation_stats(s.features[::4] for s in train)
    return dataclasses.replace(cfg.features, norm_mean=mean, norm_std=std)


def _validate(st: _State, val: list[SongData], mean, std, params: FeatureParams, device: str) -> dict:
    charts = [c for s in val for c in validate.song_probs(st.model, s, mean, std, params.frame_rate, device)]
    if not charts:
        return {}
    out = {"val_loss": validate.validation_loss(charts, params.frame_rate)}
    best = max(((thr, validate.score(charts, params.frame_rate, threshold=thr)) for thr in (0.3, 0.4, 0.5, 0.6)),
               key=lambda item: item[1]["f1_all"])
    out.update({"val_threshold": best[0], **{f"val_{k}": v for k, v in best[1].items()}})
    return out


def _run_epoch(st: _State, cfg: TrainConfig, train: list[SongData], mean, std, params, total_steps: int,
               steps_per_epoch: int, log: Log, deadline: float) -> float:
    """The rest of the current epoch (all of it, unless a run stopped by --max-minutes left it half done)."""
    st.model.train()
    losses = []  # this call's, for the progress lines; st.loss_sum/loss_n hold the whole epoch's
    t0 = time.time()
    done = max(0, st.step - st.epoch * steps_per_epoch)
    for i in range(done, steps_per_epoch):
        for group in st.opt.param_groups:
            group["lr"] = cfg.lr * lr_factor(st.step, total_steps, cfg.warmup_steps)
        batch = sample_batch(train, mean, std, params.frame_rate, params.n_mels, cfg.crops, st.rng)
        loss = batch_loss(st.model, batch, cfg.pos_weight, cfg.device)
        st.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(st.model.parameters(), 1.0)
        st.opt.step()
        st.step += 1
        losses.append(loss.item())
        st.loss_sum, st.loss_n = st.loss_sum + losses[-1], st.loss_n + 1
        if (i + 1) % max(1, steps_per_epoch // 5) == 0 or i + 1 == steps_per_epoch:
            rate = (time.time() - t0) / (i + 1 - done)
            log(f"epoch {st.epoch + 1}/{cfg.epochs} step {i + 1}/{steps_per_epoch} "
                f"loss {np.mean(losses[-20:]):.4f} ({rate:.2f} s/step)")
        if time.time() > deadline:
            break
    return st.loss_sum / st.loss_n if st.loss_n else float("nan")


def train(cfg: TrainConfig, resume: bool = False, log: Log = _stderr) -> Path:
    """Run (or resume) training; returns the path of the best checkpoint."""
    out = Path(cfg.out)
    torch.set_num_threads(max(1, cfg.threads))
    torch.manual_seed(cfg.seed)
    train_songs, val_songs = load_dataset(cfg, log)
    out.mkdir(parents=True, exist_ok=True)  # only for a run that can start
    params = _feature_params(cfg, train_songs)
    mean = np.asarray(params.norm_mean, np.float32)
    std = np.asarray(params.norm_std, np.float32)
    cfg.model = _model_config(cfg, params.n_channels)
    model = OnsetModel(cfg.model).to(cfg.device)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    frames = sum(s.n_frames for s in train_songs)
    steps_per_epoch = max(1, math.ceil(frames / (cfg.crops.n_crops * cfg.crops.crop_frames)))
    split = {"train": sorted(s.key for s in train_songs), "validation": sorted(s.key for s in val_songs),
             "steps_per_epoch": steps_per_epoch}
    st = _State(model, opt, np.random.default_rng(cfg.seed), split=split)
    if resume and (out / "last.pt").is_file():
        _resume(out / "last.pt", st, cfg, log)
    total = steps_per_epoch * cfg.epochs
    log(f"model {count_parameters(model):,} parameters; {steps_per_epoch} steps/epoch, {total} steps")
    deadline = time.time() + 60 * cfg.max_minutes if cfg.max_minutes is not None else float("inf")
    while st.epoch < cfg.epochs and time.time() < deadline:
        t0 = time.time()
        train_loss = _run_epoch(st, cfg, train_songs, mean, std, params, total, steps_per_epoch, log, deadline)
        if st.step < (st.epoch + 1) * steps_per_epoch:  # only the deadline ends an epoch early
            _save(out / "last.pt", st, cfg, params, {"epoch": st.epoch, "step": st.step, "partial": True})
            limit = f"--max-minutes {cfg.max_minutes:g}" if cfg.max_minutes is not None else "time limit"
            log(f"stopped after step {st.step} of {total} ({limit}); --resume continues this epoch")
            break
        st.epoch += 1
        st.loss_sum, st.loss_n = 0.0, 0
        metrics = {"epoch": st.epoch, "step": st.step, "train_loss": train_loss,
                   **_validate(st, val_songs, mean, std, params, cfg.device), "seconds": time.time() - t0}
        improved = metrics.get("val_f1_all", 0.0) > st.best_f1
        if improved:
            st.best_f1 = metrics["val_f1_all"]
        _save(out / "last.pt", st, cfg, params, metrics)
        if improved:
            _save(out / "best.pt", st, cfg, params, metrics)
        with open(out / "log.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(metrics) + "\n")
        log(" ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items()))
    return out / ("best.pt" if (out / "best.pt").is_file() else "last.pt")

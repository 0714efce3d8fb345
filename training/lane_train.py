"""Train the lane model: teacher-forced GRU over chart rows, checkpoints, resume, ONNX export with manifest.

Data: the training songs of the audio set (the validation list of :mod:`training.data` is held out) plus every
text-only chart; a few text-only songs (by hash, ``MONITOR_SHARE``) are held out to pick the best epoch, so the
validation songs are never used for model selection and the lane numbers reported on them stay honest.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
import torch.nn.functional as F

from inference.lane_decision import allowed_classes
from inference.lane_features import N_LANES, N_SLOTS, PREV_ROWS, held_from_history
from inference.lane_memory import HistoryLayout
from training.lane_data import LaneChart, epoch_windows, make_batch
from training.lane_model import LaneModel, LaneModelConfig

if TYPE_CHECKING:
    from training.lane_ensemble import LaneEnsemble

MONITOR_SHARE = 0.05
HOLD_WEIGHT, LENGTH_WEIGHT = 0.5, 0.3
# (held mask, slot) -> allowed arrow classes, the decoder's post-rules as a lookup table
_ALLOWED = torch.tensor(np.stack([[allowed_classes(h, s) for s in range(N_SLOTS)] for h in range(16)]))


@dataclass
class LaneTrainConfig:
    """Everything a lane training run depends on (saved with the checkpoint)."""

    out: str = "runs/lanes"
    model_id: str | None = None  # None: from the ``out`` folder's name (:func:`default_model_id`)
    seed: int = 0
    # lane-v3: 20 epochs (monitor accuracy, seed 0: 0.5224 at 12, 0.5304 at 20; 2 GRU layers at 12: 0.5214)
    epochs: int = 20
    batch: int = 64
    window: int = 128
    lr: float = 3e-3
    weight_decay: float = 1e-4
    audio_drop: float = 0.3
    symmetry: bool = False  # lane symmetries; off since the n-gram input is not symmetric
    device: str = "cpu"
    threads: int = 1  # one thread: on a shared 2-core machine, OpenMP barriers in the GRU loop stall badly
    # History layout (inference.lane_memory.HistoryLayout): lane-v2/v3's chart memories. Each one measured on the
    # monitor charts: exact+permuted copies, counts 0.5154 (10 epochs); + rows back 0.5186; + foot state and
    # rhythm ahead 0.5224 (12 epochs); lane-v1's layout (all empty) 0.4407.
    perm_contexts: tuple[int, ...] = (3, 4, 5, 6, 8, 12, 16, 24, 32)
    count_depths: tuple[int, ...] = (1, 2, 3)
    back_beats: tuple[int, ...] = (1, 2, 4, 8, 16, 32)
    foot: bool = True
    lookahead: int = 8
    model: LaneModelConfig = field(default_factory=LaneModelConfig)

    @property
    def layout(self) -> HistoryLayout:
        return HistoryLayout(tuple(self.perm_contexts), tuple(self.count_depths), tuple(self.back_beats),
                             self.foot, self.lookahead)

    def model_config(self) -> LaneModelConfig:
        """``model`` with the history width and hint groups of :attr:`layout`."""
        return replace(self.model, history_dim=self.layout.dim, hint_groups=self.layout.hint_groups)


#: Fields that do not change what a run trains: a resumed run may differ in them (every other one must match).
_RUN_FREE = ("out", "model_id", "device", "threads")


def default_model_id(out: str | Path) -> str:
    """A run's model id from its folder's name, as ``train`` names onset runs: ``runs/lanes-s0`` -> lanes-s0,
    ``runs/toy`` -> lane-toy."""
    name = Path(out).resolve().name
    return name if name.startswith("lane") else f"lane-{name}"


def is_monitor_song(key: str) -> bool:
    """Deterministic ~5 % of text-only songs held out for epoch selection."""
    return int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < MONITOR_SHARE


def lane_loss(model: LaneModel, batch, device: str) -> tuple[torch.Tensor, dict[str, float]]:
    """Arrow cross-entropy + hold BCE on the row's lanes + hold-length cross-entropy on hold rows."""
    t = {k: torch.from_numpy(getattr(batch, k)).to(device) for k in
         ("rows", "history", "ngram", "arrows", "holds", "length_cls", "valid")}
    arrow, hold, length, _ = model(t["rows"], t["history"], t["ngram"])
    valid = t["valid"]
    ce_arrow = F.cross_entropy(arrow[valid], t["arrows"][valid] - 1)
    bits = torch.arange(N_LANES, device=device)
    in_row = ((t["arrows"][..., None] >> bits) & 1).bool() & valid[..., None]
    hold_target = ((t["holds"][..., None] >> bits) & 1).float()
    bce = F.binary_cross_entropy_with_logits(hold[in_row], hold_target[in_row]) if in_row.any() else arrow.sum() * 0
    has_len = valid & (t["length_cls"] >= 0)
    ce_len = F.cross_entropy(length[has_len], t["length_cls"][has_len]) if has_len.any() else arrow.sum() * 0
    loss = ce_arrow + HOLD_WEIGHT * bce + LENGTH_WEIGHT * ce_len
    return loss, {"arrow": float(ce_arrow.detach()), "hold": float(bce.detach()), "length": float(ce_len.detach())}


@torch.no_grad()
def teacher_forced_accuracy(model: LaneModel, charts: list[LaneChart], device: str = "cpu") -> float:
    """Exact-row accuracy of the masked argmax given the reference history (the eval's lane metric)."""
    model.eval()
    hits = total = 0
    for chart in charts:
        ngram = chart.ngram if chart.ngram is not None else np.zeros((len(chart), 15), np.float32)
        arrow, _, _, _ = model(torch.from_numpy(chart.rows)[None].to(device),
                               torch.from_numpy(chart.history)[None].to(device),
                               torch.from_numpy(ngram)[None].to(device))
        held = torch.from_numpy(held_from_history(chart.history))
        logits = arrow[0].cpu().masked_fill(~_ALLOWED[held, chart.slot], float("-inf"))
        hits += int((logits.argmax(1) + 1 == torch.from_numpy(chart.arrows)).sum())
        total += len(chart)
    model.train()
    return hits / max(total, 1)


def _checkpoint_path(out: Path) -> Path:
    return out / "lane_checkpoint.pt"


def _run_settings(cfg: LaneTrainConfig, steps_per_epoch: int) -> dict:
    """What defines a run (kept in its checkpoint): the config but ``_RUN_FREE``, and the steps of an epoch."""
    settings = {k: v for k, v in asdict(cfg).items() if k not in _RUN_FREE}
    settings["model"] = asdict(cfg.model_config())
    return {**settings, "steps_per_epoch": steps_per_epoch}


def _check_resume(path: Path, state: dict, settings: dict) -> None:
    """ValueError (one line) unless the checkpoint at ``path`` was written by a run with these settings."""
    saved = state.get("settings")
    if saved is None:
        raise ValueError(f"{path} does not record its run's settings (written before they were checked): "
                         "--no-resume starts over, or choose another --out")
    differ = [k for k in settings if saved.get(k) != settings[k]]
    if differ:
        shown = ", ".join(f"{k} {saved.get(k)} there, {settings[k]} here" if k in ("seed", "epochs") else k
                          for k in differ)
        why = " (a run's learning-rate schedule ends with its epochs)" if "epochs" in differ else ""
        raise ValueError(f"{path} belongs to another run ({shown}): --no-resume starts over, or choose another "
                         f"--out{why}")


def _save_checkpoint(out: Path, model, optim, sched, epoch: int, best: dict, history: list, rng,
                     settings: dict) -> None:
    import io

    from chart.fileio import atomic_write_bytes

    buf = io.BytesIO()
    torch.save({"model": model.state_dict(), "optim": optim.state_dict(), "sched": sched.state_dict(),
                "epoch": epoch, "best": best, "history": history, "rng": rng.bit_generator.state,
                "torch_rng": torch.get_rng_state(), "settings": settings}, buf)
    atomic_write_bytes(_checkpoint_path(out), buf.getvalue())


def train_lanes(cfg: LaneTrainConfig, train: list[LaneChart], monitor: list[LaneChart],
                resume: bool = True, log=sys.stderr) -> tuple[LaneModel, dict]:
    """Train on ``train`` charts, pick the epoch with the best ``monitor`` accuracy; returns (model, summary).

    Checkpoints after every epoch under ``cfg.out``; with ``resume`` an existing checkpoint is continued when
    it belongs to a run of the same settings (seed, epochs, layout, model, data size; else ValueError).
    """
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(max(1, cfg.threads))
    rng = np.random.default_rng(cfg.seed)
    model = LaneModel(cfg.model_config()).to(cfg.device)
    optim = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps_per_epoch = -(-sum(len(epoch_windows([c], cfg.window, np.random.default_rng(0))) for c in train)
                        // cfg.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(optim, cfg.lr, total_steps=cfg.epochs * steps_per_epoch + 10)
    best: dict[str, Any] = {"accuracy": -1.0, "epoch": -1, "state": None}
    start, history = 0, []
    ckpt = _checkpoint_path(out)
    settings = _run_settings(cfg, steps_per_epoch)
    if resume and ckpt.is_file():
        state = torch.load(ckpt, weights_only=False)
        _check_resume(ckpt, state, settings)
        model.load_state_dict(state["model"])
        optim.load_state_dict(state["optim"])
        sched.load_state_dict(state["sched"])
        start, best, history = state["epoch"] + 1, state["best"], state["history"]
        rng.bit_generator.state = state["rng"]
        torch.set_rng_state(state["torch_rng"])
        print(f"resumed from epoch {start}", file=log)
    for epoch in range(start, cfg.epochs):
        t0 = time.perf_counter()
        losses = _run_epoch(model, optim, sched, cfg, train, rng)
        acc = teacher_forced_accuracy(model, monitor, cfg.device)
        if acc > best["accuracy"]:
            best = {"accuracy": acc, "epoch": epoch,
                    "state": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}}
        history.append({"epoch": epoch, "loss": round(float(np.mean(losses)), 4), "monitor_accuracy": round(acc, 4),
                        "seconds": round(time.perf_counter() - t0, 1)})
        print(json.dumps(history[-1]), file=log, flush=True)
        _save_checkpoint(out, model, optim, sched, epoch, best, history, rng, settings)
    if best["state"] is not None:
        model.load_state_dict(best["state"])
    model.eval()
    summary = {"best_epoch": best["epoch"], "monitor_accuracy": round(best["accuracy"], 4), "history": history,
               "config": {**asdict(cfg), "model": asdict(model.config)}, "parameters": model.parameter_count()}
    return model, summary


def _run_epoch(model, optim, sched, cfg: LaneTrainConfig, train: list[LaneChart], rng) -> list[float]:
    from cli.common import progress

    spans = epoch_windows(train, cfg.window, rng)
    batches = [spans[i:i + cfg.batch] for i in range(0, len(spans), cfg.batch)]
    losses = []
    model.train()
    for group in progress(batches, desc="lane epoch"):
        batch = make_batch([train[ci] for ci, _, _ in group], [(a, b) for _, a, b in group], cfg.window, rng,
                           cfg.audio_drop, cfg.symmetry)
        loss, _ = lane_loss(model, batch, cfg.device)
        optim.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optim.step()
        if sched.last_epoch + 1 < sched.total_steps:
            sched.step()
        losses.append(float(loss.detach()))
    return losses



# ---------------------------------------------------------------------------------------------------- run
def lane_feature_params():
    """Feature parameters of the shipped onset model when present (one feature pass serves both models)."""
    from inference.manifest import FeatureParams, Manifest, ManifestError, default_models_dir

    try:
        params = Manifest.load(default_models_dir() / "onset.manifest.json", verify=False).features
    except ManifestError:
        params = None
    return params or FeatureParams()


def rule_baselines(train: list[LaneChart], monitor: list[LaneChart]) -> tuple[Any, dict]:
    """Score the alternation rule and n-grams of order 1..5 on ``monitor``; returns (best n-gram, scores)."""
    from inference.lane_rules import AlternationStepper
    from inference.lanes import teacher_forced_classes
    from training.lane_baseline import build_ngram

    def accuracy(stepper) -> float:
        preds = teacher_forced_classes(stepper, [c.rows for c in monitor], [c.history for c in monitor],
                                       [c.slot for c in monitor])
        hits = sum(int((p == c.arrows).sum()) for p, c in zip(preds, monitor))
        return hits / max(sum(len(c) for c in monitor), 1)

    scores = {"alternation": accuracy(AlternationStepper())}
    ngrams = {}
    for order in range(1, PREV_ROWS + 2):
        ngrams[order] = build_ngram(train, order)
        scores[f"ngram-{order}"] = accuracy(ngrams[order])
    best = max(ngrams, key=lambda k: scores[f"ngram-{k}"])
    return ngrams[best], {k: round(v, 4) for k, v in scores.items()}


def export_lane_model(model: LaneModel | LaneEnsemble, out_dir: Path, params, extra: dict, model_id: str = "lane-v1",
                      layout: HistoryLayout | None = None) -> Path:
    """Write ``lane.onnx`` and ``lane.manifest.json`` (kind "lane") into ``out_dir``; returns the manifest path."""
    from inference.lane_features import HOLD_LENGTHS_BEAT
    from inference.manifest import Manifest, TensorSpec, file_sha256
    from training.lane_data import FEATURE_VERSION
    from training.lane_model import export_step_onnx, step_tensor_specs

    out_dir.mkdir(parents=True, exist_ok=True)
    onnx_path = export_step_onnx(model.cpu().eval(), out_dir / "lane.onnx")
    inputs, outputs = step_tensor_specs(model.config)
    manifest = Manifest(
        kind="lane", model_id=model_id, file=onnx_path.name, sha256=file_sha256(onnx_path),
        inputs=[TensorSpec(**t) for t in inputs], outputs=[TensorSpec(**t) for t in outputs], features=params,
        extra={"layers": model.config.layers, "hidden": model.config.hidden, "feature_version": FEATURE_VERSION,
               "hold_lengths_beat": [str(x) for x in HOLD_LENGTHS_BEAT],
               "history": (layout or HistoryLayout()).to_dict(), **extra},
    )
    return manifest.save(out_dir / "lane.manifest.json")


def _calibrate(manifest_path: Path, ngram, folders: list[Path]) -> dict:
    """Free-running calibration of the exported model's decision thresholds; rewrites its manifest."""
    from inference.lanes import OnnxLaneStepper
    from inference.manifest import Manifest
    from training.lane_calibrate import calibrate_free_running, chart_requests

    manifest = Manifest.load(manifest_path)
    requests, references = chart_requests(folders)
    decision = calibrate_free_running(OnnxLaneStepper(manifest, ngram=ngram), requests, references)
    manifest.extra["decision"] = decision
    manifest.save(manifest_path)
    return decision


def run_lane_training(songs: Path, charts_only: Path | None, cfg: LaneTrainConfig, ship: bool = False,
                      log=sys.stderr) -> dict:
    """The whole recipe behind ``main.py train-lanes``: data, split, rule baselines, training, export, ship."""
    from chart.fileio import atomic_write_text
    from inference.manifest import file_sha256
    from training.caches import default_cache_dir
    from training.data import song_folders, split_keys
    from training.lane_baseline import NGRAM_FILE, chart_log_probs, save_ngram
    from training.lane_data import load_lane_charts

    if cfg.model_id is None:
        cfg = replace(cfg, model_id=default_model_id(cfg.out))
    params = lane_feature_params()
    folders = song_folders(songs)
    train_keys, val_keys = split_keys([f.name for f in folders])
    lane_cache, feature_cache = default_cache_dir("lane_cache"), default_cache_dir("cache")
    audio = load_lane_charts([f for f in folders if f.name in set(train_keys)], params, True, lane_cache,
                             "audio charts", cfg.layout, feature_cache)
    text = load_lane_charts(song_folders(charts_only), params, False, lane_cache, "text charts", cfg.layout,
                            feature_cache) if charts_only else []
    pool = text if text else audio
    monitor = [c for c in pool if is_monitor_song(c.key)]
    held_out = {id(c) for c in monitor}
    train = [c for c in audio + text if id(c) not in held_out]
    if not train or not monitor:
        raise ValueError("not enough charts to train the lane model (need training and monitor charts)")
    print(f"lane data: {len(train)} training charts ({sum(map(len, train))} rows), {len(monitor)} monitor "
          f"charts; {len(val_keys)} validation songs held out", file=log)
    ngram, baselines = rule_baselines(train, monitor)
    print(f"rule baselines on the monitor charts: {baselines}", file=log)
    for chart in train:  # leave-one-out: the training charts' own counts are not in their features
        chart.ngram = chart_log_probs(ngram, chart, leave_out=True)
    for chart in monitor:
        chart.ngram = chart_log_probs(ngram, chart, leave_out=False)
    model, summary = train_lanes(cfg, train, monitor, log=log)
    summary.update({"baselines_monitor": baselines, "train_charts": len(train), "monitor_charts": len(monitor),
                    "train_rows": int(sum(map(len, train))), "validation_songs": len(val_keys)})
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    ngram_path = save_ngram(ngram, out / NGRAM_FILE)
    extra = {"ngram": {"file": NGRAM_FILE, "order": ngram.order, "sha256": file_sha256(ngram_path)},
             "training": {k: summary[k] for k in (
                 "best_epoch", "monitor_accuracy", "baselines_monitor", "train_charts", "train_rows", "parameters")},
             "seed": cfg.seed}
    manifest_path = export_lane_model(model, out, params, extra, cfg.model_id or default_model_id(out), cfg.layout)
    monitor_folders = [f for f in (song_folders(charts_only) if text and charts_only else folders)
                       if is_monitor_song(f.name)]
    summary["decision"] = _calibrate(manifest_path, ngram, monitor_folders)
    print(f"decision thresholds (free-running drafts of the monitor charts): {summary['decision']}", file=log)
    atomic_write_text(out / "lane_summary.json", json.dumps(summary, indent=2) + "\n")
    if ship:
        print(f"shipped to {ship_lane_model(out)}", file=log)
    return summary


def ship_lane_model(folder: Path) -> Path:
    """Copy ``lane.onnx``, the n-gram file and ``lane.manifest.json`` from ``folder`` into resources/models
    (manifest last, so a reader never sees a manifest naming a file not yet there); returns that folder."""
    from chart.fileio import atomic_write_bytes
    from inference.manifest import default_models_dir
    from training.lane_baseline import NGRAM_FILE

    target = default_models_dir()
    for name in ("lane.onnx", NGRAM_FILE, "lane.manifest.json"):
        atomic_write_bytes(target / name, (Path(folder) / name).read_bytes())
    return target

"""Lane-model ensembles: several trained lane runs averaged inside one single-step ONNX graph.

Members are independent runs (other seeds or sizes) with the same history layout and n-gram input. The
ensemble averages the members' arrow log-probabilities (a geometric mean of their distributions) and their
hold and length logits; its recurrent state is the members' states side by side along the hidden axis, so
the exported graph keeps the lane contract of :mod:`training.lane_model` (``row``, ``history``, ``ngram``,
``state`` in; logits and ``state_out`` out) and :class:`inference.lanes.OnnxLaneStepper` runs it unchanged.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path

import torch
from torch import nn

from inference.lane_memory import HistoryLayout
from training.lane_model import LaneModel, LaneModelConfig
from training.lane_train import LaneTrainConfig, _checkpoint_path


class LaneEnsemble(nn.Module):
    """Average of :class:`LaneModel` members; same forward signature, state (layers, B, sum of hiddens)."""

    def __init__(self, members: list[LaneModel]) -> None:
        super().__init__()
        if not members:
            raise ValueError("an ensemble needs at least one member")
        first = members[0].config
        for m in members[1:]:
            same = (m.config.row_dim, m.config.history_dim, m.config.ngram_dim, m.config.layers,
                    m.config.n_lengths, m.config.hint_groups)
            if same != (first.row_dim, first.history_dim, first.ngram_dim, first.layers, first.n_lengths,
                        first.hint_groups):
                raise ValueError("ensemble members must share inputs, layers and hold lengths")
        self.members = nn.ModuleList(members)
        self.sizes = [m.config.hidden for m in members]
        # What the exporter and the manifest read: the members' common inputs, their summed state width.
        self.config: LaneModelConfig = replace(first, hidden=sum(self.sizes))

    def forward(self, rows: torch.Tensor, history: torch.Tensor, ngram: torch.Tensor,
                state: torch.Tensor | None = None):
        """As :meth:`LaneModel.forward`; ``state`` (layers, B, sum of member hiddens) or None."""
        parts = torch.split(state, self.sizes, dim=-1) if state is not None else [None] * len(self.sizes)
        arrows, holds, lengths, states = [], [], [], []
        for member, part in zip(self.members, parts):
            a, h, n, s = member(rows, history, ngram, part)
            arrows.append(torch.log_softmax(a, dim=-1))
            holds.append(h)
            lengths.append(n)
            states.append(s)
        mean = lambda xs: torch.stack(xs).mean(0)  # noqa: E731
        return mean(arrows), mean(holds), mean(lengths), torch.cat(states, dim=-1)

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.parameters())


def load_run(run_dir: str | Path) -> tuple[LaneModel, LaneTrainConfig]:
    """The best-epoch model of a finished ``train-lanes`` run folder, and the run's configuration."""
    run_dir = Path(run_dir)
    summary = json.loads((run_dir / "lane_summary.json").read_text())
    raw = dict(summary["config"])
    model_cfg = LaneModelConfig(**raw.pop("model"))
    # A field missing from an older run's summary means lane-v1's (empty) layout, not today's default.
    cfg = LaneTrainConfig(**{**raw, **asdict(HistoryLayout.from_dict(raw))}, model=model_cfg)
    model = LaneModel(cfg.model_config())
    state = torch.load(_checkpoint_path(run_dir), weights_only=False)
    model.load_state_dict(state["best"]["state"] if state["best"]["state"] is not None else state["model"])
    return model.eval(), cfg


def export_ensemble(run_dirs: list[Path], out_dir: Path, monitor_root: Path, model_id: str) -> dict:
    """Export the ensemble of ``run_dirs`` as ``lane.onnx`` + manifest + n-gram into ``out_dir``, calibrate its
    decision thresholds on free-running drafts of the monitor songs under ``monitor_root`` (the runs' own
    held-out charts), and return the summary written beside it."""
    from chart.fileio import atomic_write_bytes, atomic_write_text
    from inference.lane_rules import NgramStepper
    from inference.manifest import file_sha256
    from training.data import song_folders
    from training.lane_baseline import NGRAM_FILE
    from training.lane_train import _calibrate, export_lane_model, is_monitor_song, lane_feature_params

    monitor = [f for f in song_folders(monitor_root) if is_monitor_song(f.name)]
    if not monitor:  # the decision thresholds would be calibrated on nothing (all defaults, no reference rates)
        raise ValueError(f"no monitor songs in {monitor_root}: the ensemble's decision thresholds are calibrated "
                         "on them (--charts-only ../shared/data/charts-only)")
    loaded = [load_run(d) for d in run_dirs]
    layouts = {cfg.layout for _, cfg in loaded}
    ngrams = {file_sha256(Path(d) / NGRAM_FILE) for d in run_dirs}
    if len(layouts) != 1 or len(ngrams) != 1:
        raise ValueError("ensemble members must share the history layout and the n-gram table")
    out_dir.mkdir(parents=True, exist_ok=True)
    ngram_path = atomic_write_bytes(out_dir / NGRAM_FILE, (Path(run_dirs[0]) / NGRAM_FILE).read_bytes())
    members = [json.loads((Path(d) / "lane_summary.json").read_text()) for d in run_dirs]
    ensemble = LaneEnsemble([m for m, _ in loaded]).eval()
    extra = {"ngram": {"file": NGRAM_FILE, "order": NgramStepper.load(ngram_path).order,
                       "sha256": file_sha256(ngram_path)},
             "training": {"members": [{k: s[k] for k in ("best_epoch", "monitor_accuracy", "parameters")}
                                      | {"seed": s["config"]["seed"], "hidden": s["config"]["model"]["hidden"]}
                                      for s in members],
                          "baselines_monitor": members[0].get("baselines_monitor"),
                          "train_charts": members[0].get("train_charts"),
                          "train_rows": members[0].get("train_rows"),
                          "parameters": ensemble.parameter_count()}}
    manifest_path = export_lane_model(ensemble, out_dir, lane_feature_params(), extra, model_id, layouts.pop())
    summary = {"members": [str(d) for d in run_dirs], "parameters": ensemble.parameter_count(),
               "decision": _calibrate(manifest_path, NgramStepper.load(ngram_path), monitor)}
    atomic_write_text(out_dir / "lane_summary.json", json.dumps(summary, indent=2) + "\n")
    return summary

"""``main.py eval`` (score the chart models on song folders, docs/evaluation.md's JSON) and ``main.py
train-lanes``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cli.common import UserError, output_folder, require_torch, seed_arg


def register(subparsers) -> None:
    ev = subparsers.add_parser(
        "eval", help="score the onset and lane models on song folders (docs/evaluation.md protocol)",
        description="Reads every song folder in --songs (chart + audio), drafts each chart with the production "
                    "path (features, ONNX model, decoder with its per-slot defaults, the chart's authored timing "
                    "as beat guide) and prints one JSON object on stdout; progress goes to stderr.")
    ev.add_argument("--songs", required=True, type=Path, help="folder of song folders (chart + audio)")
    ev.add_argument("--json", action="store_true", help="print the JSON result (the default output)")
    ev.add_argument("--model", type=Path, help="onset model manifest, .onnx or run folder (train --out) (default: the "
                    "shipped model)")
    ev.add_argument("--lane-model", type=Path, help="lane model manifest, .onnx or run folder (default: the shipped one)")
    ev.add_argument("--baseline", choices=["librosa"], help="score a non-learned onset baseline instead")
    ev.add_argument("--split", choices=["validation", "train", "all"], default="all",
                    help="songs of the committed validation list, the others, or all (default: all)")
    ev.add_argument("--songs-list", type=Path, help="text file of song folder names to use (one per line)")
    ev.add_argument("--no-refine", action="store_true", help="skip the refine (conditioned) drafts")
    ev.set_defaults(func=_eval)

    tr = subparsers.add_parser(
        "train-lanes", help="train the lane model (arrows and holds for placed onset rows) and export it",
        description="Trains the GRU lane model on the training songs of --songs plus the text-only charts, "
                    "exports lane.onnx + lane.manifest.json into --out, optionally ships them to "
                    "resources/models. A checkpoint in --out is continued when it is the same run (seed, "
                    "epochs, layout); another run's is refused. Per-song examples are cached like train's "
                    "features (runs/lane_cache of a source checkout, else ~/.cache/genelive-studio/training).")
    tr.add_argument("--songs", required=True, type=Path, help="song folders with audio (../shared/data/charts)")
    tr.add_argument("--charts-only", type=Path, help="text-only chart folders (../shared/data/charts-only)")
    tr.add_argument("--out", required=True, type=Path, help="run folder (checkpoints, logs, exported model)")
    tr.add_argument("--seed", type=seed_arg, default=0)
    tr.add_argument("--epochs", type=int, default=None, help="training epochs (default: the shipped recipe)")
    tr.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    tr.add_argument("--no-resume", action="store_true", help="start over even if a checkpoint exists")
    tr.add_argument("--model-id", default=None, help="model id in the manifest (default: from the --out name, "
                                                     "lane-NAME unless it starts with lane)")
    tr.add_argument("--ship", action="store_true", help="copy the exported model into resources/models")
    tr.set_defaults(func=_train_lanes)


def _train_lanes(args: argparse.Namespace) -> int:
    for folder in (args.songs, args.charts_only):
        if folder is not None and not folder.is_dir():
            raise UserError(f"folder not found: {folder}")
    output_folder(args.out)
    torch = require_torch("training")
    if args.device == "cuda" and not torch.cuda.is_available():
        raise UserError("--device cuda: no CUDA device is available")
    from training.data import DataError
    from training.lane_train import LaneTrainConfig, run_lane_training

    cfg = LaneTrainConfig(out=str(args.out), seed=args.seed, device=args.device, model_id=args.model_id)
    if args.epochs is not None:
        if args.epochs < 1:
            raise UserError("--epochs must be at least 1")
        cfg.epochs = args.epochs
    if args.no_resume:
        (args.out / "lane_checkpoint.pt").unlink(missing_ok=True)
    try:
        summary = run_lane_training(args.songs, args.charts_only, cfg, ship=args.ship)
    except (DataError, ValueError) as exc:
        raise UserError(str(exc).splitlines()[0]) from exc
    print(json.dumps({k: summary[k] for k in ("best_epoch", "monitor_accuracy", "baselines_monitor",
                                              "parameters")}))
    return 0


def _eval(args: argparse.Namespace) -> int:
    if not args.songs.is_dir():
        raise UserError(f"song folder not found: {args.songs}")
    if args.songs_list is not None and not args.songs_list.is_file():
        raise UserError(f"songs list not found: {args.songs_list}")
    from training.evaluate import EvalError, EvalOptions, evaluate

    options = EvalOptions(songs=args.songs, model=args.model, lane_model=args.lane_model,
                          baseline=args.baseline, split=args.split, songs_list=args.songs_list,
                          refine=not args.no_refine)
    try:
        result = evaluate(options, log=sys.stderr)
    except EvalError as exc:
        raise UserError(str(exc)) from exc
    print(json.dumps(result))
    return 0

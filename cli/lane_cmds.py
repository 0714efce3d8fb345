"""``main.py ensemble-lanes``: average finished lane training runs into one shipped lane model."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cli.common import UserError, output_folder, require_torch


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "ensemble-lanes", help="combine finished train-lanes runs into one lane model (averaged) and export it",
        description="Loads the best epoch of each run folder (from main.py train-lanes with the same history "
                    "layout), exports their average as lane.onnx + lane.manifest.json + lane.ngram.npz into "
                    "--out, calibrates its jump/hold thresholds on the runs' monitor charts, optionally ships it.")
    p.add_argument("runs", nargs="+", type=Path, help="train-lanes run folders (lane_summary.json + checkpoint)")
    p.add_argument("--charts-only", required=True, type=Path,
                   help="the text-only chart folders the runs were trained with (their monitor songs calibrate)")
    p.add_argument("--out", required=True, type=Path, help="folder for the exported ensemble")
    p.add_argument("--model-id", default=None, help="model id written into the manifest (default: from the --out "
                                                    "name, as train-lanes; the shipped lane-v3 names it)")
    p.add_argument("--ship", action="store_true", help="copy the exported model into resources/models")
    p.set_defaults(func=_ensemble)


def _ensemble(args: argparse.Namespace) -> int:
    for run in args.runs:
        if not (run / "lane_summary.json").is_file() or not (run / "lane_checkpoint.pt").is_file():
            raise UserError(f"not a finished train-lanes run (lane_summary.json + lane_checkpoint.pt): {run}")
    if not args.charts_only.is_dir():
        raise UserError(f"folder not found: {args.charts_only}")
    output_folder(args.out)
    require_torch("ensembles")
    from training.lane_ensemble import export_ensemble
    from training.lane_train import default_model_id, ship_lane_model

    try:
        summary = export_ensemble(list(args.runs), args.out, args.charts_only,
                                  args.model_id or default_model_id(args.out))
    except (ValueError, KeyError) as exc:
        raise UserError(str(exc).splitlines()[0]) from exc
    if args.ship:
        ship_lane_model(args.out)
    print(json.dumps({k: summary[k] for k in ("members", "parameters")}))
    return 0

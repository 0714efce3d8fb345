"""``main.py train``: train the onset model on a folder of song folders (chart + audio)."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.common import UserError, output_folder, require_torch

ABLATION_CHOICES = ("none", "no-beat-guide", "no-multiscale", "no-cond")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("train", help="train the onset model (CPU ~1 h; uses a GPU with --device cuda)",
                              description="Train the onset model on song folders (each: .ssc/.sm + audio). "
                                          "Checkpoints, log.jsonl and the exported model go to --out.")
    p.add_argument("--songs", required=True, type=Path, help="folder of song folders")
    p.add_argument("--out", required=True, type=Path, help="run folder, e.g. runs/NAME")
    p.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--max-minutes", type=float, default=None, help="stop after this wall time (minutes)")
    p.add_argument("--threads", type=int, default=1,
                   help="torch CPU threads (1: on a shared 2-core machine 2 threads ran 15x slower)")
    p.add_argument("--resume", action="store_true", help="continue from OUT/last.pt")
    p.add_argument("--ablation", default="none", choices=ABLATION_CHOICES)
    p.add_argument("--no-export", action="store_true", help="do not tune and export at the end")
    p.add_argument("--tune-only", action="store_true",
                   help="skip training: tune decode settings on the validation songs and export OUT/best.pt")
    p.add_argument("--ensemble-with", type=Path, nargs="+", default=[], metavar="RUN",
                   help="other run folders whose best.pt joins OUT's model in an averaged ensemble at export")
    p.add_argument("--model-id", default=None, help="model id in the manifest (default: from the --out name)")
    p.add_argument("--ship", type=Path, default=None, metavar="DIR",
                   help="also export onset.onnx + manifest into DIR (e.g. resources/models)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.songs.is_dir():
        raise UserError(f"song folder not found: {args.songs}")
    if args.epochs < 1:
        raise UserError("--epochs must be at least 1")
    output_folder(args.out)
    torch = require_torch("training")

    if args.device == "cuda" and not torch.cuda.is_available():
        raise UserError("--device cuda requested but no CUDA GPU is available")
    from training.data import DataError
    from training.train import TrainConfig, TrainError, train

    cfg = TrainConfig(songs=str(args.songs), out=str(args.out), device=args.device, seed=args.seed,
                      epochs=args.epochs, max_minutes=args.max_minutes, threads=args.threads,
                      ablation=args.ablation)
    try:
        best = _best_checkpoint(args.out) if args.tune_only else train(cfg, resume=args.resume)
    except (TrainError, DataError) as exc:
        raise UserError(str(exc)) from exc
    if not args.no_export:
        import json

        from training.tune import finish_run

        targets = [args.out / "onset.onnx"] + ([args.ship / "onset.onnx"] if args.ship else [])
        name = args.out.resolve().name
        model_id = args.model_id or (name if name.startswith("onset") else f"onset-{name}")
        members = [best] + [_best_checkpoint(run) for run in args.ensemble_with]
        report = finish_run(members, args.songs, targets, model_id=model_id)
        print(json.dumps({"onset": report["onset"], "refine": report["refine"]}, indent=2))
    print(f"best checkpoint: {best}")
    return 0


def _best_checkpoint(out: Path) -> Path:
    for name in ("best.pt", "last.pt"):
        if (out / name).is_file():
            return out / name
    raise UserError(f"no checkpoint in {out} (train first)")

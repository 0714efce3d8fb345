"""``main.py train``: train the onset model on a folder of song folders (chart + audio)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from cli.common import UserError, output_folder, require_torch, seed_arg

ABLATION_CHOICES = ("none", "no-beat-guide", "no-multiscale", "no-cond")
#: Training configurations by name: epochs, OnsetModelConfig and CropConfig overrides.
RECIPES: dict[str, tuple[int, dict, dict]] = {
    "default": (8, {}, {}),
    "onset-v1": (14, {"cond_density": False}, {"crop_frames": 1600, "n_crops": 12, "cond_prob": 0.5}),
}


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("train", help="train the onset model (2-core CPU: ~2 h with --recipe onset-v1; "
                                            "a GPU with --device cuda)",
                              description="Train the onset model on song folders (each: .ssc/.sm + audio). "
                                          "Checkpoints, log.jsonl and the exported model go to --out; the "
                                          "songs' features are cached in runs/cache of a source checkout "
                                          "($GENELIVE_CACHE_DIR/training/cache when set; an installed or "
                                          "read-only copy: ~/.cache/genelive-studio/training/cache).")
    p.add_argument("--songs", required=True, type=Path, help="folder of song folders")
    p.add_argument("--out", required=True, type=Path, help="run folder, e.g. runs/NAME")
    p.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    p.add_argument("--seed", type=seed_arg, default=None, help="random seed (default 0)")
    p.add_argument("--epochs", type=int, default=None, help="epochs (default 8; 14 with --recipe onset-v1)")
    p.add_argument("--recipe", choices=tuple(RECIPES), default=None,
                   help="onset-v1: the configuration the shipped onset-v1 was trained with (no lower-chart "
                        "density feature, 16-s crops x 12, conditioning kept 50 %%, 14 epochs); default: the "
                        "current one (24-s crops x 8, 60 %%, the density feature, 8 epochs)")
    p.add_argument("--max-minutes", type=float, default=None,
                   help="stop after this wall time (minutes, more than 0; default: no limit)")
    p.add_argument("--threads", type=int, default=1,
                   help="torch CPU threads (1: on a shared 2-core machine 2 threads ran 15x slower)")
    p.add_argument("--resume", action="store_true",
                   help="continue from OUT/last.pt with the run's own settings (songs split, validation list, "
                        "recipe, seed, epochs, ablation); contradicting them is refused")
    p.add_argument("--validation-list", type=Path, default=None, metavar="FILE",
                   help="song folders that pick the best epoch and tune the thresholds, one per line "
                        "(default: training/splits/validation.txt, the split the shipped model uses; with "
                        "--tune-only: the list the run was trained with)")
    p.add_argument("--ablation", default=None, choices=ABLATION_CHOICES, help="component left out (default none)")
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
    if args.epochs is not None and args.epochs < 1:
        raise UserError("--epochs must be at least 1")
    if args.max_minutes is not None and not (math.isfinite(args.max_minutes) and args.max_minutes > 0):
        raise UserError(f"--max-minutes takes a number of minutes above 0 (leave it out for no limit), got "
                        f"{args.max_minutes}")
    output_folder(args.out)
    if not args.resume and not args.tune_only and (args.out / "last.pt").is_file():
        raise UserError(f"{args.out} already holds a run (last.pt): add --resume to continue it, or choose "
                        "another --out")
    if args.validation_list is not None and not args.validation_list.is_file():
        raise UserError(f"validation list not found: {args.validation_list}")
    torch = require_torch("training")

    if args.device == "cuda" and not torch.cuda.is_available():
        raise UserError("--device cuda requested but no CUDA GPU is available")
    from training.data import DataError
    from training.train import TrainError, train

    try:
        if args.tune_only:
            best = _best_checkpoint(args.out)
        else:
            resuming = args.resume and (args.out / "last.pt").is_file()
            cfg = resumed_config(args) if resuming else new_config(args)
            best = train(cfg, resume=args.resume)
    except (TrainError, DataError) as exc:
        raise UserError(str(exc)) from exc
    if not args.no_export:
        import json

        from training.tune import finish_run

        targets = [args.out / "onset.onnx"] + ([args.ship / "onset.onnx"] if args.ship else [])
        name = args.out.resolve().name
        model_id = args.model_id or (name if name.startswith("onset") else f"onset-{name}")
        members = [best] + [_best_checkpoint(run) for run in args.ensemble_with]
        report = finish_run(members, args.songs, targets, model_id=model_id,
                            validation_file=args.validation_list if args.tune_only else None)
        print(json.dumps({"onset": report["onset"], "refine": report["refine"]}, indent=2))
    print(f"best checkpoint: {best}")
    return 0


def _best_checkpoint(out: Path) -> Path:
    for name in ("best.pt", "last.pt"):
        if (out / name).is_file():
            return out / name
    raise UserError(f"no checkpoint in {out} (train first)")


def new_config(args: argparse.Namespace):
    """The TrainConfig of a new run from the command line (recipe, then the flags given)."""
    from training.crops import CropConfig
    from training.model import OnsetModelConfig
    from training.train import TrainConfig

    epochs, model_overrides, crop_overrides = RECIPES[args.recipe or "default"]
    cfg = TrainConfig(songs=str(args.songs), out=str(args.out), device=args.device, seed=args.seed or 0,
                      epochs=epochs if args.epochs is None else args.epochs, max_minutes=args.max_minutes,
                      threads=args.threads, ablation=args.ablation or "none",
                      model=OnsetModelConfig(**model_overrides), crops=CropConfig(**crop_overrides))
    if args.validation_list is not None:
        cfg.validation_file = str(args.validation_list)
    return cfg


def recipe_of(cfg) -> str | None:
    """The name of the recipe a run's TrainConfig was built from (None: a configuration of its own)."""
    import dataclasses

    from training.crops import CropConfig
    from training.model import OnsetModelConfig

    model_keys = {k for _, overrides, _ in RECIPES.values() for k in overrides}
    for name, (_, model_overrides, crop_overrides) in RECIPES.items():
        want = OnsetModelConfig(**model_overrides)
        if dataclasses.asdict(cfg.crops) == dataclasses.asdict(CropConfig(**crop_overrides)) and all(
                getattr(cfg.model, k) == getattr(want, k) for k in model_keys):
            return name
    return None


def resumed_config(args: argparse.Namespace):
    """The TrainConfig of the run in ``args.out`` (its last.pt), with only what does not define a run (device,
    threads, --max-minutes, where the songs are) from the command line; a flag that contradicts the run is
    refused (one line) rather than silently changing its split or schedule."""
    from training.data import read_validation_list
    from training.train import saved_config

    last = args.out / "last.pt"
    cfg = saved_config(last)
    given = {"--seed": (args.seed, cfg.seed), "--epochs": (args.epochs, cfg.epochs),
             "--ablation": (args.ablation, cfg.ablation), "--recipe": (args.recipe, recipe_of(cfg) or "its own")}
    for flag, (asked, theirs) in given.items():
        if asked is not None and asked != theirs:
            raise UserError(f"{flag} {asked} contradicts the run in {args.out} ({flag} {theirs}): --resume keeps "
                            "the run's settings (leave the flag out), or choose another --out for a new run")
    saved_list = Path(cfg.validation_file)
    if args.validation_list is not None:
        same = (args.validation_list.resolve() == saved_list.resolve() or not saved_list.is_file()  # songs: train()
                or read_validation_list(args.validation_list) == read_validation_list(saved_list))
        if not same:
            raise UserError(f"--validation-list {args.validation_list} contradicts the run in {args.out} (trained "
                            f"with {saved_list}): --resume keeps the run's validation songs")
        cfg.validation_file = str(args.validation_list)
    elif not saved_list.is_file():
        raise UserError(f"the run in {args.out} was trained with the validation list {saved_list}, which is gone: "
                        "pass --validation-list FILE naming the same songs")
    from training.caches import default_cache_dir

    cfg.songs, cfg.out, cfg.device, cfg.threads = str(args.songs), str(args.out), args.device, args.threads
    cfg.max_minutes, cfg.cache_dir = args.max_minutes, str(default_cache_dir("cache"))
    return cfg

"""Learning curve of the onset model: train on every ``step``-th training song of each pack, score on the validation songs.

Builds ``OUT/songsN`` (symlinks: the subset of training songs plus every validation song), so that ``main.py
train`` splits it exactly as the full folder (the committed validation list) and ``main.py eval`` scores the
same 14 songs. With ``--run`` it also trains (seed, 8 epochs, 1 thread) and evaluates; otherwise it prints the
two commands. MODEL_CARD.md "Learning curve" reports the session-8 runs (``--step 2`` and ``--step 4``; the full
folder is ``--step 1``).

Usage: python scripts/learning_curve.py --songs ../shared/data/charts --out runs/lc --step 2 [--seed 0] [--run]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from training.data import split_keys  # noqa: E402


def subset(train_keys: Sequence[str], step: int) -> list[str]:
    """Every ``step``-th song of each pack (folder names ``pack__title``, sorted by name), packs in name order."""
    by_pack: dict[str, list[str]] = {}
    for key in sorted(train_keys):
        by_pack.setdefault(key.split("__", 1)[0], []).append(key)
    return [key for pack in sorted(by_pack) for key in by_pack[pack][::step]]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--songs", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--step", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--run", action="store_true", help="train and evaluate (about 10-25 minutes on 2 cores)")
    args = ap.parse_args()
    songs = args.songs.resolve()
    keys = sorted(p.name for p in songs.iterdir() if p.is_dir())
    train, val = split_keys(keys)
    chosen = subset(train, args.step)
    folder = args.out / f"songs{len(chosen)}"
    folder.mkdir(parents=True, exist_ok=True)
    for key in chosen + val:
        if not (folder / key).exists():
            os.symlink(songs / key, folder / key)
    run = args.out / f"onset-lc{len(chosen)}-s{args.seed}"
    commands = [
        [sys.executable, "main.py", "train", "--songs", str(folder), "--out", str(run), "--seed", str(args.seed),
         "--epochs", "8", "--threads", "1"],
        [sys.executable, "main.py", "eval", "--songs", str(songs), "--split", "validation", "--json", "--model",
         str(run / "onset.manifest.json")],
    ]
    print(f"{len(chosen)} of {len(train)} training songs, {len(val)} validation songs in {folder}", file=sys.stderr)
    if not args.run:
        print("\n".join(" ".join(c) for c in commands))
        return 0
    subprocess.run(commands[0], check=True)
    with open(run / "eval.json", "w") as fh:
        subprocess.run(commands[1], check=True, stdout=fh)
    print(f"wrote {run / 'eval.json'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

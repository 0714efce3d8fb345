"""Lane model benchmark: autoregressive decoding of 5 slots x 1500 onset rows (a dense 3-minute song).

Uses the shipped ``resources/models/lane`` model when present (else a rule stepper only, reported as such);
the decoder runs one single-step ONNX call per row index for all five charts together.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from benchmarks.common import BenchContext, Section, timeit

N_ROWS = 1500


def _requests(features: np.ndarray | None):
    from inference.lane_features import row_features
    from inference.lanes import LaneRequest

    rng = np.random.default_rng(0)
    out = []
    for slot in range(5):
        gaps = rng.choice([Fraction(1, 4), Fraction(1, 2), Fraction(1)], size=N_ROWS)
        beats = list(np.cumsum([Fraction(0), *gaps[1:]]))
        seconds = np.array([float(b) * 0.4 for b in beats])  # 150 BPM
        out.append(LaneRequest(beats, row_features(beats, seconds, slot, features, 100.0, 80), slot, seconds))
    return out


def run(ctx: BenchContext) -> list[Section]:
    from inference.backends import lane_step_backend
    from inference.lanes import AlternationStepper, OnnxLaneStepper, decode_rows
    from inference.manifest import Manifest, default_models_dir

    repeat = 2 if ctx.quick else 5
    sec = Section(f"Lane decoding (5 slots x {N_ROWS} rows, one batched step per row)")
    feats = np.random.default_rng(1).normal(size=(18000, 240)).astype(np.float32)  # 3 min at 100 frames/s
    requests = _requests(feats)
    sec.add("rule stepper (alternation), 5 slots", timeit(lambda: decode_rows(AlternationStepper(), requests),
                                                          repeat=repeat), "s")
    path = default_models_dir() / "lane.manifest.json"
    if not path.is_file():
        sec.text = "No lane model shipped: only the rule stepper was timed."
        return [sec]
    manifest = Manifest.load(path)
    stepper = OnnxLaneStepper(manifest, lane_step_backend())  # as the drafter runs it (one CPU thread)
    t = timeit(lambda: decode_rows(stepper, requests), repeat=repeat)
    sec.add(f"{manifest.display_id()}, 5 slots batched", t, "s", goal="well under 1 s")
    t1 = timeit(lambda: [decode_rows(stepper, [r]) for r in requests], repeat=max(1, repeat // 2))
    sec.add("same, one slot at a time", t1, "s", note=f"batching saves {t1 / t:.1f}x")
    size_kb = manifest.model_path.stat().st_size / 1024
    params = manifest.extra.get("training", {}).get("parameters", "?")
    sec.add("lane model size", f"{size_kb:.0f} KiB, {params} parameters", "")
    return [sec]

"""Onset model on CPU: forward time per difficulty and for the 5-slot batch on a 3-minute song, parameters,
decoding time. Uses the shipped model (resources/models/onset.onnx) through the production OnnxBackend."""

from __future__ import annotations

import numpy as np

from benchmarks.common import BenchContext, Section, timeit

SONG_S = 180.0
SLOTS = ("beginner", "easy", "medium", "hard", "challenge")


def _inputs(manifest, n_frames: int, batch: int, slot: int | None = None) -> dict[str, np.ndarray]:
    from chart.timing import TimingData
    from inference.beatguide import beat_guide

    rng = np.random.default_rng(0)
    n_ch = manifest.features.n_channels
    feats = rng.standard_normal((1, n_frames, n_ch)).astype(np.float32)
    guide = beat_guide(TimingData.constant(140, offset="-0.2"), n_frames, manifest.features.frame_rate)
    diff = np.arange(batch, dtype=np.int64) if slot is None else np.full(batch, slot, np.int64)
    return {
        "features": np.repeat(feats, batch, axis=0), "beat_guide": np.repeat(guide[None], batch, axis=0),
        "difficulty": diff, "cond_onsets": np.zeros((batch, n_frames), np.float32),
        "cond_difficulty": np.zeros(batch, np.int64), "cond_present": np.zeros(batch, np.float32),
    }


def run(ctx: BenchContext) -> list[Section]:
    from inference.backends import OnnxBackend
    from inference.manifest import Manifest, default_models_dir

    sec = Section("Onset model (shipped ONNX, CPU)")
    path = default_models_dir() / "onset.manifest.json"
    if not path.is_file():
        sec.text = "resources/models/onset.onnx is not there yet; nothing measured."
        return [sec]
    manifest = Manifest.load(path)
    backend = OnnxBackend(providers=["CPUExecutionProvider"])
    n_frames = int(SONG_S * manifest.features.frame_rate)
    reps = 2 if ctx.quick else 5
    sec.add("parameters", f"{manifest.extra.get('parameters', '?'):,}" if isinstance(
        manifest.extra.get("parameters"), int) else "?", note=manifest.display_id())
    for i, name in enumerate(SLOTS):
        feeds = _inputs(manifest, n_frames, 1, slot=i)
        t = timeit(lambda feeds=feeds: backend.run(manifest, feeds), repeat=reps)
        sec.add(f"forward, {name}, 3-min song (B=1, T={n_frames})", t, "s", goal="<= 0.25 s")
    feeds5 = _inputs(manifest, n_frames, 5)
    t5 = timeit(lambda: backend.run(manifest, feeds5), repeat=reps)
    sec.add("forward, 5 slots in one batch (B=5)", t5, "s", note=backend.describe())
    sec.rows.extend(_decode_rows(manifest, backend.run(manifest, feeds5)["onset_prob"], reps).rows)
    return [sec]


def _decode_rows(manifest, probs: np.ndarray, reps: int) -> Section:
    from chart.timing import TimingData
    from inference.decode import decode_onsets, settings_for

    timing = TimingData.constant(140, offset="-0.2")
    fr = manifest.features.frame_rate
    sec = Section("decode")

    def all_slots() -> None:
        for i in range(len(SLOTS)):
            decode_onsets(probs[i], fr, timing, settings_for(manifest, i))

    sec.add("decode 5 slots (peaks, min gap, snap, collisions)", timeit(all_slots, repeat=reps), "s")
    return sec

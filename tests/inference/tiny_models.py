"""Tiny random-weight ONNX models that follow the shipped models' contracts, built with ``onnx.helper``.

No torch and no downloads: tests and benchmarks build them in a temporary folder in a few milliseconds.
The onset model has a temporal convolution (receptive field ``2 * HALF_KERNEL + 1`` frames) so that chunked
inference along T is only exact when the overlap is handled correctly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from inference.manifest import FeatureParams, Manifest, SlotDecode, TensorSpec, file_sha256

HALF_KERNEL = 3
SLOTS = ("beginner", "easy", "medium", "hard", "challenge")
ONSET_INPUTS = ("features", "beat_guide", "difficulty", "cond_onsets", "cond_difficulty", "cond_present")


def _onnx():
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    return onnx, TensorProto, helper, numpy_helper


def build_onset_model(folder: Path, n_channels: int = 8, n_guide: int = 3, seed: int = 0,
                      name: str = "onset", features: FeatureParams | None = None,
                      decode: dict[str, SlotDecode] | None = None) -> Manifest:
    """Write ``<name>.onnx`` + ``<name>.manifest.json`` to ``folder`` and return the loaded manifest.

    onset_prob = sigmoid(conv_T(features, guide) + emb[difficulty] + cond_present * (a * cond_onsets
    + emb_c[cond_difficulty])), so every input influences the output.
    """
    _onnx_module, _tp, helper, nph = _onnx()
    rng = np.random.default_rng(seed)
    c_in = n_channels + n_guide
    k = 2 * HALF_KERNEL + 1
    inits = [
        nph.from_array((rng.standard_normal((1, c_in, k)) * 0.3).astype(np.float32), "conv_w"),
        nph.from_array(np.array([-1.0], np.float32), "conv_b"),
        nph.from_array(np.linspace(-1.5, 1.0, 5).astype(np.float32), "emb"),
        nph.from_array(np.linspace(0.0, 0.5, 5).astype(np.float32), "emb_c"),
        nph.from_array(np.array(1.5, np.float32), "cond_gain"),
        nph.from_array(np.array([1], np.int64), "axis1"),
        nph.from_array(np.array([-1], np.int64), "axis_last"),
    ]
    n = helper.make_node
    nodes = [
        n("Concat", ["features", "beat_guide"], ["x"], axis=2),
        n("Transpose", ["x"], ["x_bct"], perm=[0, 2, 1]),
        n("Conv", ["x_bct", "conv_w", "conv_b"], ["y_b1t"], pads=[HALF_KERNEL, HALF_KERNEL]),
        n("Squeeze", ["y_b1t", "axis1"], ["y"]),
        n("Gather", ["emb", "difficulty"], ["d"]),
        n("Unsqueeze", ["d", "axis_last"], ["d_b1"]),
        n("Gather", ["emb_c", "cond_difficulty"], ["cd"]),
        n("Unsqueeze", ["cd", "axis_last"], ["cd_b1"]),
        n("Mul", ["cond_onsets", "cond_gain"], ["co"]),
        n("Add", ["co", "cd_b1"], ["cond_term"]),
        n("Unsqueeze", ["cond_present", "axis_last"], ["cp_b1"]),
        n("Mul", ["cond_term", "cp_b1"], ["cond_on"]),
        n("Add", ["y", "d_b1"], ["yd"]),
        n("Add", ["yd", "cond_on"], ["logit"]),
        n("Sigmoid", ["logit"], ["onset_prob"]),
    ]
    return save_onset_model(folder, name, nodes, inits, n_channels, n_guide, features=features,
                            decode=decode if decode is not None else {s: SlotDecode() for s in SLOTS},
                            extra={"receptive_field_frames": 2 * HALF_KERNEL + 1})


def save_onset_model(folder: Path, name: str, nodes: list, inits: list, n_channels: int, n_guide: int,
                     model_id: str | None = None, graph_name: str | None = None, **manifest_fields) -> Manifest:
    """An onset graph of ``nodes``/``inits`` with the shipped model's inputs and output (``ONSET_INPUTS`` ->
    ``onset_prob``), checked and written as ``<name>.onnx`` with ``<name>.manifest.json`` (model id
    ``<name>-tiny`` unless given; ``manifest_fields`` go to the manifest); returns the loaded manifest."""
    onnx, tp, helper, _nph = _onnx()
    f32, i64 = tp.FLOAT, tp.INT64
    graph = helper.make_graph(nodes, graph_name or name, [
        helper.make_tensor_value_info("features", f32, ["B", "T", n_channels]),
        helper.make_tensor_value_info("beat_guide", f32, ["B", "T", n_guide]),
        helper.make_tensor_value_info("difficulty", i64, ["B"]),
        helper.make_tensor_value_info("cond_onsets", f32, ["B", "T"]),
        helper.make_tensor_value_info("cond_difficulty", i64, ["B"]),
        helper.make_tensor_value_info("cond_present", f32, ["B"]),
    ], [helper.make_tensor_value_info("onset_prob", f32, ["B", "T"])], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 9
    onnx.checker.check_model(model)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.onnx"
    onnx.save(model, str(path))
    manifest_fields.setdefault("decode", {s: SlotDecode() for s in SLOTS})
    manifest = Manifest(
        kind="onset", model_id=model_id or f"{name}-tiny", file=path.name, sha256=file_sha256(path),
        inputs=[TensorSpec("features", "float32", [-1, -1, n_channels]),
                TensorSpec("beat_guide", "float32", [-1, -1, n_guide]),
                TensorSpec("difficulty", "int64", [-1]),
                TensorSpec("cond_onsets", "float32", [-1, -1]),
                TensorSpec("cond_difficulty", "int64", [-1]),
                TensorSpec("cond_present", "float32", [-1])],
        outputs=[TensorSpec("onset_prob", "float32", [-1, -1])], conditioning=True,
        beat_guide_channels=[f"guide{i}" for i in range(n_guide)], **manifest_fields,
    )
    manifest.save(folder / f"{name}.manifest.json")
    return Manifest.load(folder / f"{name}.manifest.json")


def onset_inputs(manifest: Manifest, batch: int = 5, frames: int = 300, seed: int = 1) -> dict[str, np.ndarray]:
    """Random inputs of the right names, dtypes and shapes for ``manifest`` (an onset model)."""
    rng = np.random.default_rng(seed)
    shapes = {s.name: s.shape for s in manifest.inputs}
    n_channels, n_guide = shapes["features"][2], shapes["beat_guide"][2]
    return {
        "features": rng.standard_normal((batch, frames, n_channels)).astype(np.float32),
        "beat_guide": rng.random((batch, frames, n_guide)).astype(np.float32),
        "difficulty": np.arange(batch, dtype=np.int64) % 5,
        "cond_onsets": (rng.random((batch, frames)) > 0.9).astype(np.float32),
        "cond_difficulty": np.zeros(batch, np.int64),
        "cond_present": (np.arange(batch) % 2).astype(np.float32),
    }


def drafting_model(folder: Path, seed: int = 0) -> Manifest:
    """A tiny onset model the drafter can run end to end: small real feature params, 6 beat-guide channels
    (as :mod:`inference.beatguide` makes), and per-slot NPS targets 1..5 so densities rise with the slot."""
    from inference.beatguide import BEAT_GUIDE_CHANNELS
    from inference.decode import DEFAULT_DECODE

    params = FeatureParams(n_mels=16, n_ffts=[512, 1024], fmax=8000.0)
    decode = {}
    for i, slot in enumerate(SLOTS):
        cfg = DEFAULT_DECODE[slot]
        decode[slot] = SlotDecode(threshold=cfg.threshold, min_gap_s=cfg.min_gap_s, smooth_frames=1,
                                  nps_target=float(i + 1), divisors=list(cfg.divisors),
                                  snap_tolerance_s=cfg.snap_tolerance_s)
    return build_onset_model(folder, n_channels=params.n_channels, n_guide=len(BEAT_GUIDE_CHANNELS), seed=seed,
                             features=params, decode=decode)


def click_track(bpm: float = 120.0, offset_s: float = 0.5, seconds: float = 20.0, sr: int = 22050) -> np.ndarray:
    """Mono float32 clicks (short decaying noise bursts) on every beat from ``offset_s``, plus a quiet tone."""
    rng = np.random.default_rng(0)
    n = int(seconds * sr)
    t = np.arange(n) / sr
    out = 0.05 * np.sin(2 * np.pi * 220.0 * t)
    burst = rng.standard_normal(int(0.03 * sr)) * np.exp(-np.linspace(0, 8, int(0.03 * sr)))
    for beat_s in np.arange(offset_s, seconds - 0.05, 60.0 / bpm):
        i = int(beat_s * sr)
        out[i:i + len(burst)] += 0.8 * burst[: n - i]
    return out.astype(np.float32)

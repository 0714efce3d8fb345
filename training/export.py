"""Export a trained onset checkpoint to ONNX + manifest (the contract the app and the server read).

Contract (fixed; the serving code and its fixtures depend on it):

* inputs ``features`` float32 [B, T, C] (normalised log-mel, C = manifest.features.n_channels),
  ``beat_guide`` float32 [B, T, G], ``difficulty`` int64 [B] (slot 0..4), ``cond_onsets`` float32 [B, T]
  (lower chart's onset train, zeros when absent), ``cond_difficulty`` int64 [B], ``cond_present`` float32 [B]
  (1 = refine, 0 = plain);
* output ``onset_prob`` float32 [B, T] (sigmoid); B and T dynamic.

The graph is exported with the TorchScript-based exporter (``dynamo=False``), which maps ``nn.GRU`` onto the ONNX
``GRU`` operator; opset 18 runs on onnxruntime >= 1.14. The exported graph is then rewritten so that its audio
encoder runs once when every row of a batch has the same audio (:mod:`training.onnx_share`).
"""

from __future__ import annotations

import dataclasses
import io
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import onnx
import torch

from chart.fileio import atomic_write_bytes
from inference.beatguide import BEAT_GUIDE_CHANNELS
from inference.decode import DEFAULT_DECODE
from inference.manifest import MANIFEST_SUFFIX, FeatureParams, Manifest, SlotDecode, TensorSpec, file_sha256
from training.model import OnsetEnsemble, OnsetExportWrapper, OnsetModel, OnsetModelConfig, count_parameters
from training.onnx_share import share_encoder

OPSET = 18
INPUT_NAMES = ("features", "beat_guide", "difficulty", "cond_onsets", "cond_difficulty", "cond_present")
OUTPUT_NAME = "onset_prob"


def example_inputs(config: OnsetModelConfig, batch: int = 2, frames: int = 300) -> tuple[torch.Tensor, ...]:
    """Inputs of the contract's dtypes and shapes (values random), e.g. for tracing and parity tests."""
    g = torch.Generator().manual_seed(0)
    return (
        torch.randn(batch, frames, config.n_features, generator=g),
        torch.rand(batch, frames, config.n_guide, generator=g),
        torch.arange(batch, dtype=torch.long) % config.n_slots,
        (torch.rand(batch, frames, generator=g) > 0.9).float(),
        torch.zeros(batch, dtype=torch.long),
        (torch.arange(batch) % 2).float(),
    )


def export_onnx(model: OnsetModel | OnsetEnsemble, path: str | Path, share_audio: bool = True) -> Path:
    """Write the model as ONNX (dynamic B and T) atomically; returns the path.

    ``share_audio``: rewrite the graph so that the audio encoder runs once for a batch whose rows share their
    audio (:func:`training.onnx_share.share_encoder`; same inputs, outputs and results).
    """
    wrapper = OnsetExportWrapper(model).eval()
    dynamic: dict[str, dict[int, str]] = {name: {0: "B", 1: "T"} for name in ("features", "beat_guide",
                                                                           "cond_onsets", OUTPUT_NAME)}
    dynamic.update({name: {0: "B"} for name in ("difficulty", "cond_difficulty", "cond_present")})
    buf = io.BytesIO()
    with warnings.catch_warnings():
        # The GRU batch-size warning does not apply: no initial state is exported (tested at several B).
        warnings.simplefilter("ignore")
        torch.onnx.export(wrapper, example_inputs(model.config), buf,  # type: ignore[arg-type]  # a BytesIO works
                          input_names=list(INPUT_NAMES),
                          output_names=[OUTPUT_NAME], dynamic_axes=dynamic, opset_version=OPSET, dynamo=False)
    graph = onnx.load_from_string(buf.getvalue())
    if share_audio:
        graph = share_encoder(graph)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, graph.SerializeToString())
    return path


def contract_specs(config: OnsetModelConfig) -> tuple[list[TensorSpec], list[TensorSpec]]:
    """Manifest input and output specs of the onset contract."""
    inputs = [
        TensorSpec("features", "float32", [-1, -1, config.n_features], "normalised log-mel [B, T, C]"),
        TensorSpec("beat_guide", "float32", [-1, -1, config.n_guide], "beat-guide channels [B, T, G]"),
        TensorSpec("difficulty", "int64", [-1], "slot index 0..4 (beginner..challenge) [B]"),
        TensorSpec("cond_onsets", "float32", [-1, -1], "lower chart's onset train, zeros when absent [B, T]"),
        TensorSpec("cond_difficulty", "int64", [-1], "slot index of the lower chart, 0..4 (0 when absent) [B]"),
        TensorSpec("cond_present", "float32", [-1], "1.0 = refine from a lower chart, 0.0 = plain [B]"),
    ]
    outputs = [TensorSpec(OUTPUT_NAME, "float32", [-1, -1], "per-frame onset probability [B, T]")]
    return inputs, outputs


def build_manifest(onnx_path: Path, config: OnsetModelConfig, features: FeatureParams,
                   decode: dict[str, SlotDecode] | None = None, model_id: str = "onset-v1",
                   extra: dict[str, Any] | None = None) -> Manifest:
    """Manifest for an exported onset model (sha256 of the file included)."""
    inputs, outputs = contract_specs(config)
    return Manifest(
        kind="onset", model_id=model_id, file=onnx_path.name, sha256=file_sha256(onnx_path),
        inputs=inputs, outputs=outputs, features=features,
        beat_guide_channels=list(BEAT_GUIDE_CHANNELS), conditioning=config.conditioning,
        decode=decode if decode is not None else {k: dataclasses.replace(v) for k, v in DEFAULT_DECODE.items()},
        extra={"frame_rate": features.frame_rate, "opset": OPSET, "model_config": config.to_dict(),
               **(extra or {})},
    )


def load_checkpoint(path: str | Path) -> tuple[OnsetModel, FeatureParams, dict]:
    """Model (eval mode), feature parameters with normalisation, and the raw checkpoint dict."""
    ckpt = torch.load(Path(path), map_location="cpu", weights_only=False)
    # Checkpoints from before the cond_density switch were trained without it.
    model = OnsetModel(OnsetModelConfig(**{"cond_density": False, **ckpt["model_config"]}))
    model.load_state_dict(ckpt["model"])
    model.eval()
    return model, FeatureParams(**ckpt["features"]), ckpt


def load_models(paths: Sequence[str | Path]) -> tuple[OnsetModel | OnsetEnsemble, FeatureParams, list[dict]]:
    """One checkpoint's model, or the ensemble of several (which must share feature parameters)."""
    loaded = [load_checkpoint(p) for p in paths]
    if not loaded:
        raise ValueError("no checkpoint given")
    features = loaded[0][1]
    for path, (_, other, _) in zip(paths, loaded):
        if dataclasses.asdict(other) != dataclasses.asdict(features):
            raise ValueError(f"{path} was trained with other feature parameters or normalisation")
    models = [m for m, _, _ in loaded]
    model = models[0] if len(models) == 1 else OnsetEnsemble(models).eval()
    return model, features, [c for _, _, c in loaded]


def export_checkpoint(ckpt_path: str | Path | Sequence[str | Path], onnx_path: str | Path,
                      decode: dict[str, SlotDecode] | None = None, model_id: str = "onset-v1",
                      report: dict | None = None) -> Path:
    """Export a checkpoint (or an ensemble of several) to ``onnx_path`` with ``<stem>.manifest.json`` beside it.

    ``decode`` holds the per-slot settings tuned on the validation songs (defaults when None); ``report`` the
    validation measurement that goes into the manifest for provenance. Returns the ONNX path.
    """
    paths = [ckpt_path] if isinstance(ckpt_path, str | Path) else list(ckpt_path)
    model, features, ckpts = load_models(paths)
    onnx_path = export_onnx(model, onnx_path)
    training = []
    for ckpt in ckpts:
        cfg = ckpt.get("train_config", {})
        training.append({**{k: cfg.get(k) for k in ("seed", "epochs", "lr", "ablation")}, "epoch": ckpt.get("epoch")})
    extra = {
        "parameters": count_parameters(model),
        "training": training if len(training) > 1 else training[0],
        "ensemble": len(ckpts),
        "validation": {k: report[k] for k in ("list", "songs", "onset", "refine") if k in report} if report
        else ckpts[0].get("metrics", {}),
    }
    manifest = build_manifest(onnx_path, model.config, features, decode, model_id, extra)
    if isinstance(model, OnsetEnsemble):
        manifest.extra["model_config"] = [m.config.to_dict() for m in model.member_models()]
    manifest.save(onnx_path.with_name(onnx_path.stem + MANIFEST_SUFFIX))
    return onnx_path

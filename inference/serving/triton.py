"""``python main.py export-triton DIR``: a Triton model repository of the shipped ONNX models.

Layout (Triton's documented model-repository format)::

    DIR/<model>/config.pbtxt          platform onnxruntime_onnx, max_batch_size, dynamic time axis, GPU instances,
                                      version_policy: version 1 only
    DIR/<model>/1/model.onnx          the exact ONNX file the manifest's sha256 names
    DIR/<model>/<model>.manifest.json the manifest (for clients and humans; Triton ignores unknown files)

With ``max_batch_size > 0`` Triton's tensor shapes leave the batch axis out, so ``[-1, -1, 240]`` in the manifest
becomes ``dims: [ -1, 240 ]``: the onset model, whose every tensor is batched along axis 0. A per-item tensor (``[-1]``:
``difficulty``) is ``dims: [ 1 ]`` with ``reshape: { shape: [ ] }``, since Triton requires a non-empty shape per item:
Triton's metadata then says ``[-1, 1]`` and it takes ``[B, 1]``, which :class:`inference.remote.RemoteBackend`
accepts and sends (:func:`inference.remote_validate.trailing_axes`). The lane model's recurrent
state is ``[layers, B, hidden]``, batched on axis 1, which Triton cannot batch: it is written with
``max_batch_size: 0``, its full shapes and no dynamic batching (clients send whole batches; the drafter runs the lane
model locally anyway, one small step per row). Before, ``export-triton`` refused the shipped lane model and so wrote
nothing. The model's sha256 and id are
written as config ``parameters``: Triton's metadata endpoint has no parameters, but ``GET
/v2/models/<model>/config`` returns them, and :class:`inference.remote.RemoteBackend` checks them there.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from chart.fileio import atomic_write_bytes, atomic_write_text
from inference.manifest import Manifest
from inference.serving.server import model_name

TRITON_TYPES = {"float32": "TYPE_FP32", "int64": "TYPE_INT64", "float16": "TYPE_FP16", "int32": "TYPE_INT32"}
DEFAULT_MAX_BATCH = 8  # five slots of one song, plus room for Triton's dynamic batching of two songs' slices


class ExportError(ValueError):
    """A model that cannot be written as a Triton model (unbatched input, unknown dtype, ...)."""


def config_pbtxt(manifest: Manifest, name: str, max_batch_size: int = DEFAULT_MAX_BATCH,
                 gpu_instances: int = 1) -> str:
    """Text of ``config.pbtxt`` for one manifest (protobuf text format of Triton's ModelConfig)."""
    specs_all = [*manifest.inputs, *manifest.outputs]
    batched = all(spec.shape and spec.shape[0] == -1 for spec in specs_all)
    if not batched:  # e.g. the lane model's recurrent state [layers, B, hidden]: Triton cannot batch on axis 1
        max_batch_size = 0
        if empty := [spec.name for spec in specs_all if not spec.shape]:
            raise ExportError(f"{manifest.model_id}: {', '.join(empty)} has no axes and no batch axis")
    lines = [f'name: "{name}"', 'platform: "onnxruntime_onnx"', f"max_batch_size: {max_batch_size}"]
    for section, specs in (("input", manifest.inputs), ("output", manifest.outputs)):
        entries = []
        for spec in specs:
            if spec.dtype not in TRITON_TYPES:
                raise ExportError(f"{manifest.model_id}: {spec.name} has dtype {spec.dtype}, not exportable")
            dims = (spec.shape[1:] or [1]) if batched else list(spec.shape)
            reshape = "\n    reshape: { shape: [ ] }" if batched and not spec.shape[1:] else ""
            entries.append(f'  {{\n    name: "{spec.name}"\n    data_type: {TRITON_TYPES[spec.dtype]}\n'
                           f"    dims: [ {', '.join(str(d) for d in dims)} ]{reshape}\n  }}")
        lines.append(f"{section} [\n" + ",\n".join(entries) + "\n]")
    lines.append("version_policy: { specific: { versions: [ 1 ] } }")  # the only version export writes
    lines.append(f"instance_group [\n  {{\n    count: {gpu_instances}\n    kind: KIND_GPU\n  }}\n]")
    if batched:  # dynamic batching needs max_batch_size > 0
        lines.append("dynamic_batching {\n  max_queue_delay_microseconds: 2000\n}")
    params = {"sha256": manifest.sha256, "model_id": manifest.model_id, "manifest_version": str(manifest.version),
              "kind": manifest.kind}
    for key, value in params.items():
        lines.append(f'parameters {{\n  key: "{key}"\n  value: {{ string_value: "{_escape(value)}" }}\n}}')
    return "\n".join(lines) + "\n"


def export_triton(out_dir: str | Path, manifests: list[Manifest], max_batch_size: int = DEFAULT_MAX_BATCH,
                  gpu_instances: int = 1) -> list[Path]:
    """Write a Triton model repository for ``manifests`` (already sha-verified) into ``out_dir``.

    Returns the written ``config.pbtxt`` paths. Existing model folders of the same names are replaced whole, every
    version folder with them: Triton serves the highest version it finds, so an ``onset/2/`` left from an older
    export was served while ``config.pbtxt`` named the new sha256 (which the client checks). Each folder is
    written next to its place (``.onset.new-*``) and renamed into it, the old one renamed away first, so a
    failure leaves the old model or the new one, never a mix; ``version_policy`` in the config names version 1
    as well. Other content of ``out_dir`` is left alone.
    """
    out = Path(out_dir)
    planned = [(m, model_name(m)) for m in manifests]
    texts = [config_pbtxt(m, name, max_batch_size, gpu_instances) for m, name in planned]  # all valid first
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for (manifest, name), text in zip(planned, texts):
        staging = Path(tempfile.mkdtemp(prefix=f".{name}.new-", dir=out))
        try:
            os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes 0700; the server may run as another user
            (staging / "1").mkdir()
            atomic_write_bytes(staging / "1" / "model.onnx", manifest.model_path.read_bytes())
            copy = Manifest.from_dict({**_manifest_dict(manifest), "file": "1/model.onnx"})
            atomic_write_text(staging / f"{name}.manifest.json", copy.to_json())
            atomic_write_text(staging / "config.pbtxt", text)
            _replace_folder(staging, out / name)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        written.append(out / name / "config.pbtxt")
    return written


def _replace_folder(new: Path, final: Path) -> None:
    """Put ``new`` at ``final``; an existing ``final`` is renamed away first and then deleted."""
    if not final.exists() and not final.is_symlink():
        os.rename(new, final)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=final.parent))
    os.rename(final, old / final.name)
    try:
        os.rename(new, final)
    except BaseException:
        os.rename(old / final.name, final)  # put the old model back
        shutil.rmtree(old, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _manifest_dict(manifest: Manifest) -> dict:
    import json

    return json.loads(manifest.to_json())


def _escape(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"')

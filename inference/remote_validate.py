"""What :class:`inference.remote.RemoteBackend` checks in a server's answers before anything uses them.

* **Metadata** (``GET /v2/models/{name}``) against the local manifest: input names, datatypes, ranks and fixed
  dimensions, output names, the model's sha256. Every field is type-checked first: a server (or a proxy in front
  of it) that sends ``parameters`` as a list, a shape with ``null`` or strings, or ``max_request_bytes: "lots"``
  gets a one-line :class:`~inference.remote_errors.ModelMismatchError` naming it, never a Python traceback.
  Triton lists an input that ``export-triton`` writes as ``dims: [ 1 ]`` reshaped to a scalar (``difficulty``,
  ``[B]`` in the manifest) with the shape the inference API takes, ``[-1, 1]``, and refuses ``[B]``-shaped data:
  such an input is accepted, and :func:`trailing_axes` names it so the client sends it as ``[B, 1]``.
* **Outputs** of each infer answer against the request and the manifest: the datatype the manifest declares (an
  INT64 0/1 tensor is not an FP32 probability), the rank and fixed dimensions, the batch of the request and, for a
  model split along time, the request's frames. A [1, T] answer to five slots was broadcast to all five; a
  shorter time axis crashed the decoder; both are :class:`~inference.remote_errors.MalformedAnswer` now. So are
  NaN or infinite values, and "probabilities" (an output named ``*_prob``) outside [0, 1]: decoded, NaN drafted no
  notes and 7.0 a note on every frame, and the fallback never took over since nothing had failed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from inference.manifest import Manifest
from inference.remote_errors import MalformedAnswer, ModelMismatchError, one_line
from inference.serving.server import model_name
from inference.serving.v2 import datatype_of

#: Room for the JSON header of an answer, and bytes per element when the server answers with JSON numbers.
_HEADER_BYTES = 64 * 1024
_JSON_BYTES_PER_ELEMENT = 32


def metadata_problem(meta: Any) -> str | None:
    """Why ``meta`` is not well-formed V2 model metadata (with our ``parameters``), or None."""
    if not isinstance(meta, Mapping):
        return "it is not a JSON object"
    for key in ("inputs", "outputs"):
        tensors = meta.get(key)
        if tensors is None:
            continue
        if not isinstance(tensors, list) or not all(isinstance(t, Mapping) for t in tensors):
            return f"{key!r} is not a list of objects"
        for t in tensors:
            if not isinstance(t.get("name"), str):
                return f"a tensor of {key!r} has no name"
            shape = t.get("shape", [])
            if not isinstance(shape, list) or not all(_is_int(d) for d in shape):
                return f"tensor {one_line(t['name'], 60)!r} has shape {one_line(shape, 60)}, not a list of integers"
            if "datatype" in t and not isinstance(t["datatype"], str):
                return f"tensor {one_line(t['name'], 60)!r} has a datatype that is not a string"
    params = meta.get("parameters")
    if params is None:
        return None
    if not isinstance(params, Mapping):
        return "'parameters' is not an object"
    if "sha256" in params and not isinstance(params["sha256"], str):
        return "parameter 'sha256' is not a string"
    limit = params.get("max_request_bytes")
    if limit is not None and not (_is_int(limit) and limit > 0):
        return f"parameter 'max_request_bytes' is {one_line(limit, 40)}, not a positive integer"
    if "batch_broadcast" in params and not isinstance(params["batch_broadcast"], bool):
        return "parameter 'batch_broadcast' is not true or false"
    return None


def check_metadata(manifest: Manifest, meta: Mapping[str, Any], sha_from_config: str | None = None,
                   where: str = "server") -> None:
    """Raise :class:`ModelMismatchError` unless the server's model metadata is well-formed and matches the
    manifest. ``where`` names the server in messages (``"server http://host:8080"``). An input whose served shape
    is the manifest's plus a trailing axis of 1 matches (Triton's ``reshape``; see :func:`trailing_axes`)."""
    if problem := metadata_problem(meta):
        raise ModelMismatchError(f"{where} sent malformed metadata for {model_name(manifest)}: {problem}")
    name = one_line(meta.get("name") or model_name(manifest), 60)
    served = {t["name"]: t for t in meta.get("inputs") or []}
    wanted = {s.name: s for s in manifest.inputs}
    if set(served) != set(wanted):
        raise ModelMismatchError(f"{where}: model {name} takes inputs {one_line(sorted(served), 120)}, "
                                 f"the local manifest says {sorted(wanted)}")
    for spec in manifest.inputs:
        tensor = served[spec.name]
        if tensor.get("datatype") != datatype_of(spec.dtype):
            raise ModelMismatchError(f"{where}: model {name} input {spec.name} is "
                                     f"{one_line(tensor.get('datatype'), 20)}, the local manifest says "
                                     f"{datatype_of(spec.dtype)}")
        shape = list(tensor.get("shape") or [])
        if _plus_one(shape, spec.shape):
            shape = shape[:-1]
        if len(shape) != len(spec.shape) or any(a >= 0 and b >= 0 and a != b for a, b in zip(shape, spec.shape)):
            raise ModelMismatchError(f"{where}: model {name} input {spec.name} has shape {shape}, "
                                     f"the local manifest says {spec.shape}")
    outputs = {t["name"] for t in meta.get("outputs") or []}
    if missing := sorted({s.name for s in manifest.outputs} - outputs):
        raise ModelMismatchError(f"{where}: model {name} lacks outputs {missing}")
    sha = (meta.get("parameters") or {}).get("sha256") or sha_from_config
    if sha and manifest.sha256 and sha != manifest.sha256:
        raise ModelMismatchError(f"{where}: model {name} is sha256:{one_line(sha, 80)[:12]}, the local manifest "
                                 f"is {manifest.display_id()}: update the server or the app")


def trailing_axes(manifest: Manifest, meta: Mapping[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    """``(inputs, outputs)`` the (checked) metadata lists with a trailing axis of 1 that the manifest lacks.

    ``export-triton`` writes a per-item input such as ``difficulty`` ([B] in the manifest) as ``dims: [ 1 ]`` with
    ``reshape: { shape: [ ] }``: Triton requires every input of a batched model to have a non-empty shape per item
    (its model-configuration docs, "Reshape"), so its API takes and its metadata shows ``[-1, 1]`` while the
    model sees ``[B]``. Those inputs are sent with the extra axis, and such outputs come back with it."""
    def extra(tensors: Any, specs: list) -> frozenset[str]:
        served = {t["name"]: list(t.get("shape") or []) for t in tensors or []}
        return frozenset(s.name for s in specs if s.name in served and _plus_one(served[s.name], s.shape))

    return extra(meta.get("inputs"), manifest.inputs), extra(meta.get("outputs"), manifest.outputs)


def _plus_one(served: list[int], shape: list[int]) -> bool:
    """``served`` is ``shape`` with a trailing axis of 1 added (dynamic axes match anything)."""
    return (len(served) == len(shape) + 1 and served[-1] == 1
            and all(a < 0 or b < 0 or a == b for a, b in zip(served, shape)))


def advertised_limit(meta: Mapping[str, Any]) -> int | None:
    """The request size limit a (checked) metadata advertises, bytes."""
    limit = (meta.get("parameters") or {}).get("max_request_bytes")
    return limit if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0 else None


def batch_first(manifest: Manifest) -> bool:
    """Every input and output has a dynamic axis 0: the batch (the onset model; not the lane model's state)."""
    specs = [*manifest.inputs, *manifest.outputs]
    return bool(specs) and all(s.shape and s.shape[0] == -1 for s in specs)


def expected_shapes(manifest: Manifest, batch: int | None, frames: int | None) -> dict[str, list[int | None]]:
    """Each output's shape as far as it is known: fixed dimensions, the request's batch on axis 0 of a
    batch-first model, its frames on axis 1 of a model split along time (``frames`` given); None where free."""
    first = batch_first(manifest)
    shapes: dict[str, list[int | None]] = {}
    for spec in manifest.outputs:
        dims: list[int | None] = []
        for axis, dim in enumerate(spec.shape):
            if dim >= 0:
                dims.append(dim)
            elif axis == 0 and first and batch is not None:
                dims.append(batch)
            elif axis == 1 and first and frames is not None:
                dims.append(frames)
            else:
                dims.append(None)
        shapes[spec.name] = dims
    return shapes


def answer_limit(manifest: Manifest, batch: int | None, frames: int | None, request_bytes: int) -> int:
    """Most bytes an infer answer may take: the outputs' elements as JSON numbers plus a header; where a size is
    not known from the request, 64 bytes per request byte (a separation model answers with several stems)."""
    shapes = expected_shapes(manifest, batch, frames).values()
    if all(d is not None for dims in shapes for d in dims):
        elements = sum(math.prod(d for d in dims if d is not None) for dims in shapes)
        return _HEADER_BYTES + _JSON_BYTES_PER_ELEMENT * elements
    return _HEADER_BYTES + 64 * request_bytes


def check_outputs(where: str, manifest: Manifest, result: Mapping[str, np.ndarray], batch: int | None,
                  frames: int | None) -> None:
    """Raise :class:`MalformedAnswer` unless each manifest output in ``result`` has the manifest's datatype and the
    shape the request implies (see :func:`expected_shapes`), holds finite numbers only and, for a probability
    (an output named ``*_prob``), numbers in [0, 1]."""
    shapes = expected_shapes(manifest, batch, frames)
    for spec in manifest.outputs:
        array = result[spec.name]
        want = datatype_of(spec.dtype)
        got = datatype_of(array.dtype)
        if got != want:
            raise MalformedAnswer(f"{where} returned {spec.name} as {got}; the model's output is {want}")
        dims = shapes[spec.name]
        if array.ndim != len(dims) or any(d is not None and d != n for d, n in zip(dims, array.shape)):
            shown = "[" + ", ".join("?" if d is None else str(d) for d in dims) + "]"
            raise MalformedAnswer(f"{where} returned {spec.name} with shape {list(array.shape)}; this request "
                                  f"needs {shown}")
        if array.dtype.kind == "f" and array.size:
            with np.errstate(invalid="ignore"):
                low, high = float(np.min(array)), float(np.max(array))  # NaN anywhere makes both NaN
            if not (math.isfinite(low) and math.isfinite(high)):
                raise MalformedAnswer(f"{where} returned {spec.name} with NaN or infinite values")
            if spec.name.endswith("_prob") and (low < 0.0 or high > 1.0):
                raise MalformedAnswer(f"{where} returned {spec.name} with values from {low:.4g} to {high:.4g}; "
                                      "probabilities lie in [0, 1]")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)

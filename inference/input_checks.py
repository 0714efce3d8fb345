"""The input contract every backend checks before a run: names, dtypes, ranks and fixed dimensions from the model's
manifest, no empty axis (a batch of 0 rows, 0 frames), finite floats, and slot indices among the manifest's slots
(``inference.backends`` and the remote backend call :func:`validate_inputs`; the server answers its
:class:`InputError` with a 400)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from inference.manifest import Manifest, TensorSpec

DTYPES: dict[str, np.dtype[Any]] = {"float32": np.dtype(np.float32), "int64": np.dtype(np.int64)}


class InputError(ValueError):
    """Inputs that do not match the manifest (names, dtypes, ranks, fixed dimensions)."""


def validate_inputs(manifest: Manifest, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Check inputs against the manifest and return them as C-contiguous arrays of the declared dtype.

    Parameters
    ----------
    manifest : Manifest
        Declares each input's name, dtype and shape (``-1`` = dynamic axis).
    inputs : mapping of str to np.ndarray
        Exactly the manifest's inputs. Arrays of another *kind* (float vs int) are refused; float64 -> float32
        and int32 -> int64 are accepted and cast (lossless for the values these models take).

    Returns
    -------
    dict of str to np.ndarray

    Raises
    ------
    InputError
        One line naming the first problem found.
    """
    want = {spec.name: spec for spec in manifest.inputs}
    missing = sorted(set(want) - set(inputs))
    unknown = sorted(set(inputs) - set(want))
    if missing or unknown:
        parts = [f"missing {missing}" if missing else "", f"unknown {unknown}" if unknown else ""]
        raise InputError(f"inputs of {manifest.model_id} do not match its manifest: {', '.join(p for p in parts if p)}")
    arrays = {name: _check_tensor(manifest.model_id, spec, inputs[name]) for name, spec in want.items()}
    _check_slots(manifest, arrays)
    return arrays


def _check_slots(manifest: Manifest, arrays: dict[str, np.ndarray]) -> None:
    """Slot indices must name one of the manifest's slots: the shipped onset graph clamps them, so a 7 would
    silently draft Challenge (and an unclamped graph fails deep inside onnxruntime)."""
    n = len(manifest.slots or ())
    for name in ("difficulty", "cond_difficulty"):
        values = arrays.get(name)
        if values is None or not n:
            continue
        bad = values[(values < 0) | (values >= n)]
        if len(bad):
            raise InputError(f"{manifest.model_id}: input {name!r} holds slot index {int(bad[0])}; "
                             f"the model's slots are 0..{n - 1} ({', '.join(manifest.slots)})")


def _check_tensor(model_id: str, spec: TensorSpec, value: Any) -> np.ndarray:
    arr = np.asarray(value)
    dtype = DTYPES.get(spec.dtype)
    if dtype is None:
        raise InputError(f"{model_id}: manifest declares unsupported dtype {spec.dtype!r} for {spec.name!r}")
    if arr.dtype.kind != dtype.kind:
        raise InputError(f"{model_id}: input {spec.name!r} must be {spec.dtype}, got {arr.dtype}")
    if arr.ndim != len(spec.shape):
        raise InputError(f"{model_id}: input {spec.name!r} must have rank {len(spec.shape)} "
                         f"(shape {spec.shape}), got shape {list(arr.shape)}")
    for axis, (want, got) in enumerate(zip(spec.shape, arr.shape)):
        if want >= 0 and want != got:
            raise InputError(f"{model_id}: input {spec.name!r} axis {axis} must be {want}, got {got}")
    if arr.size == 0:  # a batch of 0 rows failed inside onnxruntime (a 500 from the server, retried by clients)
        raise InputError(f"{model_id}: input {spec.name!r} is empty (shape {list(arr.shape)}): "
                         "a run needs at least one row and one frame")
    if dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise InputError(f"{model_id}: input {spec.name!r} holds NaN or infinite values")
    return np.ascontiguousarray(arr, dtype=dtype)

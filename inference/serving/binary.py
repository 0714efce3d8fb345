"""The binary tensor data extension of the V2 protocol (as Triton and ``tritonclient`` speak it), for MLServer.

A 3-minute song's features for five slots are ~86 MB as float32 but ~240 MB as JSON text, and parsing that JSON
costs seconds of server CPU. Triton's extension sends a small JSON header followed by the raw little-endian
tensor bytes: the header's length is in the ``Inference-Header-Content-Length`` HTTP header and each binary input
carries ``parameters.binary_data_size``. MLServer 1.x does not implement it, so the guard middleware splits such a
request in front of MLServer: the arrays go into a process-local table under an unguessable reference, MLServer
receives the JSON header (with empty ``data``) plus a ``x-genelive-tensor-ref`` header, and our runtime takes the
arrays back by that reference. The way back is the same: the runtime answers MLServer with empty placeholders and
leaves the output arrays under the reference, and the guard renders the response body — binary parts where the
client asked for them (``parameters.binary_data`` on an output, or ``binary_data_output`` on the request), else
JSON numbers written straight from the arrays. (Left to FastAPI, 90 000 output floats cost ~0.6 s of
``jsonable_encoder`` on this machine; rendered here, a few milliseconds.) Every infer request gets a reference,
JSON ones too, so all responses take the fast path.

Batch broadcast (our extension, only used when the model metadata advertises ``batch_broadcast``): inputs listed
in the request parameter ``genelive_broadcast`` were sent with batch 1 and are repeated to the batch of the
other inputs — the drafter's five slots share one song's features, so this cuts the upload five-fold.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Mapping
from typing import Any

import numpy as np

from inference.serving.v2 import (
    DTYPE_OF,
    V2FormatError,
    check_shape,
    check_tensor_list,
    datatype_of,
    dumps,
    loads,
)

HEADER_LENGTH = "inference-header-content-length"
TENSOR_REF_HEADER = "x-genelive-tensor-ref"
BROADCAST_PARAMETER = "genelive_broadcast"

_pending: dict[str, dict[str, Any]] = {}  # ref -> {"inputs": {name: array}, "outputs": {name: (array, binary)}}
_lock = threading.Lock()


def encode_binary_request(inputs: Mapping[str, np.ndarray], outputs: list[str] | None = None,
                          broadcast: list[str] | None = None) -> tuple[bytes, int]:
    """Body and JSON-header length of a binary-extension request (inputs and requested outputs binary)."""
    tensors, blobs = [], []
    for name, array in inputs.items():
        array = np.ascontiguousarray(array)
        blob = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        tensors.append({"name": name, "shape": list(array.shape), "datatype": datatype_of(array.dtype),
                        "parameters": {"binary_data_size": len(blob)}})
        blobs.append(blob)
    message: dict[str, Any] = {"inputs": tensors}
    if outputs:
        message["outputs"] = [{"name": n, "parameters": {"binary_data": True}} for n in outputs]
    if broadcast:
        message["parameters"] = {BROADCAST_PARAMETER: list(broadcast)}
    header = dumps(message)
    return b"".join([header, *blobs]), len(header)


def split_binary_request(body: bytes, header_length: int) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """JSON header (binary inputs given empty ``data``) and the binary inputs as arrays; V2FormatError if bad."""
    return _split(body, header_length, "inputs")


def _split(body: bytes, header_length: int, key: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    if not 0 < header_length <= len(body):
        raise V2FormatError(f"Inference-Header-Content-Length {header_length} does not fit a body of "
                            f"{len(body)} bytes")
    message = loads(body[:header_length])
    tensors = message.get(key) if isinstance(message, dict) else None
    if not isinstance(tensors, list):
        raise V2FormatError(f"message has no {key!r} list")
    check_tensor_list(message, key)  # count and names, before any per-tensor work
    check_tensor_list(message, "outputs" if key == "inputs" else "inputs", unique=False)
    offset, arrays = header_length, {}
    view = memoryview(body)
    declared = sum(s for s in map(_binary_size, tensors) if isinstance(s, int) and not isinstance(s, bool) and s > 0)
    for tensor in tensors:
        params = tensor.get("parameters") if isinstance(tensor, dict) else None
        size = params.get("binary_data_size") if isinstance(params, dict) else None
        if size is None or not isinstance(params, dict):
            continue
        if isinstance(size, int) and size >= 0 and offset + size > len(body):
            raise V2FormatError(f"binary data ended {header_length + declared - len(body)} bytes early: the tensors "
                                f"declare {declared} bytes, {len(body) - header_length} came")
        name, array = _binary_tensor(tensor, size, view[offset:offset + size] if isinstance(size, int) else b"")
        offset += size
        arrays[name] = array
        params.pop("binary_data_size")
        tensor["data"] = []
    if offset != len(body):
        raise V2FormatError(f"binary data is {len(body) - header_length} bytes but the tensors declare "
                            f"{offset - header_length}")
    return message, arrays


def _binary_size(tensor: Any) -> Any:
    params = tensor.get("parameters") if isinstance(tensor, dict) else None
    return params.get("binary_data_size") if isinstance(params, dict) else None


def _binary_tensor(tensor: dict[str, Any], size: Any, blob: Any) -> tuple[str, np.ndarray]:
    name, shape, datatype = tensor.get("name"), tensor.get("shape"), tensor.get("datatype")
    if not isinstance(name, str) or not isinstance(shape, list) or datatype not in DTYPE_OF:
        raise V2FormatError(f"binary tensor {name!r}: needs a name, a shape and a known datatype")
    dtype = DTYPE_OF[datatype].newbyteorder("<")
    want = check_shape(name, shape) * dtype.itemsize
    if not isinstance(size, int) or size != want or len(blob) != size:
        raise V2FormatError(f"tensor {name!r}: shape {shape} {datatype} needs {want} bytes, "
                            f"binary_data_size says {size}")
    return name, np.frombuffer(blob, dtype=dtype).astype(dtype.newbyteorder("="), copy=True).reshape(shape)


def stash(arrays: dict[str, np.ndarray]) -> str:
    """Keep a request's binary inputs for the runtime; returns the reference to pass along."""
    ref = secrets.token_hex(16)
    with _lock:
        _pending[ref] = {"inputs": arrays, "outputs": {}}
    return ref


def take(ref: str | None) -> dict[str, np.ndarray] | None:
    """The inputs stashed under ``ref`` (handed over once); None when the request did not pass the guard."""
    if not ref:
        return None
    with _lock:
        entry = _pending.get(ref)
        return entry.pop("inputs", {}) if entry is not None else None


def put_outputs(ref: str, outputs: dict[str, tuple[np.ndarray, bool]]) -> bool:
    """Hand the model's outputs (array, send-as-binary) back to the guard, which renders the response body."""
    with _lock:
        entry = _pending.get(ref)
        if entry is None:
            return False
        entry["outputs"] = outputs
        return True


def take_outputs(ref: str) -> dict[str, tuple[np.ndarray, bool]]:
    with _lock:
        entry = _pending.get(ref)
        return entry.pop("outputs", {}) if entry is not None else {}


def drop(ref: str) -> None:
    """Forget ``ref`` (the guard calls it after the request, whatever happened)."""
    with _lock:
        _pending.pop(ref, None)


def pending_count() -> int:
    """Requests whose stash is still held (0 between requests; tests check nothing leaks)."""
    with _lock:
        return len(_pending)


def render_response(body: bytes, outputs: dict[str, tuple[np.ndarray, bool]]) -> tuple[bytes, int | None]:
    """Fill the runtime's placeholder outputs: raw bytes after the JSON header where the client asked for
    binary output, else JSON numbers (serialised by orjson from the array, not via Python lists).
    Returns the body and, when binary parts follow, the JSON header's length."""
    message = loads(body)
    blobs = []
    for output in message.get("outputs", []):
        array, as_binary = outputs[output["name"]]
        array = np.ascontiguousarray(array)
        if as_binary:
            blob = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
            output["parameters"] = {**(output.get("parameters") or {}), "binary_data_size": len(blob)}
            output.pop("data", None)
            blobs.append(blob)
        else:
            output["data"] = array.reshape(-1) if orjson_available() else array.reshape(-1).tolist()
    header = dumps(message)
    return (b"".join([header, *blobs]), len(header)) if blobs else (header, None)


def decode_binary_response(body: bytes, header_length: int) -> dict[str, np.ndarray]:
    """Outputs of a response that uses the binary extension."""
    message, arrays = _split(body, header_length, "outputs")
    for output in message.get("outputs", []):
        if not isinstance(output, dict) or output.get("name") not in arrays:
            from inference.serving.v2 import decode_tensor

            name, array = decode_tensor(output)
            arrays[name] = array
    return arrays


def orjson_available() -> bool:
    from inference.serving import v2

    return v2.orjson is not None


def broadcast_batch(inputs: dict[str, np.ndarray], names: Any) -> dict[str, np.ndarray]:
    """Repeat the batch-1 inputs named in ``names`` to the batch size of the other inputs (views, no copy)."""
    if not names:
        return inputs
    if not isinstance(names, list) or len(names) > len(inputs) or \
            not all(isinstance(n, str) and n in inputs for n in names):
        raise V2FormatError(f"{BROADCAST_PARAMETER} must list input names, got {names!r:.200}")
    batches = {a.shape[0] for n, a in inputs.items() if n not in names and a.ndim}
    if len(batches) != 1:
        raise V2FormatError(f"{BROADCAST_PARAMETER}: the other inputs disagree on the batch size {sorted(batches)}")
    batch = batches.pop()
    out = dict(inputs)
    for name in names:
        array = inputs[name]
        if array.ndim == 0 or array.shape[0] != 1:
            raise V2FormatError(f"{BROADCAST_PARAMETER}: {name!r} must be sent with batch 1")
        out[name] = np.broadcast_to(array, (batch, *array.shape[1:]))
    return out

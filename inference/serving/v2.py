"""KServe V2 (Open Inference Protocol) JSON tensors: numpy <-> ``{name, shape, datatype, data}``.

Shared by the client (:mod:`inference.remote`) and our MLServer runtime, so both sides agree on datatypes and
on what a well-formed tensor is. Pure numpy + JSON: no pickle, no eval — the only parser is a JSON parser, and
every decoded tensor is checked (datatype known, shape non-negative, element count equal to the shape's) before a
model sees it. ``orjson`` (a dependency of MLServer) is used when installed because it serialises numpy arrays
without building Python lists; the standard ``json`` module is the fallback.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any, cast

import numpy as np

try:  # optional speed-up; both produce standard JSON
    import orjson
except ImportError:  # pragma: no cover - exercised only where orjson is absent
    orjson = None  # type: ignore[assignment]

#: numpy dtype name <-> V2 datatype, for the types our models use (and a few harmless neighbours).
DATATYPE_OF = {"float32": "FP32", "float64": "FP64", "float16": "FP16", "int64": "INT64", "int32": "INT32",
               "int16": "INT16", "int8": "INT8", "uint8": "UINT8", "bool": "BOOL"}
DTYPE_OF = {v: np.dtype(k) for k, v in DATATYPE_OF.items()}
#: Refuse tensors above this many elements outright (the byte limit on the server usually bites first).
MAX_ELEMENTS = 256 * 1024 * 1024
#: Most axes a tensor may have (numpy allows 64; our models use up to 3).
MAX_RANK = 16
#: Most tensors a message may list under ``inputs`` or ``outputs`` (our models take and give a handful). Checked
#: before any per-tensor work: 40,000 empty tensors in a 2 MB body held the server's event loop for 23 s.
MAX_TENSORS = 64


class V2FormatError(ValueError):
    """A request or response that is not a well-formed V2 tensor message; the message is one line."""


def datatype_of(dtype: np.dtype | str) -> str:
    """V2 datatype string (``"FP32"``) of a numpy dtype or manifest dtype name (``"float32"``)."""
    name = np.dtype(dtype).name
    if name not in DATATYPE_OF:
        raise V2FormatError(f"dtype {name} has no V2 datatype here")
    return DATATYPE_OF[name]


def encode_tensor(name: str, array: np.ndarray) -> dict[str, Any]:
    """One V2 tensor dict with flat row-major ``data`` (a numpy array when orjson will serialise it)."""
    array = np.ascontiguousarray(array)
    flat = array.reshape(-1)
    return {"name": name, "shape": list(array.shape), "datatype": datatype_of(array.dtype),
            "data": flat if orjson is not None else flat.tolist()}


def dumps(message: Mapping[str, Any]) -> bytes:
    """Serialise a V2 message (numpy arrays allowed in ``data``) to JSON bytes."""
    if orjson is not None:
        return orjson.dumps(message, option=orjson.OPT_SERIALIZE_NUMPY)
    return json.dumps(message, separators=(",", ":"), allow_nan=False).encode()


def loads(body: bytes | str) -> Any:
    """Parse JSON bytes; raise :class:`V2FormatError` (never anything else) on bad input."""
    try:
        return orjson.loads(body) if orjson is not None else json.loads(body)
    except (ValueError, TypeError, RecursionError) as exc:
        raise V2FormatError(f"body is not valid JSON: {str(exc).splitlines()[0][:200]}") from exc


def encode_request(inputs: Mapping[str, np.ndarray], outputs: list[str] | None = None,
                   request_id: str | None = None, parameters: Mapping[str, Any] | None = None) -> bytes:
    """JSON body of ``POST /v2/models/{name}/infer``."""
    message: dict[str, Any] = {"inputs": [encode_tensor(k, v) for k, v in inputs.items()]}
    if parameters:
        message["parameters"] = dict(parameters)
    if outputs:
        message["outputs"] = [{"name": n} for n in outputs]
    if request_id:
        message["id"] = request_id
    return dumps(message)


def decode_tensor(obj: Any, expected_dtype: np.dtype | None = None) -> tuple[str, np.ndarray]:
    """Check and convert one V2 tensor dict (or an object with the same attributes) to a numpy array.

    Parameters
    ----------
    obj : dict or object
        ``name``, ``shape``, ``datatype``, ``data`` (flat or nested list of numbers).
    expected_dtype : np.dtype, optional
        Refuse any other datatype (the manifest's dtype on the server).

    Returns
    -------
    name : str
    array : np.ndarray
        Shaped ``shape``, of the datatype's dtype.
    """
    get = obj.get if isinstance(obj, Mapping) else (lambda key: getattr(obj, key, None))
    name, shape, datatype, data = get("name"), get("shape"), get("datatype"), get("data")
    datatype = getattr(datatype, "value", datatype)  # MLServer passes an Enum
    data = getattr(data, "root", data)  # ... and a pydantic RootModel
    if not isinstance(name, str) or not name:
        raise V2FormatError("tensor without a name")
    count = check_shape(name, shape)
    dtype = DTYPE_OF.get(datatype) if isinstance(datatype, str) else None
    if dtype is None:
        raise V2FormatError(f"tensor {name!r}: unsupported datatype {datatype!r}")
    if expected_dtype is not None and dtype != np.dtype(expected_dtype):
        raise V2FormatError(f"tensor {name!r}: datatype must be {datatype_of(expected_dtype)}, got {datatype}")
    return name, _to_array(name, data, dtype, cast("list[int]", shape), count)


def check_shape(name: str, shape: Any) -> int:
    """The element count of a well-formed ``shape``; V2FormatError otherwise. An empty axis does not make any
    shape acceptable: ``[2**62, 2**62, 0]`` has no elements, but numpy refuses to make it (a ValueError, which
    became a 500), so the other axes are bounded as if the tensor were not empty."""
    if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0
                                              for d in shape):
        raise V2FormatError(f"tensor {name!r}: shape must be a list of non-negative integers, got {shape!r}")
    if len(shape) > MAX_RANK:
        raise V2FormatError(f"tensor {name!r}: {len(shape)} axes is more than the limit {MAX_RANK}")
    if math.prod(d for d in shape if d) > MAX_ELEMENTS:
        raise V2FormatError(f"tensor {name!r}: shape {shape} is over the limit of {MAX_ELEMENTS} elements")
    return math.prod(shape)


def _to_array(name: str, data: Any, dtype: np.dtype, shape: list[int], count: int) -> np.ndarray:
    if isinstance(data, np.ndarray):
        array = data
    elif isinstance(data, list):
        try:
            # Integers are read exactly (no silent truncation of 1.5 to 1); floats via float64 then cast.
            array = np.asarray(data, dtype=None if dtype.kind in "iub" else np.float64)
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:
            raise V2FormatError(f"tensor {name!r}: data is not a regular list of numbers") from exc
    else:
        raise V2FormatError(f"tensor {name!r}: data must be a list")
    if array.dtype == object or array.dtype.kind not in "iufb" or (dtype.kind != "b" and _has_bool(data, array)):
        # JSON true/false are not numbers: [true] as INT64 drafted slot 1 (Easy), as FP32 it read 1.0
        raise V2FormatError(f"tensor {name!r}: data must hold numbers only")
    if dtype.kind in "iu" and array.size and array.dtype.kind not in "iub":
        raise V2FormatError(f"tensor {name!r}: {DATATYPE_OF[dtype.name]} data must be integers")
    if array.size != count:
        raise V2FormatError(f"tensor {name!r}: shape {shape} needs {count} values, got {array.size}")
    if dtype.kind in "iu" and array.size and (array.min() < np.iinfo(dtype).min or array.max() > np.iinfo(dtype).max):
        raise V2FormatError(f"tensor {name!r}: values out of range for {DATATYPE_OF[dtype.name]}")
    if dtype.kind == "f" and array.dtype.kind == "f" and array.dtype.itemsize > dtype.itemsize and array.size:
        # JSON numbers are read as float64; 1e39 as FP32 is infinity, and numpy's cast said so with a two-line
        # RuntimeWarning on stderr. Refused like an integer out of range (NaN/inf written as such are left to the
        # caller: the server refuses NaN, the client any non-finite output).
        with np.errstate(invalid="ignore"):
            if (np.abs(array[np.isfinite(array)]) > np.finfo(dtype).max).any():
                raise V2FormatError(f"tensor {name!r}: values out of range for {DATATYPE_OF[dtype.name]}")
    return np.ascontiguousarray(array.reshape(shape).astype(dtype, copy=False))


def _has_bool(data: Any, array: np.ndarray) -> bool:
    """Whether ``data`` (a regular nest of lists, already read into ``array``) holds a ``True``/``False``; numpy reads
    ``[true, 2.5]`` as floats, so the dtype alone does not tell."""
    if array.dtype.kind == "b":
        return bool(array.size)
    if not isinstance(data, list):
        return False
    rows = [data]
    for _ in range(array.ndim - 1):  # regular (numpy accepted it): flatten one axis at a time, in C loops
        rows = [row for nest in rows for row in nest]
    return any(bool in set(map(type, row)) for row in rows)


def decode_response(body: bytes | str | Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Outputs of a V2 inference response by name; :class:`V2FormatError` when malformed."""
    message = loads(body) if isinstance(body, (bytes, str)) else body
    outputs = message.get("outputs") if isinstance(message, Mapping) else None
    if not isinstance(outputs, list):
        raise V2FormatError("response has no 'outputs' list")
    return unique_tensors(decode_tensor(o) for o in outputs)


def check_tensor_list(message: Any, key: str, unique: bool = True) -> None:
    """V2FormatError when ``message[key]`` lists more than :data:`MAX_TENSORS` tensors or (``unique``) names one
    twice; linear (a set, not ``names.count`` per name: quadratic in a count the client chooses)."""
    tensors = message.get(key) if isinstance(message, dict) else None
    if not isinstance(tensors, list):
        return
    if len(tensors) > MAX_TENSORS:
        raise V2FormatError(f"{len(tensors)} {key} is more than the limit of {MAX_TENSORS} tensors in one message")
    if not unique:
        return
    seen: set[str] = set()
    for tensor in tensors:
        name = tensor.get("name") if isinstance(tensor, dict) else None
        if isinstance(name, str):
            if name in seen:
                raise V2FormatError(f"tensor {name!r} given twice")
            seen.add(name)


def unique_tensors(pairs: Iterable[tuple[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """``{name: array}`` from decoded tensors; a name given twice is refused (a dict would keep the last one
    silently: a server that listed an output twice had its second, wrong, copy used)."""
    out: dict[str, np.ndarray] = {}
    for name, array in pairs:
        if name in out:
            raise V2FormatError(f"tensor {name!r} given twice")
        out[name] = array
    return out

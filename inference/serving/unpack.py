"""Request bodies unpacked by the guard before MLServer sees them: binary-extension and JSON tensors alike.

Binary requests (Triton's extension) must be unpacked here, since MLServer only reads JSON tensors. JSON tensors
are decoded here too: left to MLServer, a body is parsed with orjson *on the event loop* and then validated into
pydantic models, so a 59.5 MiB body of numbers took the server from 150 MB to a 1,453 MB peak and health probes
waited seconds for it. Here the body is parsed in a worker thread (:func:`decode_json_tensors`, called through
``asyncio.to_thread``), each tensor's ``data`` goes straight into one numpy array of its datatype, and MLServer
receives the message with empty ``data`` lists plus the tensor reference (see :mod:`.binary`); the runtime takes
the arrays back by it. Only well-formed tensors are taken out: anything else stays in the message for MLServer's
and the runtime's own one-line 400s.
"""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

import numpy as np

from inference.serving import binary
from inference.serving.v2 import V2FormatError, check_shape, check_tensor_list, decode_tensor, dumps, loads

Headers = list[tuple[bytes, bytes]]
REF = binary.TENSOR_REF_HEADER.encode()
HEADER_LENGTH = binary.HEADER_LENGTH.encode()
CHUNK = 1 << 20  # JSON numbers converted at a time
MAX_LENGTH_DIGITS = 18  # a byte count of up to 10**18 - 1; longer is refused before int() (see below)


async def unpack(headers: Headers, body: bytes) -> tuple[bytes, str, Headers]:
    """Take the request's tensors out as arrays (binary ones here, JSON ones parsed in a worker thread so the
    event loop keeps answering), stash them, and tag the request with the reference. Every infer request gets a
    reference, so the runtime hands its outputs back for fast rendering. Returns the body MLServer receives, the
    reference and the new headers; V2FormatError for a malformed request."""
    length = binary_header_length(headers)
    message: dict[str, Any] | None
    if length is not None:
        # off the event loop, as the JSON path: parsing a header of many tensors must not hold health probes
        message, arrays = await asyncio.to_thread(binary.split_binary_request, body, length)
    else:
        message, arrays = await asyncio.to_thread(decode_json_tensors, body)
    new_body = None if message is None else dumps(message)
    ref = binary.stash(arrays)
    return (body if new_body is None else new_body), ref, tagged(headers, ref, new_body)


def client_timeout(headers: Headers, name: bytes) -> float | None:
    """The seconds a client says it waits for its answer (header ``name``), None when it sent none; ValueError
    (one line) for anything but a positive number."""
    value = next((v for k, v in headers if k.lower() == name), None)
    if value is None:
        return None
    try:
        seconds = float(value.decode("latin-1"))
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"{name.decode().title()} must be a positive number of seconds")
    return seconds


def binary_header_length(headers: Headers) -> int | None:
    """The ``Inference-Header-Content-Length`` of a binary-extension request; None for a JSON request;
    V2FormatError when it is not a number."""
    length = next((v for k, v in headers if k.lower() == HEADER_LENGTH), None)
    if length is None:
        return None
    length = length.strip()
    if not length.isdigit():
        raise V2FormatError("invalid Inference-Header-Content-Length")
    if len(length) > MAX_LENGTH_DIGITS:  # int() of 4,300+ digits raises ValueError (a 500); no body is that long
        raise V2FormatError(f"Inference-Header-Content-Length of {len(length)} digits is longer than any body")
    return int(length)


def decode_json_tensors(body: bytes) -> tuple[dict[str, Any] | None, dict[str, np.ndarray]]:
    """A JSON request's message with the ``data`` of each well-formed input taken out as an array.

    Returns ``(None, {})`` when the body holds no JSON tensor data to take out (then it goes to MLServer as it
    came: its own errors for a body that is not JSON, or has no inputs). A tensor whose data does not fit its
    shape or datatype raises V2FormatError (a 400, the message the runtime would give)."""
    try:
        message = loads(body)
    except V2FormatError:
        return None, {}
    check_tensor_list(message, "outputs", unique=False)  # a name asked twice: the runtime's own 400 says so
    inputs = message.get("inputs") if isinstance(message, dict) else None
    if not isinstance(inputs, list):
        return None, {}
    check_tensor_list(message, "inputs", unique=False)  # a second tensor of one name: see below
    arrays: dict[str, np.ndarray] = {}
    for tensor in inputs:
        if not isinstance(tensor, dict) or not isinstance(tensor.get("data"), list) or not tensor["data"]:
            continue
        params = tensor.get("parameters")
        if isinstance(params, dict) and "binary_data_size" in params:
            continue
        name = tensor.get("name")
        if not isinstance(name, str) or name in arrays:
            continue  # a second tensor of one name stays in the message: the runtime says "given twice"
        name, array = _decode(tensor)
        arrays[name] = array
        tensor["data"] = []  # the list of Python numbers is freed here, not kept beside the array
    return (message, arrays) if arrays else (None, {})


def _decode(tensor: dict[str, Any]) -> tuple[str, np.ndarray]:
    """:func:`~inference.serving.v2.decode_tensor`, a long flat ``data`` list a chunk at a time into the array of
    the tensor's datatype: no full-size float64 copy, and the event loop gets Python's lock between chunks."""
    data = tensor["data"]
    if len(data) <= CHUNK or isinstance(data[0], list):
        return decode_tensor(tensor)
    name, head = decode_tensor({**tensor, "shape": [0], "data": []})  # name and datatype checked
    count = check_shape(name, tensor.get("shape"))
    if count != len(data):
        raise V2FormatError(f"tensor {name!r}: shape {tensor['shape']} needs {count} values, got {len(data)}")
    out = np.empty(count, head.dtype)
    for at in range(0, count, CHUNK):
        piece = data[at:at + CHUNK]
        out[at:at + len(piece)] = decode_tensor({**tensor, "shape": [len(piece)], "data": piece})[1]
    return name, out.reshape(tensor["shape"])


def tagged(headers: Headers, ref: str, new_body: bytes | None) -> Headers:
    """The request's headers with the tensor reference added and, for a rewritten body, its length and type."""
    if new_body is None:
        return [*headers, (REF, ref.encode())]
    drop = (b"content-length", b"content-type", HEADER_LENGTH)
    return [(k, v) for k, v in headers if k.lower() not in drop] + [
        (b"content-length", str(len(new_body)).encode()), (b"content-type", b"application/json"), (REF, ref.encode())]


def summarise_validation(body: bytes) -> str:
    """One line from FastAPI's 422 detail list (a malformed request), without the echoed input."""
    try:
        first = json.loads(body)["detail"][0]
        where = ".".join(str(p) for p in first.get("loc", []) if p != "body")
        return f"malformed request: {where + ': ' if where else ''}{first.get('msg', 'invalid')}"[:300]
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return "malformed request"

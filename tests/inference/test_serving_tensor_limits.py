"""Hostile tensor lists and header numbers: refused with a one-line 400, fast, off the event loop."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import numpy as np
import pytest

from inference.serving import binary, unpack
from inference.serving.binary import encode_binary_request, split_binary_request
from inference.serving.guard import GuardMiddleware
from inference.serving.v2 import MAX_TENSORS, V2FormatError
from tests.inference.test_serving_guard import call, ok_app


def _many_empty(n: int, key: str = "inputs") -> bytes:
    return json.dumps({key: [{"name": f"t{i}", "shape": [0], "datatype": "FP32"} for i in range(n)]}).encode()


def test_a_binary_header_listing_too_many_tensors_is_refused_before_per_tensor_work():
    head = _many_empty(40_000)
    started = time.perf_counter()
    with pytest.raises(V2FormatError, match=f"40000 inputs is more than the limit of {MAX_TENSORS}"):
        split_binary_request(head, len(head))
    assert time.perf_counter() - started < 1.0  # was ~23 s (names.count per name)
    listed = json.dumps({"inputs": [], "outputs": [{"name": f"o{i}"} for i in range(MAX_TENSORS + 1)]}).encode()
    with pytest.raises(V2FormatError, match="outputs is more than the limit"):
        split_binary_request(listed, len(listed))


def test_a_name_given_twice_is_still_refused():
    body, length = encode_binary_request({"a": np.zeros(2, np.float32)})
    message = json.loads(body[:length])
    message["inputs"].append(dict(message["inputs"][0], parameters={}))
    head = json.dumps(message).encode()
    with pytest.raises(V2FormatError, match="tensor 'a' given twice"):
        split_binary_request(head + body[length:], len(head))


def test_the_json_path_bounds_the_tensor_lists_too():
    with pytest.raises(V2FormatError, match="inputs is more than the limit"):
        unpack.decode_json_tensors(_many_empty(MAX_TENSORS + 1))
    with pytest.raises(V2FormatError, match="outputs is more than the limit"):
        unpack.decode_json_tensors(json.dumps({"outputs": [{"name": "x"}] * 1000}).encode())
    ok = json.dumps({"inputs": [{"name": "a", "shape": [1], "datatype": "FP32", "data": [1.0]}]}).encode()
    assert unpack.decode_json_tensors(ok)[1]["a"].tolist() == [1.0]


def test_a_broadcast_list_longer_than_the_inputs_is_refused():
    inputs = {"a": np.zeros((1, 2)), "b": np.zeros((3, 2))}
    with pytest.raises(V2FormatError, match="must list input names"):
        binary.broadcast_batch(inputs, ["a"] * 100_000)
    assert binary.broadcast_batch(inputs, ["a"])["a"].shape == (3, 2)


def test_the_binary_split_runs_off_the_event_loop(monkeypatch):
    threads = []
    real = binary.split_binary_request

    def spy(body, length):
        threads.append(threading.get_ident())
        return real(body, length)

    monkeypatch.setattr(binary, "split_binary_request", spy)
    body, length = encode_binary_request({"a": np.zeros(2, np.float32)})
    headers = [(b"inference-header-content-length", str(length).encode())]
    _body, ref, _headers = asyncio.run(unpack.unpack(headers, body))
    binary.drop(ref)  # as the guard does after the request (other tests check nothing is left pending)
    assert threads
    assert threads[0] != threading.get_ident()


@pytest.mark.parametrize("digits", [19, 5000])
def test_a_header_length_of_thousands_of_digits_is_a_400_not_a_500(digits):
    with pytest.raises(V2FormatError, match="Inference-Header-Content-Length"):
        unpack.binary_header_length([(b"inference-header-content-length", b"9" * digits)])
    guard = GuardMiddleware(ok_app(), token=None)
    scope = {"type": "http", "method": "POST", "path": "/v2/models/m/infer",
             "headers": [(b"content-length", b"2"), (b"inference-header-content-length", b"9" * digits)]}
    status, answer = asyncio.run(call(guard, scope))
    assert status == 400
    assert b"Inference-Header-Content-Length" in answer

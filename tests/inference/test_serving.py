"""The real server over raw HTTP: auth, routes, limits, malformed requests -> clear 4xx, never a traceback."""

from __future__ import annotations

import json
import socket
import time

import numpy as np
import pytest
import requests

from inference.backends import OnnxBackend
from inference.serving import v2
from tests.inference.server_helpers import running_server
from tests.inference.tiny_models import build_onset_model, onset_inputs

pytestmark = pytest.mark.network
TOKEN = "serving-test-token"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_onset_model(tmp_path_factory.mktemp("serving"))


@pytest.fixture(scope="module")
def server(tiny, tmp_path_factory):
    with running_server(tiny.path.parent, tmp_path_factory.mktemp("srv"), TOKEN,
                        "--max-request-mb", "1", "--body-timeout", "1.5") as srv:
        yield srv


def infer_url(server, model="onset"):
    return f"{server.url}/v2/models/{model}/infer"


def post(server, body, token="<own>", **headers):
    return requests.post(infer_url(server), data=body, headers={**server.headers(token), **headers}, timeout=30)


def test_health_is_public_but_metadata_needs_the_token(server):
    assert requests.get(f"{server.url}/v2/health/ready", timeout=5).status_code == 200
    assert requests.get(f"{server.url}/v2/health/live", timeout=5).status_code == 200
    for token in (None, "wrong", TOKEN + "x", TOKEN[:-1]):
        resp = requests.get(f"{server.url}/v2/models/onset", headers=server.headers(token), timeout=5)
        assert resp.status_code == 401
        assert resp.headers["www-authenticate"] == "Bearer"
    assert requests.get(f"{server.url}/v2/models/onset", headers=server.headers(), timeout=5).status_code == 200


def test_server_metadata_lists_the_binary_tensor_extension(server):
    """A V2 client checks ``GET /v2``'s extensions before it sends binary tensors (Triton lists the one we speak)."""
    meta = requests.get(f"{server.url}/v2", headers=server.headers(), timeout=5).json()
    assert "binary_tensor_data" in meta["extensions"]


def test_infer_needs_the_token(server, tiny):
    body = v2.encode_request(onset_inputs(tiny, 1, 10))
    assert post(server, body, token=None).status_code == 401
    assert post(server, body, token="wrong").status_code == 401
    assert requests.post(infer_url(server), data=body, timeout=5,
                         headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401


def test_infer_matches_local(server, tiny):
    inputs = onset_inputs(tiny, 5, 300)
    resp = post(server, v2.encode_request(inputs))
    assert resp.status_code == 200
    out = v2.decode_response(resp.content)["onset_prob"]
    np.testing.assert_array_equal(out, OnnxBackend().run(tiny, inputs)["onset_prob"])


def test_oversized_body_is_413_before_it_is_read(server):
    resp = post(server, b"x" * (2 << 20))
    assert resp.status_code == 413
    assert "limit" in resp.json()["error"]


def test_oversized_chunked_body_is_413(server):
    def chunks():
        for _ in range(30):
            yield b" " * 65536

    assert post(server, chunks()).status_code == 413


def test_compressed_body_is_415(server, tiny):
    assert post(server, v2.encode_request(onset_inputs(tiny, 1, 10)), **{"Content-Encoding": "gzip"}).status_code == 415


def _tensor(name="features", shape=(1, 1, 8), datatype="FP32", data=None):
    return {"name": name, "shape": list(shape), "datatype": datatype,
            "data": data if data is not None else [0.5] * int(np.prod(shape))}


@pytest.mark.parametrize(("body", "message"), [
    (b"{not json", "malformed request"),
    (b"[" * 5000 + b"]" * 5000, "malformed request"),
    (json.dumps({"foo": 1}), "inputs"),
    (json.dumps({"inputs": [_tensor(data=[1, 2])]}), "needs 8 values, got 2"),
    (json.dumps({"inputs": [_tensor(datatype="FLOAT")]}), "datatype"),
    (json.dumps({"inputs": [_tensor(datatype="FP64")]}), "must be FP32"),
    (json.dumps({"inputs": [_tensor(name="bogus")]}), "unknown input 'bogus'"),
    (json.dumps({"inputs": [_tensor(shape=(-1,))]}), "non-negative"),
    (json.dumps({"inputs": [_tensor(data=["a"] * 8)]}), "numbers"),
    (json.dumps({"inputs": [_tensor(data=[{"__reduce__": 1}] * 8)]}), "numbers"),
    (json.dumps({"inputs": [_tensor(data=[[1, 2], [3]])]}), "regular list"),
    (json.dumps({"inputs": [_tensor("difficulty", (1,), "INT64", [1.5])]}), "integers"),
    (json.dumps({"inputs": [_tensor("difficulty", (1,), "INT64", [2 ** 70])]}), "INT64"),
    (json.dumps({"inputs": [_tensor(), _tensor()]}), "twice"),
    (json.dumps({"inputs": [_tensor()]}), "missing"),
])
def test_malformed_requests_are_400_with_a_message(server, body, message):
    resp = post(server, body)
    assert resp.status_code == 400, resp.text
    error = resp.json()["error"]
    assert message in error
    assert "Traceback" not in error


def test_wrong_shapes_are_400(server, tiny):
    inputs = onset_inputs(tiny, 2, 20)
    inputs["features"] = inputs["features"][:, :, :3]
    resp = post(server, v2.encode_request(inputs))
    assert resp.status_code == 400
    assert "axis 2 must be 8" in resp.json()["error"]
    inputs = onset_inputs(tiny, 2, 20)
    inputs["beat_guide"] = inputs["beat_guide"][:, :7]
    resp = post(server, v2.encode_request(inputs))
    assert resp.status_code == 400
    assert "axis 'T'" in resp.json()["error"]


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/v2/repository/index"), ("POST", "/v2/repository/models/onset/unload"),
    ("POST", "/v2/repository/models/onset/load"), ("GET", "/v2/docs"), ("GET", "/metrics"),
    ("POST", "/v2/models/onset/generate"), ("GET", "/v2/models/onset/infer"), ("GET", "/../../etc/passwd"),
])
def test_only_v2_inference_routes_exist(server, method, path):
    resp = requests.request(method, server.url + path, headers=server.headers(), timeout=5)
    assert resp.status_code == 404


def test_unknown_model_is_404(server, tiny):
    resp = requests.post(infer_url(server, "nope"), data=v2.encode_request(onset_inputs(tiny, 1, 4)),
                         headers=server.headers(), timeout=5)
    assert resp.status_code == 404


def test_slow_body_times_out_with_408(server):
    """A slow-loris client that trickles its body is cut off (--body-timeout 1.5 s here)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall((f"POST /v2/models/onset/infer HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
                      "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"in").encode())
        started = time.monotonic()
        reply = sock.recv(4096).decode()
    assert reply.startswith("HTTP/1.1 408")
    assert time.monotonic() - started < 8


def test_server_still_healthy_after_the_abuse(server, tiny):
    test_infer_matches_local(server, tiny)


def _binary_post(server, header: dict, blob: bytes, header_length: int | None = None):
    head = json.dumps(header).encode()
    length = len(head) if header_length is None else header_length
    return requests.post(infer_url(server), data=head + blob, timeout=10,
                         headers={**server.headers(), "Inference-Header-Content-Length": str(length)})


def test_binary_tensors_match_local(server, tiny):
    from inference.serving.binary import decode_binary_response, encode_binary_request

    inputs = onset_inputs(tiny, 5, 300, seed=2)
    body, length = encode_binary_request(inputs, ["onset_prob"])
    resp = requests.post(infer_url(server), data=body, timeout=10,
                         headers={**server.headers(), "Inference-Header-Content-Length": str(length)})
    assert resp.status_code == 200, resp.text
    header_length = int(resp.headers["Inference-Header-Content-Length"])  # binary output came back
    assert header_length < 1000
    np.testing.assert_array_equal(decode_binary_response(resp.content, header_length)["onset_prob"],
                                  OnnxBackend().run(tiny, inputs)["onset_prob"])


@pytest.mark.parametrize(("case", "message"), [
    ("size_mismatch", "needs 32 bytes"),
    ("extra_bytes", "declare"),
    ("header_too_long", "does not fit"),
    ("bad_datatype", "known datatype"),
    ("not_json", "not valid JSON"),
])
def test_malformed_binary_requests_are_400(server, case, message):
    tensor = {"name": "features", "shape": [1, 1, 8], "datatype": "FP32", "parameters": {"binary_data_size": 32}}
    blob = np.zeros(8, np.float32).tobytes()
    if case == "size_mismatch":
        tensor["parameters"]["binary_data_size"] = 16
        resp = _binary_post(server, {"inputs": [tensor]}, blob[:16])
    elif case == "extra_bytes":
        resp = _binary_post(server, {"inputs": [tensor]}, blob + b"xx")
    elif case == "header_too_long":
        resp = _binary_post(server, {"inputs": [tensor]}, blob, header_length=10 ** 6)
    elif case == "bad_datatype":
        tensor["datatype"] = "COMPLEX"
        resp = _binary_post(server, {"inputs": [tensor]}, blob)
    else:
        resp = requests.post(infer_url(server), data=b"\x80abc" + blob, timeout=10,
                             headers={**server.headers(), "Inference-Header-Content-Length": "4"})
    assert resp.status_code == 400, resp.text
    assert message in resp.json()["error"]


def test_client_cannot_inject_a_tensor_reference(server, tiny):
    """The reference header that carries binary tensors to the runtime is stripped from client requests."""
    body = json.dumps({"inputs": [_tensor(data=[])]})  # empty data, as the guard leaves binary inputs
    resp = post(server, body, **{"x-genelive-tensor-ref": "0" * 32})
    assert resp.status_code == 400
    assert "needs 8 values, got 0" in resp.json()["error"]

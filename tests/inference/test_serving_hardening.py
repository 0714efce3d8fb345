"""Inputs that got a 500 or a wrong answer from the real server (a 2026 audit), and the checks behind them.

Each case is a one-line JSON 400 now: an empty batch, a shape numpy cannot make, an output asked for twice, a
binary body cut short; a long request ``id`` with ``Accept-Encoding: gzip`` is answered; a request whose headers
never end is cut off; ``--port 0`` is refused.
"""

from __future__ import annotations

import json
import socket
import time

import numpy as np
import pytest
import requests

from inference.input_checks import InputError, validate_inputs
from inference.serving import v2
from inference.serving.binary import encode_binary_request, split_binary_request
from main import main
from tests.inference.server_helpers import running_server
from tests.inference.tiny_models import build_onset_model, onset_inputs

TOKEN = "hardening-token"
BODY_TIMEOUT_S = 2.0  # headers get min(10, this)
HUGE = [2**62, 2**62, 0]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_onset_model(tmp_path_factory.mktemp("hardening"))


@pytest.fixture(scope="module")
def server(tiny, tmp_path_factory):
    with running_server(tiny.path.parent, tmp_path_factory.mktemp("srv"), TOKEN,
                        "--body-timeout", str(BODY_TIMEOUT_S)) as srv:
        yield srv


def post(server, body, **headers):
    return requests.post(f"{server.url}/v2/models/onset/infer", data=body, timeout=30,
                         headers={**server.headers(), **headers})


def json_request(inputs, **extra):
    return json.dumps({**json.loads(v2.encode_request(inputs)), **extra})


def assert_400(resp, message):
    assert resp.status_code == 400, resp.text
    assert resp.headers["content-type"] == "application/json"
    assert message in resp.json()["error"]


@pytest.mark.network
def test_a_long_id_with_gzip_accepted_is_answered(server, tiny):
    inputs = onset_inputs(tiny, 1, 10)
    resp = post(server, json_request(inputs, id="r" * 1000), **{"Accept-Encoding": "gzip"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["id"] == "r" * 1000
    assert v2.decode_response(resp.content)["onset_prob"].shape == (1, 10)
    resp = post(server, json.dumps({"inputs": "x" * 2000}), **{"Accept-Encoding": "gzip"})  # a rewritten 422
    assert_400(resp, "malformed request: inputs")


@pytest.mark.network
def test_a_batch_of_zero_rows_is_400(server, tiny):
    assert_400(post(server, json_request(onset_inputs(tiny, 0, 10))), "'features' is empty (shape [0, 10, 8])")


@pytest.mark.network
def test_a_shape_numpy_cannot_make_is_400_json_and_binary(server, tiny):
    message = json.loads(json_request(onset_inputs(tiny, 1, 10)))
    message["inputs"][-1].update(shape=HUGE, data=[])
    assert_400(post(server, json.dumps(message)), "is over the limit")
    body, length = encode_binary_request(onset_inputs(tiny, 1, 10))
    header = json.loads(body[:length])
    header["inputs"][-1].update(shape=HUGE, parameters={"binary_data_size": 0})
    head = json.dumps(header).encode()
    resp = post(server, head + body[length:-4], **{"Inference-Header-Content-Length": str(len(head))})
    assert_400(resp, "is over the limit")


@pytest.mark.network
def test_an_output_asked_for_twice_is_400(server, tiny):
    body = json_request(onset_inputs(tiny, 1, 10), outputs=[{"name": "onset_prob"}, {"name": "onset_prob"}])
    assert_400(post(server, body), "output 'onset_prob' requested twice")


@pytest.mark.network
def test_a_binary_body_cut_short_says_by_how_much(server, tiny):
    body, length = encode_binary_request(onset_inputs(tiny, 1, 10))
    resp = post(server, body[:-10], **{"Inference-Header-Content-Length": str(length)})
    assert_400(resp, "binary data ended 10 bytes early")


@pytest.mark.network
def test_headers_that_never_end_are_cut_off(server):
    """Before, such a connection (no token needed) was held for ever: ~1,000 of them exhausted the open files."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=BODY_TIMEOUT_S + 5) as sock:
        sock.sendall(b"GET /v2 HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        reply = sock.recv(4096)
    assert reply.startswith(b"HTTP/1.1 408")
    assert time.monotonic() - started < BODY_TIMEOUT_S + 3
    assert requests.get(f"{server.url}/v2/models/onset", headers=server.headers(), timeout=5).status_code == 200


def test_port_0_is_refused_with_one_line(tiny, capsys, monkeypatch):
    """Before, the server listened on a random port but printed ``http://127.0.0.1:0``."""
    from inference.serving import server

    def never(cfg):
        raise AssertionError(f"would serve on port {cfg.port}")

    monkeypatch.setattr(server, "serve", never)
    assert main(["serve", "--port", "0", "--models", str(tiny.path.parent)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--port 0 (any free port) is not supported" in err


def test_the_checks_behind_the_400s(tiny):
    with pytest.raises(InputError, match="is empty"):
        validate_inputs(tiny, onset_inputs(tiny, 1, 0))
    with pytest.raises(v2.V2FormatError, match="over the limit"):
        v2.decode_tensor({"name": "x", "shape": HUGE, "datatype": "FP32", "data": []})
    with pytest.raises(v2.V2FormatError, match="axes is more than"):
        v2.decode_tensor({"name": "x", "shape": [1] * 70, "datatype": "FP32", "data": [0.0]})
    body, length = encode_binary_request({"x": np.zeros(4, np.float32), "y": np.zeros(2, np.float32)})
    with pytest.raises(v2.V2FormatError, match="ended 9 bytes early: the tensors declare 24 bytes, 15 came"):
        split_binary_request(body[:-9], length)

"""Server failures the fallback must see, and what messages may not say (session-21 remote audit).

Before: NaN, infinite or out-of-range "probabilities" passed the answer check (dtype and shape only), so neither
``--fallback`` nor the editor's fallback took over and the draft failed without naming the server (or drafted on
7.0); a JSON 1e39 printed numpy's two-line RuntimeWarning; 5xx other than 500/502/503/504 were final errors; a
gateway quoting the Authorization header put the token into the message; a server swapped to another model was
drafted on for the rest of the session; a server the light had found unreachable still cost the next draft a
minute of waiting before it ran locally.
"""

from __future__ import annotations

import json
import threading
import time
import warnings

import numpy as np
import pytest

from inference.backends import OnnxBackend
from inference.remote import (
    AuthError,
    FallbackBackend,
    MalformedAnswer,
    ModelMismatchError,
    RemoteBackend,
    ServerUnavailable,
)
from inference.remote_check import server_check
from inference.serving.binary import split_binary_request
from tests.inference.fake_v2 import FakeV2, metadata
from tests.inference.tiny_models import build_onset_model, onset_inputs

pytestmark = pytest.mark.network
B, T = 5, 120
TOKEN = "s3cret-bearer-token"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_onset_model(tmp_path_factory.mktemp("failures"))


@pytest.fixture
def fake(tiny):
    server = FakeV2(tiny)
    yield server
    server.close()


def remote(fake, **kw) -> RemoteBackend:
    return RemoteBackend(fake.url, TOKEN, retries=kw.pop("retries", 0), backoff_s=0.01, **kw)


def binary_answer(values):
    """A raw_post handler answering onset_prob of the request's shape, filled by ``values(array)``, as raw FP32."""
    def handler(h):
        _message, arrays = split_binary_request(h.body, int(h.headers["Inference-Header-Content-Length"]))
        prob = np.full((arrays["difficulty"].shape[0], arrays["cond_onsets"].shape[1]), 0.1, np.float32)
        values(prob)
        blob = prob.astype("<f4").tobytes()
        head = json.dumps({"outputs": [{"name": "onset_prob", "shape": list(prob.shape), "datatype": "FP32",
                                        "parameters": {"binary_data_size": len(blob)}}]}).encode()
        h.send_response(200)
        h.send_header("Content-Type", "application/octet-stream")
        h.send_header("Inference-Header-Content-Length", str(len(head)))
        h.send_header("Content-Length", str(len(head) + len(blob)))
        h.end_headers()
        h.wfile.write(head + blob)
    return handler


def fill(value):
    def values(prob):
        prob[:, ::7] = value
    return values


BAD_VALUES = {"NaN": (fill(np.nan), "NaN or infinite"), "infinity": (fill(np.inf), "NaN or infinite"),
              "7.0": (fill(7.0), r"values from 0\.1 to 7; probabilities lie in \[0, 1\]"),
              "-1": (fill(-1.0), r"values from -1 to 0\.1")}


@pytest.mark.parametrize("case", list(BAD_VALUES))
def test_probabilities_that_are_not_are_a_malformed_answer_and_the_fallback_takes_over(tiny, fake, case):
    values, message = BAD_VALUES[case]
    fake.raw_post = binary_answer(values)
    inputs = onset_inputs(tiny, B, T)
    with pytest.raises(MalformedAnswer, match=message) as info:
        remote(fake).run(tiny, inputs)
    assert str(info.value).startswith(f"server {fake.url} returned onset_prob with ")
    messages: list[str] = []
    out = FallbackBackend(remote(fake), OnnxBackend(), on_status=messages.append).run(tiny, inputs)
    np.testing.assert_array_equal(out["onset_prob"], OnnxBackend().run(tiny, inputs)["onset_prob"])
    assert len(messages) == 1
    assert "instead" in messages[0]


def test_a_json_number_too_large_for_fp32_is_refused_without_a_numpy_warning(tiny, fake):
    fake.answer = lambda b, t: [{"name": "onset_prob", "shape": [b, t], "datatype": "FP32",
                                 "data": [1e39 if i % 5 == 0 else 0.1 for i in range(b * t)]}]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's RuntimeWarning ("overflow encountered in cast") fails the test
        with pytest.raises(MalformedAnswer, match="values out of range for FP32") as info:
            remote(fake, binary=False).run(tiny, onset_inputs(tiny, B, T))
    assert fake.url in str(info.value)


def status(code, text=b"error code"):
    def handler(h):
        h.send_body(code, text, "text/plain")
    return handler


@pytest.mark.parametrize("code", [500, 507, 521, 522, 524])
def test_every_5xx_is_retried_then_falls_back(tiny, fake, code):
    fake.raw_post = status(code)
    with pytest.raises(ServerUnavailable, match=f"after 3 attempts: HTTP {code}"):
        remote(fake, retries=2).run(tiny, onset_inputs(tiny, 1, T))
    assert sum(1 for method, _, _ in fake.seen if method == "POST") == 3
    out = FallbackBackend(remote(fake), OnnxBackend()).run(tiny, onset_inputs(tiny, 1, T))
    assert out["onset_prob"].shape == (1, T)


def test_501_is_not_retried_but_falls_back(tiny, fake):
    fake.raw_post = status(501)
    with pytest.raises(ServerUnavailable, match="HTTP 501"):
        remote(fake, retries=2).run(tiny, onset_inputs(tiny, 1, T))
    assert sum(1 for method, _, _ in fake.seen if method == "POST") == 1
    FallbackBackend(remote(fake), OnnxBackend()).run(tiny, onset_inputs(tiny, 1, T))


def echo(code, as_json):
    def handler(h):
        quoted = f"invalid credentials: {h.headers.get('Authorization')}"
        if as_json:
            h.send_json(code, {"error": quoted})
        else:
            h.send_body(code, quoted.encode(), "text/plain")
    return handler


@pytest.mark.parametrize(("code", "as_json", "error"), [(401, True, AuthError), (400, False, Exception),
                                                        (502, False, ServerUnavailable)])
def test_the_token_is_never_quoted_back(tiny, fake, code, as_json, error):
    fake.raw_post = echo(code, as_json)
    retried: list[str] = []
    with pytest.raises(error) as info:
        remote(fake, retries=1, on_retry=lambda e, n, pause: retried.append(e.problem)).run(tiny, onset_inputs(tiny, 1, T))
    assert "invalid credentials: Bearer [token]" in str(info.value)
    assert TOKEN not in str(info.value)
    assert TOKEN not in " ".join(retried)


def test_a_server_swapped_to_another_model_is_refused_at_the_next_run(tiny, fake):
    backend = remote(fake)
    backend.run(tiny, onset_inputs(tiny, 1, T))
    fake.meta = {**metadata(tiny), "parameters": {"sha256": "0" * 64, "batch_broadcast": True}}
    with pytest.raises(ModelMismatchError, match="sha256:000000000000, the local manifest is"):
        backend.run(tiny, onset_inputs(tiny, 1, T))
    with pytest.raises(ModelMismatchError):  # not hidden by the fallback, and asked again each time
        FallbackBackend(backend, OnnxBackend()).run(tiny, onset_inputs(tiny, 1, T))


def test_a_server_that_reports_no_sha_is_said_to_be_unverified(tiny, fake):
    fake.meta = {**metadata(tiny), "parameters": {}}
    backend = remote(fake)
    backend.run(tiny, onset_inputs(tiny, 1, T))
    assert "sha256 of onset not reported by the server" in backend.describe()


def test_a_server_the_check_found_unreachable_is_not_waited_on(tiny, fake):
    release = threading.Event()
    fake.raw = lambda h: release.wait(30)  # accepts, never answers
    try:
        state, text = server_check(RemoteBackend(fake.url, TOKEN, timeout_s=0.5), tiny.path.parent)
        assert state == "down"
        assert text.endswith("drafts will run locally")
        messages: list[str] = []
        backend = FallbackBackend(RemoteBackend(fake.url, TOKEN, timeout_s=5.0, retries=0), OnnxBackend(),
                                  on_status=messages.append)
        started = time.monotonic()
        backend.run(tiny, onset_inputs(tiny, 1, T))
        assert time.monotonic() - started < 2.0  # as the light said: locally, at once
        assert len(messages) == 1
        assert "was not reachable" in messages[0]
        assert "at the last check" in messages[0]
    finally:
        release.set()
    fake.raw = None
    assert server_check(RemoteBackend(fake.url, TOKEN), tiny.path.parent)[0] == "ok"
    backend.run(tiny, onset_inputs(tiny, 1, T))  # a check that reached it: drafts go to the server again
    assert backend.fallback_reason is None
    assert "is back" in messages[-1]

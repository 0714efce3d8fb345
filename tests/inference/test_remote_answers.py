"""What RemoteBackend accepts from a server (session-19 remote audit): outputs checked against the request and the
manifest, metadata type-checked, and the editor's server check always answering.

Before: a [5, T-50] answer crashed the drafter with a numpy traceback, a [1, T] answer was broadcast to all five
slots, an INT64 0/1 tensor was taken for FP32 probabilities, a duplicated output name let the second (wrong) copy
win; metadata with ``parameters`` as a list or a shape of strings raised AttributeError/TypeError (the CLI exited 1
with a traceback, the editor's check job never finished).
"""

from __future__ import annotations

import numpy as np
import pytest

from inference.backends import OnnxBackend
from inference.remote import (
    FallbackBackend,
    MalformedAnswer,
    ModelMismatchError,
    NotV2Server,
    RemoteBackend,
    ServerUnavailable,
)
from inference.remote_check import server_check
from inference.serving.binary import decode_binary_response, encode_binary_request, split_binary_request
from inference.serving.v2 import V2FormatError, decode_response, dumps
from tests.inference.fake_v2 import FakeV2, metadata, tensor
from tests.inference.tiny_models import build_onset_model, onset_inputs

pytestmark = pytest.mark.network
B, T = 5, 120


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_onset_model(tmp_path_factory.mktemp("answers"))


@pytest.fixture
def fake(tiny):
    server = FakeV2(tiny)
    yield server
    server.close()


def remote(fake, **kw) -> RemoteBackend:
    return RemoteBackend(fake.url, "token", retries=0, backoff_s=0.01, **kw)


def zeros(*shape, dtype=np.float32):
    return np.zeros(shape, dtype)


WRONG_ANSWERS = {
    "fewer frames": (lambda b, t: [tensor("onset_prob", zeros(b, t - 50))],
                     r"shape \[5, 70\]; this request needs \[5, 120\]"),
    "more frames": (lambda b, t: [tensor("onset_prob", zeros(b, t + 50))], r"needs \[5, 120\]"),
    "transposed": (lambda b, t: [tensor("onset_prob", zeros(t, b))], r"shape \[120, 5\]"),
    "one row for five slots": (lambda b, t: [tensor("onset_prob", zeros(1, t))], r"shape \[1, 120\]"),
    "flat": (lambda b, t: [tensor("onset_prob", zeros(b * t))], r"shape \[600\]"),
    "extra axis": (lambda b, t: [tensor("onset_prob", zeros(b, t, 1))], r"shape \[5, 120, 1\]"),
    "INT64 for FP32": (lambda b, t: [tensor("onset_prob", zeros(b, t, dtype=np.int64))],
                       "as INT64; the model's output is FP32"),
    "FP64 for FP32": (lambda b, t: [tensor("onset_prob", zeros(b, t, dtype=np.float64))], "as FP64"),
    "output twice": (lambda b, t: [tensor("onset_prob", zeros(b, t)), tensor("onset_prob", zeros(b, 1))],
                     "given twice"),
    "no outputs": (lambda b, t: [], "did not return outputs"),
}


@pytest.mark.parametrize("case", list(WRONG_ANSWERS))
def test_a_wrong_answer_is_a_one_line_error_naming_the_server(tiny, fake, case):
    fake.answer, message = WRONG_ANSWERS[case]
    with pytest.raises(MalformedAnswer, match=message) as info:
        remote(fake).run(tiny, onset_inputs(tiny, B, T))
    assert fake.url in str(info.value)
    assert "\n" not in str(info.value)


def test_the_right_answer_passes(tiny, fake):
    out = remote(fake).run(tiny, onset_inputs(tiny, B, T))
    assert out["onset_prob"].shape == (B, T)


def test_a_wrong_answer_falls_back_to_local_with_the_local_result(tiny, fake):
    fake.answer = WRONG_ANSWERS["one row for five slots"][0]
    inputs = onset_inputs(tiny, B, T)
    messages: list[str] = []
    backend = FallbackBackend(remote(fake), OnnxBackend(), on_status=messages.append)
    out = backend.run(tiny, inputs)["onset_prob"]
    np.testing.assert_array_equal(out, OnnxBackend().run(tiny, inputs)["onset_prob"])
    assert len(messages) == 1
    assert "shape [1, 120]" in messages[0]


def test_chunked_requests_check_each_chunk_s_frames(tiny, fake):
    fake.answer = lambda b, t: [tensor("onset_prob", zeros(b, max(1, t - 1)))]
    with pytest.raises(MalformedAnswer, match="this request needs"):
        remote(fake, max_request_bytes=20_000).run(tiny, onset_inputs(tiny, B, 2000))
    assert sum(1 for method, _, _ in fake.seen if method == "POST") == 1  # refused at the first chunk


def test_duplicate_tensor_names_are_refused_by_both_decoders():
    one = {"name": "x", "shape": [1], "datatype": "FP32", "data": [1.0]}
    with pytest.raises(V2FormatError, match="given twice"):
        decode_response(dumps({"outputs": [one, {**one, "data": [2.0]}]}))
    body, length = encode_binary_request({"x": np.ones((2,), np.float32)})
    header = dumps({"inputs": [{"name": "x", "shape": [2], "datatype": "FP32",
                                "parameters": {"binary_data_size": 8}}] * 2})
    with pytest.raises(V2FormatError, match="given twice"):  # the server's parse of a request
        split_binary_request(header + body[length:] * 2, len(header))
    out_header = dumps({"outputs": [{"name": "x", "shape": [2], "datatype": "FP32",
                                     "parameters": {"binary_data_size": 8}}, one]})
    with pytest.raises(V2FormatError, match="given twice"):  # the client's parse of an answer
        decode_binary_response(out_header + body[length:], len(out_header))


ODD_METADATA = {
    "parameters as a list": (lambda m: {**m, "parameters": ["sha256", "x"]}, "'parameters' is not an object"),
    "shape with null": (lambda m: {**m, "inputs": [{**m["inputs"][0], "shape": [None, None, 8]}, *m["inputs"][1:]]},
                        "not a list of integers"),
    "shape of strings": (lambda m: {**m, "inputs": [{**m["inputs"][0], "shape": ["-1", "-1", "8"]},
                                                     *m["inputs"][1:]]}, "not a list of integers"),
    "limit 'lots'": (lambda m: {**m, "parameters": {**m["parameters"], "max_request_bytes": "lots"}},
                     "'max_request_bytes' is lots, not a positive integer"),
    "negative limit": (lambda m: {**m, "parameters": {**m["parameters"], "max_request_bytes": -5}}, "-5"),
    "inputs not a list": (lambda m: {**m, "inputs": {"features": 1}}, "'inputs' is not a list of objects"),
    "sha256 a number": (lambda m: {**m, "parameters": {**m["parameters"], "sha256": 5}}, "'sha256' is not a string"),
    "a list, not an object": (lambda m: [m], "it is not a JSON object"),
}


@pytest.mark.parametrize("case", list(ODD_METADATA))
def test_metadata_of_odd_types_is_a_model_mismatch_naming_the_server(tiny, fake, case):
    patch, message = ODD_METADATA[case]
    fake.meta = patch(metadata(tiny))
    with pytest.raises(ModelMismatchError, match=message) as info:
        remote(fake).connect(tiny)
    assert fake.url in str(info.value)
    state, text = server_check(remote(fake), tiny.path.parent)  # raised before: the editor's light never changed
    assert state == "down"
    assert message.split("'")[0] in text


def test_metadata_that_is_not_json_means_not_a_v2_server(tiny, fake):
    fake.meta = b"<html><body>Gateway login</body></html>"
    with pytest.raises(NotV2Server, match=f"{fake.url} is not a KServe V2 server: its answer to /v2/models/onset "
                                          "is not JSON"):
        remote(fake).connect(tiny)
    state, text = server_check(remote(fake), tiny.path.parent)
    assert state == "down"
    assert "not a KServe V2 server" in text
    assert "<html" not in text


def test_the_server_check_never_raises(tiny, fake, monkeypatch):
    backend = remote(fake)

    def broken(manifest):
        raise KeyError("something nobody expected")

    monkeypatch.setattr(backend, "connect", broken)
    state, text = server_check(backend, tiny.path.parent)
    assert state == "down"
    assert "something nobody expected" in text


def test_the_server_check_says_drafts_run_locally_only_when_they_will(tiny, fake):
    assert server_check(remote(fake), tiny.path.parent)[0] == "ok"
    fake.close()
    state, text = server_check(remote(fake), tiny.path.parent)
    assert state == "down"
    assert "not reachable" in text
    assert text.endswith("drafts will run locally")
    with pytest.raises(ServerUnavailable):  # ... and a draft would fall back, as the light says
        remote(fake).connect(tiny)

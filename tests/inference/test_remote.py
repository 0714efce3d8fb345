"""RemoteBackend against the real server: metadata check, token, retries, chunking, fallback, killed server."""

from __future__ import annotations

import dataclasses
import threading
import time

import numpy as np
import pytest

from inference.backends import OnnxBackend
from inference.manifest import Manifest
from inference.remote import (
    AuthError,
    FallbackBackend,
    ModelMismatchError,
    RemoteBackend,
    ServerUnavailable,
    check_metadata,
    normalise_url,
)
from tests.inference.server_helpers import free_port, running_server
from tests.inference.tiny_models import build_onset_model, onset_inputs

pytestmark = pytest.mark.network
TOKEN = "remote-test-token"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_onset_model(tmp_path_factory.mktemp("remote"))


@pytest.fixture(scope="module")
def server(tiny, tmp_path_factory):
    # a 1 MiB request limit makes a few thousand frames of the tiny model need chunking
    with running_server(tiny.path.parent, tmp_path_factory.mktemp("srv"), TOKEN, "--max-request-mb", "1") as srv:
        yield srv


def local(manifest, inputs):
    return OnnxBackend().run(manifest, inputs)["onset_prob"]


def test_metadata_checked_on_connect(server, tiny):
    remote = RemoteBackend(server.url, TOKEN)
    meta = remote.connect(tiny)
    assert meta["parameters"]["sha256"] == tiny.sha256
    assert meta["parameters"]["max_request_bytes"] == 1 << 20
    assert "genelive-mlserver" in remote.describe()


def test_server_model_of_another_version_is_refused(server, tiny):
    other = dataclasses.replace(Manifest.load(tiny.path), sha256="0" * 64)
    other.path = tiny.path
    with pytest.raises(ModelMismatchError, match=f"sha256:{tiny.sha256[:12]}, the local manifest is"):
        RemoteBackend(server.url, TOKEN).run(other, onset_inputs(tiny, 1, 10))


def test_metadata_mismatch_in_inputs_is_refused(tiny):
    meta = {"name": "onset", "inputs": [{"name": "features", "datatype": "FP32", "shape": [-1, -1, 8]}],
            "outputs": [{"name": "onset_prob"}]}
    with pytest.raises(ModelMismatchError, match="takes inputs"):
        check_metadata(tiny, meta)
    full = {"name": "onset", "outputs": [{"name": "onset_prob"}],
            "inputs": [{"name": s.name, "datatype": "INT64" if s.dtype == "int64" else "FP32", "shape": s.shape}
                       for s in tiny.inputs]}
    check_metadata(tiny, full)  # Triton-style metadata without parameters is accepted
    full["inputs"][0]["shape"] = [-1, -1, 9]
    with pytest.raises(ModelMismatchError, match="shape"):
        check_metadata(tiny, full)


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_missing_or_wrong_token_is_an_auth_error(server, tiny, token):
    started = time.monotonic()
    with pytest.raises(AuthError, match="401"):
        RemoteBackend(server.url, token, retries=3).run(tiny, onset_inputs(tiny, 1, 10))
    assert time.monotonic() - started < 5  # not retried


def test_server_down_gives_up_after_bounded_retries(tiny):
    remote = RemoteBackend(f"127.0.0.1:{free_port()}", TOKEN, retries=2, backoff_s=0.05)
    started = time.monotonic()
    with pytest.raises(ServerUnavailable, match="after 3 attempts: connection refused"):
        remote.run(tiny, onset_inputs(tiny, 1, 10))
    assert time.monotonic() - started < 3


def test_fallback_to_local_with_a_visible_message(tiny):
    messages: list[str] = []
    remote = RemoteBackend(f"http://127.0.0.1:{free_port()}", TOKEN, retries=1, backoff_s=0.01)
    backend = FallbackBackend(remote, OnnxBackend(), on_status=messages.append)
    inputs = onset_inputs(tiny, 5, 100)
    np.testing.assert_array_equal(backend.run(tiny, inputs)["onset_prob"], local(tiny, inputs))
    backend.run(tiny, inputs)
    assert len(messages) == 1  # said once, not per call
    assert "unavailable" in messages[0]
    assert "local ONNX" in messages[0]
    assert "fallback" in backend.describe()


def test_fallback_does_not_hide_a_wrong_token(server, tiny):
    backend = FallbackBackend(RemoteBackend(server.url, "nope"), OnnxBackend())
    with pytest.raises(AuthError):
        backend.run(tiny, onset_inputs(tiny, 1, 10))


@pytest.mark.parametrize("binary", [True, False])
def test_chunked_equals_unchunked(server, tiny, binary):
    sizes: list[int] = []
    remote = RemoteBackend(server.url, TOKEN, on_request=sizes.append, binary=binary)
    # ~3 MB either way against a 1 MiB limit (binary float32 is ~3x denser than JSON text)
    inputs = onset_inputs(tiny, 5, 12000 if binary else 5000, seed=7)
    out = remote.run(tiny, inputs)["onset_prob"]
    assert len(sizes) >= 3
    assert max(sizes) <= 1 << 20
    np.testing.assert_allclose(out, local(tiny, inputs), atol=1e-6)


def test_limit_learnt_from_413_when_not_advertised(server, tiny):
    sizes: list[int] = []
    remote = RemoteBackend(server.url, TOKEN, on_request=sizes.append, recheck_s=3600)  # keeps the edited metadata
    remote.connect(tiny)
    for meta in remote._checked.values():  # a server (e.g. Triton) that does not advertise its limit
        meta["parameters"].pop("max_request_bytes")
    inputs = onset_inputs(tiny, 5, 6000, seed=8)  # 1.5 MB binary
    out = remote.run(tiny, inputs)["onset_prob"]
    assert sizes[0] > 1 << 20  # first try whole, refused with 413, then split
    assert max(sizes[1:]) <= 1 << 20
    np.testing.assert_allclose(out, local(tiny, inputs), atol=1e-6)


def test_server_killed_mid_request_falls_back_without_lost_frames(tiny, tmp_path):
    inputs = onset_inputs(tiny, 5, 8000, seed=9)  # 2 MB binary: 8+ chunks of 0.25 MiB
    expected = local(tiny, inputs)
    with running_server(tiny.path.parent, tmp_path, TOKEN, "--max-request-mb", "0.25") as srv:
        served = threading.Event()
        calls: list[int] = []

        def on_request(size: int) -> None:
            calls.append(size)
            if len(calls) == 3:  # a few chunks answered, more to come: kill now
                served.set()
                srv.kill()

        messages: list[str] = []
        remote = RemoteBackend(srv.url, TOKEN, retries=2, backoff_s=0.05, on_request=on_request)
        backend = FallbackBackend(remote, OnnxBackend(), on_status=messages.append)
        out = backend.run(tiny, inputs)["onset_prob"]
    assert served.is_set()
    assert out.shape == expected.shape  # no frame lost or duplicated by the switch
    np.testing.assert_allclose(out, expected, atol=1e-6)
    assert len(messages) == 1
    assert "unavailable after 3 attempts" in messages[0]


def test_broadcast_rows_are_sent_once(server, tiny):
    """Batch rows that are one row repeated (the drafter's slots) go up once; the answer is unchanged."""
    inputs = onset_inputs(tiny, 5, 2000, seed=10)
    for name in ("features", "beat_guide"):
        inputs[name] = np.broadcast_to(inputs[name][:1], inputs[name].shape)
    sizes: list[int] = []
    out = RemoteBackend(server.url, TOKEN, on_request=sizes.append).run(tiny, inputs)["onset_prob"]
    full = 5 * 2000 * (8 + 3 + 1) * 4
    assert sum(sizes) < full / 3
    np.testing.assert_allclose(out, local(tiny, inputs), atol=1e-6)


@pytest.mark.parametrize("binary_data", [True, False])
def test_tritonclient_gets_the_same_answer(server, tiny, binary_data):
    """A client built on tritonclient.http (the reference V2 client) works against our server, with JSON
    tensors and with Triton's binary tensor extension."""
    import tritonclient.http as httpclient

    inputs = onset_inputs(tiny, 5, 200, seed=4)
    client = httpclient.InferenceServerClient(url=server.url.removeprefix("http://"))
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert client.is_server_ready(headers=headers)
    meta = client.get_model_metadata("onset", headers=headers)
    assert {t["name"] for t in meta["inputs"]} == set(inputs)
    tensors = []
    for name, array in inputs.items():
        tensor = httpclient.InferInput(name, list(array.shape), "FP32" if array.dtype == np.float32 else "INT64")
        tensor.set_data_from_numpy(array, binary_data=binary_data)
        tensors.append(tensor)
    result = client.infer("onset", tensors, headers=headers,
                          outputs=[httpclient.InferRequestedOutput("onset_prob", binary_data=binary_data)])
    np.testing.assert_allclose(result.as_numpy("onset_prob"), local(tiny, inputs), atol=1e-6)


@pytest.mark.parametrize(("url", "ok"), [("localhost:8080", "http://localhost:8080"),
                                         ("https://gpu.example/", "https://gpu.example"),
                                         ("ftp://x", None), ("http://", None), ("http://h/?q=1", None)])
def test_normalise_url(url, ok):
    if ok is None:
        with pytest.raises(ValueError, match="URL"):
            normalise_url(url)
    else:
        assert normalise_url(url) == ok


@pytest.mark.parametrize("url", ["", "   ", None])
def test_empty_url_says_none_was_given(url):
    """The editor's Remote server choice with an empty URL field said "not an http(s) server URL: ''"."""
    with pytest.raises(ValueError, match=r"^no server URL given \(e\.g\. http://127\.0\.0\.1:8080\)$"):
        normalise_url(url)

"""Remote faults not covered elsewhere (issue 8 item 5): a server that stops answering (network timeout) and a
server that restarts. Both against the real ``python main.py serve`` on 127.0.0.1.

(Killed mid-request: tests/inference/test_remote.py::test_server_killed_mid_request_falls_back_without_lost_frames
and tests/inference/test_drafter_remote.py::test_server_killed_mid_draft_falls_back_with_the_same_notes.)
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler

import numpy as np
import pytest

import inference.serving.loadtest as loadtest
from inference.backends import OnnxBackend
from inference.remote import FallbackBackend, RemoteBackend
from tests.inference.server_helpers import LoopbackProxy, relay, running_server
from tests.inference.tiny_models import build_onset_model, onset_inputs

pytestmark = pytest.mark.network
TOKEN = "reliability-token"
TIMEOUT_S = 0.5


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_onset_model(tmp_path_factory.mktemp("faults"))


def local(manifest, inputs):
    return OnnxBackend().run(manifest, inputs)["onset_prob"]


class StallingProxy(LoopbackProxy):
    """Forwards GETs (health, metadata) to the real server; swallows inference POSTs and never answers, as a
    server stuck behind a dead network path does. Stalled handlers are released when the proxy closes."""

    def __init__(self, upstream: str):
        self.release, self.stalled = threading.Event(), 0

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                relay(self, "GET", None)

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.server.stalled += 1
                self.server.release.wait(30)  # bounded: the test ends long before

        super().__init__(upstream, Handler)

    def close(self) -> None:
        self.release.set()
        super().close()


def test_network_timeout_retries_within_bounds_then_falls_back_with_the_same_result(tiny, tmp_path):
    inputs = onset_inputs(tiny, 5, 400, seed=3)
    expected = local(tiny, inputs)
    with running_server(tiny.path.parent, tmp_path, TOKEN) as srv:
        proxy = StallingProxy(srv.url)
        try:
            messages: list[str] = []
            remote = RemoteBackend(proxy.url, TOKEN, timeout_s=TIMEOUT_S, retries=2, backoff_s=0.05)
            backend = FallbackBackend(remote, OnnxBackend(), on_status=messages.append)
            started = time.monotonic()
            out = backend.run(tiny, inputs)["onset_prob"]
            elapsed_s = time.monotonic() - started
        finally:
            proxy.close()
    assert proxy.stalled == 3  # 1 + 2 retries, no more
    assert elapsed_s < 3 * TIMEOUT_S + 2.0  # three timeouts, short backoffs, one local run
    np.testing.assert_array_equal(out, expected)  # the local result, nothing duplicated or dropped
    assert len(messages) == 1
    assert f"unavailable after 3 attempts: no answer within {TIMEOUT_S:g} s" in messages[0]


def test_server_restart_falls_back_then_returns_to_the_server(tiny, tmp_path, monkeypatch):
    inputs = onset_inputs(tiny, 5, 400, seed=4)
    expected = local(tiny, inputs)
    messages: list[str] = []
    requests_sent: list[int] = []
    with running_server(tiny.path.parent, tmp_path, TOKEN) as srv:
        remote = RemoteBackend(srv.url, TOKEN, retries=1, backoff_s=0.05, on_request=requests_sent.append)
        backend = FallbackBackend(remote, OnnxBackend(), on_status=messages.append, retry_remote_after_s=0.0)
        np.testing.assert_allclose(backend.run(tiny, inputs)["onset_prob"], expected, atol=1e-6)
        served_before = len(requests_sent)
        srv.kill()
        np.testing.assert_array_equal(backend.run(tiny, inputs)["onset_prob"], expected)  # local
        assert "unavailable after 2 attempts" in messages[0]
        port = srv.port
    monkeypatch.setattr(loadtest, "free_port", lambda: port)  # the restarted server comes back on its address
    with running_server(tiny.path.parent, tmp_path, TOKEN) as again:
        assert again.port == port
        sent = len(requests_sent)
        np.testing.assert_allclose(backend.run(tiny, inputs)["onset_prob"], expected, atol=1e-6)
        assert len(requests_sent) == sent + 1  # answered by the server, in one request
    assert served_before == 1
    assert messages[1] == f"server {srv.url} is back; running remotely again"
    assert backend.fallback_reason is None


def test_the_editor_s_server_light_checks_the_token_and_the_model(tiny, tmp_path):
    """The light went green with a wrong token (/v2/health/ready needs none), and drafts then failed on 401.
    server_check reads the model's metadata with the token and compares it with the local manifest."""
    from inference.remote_check import server_check

    folder = tiny.path.parent
    with running_server(folder, tmp_path, TOKEN) as server:
        state, text = server_check(RemoteBackend(server.url, TOKEN), folder)
        assert state == "ok", text
        assert "is ready" in text
        state, text = server_check(RemoteBackend(server.url, "wrong"), folder)
        assert state == "down"
        assert "token" in text, text
        other = tmp_path / "other"
        build_onset_model(other, seed=5)  # another model under the same name: not the one drafts expect
        state, text = server_check(RemoteBackend(server.url, TOKEN), other)
        assert state == "down", text
    state, text = server_check(RemoteBackend(f"http://127.0.0.1:{loadtest.free_port()}", TOKEN), folder)
    assert state == "down"
    assert "not reachable" in text

"""How RemoteBackend talks HTTP (session-19 remote audit): a time cap on the whole answer, a size cap, Cancel that
works while the server says nothing, no redirects, TLS and wrong-server errors that say what to do, no credentials
in URLs, tokens checked up front.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from inference.backends import cancel_scope
from inference.draft_types import Cancelled, CancelToken
from inference.remote import (
    AuthError,
    FallbackBackend,
    MalformedAnswer,
    NotV2Server,
    RemoteBackend,
    ServerUnavailable,
    normalise_url,
    token_problem,
)
from inference.remote_check import server_check
from inference.remote_errors import RedirectRefused, TlsError
from tests.inference.fake_v2 import FakeV2, drip, tensor
from tests.inference.tiny_models import build_onset_model, onset_inputs

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_onset_model(tmp_path_factory.mktemp("transport"))


@pytest.fixture
def fake(tiny):
    server = FakeV2(tiny)
    yield server
    server.close()


def test_a_dripping_server_is_given_up_on_within_deadline_plus_one_timeout(tiny, fake):
    """Each byte came within the read timeout, so the request never ended (timeout 2 s, deadline 3 s: still
    waiting after 20 s)."""
    fake.raw = drip
    started = time.monotonic()
    with pytest.raises(ServerUnavailable, match="no answer within 1 s"):
        RemoteBackend(fake.url, timeout_s=1.0, deadline_s=1.5, retries=5, backoff_s=0.1).connect(tiny)
    assert time.monotonic() - started < 1.5 + 1.0 + 0.5


def test_an_answer_larger_than_the_outputs_can_be_is_refused(tiny, fake):
    fake.answer = lambda b, t: [tensor("onset_prob", np.zeros((b, t), np.float32)),
                                tensor("padding", np.zeros(200_000, np.float32))]
    with pytest.raises(MalformedAnswer, match="more than it can hold"):
        RemoteBackend(fake.url, retries=0).run(tiny, onset_inputs(tiny, 5, 100))


def test_cancel_ends_a_request_the_server_never_answers(tiny):
    """The editor's Cancel did nothing for the 60-s read timeout: the drafter checked its token only between
    stages. Inside cancel_scope the backend polls the check while it waits, and between retries."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: [accepted.append(listener.accept()[0]) for _ in range(8)], daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    token = CancelToken()
    threading.Timer(0.3, token.cancel).start()
    backend = FallbackBackend(RemoteBackend(url, timeout_s=60.0, retries=3), None)  # type: ignore[arg-type]
    started = time.monotonic()
    with pytest.raises(Cancelled), cancel_scope(backend, token.check):
        backend.run(tiny, onset_inputs(tiny, 1, 10))
    assert time.monotonic() - started < 1.5
    listener.close()


def test_cancel_during_a_pause_between_retries(tiny, fake):
    fake.raw = lambda h: h.send_json(503, {"error": "busy"}) or None
    token = CancelToken()
    threading.Timer(0.3, token.cancel).start()
    remote = RemoteBackend(fake.url, deadline_s=60.0, backoff_s=5.0)
    started = time.monotonic()
    with pytest.raises(Cancelled), cancel_scope(remote, token.check):
        remote.connect(tiny)
    assert time.monotonic() - started < 1.5


def _redirecting(target: str, code: int):
    class Redirect(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            self.send_response(code)
            self.send_header("Location", target + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Redirect


@pytest.mark.parametrize("code", [301, 307, 308])
def test_a_redirect_is_not_followed_and_names_its_target(tiny, fake, code):
    """The token followed a redirect to another host, and that host's 401 read as "server A refused the token"."""
    front = ThreadingHTTPServer(("127.0.0.1", 0), _redirecting(fake.url, code))
    threading.Thread(target=front.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{front.server_address[1]}"
    try:
        with pytest.raises(RedirectRefused, match=f"server {url} answered a redirect \\(HTTP {code}\\) to "
                                                  f"{fake.url}; use that URL"):
            RemoteBackend(url, "TOKEN").connect(tiny)
    finally:
        front.shutdown()
        front.server_close()
    assert fake.seen == []  # the token went nowhere else


def test_a_url_that_is_not_a_v2_server_says_so_without_the_page(tiny, fake):
    page = b"<!DOCTYPE html><html><head><title>Error response</title></head><body>404 File not found</body></html>"
    fake.raw = lambda h: h.send_body(404, page, "text/html")
    with pytest.raises(NotV2Server) as info:
        RemoteBackend(fake.url).connect(tiny)
    assert str(info.value) == f"{fake.url} is not a KServe V2 server (HTTP 404 at /v2/models/onset)"
    state, text = server_check(RemoteBackend(fake.url), tiny.path.parent)
    assert (state, text) == ("down", f"{fake.url} is not a KServe V2 server (HTTP 404 at /v2/health/ready)")


def test_error_pages_are_never_quoted(tiny, fake):
    fake.raw = lambda h: h.send_body(403, b"<html><body>" + b"x" * 5000 + b"</body></html>", "text/html")
    with pytest.raises(AuthError) as info:
        RemoteBackend(fake.url, "t").connect(tiny)
    assert "<" not in str(info.value)
    assert len(str(info.value)) < 200


def test_the_bearer_token_is_what_is_sent(tiny, fake, tmp_path, monkeypatch):
    """requests replaced the Authorization header with Basic auth from the URL's credentials or ~/.netrc."""
    (tmp_path / ".netrc").write_text("machine 127.0.0.1 login alice password hunter2\n")
    (tmp_path / ".netrc").chmod(0o600)
    monkeypatch.setenv("NETRC", str(tmp_path / ".netrc"))
    RemoteBackend(fake.url, "MY-TOKEN").connect(tiny)
    RemoteBackend(fake.url).connect(tiny)
    sent = [headers.get("Authorization") for _, _, headers in fake.seen]
    assert set(sent) == {"Bearer MY-TOKEN", None}


@pytest.mark.parametrize("url", ["http://alice:pw@gpu-box:8080", "alice@gpu-box:8080", "https://:pw@h"])
def test_credentials_in_the_url_are_refused(url):
    """They showed in every message, the provenance and editor.ini, and replaced the bearer token."""
    with pytest.raises(ValueError, match="put the token in a token file, not in the URL") as info:
        normalise_url(url)
    assert "pw" not in str(info.value)


def test_ipv6_urls():
    assert normalise_url("[::1]:8080") == "http://[::1]:8080"
    with pytest.raises(ValueError, match=r"in brackets: http://\[::1\]:8080"):
        normalise_url("http://::1:8080")
    with pytest.raises(ValueError, match="not an http"):
        normalise_url("http://host:port")


@pytest.mark.parametrize("token", ["tök€n", "a b", "tab\there", "\x7f"])
def test_a_token_http_cannot_carry_is_refused_up_front(token):
    assert token_problem(token)
    with pytest.raises(ValueError, match="visible ASCII"):
        RemoteBackend("http://127.0.0.1:9", token)
    assert token_problem("abc-DEF_123.~+/=") is None


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    done = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                           str(folder / "key.pem"), "-out", str(folder / "cert.pem"), "-days", "2", "-subj",
                           "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], capture_output=True)
    if done.returncode:
        pytest.skip("openssl cannot make a test certificate here")
    return folder / "cert.pem", folder / "key.pem"


def test_an_untrusted_certificate_is_one_line_not_retried_not_hidden(tiny, fake, certificate, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    fake.socket = context.wrap_socket(fake.socket, server_side=True)
    url = fake.url.replace("http://", "https://")
    backend = FallbackBackend(RemoteBackend(url, retries=3), None)  # type: ignore[arg-type]
    started = time.monotonic()
    with pytest.raises(TlsError) as info:
        backend.run(tiny, onset_inputs(tiny, 1, 10))
    assert time.monotonic() - started < 2.0  # not retried with backoff
    assert str(info.value).startswith(f"TLS certificate not trusted for {url}: ")
    assert str(info.value).endswith("set REQUESTS_CA_BUNDLE to your CA file")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate[0]))
    RemoteBackend(url).connect(tiny)  # trusted now

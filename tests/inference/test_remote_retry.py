"""Retries against a busy server (issue 8): 503/429 + Retry-After honoured, bounded by a deadline, then fallback.

The policy itself runs on a fake clock; the client runs against the real server behind a proxy that sheds load
on demand, and against the real guard with no queue and more clients than workers.
"""

from __future__ import annotations

import json
import random
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler

import numpy as np
import pytest

from inference.backends import OnnxBackend
from inference.remote import FallbackBackend, RemoteBackend, ServerUnavailable
from inference.serving.retry import (
    GaveUp,
    RetryLog,
    RetryPolicy,
    Transient,
    call_with_retries,
    parse_retry_after,
)
from tests.inference.server_helpers import LoopbackProxy, relay, running_server
from tests.inference.tiny_models import build_onset_model, onset_inputs

TOKEN = "retry-test-token"


class FakeClock:
    def __init__(self) -> None:
        self.now_s, self.pauses = 0.0, []

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now_s += seconds

    def __call__(self) -> float:
        return self.now_s


def failing(errors):
    """An attempt function raising the given errors in turn, then returning "ok"; records attempt numbers."""
    seen: list[int] = []

    def attempt(n: int) -> str:
        seen.append(n)
        if n < len(errors):
            raise errors[n]
        return "ok"

    return attempt, seen


def test_busy_answers_wait_at_least_retry_after_and_do_not_use_up_retries():
    clock, log = FakeClock(), RetryLog()
    attempt, seen = failing([Transient("HTTP 503", busy=True, retry_after_s=3.0)] * 5)
    policy = RetryPolicy(retries=0, backoff_s=0.25, deadline_s=60.0)
    assert call_with_retries(attempt, policy, log, clock.sleep, clock, random.Random(1)) == "ok"
    assert seen == [0, 1, 2, 3, 4, 5]
    assert all(3.0 <= p <= 4.5 for p in clock.pauses)  # never before Retry-After; jitter up to +50 %
    assert len(set(clock.pauses)) == 5  # jittered: refused clients do not come back together
    assert (log.busy, log.failed, log.max_attempt) == (5, 0, 5)
    assert log.wait_s == pytest.approx(sum(clock.pauses))


def test_busy_without_retry_after_backs_off_exponentially_up_to_the_cap():
    clock = FakeClock()
    attempt, _ = failing([Transient("HTTP 429", busy=True)] * 8)
    policy = RetryPolicy(retries=0, backoff_s=0.5, deadline_s=600.0, max_backoff_s=4.0)
    call_with_retries(attempt, policy, None, clock.sleep, clock, random.Random(2))
    bases = [0.5, 1, 2, 4, 4, 4, 4, 4]
    assert all(b <= p <= 1.5 * b for p, b in zip(clock.pauses, bases, strict=True))


def test_other_failures_are_retried_only_retries_times():
    clock = FakeClock()
    attempt, seen = failing([Transient("connection refused")] * 10)
    with pytest.raises(GaveUp, match="^unavailable after 3 attempts: connection refused$"):
        call_with_retries(attempt, RetryPolicy(retries=2, backoff_s=0.1), None, clock.sleep, clock)
    assert seen == [0, 1, 2]
    assert all(0.075 <= p <= 0.25 for p in clock.pauses)


def test_deadline_ends_the_retries_without_sleeping_past_it():
    clock = FakeClock()
    attempt, seen = failing([Transient("HTTP 503: server busy", busy=True, retry_after_s=4.0)] * 100)
    with pytest.raises(GaveUp) as info:
        call_with_retries(attempt, RetryPolicy(deadline_s=20.0), None, clock.sleep, clock, random.Random(3))
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"unavailable: gave up after {len(seen)} attempts in ")
    assert message.endswith("(deadline 20 s): HTTP 503: server busy")
    assert clock.now_s <= 20.0  # no pause crossed the deadline
    assert 3 <= len(seen) <= 6  # 4-6 s per wait in 20 s


def test_final_errors_are_not_retried():
    attempt, seen = failing([PermissionError("wrong token")])
    with pytest.raises(PermissionError):
        call_with_retries(attempt, RetryPolicy(), None, lambda s: None)
    assert seen == [0]


@pytest.mark.parametrize(("value", "seconds"), [("5", 5.0), (" 12 ", 12.0), ("0", 0.0), (None, None),
                                                ("soon", None), ("-3", None), ("1.5", None)])
def test_parse_retry_after_delta_seconds(value, seconds):
    assert parse_retry_after(value) == seconds


def test_parse_retry_after_http_date():
    now = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
    later = format_datetime(datetime(2026, 11, 24, 12, 0, 7, tzinfo=UTC), usegmt=True)
    assert parse_retry_after(later, now.timestamp()) == pytest.approx(7.0)
    earlier = format_datetime(datetime(2026, 11, 24, 11, 0, 0, tzinfo=UTC), usegmt=True)
    assert parse_retry_after(earlier, now.timestamp()) == 0.0


# ---------------------------------------------------------------------------------------------- real server
@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_onset_model(tmp_path_factory.mktemp("retry"))


class SheddingProxy(LoopbackProxy):
    """Forwards every request to the real server, except that it answers the first ``shed`` inference POSTs
    with 503 + ``Retry-After`` as the guard does under load. Records each POST's time and retry header."""

    def __init__(self, upstream: str, shed: int, retry_after: str = "1"):
        self.shed, self.retry_after = shed, retry_after
        self.posts: list[tuple[float, str | None]] = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                relay(self, "GET", None)

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                proxy = self.server
                proxy.posts.append((time.monotonic(), self.headers.get("Genelive-Retry")))
                if len(proxy.posts) <= proxy.shed:
                    data = json.dumps({"error": "server busy: too many requests in flight"}).encode()
                    self.send_response(503)
                    self.send_header("Retry-After", proxy.retry_after)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                relay(self, "POST", body)

        super().__init__(upstream, Handler)


@pytest.fixture(scope="module")
def server(tiny, tmp_path_factory):
    with running_server(tiny.path.parent, tmp_path_factory.mktemp("srv"), TOKEN) as srv:
        yield srv


def local(manifest, inputs):
    return OnnxBackend().run(manifest, inputs)["onset_prob"]


@pytest.mark.network
def test_client_retries_a_busy_server_after_retry_after_and_gets_the_answer(server, tiny):
    inputs = onset_inputs(tiny, 5, 300, seed=11)
    proxy = SheddingProxy(server.url, shed=2, retry_after="1")
    try:
        log = RetryLog()
        remote = RemoteBackend(proxy.url, TOKEN, retries=0, deadline_s=10.0, on_retry=log)
        out = remote.run(tiny, inputs)["onset_prob"]
    finally:
        proxy.close()
    np.testing.assert_allclose(out, local(tiny, inputs), atol=1e-6)
    times, headers = zip(*proxy.posts, strict=True)
    assert headers == (None, "1", "2")  # the guard gives retried requests the reserve places
    assert all(b - a >= 1.0 for a, b in zip(times, times[1:]))  # Retry-After honoured
    assert (log.busy, log.failed) == (2, 0)  # retries=0: busy answers do not use up the failure retries


@pytest.mark.network
def test_client_gives_up_at_the_deadline_with_one_line_then_falls_back(server, tiny):
    inputs = onset_inputs(tiny, 5, 300, seed=12)
    proxy = SheddingProxy(server.url, shed=10**6, retry_after="1")
    try:
        remote = RemoteBackend(proxy.url, TOKEN, deadline_s=2.5)
        remote.connect(tiny)
        started = time.monotonic()
        with pytest.raises(ServerUnavailable) as info:
            remote.run(tiny, inputs)
        elapsed = time.monotonic() - started
        messages: list[str] = []
        backend = FallbackBackend(remote, OnnxBackend(), on_status=messages.append)
        out = backend.run(tiny, inputs)["onset_prob"]
    finally:
        proxy.close()
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"server {proxy.url} unavailable: gave up after ")
    assert "(deadline 2.5 s): HTTP 503: server busy" in message
    assert elapsed < 2.5 + 1.0  # the deadline plus one (quick) request at most
    np.testing.assert_allclose(out, local(tiny, inputs), atol=1e-6)
    assert len(messages) == 1
    assert "HTTP 503" in messages[0]
    assert "local ONNX" in messages[0]


@pytest.mark.network
def test_more_clients_than_the_server_admits_all_get_through(tiny, tmp_path):
    """The real guard with one worker and no queue: concurrent clients are refused with 503 and get through
    by retrying; none fails."""
    inputs = onset_inputs(tiny, 5, 3000, seed=13)
    expected = local(tiny, inputs)
    log, errors, done = RetryLog(), [], []
    with running_server(tiny.path.parent, tmp_path, TOKEN, "--workers", "1", "--queue", "0") as srv:
        remote = RemoteBackend(srv.url, TOKEN, retries=0, deadline_s=60.0, on_retry=log)
        remote.connect(tiny)
        barrier = threading.Barrier(6)

        def client() -> None:
            barrier.wait()
            for _ in range(3):
                try:
                    done.append(remote.run(tiny, inputs)["onset_prob"])
                except Exception as exc:  # collected: the assertion below names it
                    errors.append(repr(exc))

        threads = [threading.Thread(target=client) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    assert errors == []
    assert len(done) == 18
    for out in done:
        np.testing.assert_allclose(out, expected, atol=1e-6)
    assert log.busy > 0  # the guard did shed load, and the clients rode it out
    assert log.failed == 0

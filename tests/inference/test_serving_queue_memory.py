"""Waiting requests do not hold their bodies in memory: admission happens on the headers (guard docstring).

Every reading place (one per worker plus ``READ_AHEAD``) is held by a request whose body trickles in; then 48
clients each push a 4 MiB body at the server. They wait in the queue, and the server's RSS grows by a fraction of
the 192 MiB they try to send: uvicorn stops reading a socket once 64 KiB of its body are buffered (plus what one
socket read brought in).
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from inference.serving.guard import READ_AHEAD
from inference.serving.loadtest import process_rss_mb, server_process
from tests.inference.tiny_models import build_onset_model

pytestmark = [pytest.mark.slow, pytest.mark.network]
TOKEN = "queue-memory-token"
WAITING, BODY_BYTES = 48, 4 << 20
PER_REQUEST_BOUND_MB = 0.5  # 64 KiB buffered + one 256 KiB socket read + headers and bookkeeping


def open_request(port: int, length: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall((f"POST /v2/models/onset/infer HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
                  f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n").encode())
    return sock


def push(sock: socket.socket, pushed: list[int], stop: threading.Event) -> None:
    """Send as much of a body as the server accepts until told to stop (bounded by the socket timeout)."""
    chunk, sent = b" " * (256 << 10), 0
    sock.settimeout(0.5)
    while not stop.is_set() and sent < BODY_BYTES:
        try:
            sent += sock.send(chunk[: BODY_BYTES - sent])
        except (TimeoutError, OSError):
            continue
    pushed.append(sent)


def test_queued_requests_do_not_hold_their_bodies(tmp_path):
    tiny = build_onset_model(tmp_path / "models")
    with server_process(tiny.path.parent, tmp_path, TOKEN, "--workers", "1", "--queue", "64") as (url, proc):
        port = int(url.rsplit(":", 1)[1])
        holders = [open_request(port, 1000) for _ in range(1 + READ_AHEAD)]
        for holder in holders:
            holder.sendall(b"{")  # each reading place now waits for the rest of a body (idle timeout 10 s)
        time.sleep(0.5)
        before_mb = process_rss_mb(proc.pid)
        stop, pushed = threading.Event(), []
        socks = [open_request(port, BODY_BYTES) for _ in range(WAITING)]
        threads = [threading.Thread(target=push, args=(s, pushed, stop)) for s in socks]
        for t in threads:
            t.start()
        time.sleep(4.0)
        after_mb = process_rss_mb(proc.pid)
        stop.set()
        for t in threads:
            t.join(10)
        for s in [*holders, *socks]:
            s.close()
    growth_mb = after_mb - before_mb
    sent_mb = sum(pushed) / 2**20
    print(f"{WAITING} waiting requests pushed {sent_mb:.1f} MiB; server RSS {before_mb:.1f} -> {after_mb:.1f} MB")
    assert sent_mb > WAITING * 0.1  # the clients did push bodies (into buffers) ...
    assert growth_mb < WAITING * PER_REQUEST_BOUND_MB  # ... but the server did not read them into memory

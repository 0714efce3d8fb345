"""The header deadline and the cap on waiting connections (inference.serving.connections), on a real uvicorn.

uvicorn runs in-process on 127.0.0.1 with a trivial app, a 0.6-s header deadline and room for 4 waiting
connections, so the slow-loris cases take a second each instead of the server's 10 s.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from inference.serving.connections import guarded_protocol, max_waiting_connections

pytestmark = pytest.mark.network
HEADER_TIMEOUT_S, MAX_WAITING = 0.6, 4
REQUEST = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


async def hello(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    config = uvicorn.Config(hello, host="127.0.0.1", port=free, lifespan="off", log_level="error", ws="none",
                            http=guarded_protocol(HEADER_TIMEOUT_S, MAX_WAITING))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield free
    server.should_exit = True
    thread.join(10)


def connect(port: int, data: bytes = b"") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    if data:
        sock.sendall(data)
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (or the socket's timeout passes); a reset (the
    server closed before reading what was sent) reads as ``b"<reset>"``."""
    chunks = []
    try:
        while chunk := sock.recv(4096):
            chunks.append(chunk)
    except ConnectionResetError:
        chunks.append(b"<reset>")
    return b"".join(chunks)


def get(port: int) -> bytes:
    with connect(port, REQUEST) as sock:
        return sock.recv(4096)


def test_unfinished_headers_get_408_and_the_connection_closed(port):
    with connect(port, b"GET /v2 HTTP/1.1\r\nHost: x\r\n") as sock:
        started = time.monotonic()
        reply = read_all(sock)
    assert reply.startswith(b"HTTP/1.1 408")
    assert b'"request headers too slow"' in reply
    assert HEADER_TIMEOUT_S * 0.8 < time.monotonic() - started < HEADER_TIMEOUT_S + 2


def test_a_connection_that_sends_nothing_is_closed_without_an_answer(port):
    with connect(port) as sock:
        started = time.monotonic()
        assert read_all(sock) == b""
    assert time.monotonic() - started < HEADER_TIMEOUT_S + 2


def test_trickling_header_bytes_does_not_extend_the_deadline(port):
    """The deadline is a total: a byte every 0.2 s (never a long gap) is still cut off."""
    with connect(port, b"GET / HTTP/1.1\r\n") as sock:
        started = time.monotonic()
        sock.settimeout(0.2)
        reply = b""
        while not reply and time.monotonic() - started < 5:
            try:
                sock.sendall(b"X")
                reply = sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                break
    assert reply.startswith(b"HTTP/1.1 408")
    assert time.monotonic() - started < HEADER_TIMEOUT_S + 2


def test_after_an_answer_the_next_request_has_its_own_deadline(port):
    """A keep-alive connection may not park half a second request (uvicorn's keep-alive timer stopped at its
    first byte)."""
    with connect(port, REQUEST) as sock:
        reply = b""
        while not reply.endswith(b"\r\n\r\nok"):
            reply += sock.recv(4096)
        assert reply.startswith(b"HTTP/1.1 200")
        time.sleep(HEADER_TIMEOUT_S / 2)
        sock.sendall(b"GET / HTTP/1.1\r\n")
        started = time.monotonic()
        assert read_all(sock).startswith(b"HTTP/1.1 408")
    assert time.monotonic() - started < HEADER_TIMEOUT_S + 2


def test_the_longest_waiting_connections_make_room_for_new_ones(port):
    held = [connect(port, b"GET / HTTP/1.1\r\n") for _ in range(MAX_WAITING + 2)]
    try:
        time.sleep(0.2)  # well inside the header deadline
        for sock in held[:2]:  # the two oldest were closed at once (with a 408 if the server had read their bytes)
            sock.settimeout(0.3)
            read_all(sock)  # returns only once the server has closed it (else TimeoutError)
        for sock in held[2:]:  # the others still wait
            sock.settimeout(0.05)
            with pytest.raises(TimeoutError):
                sock.recv(1)
        assert get(port).startswith(b"HTTP/1.1 200")  # a real client still gets through
    finally:
        for sock in held:
            sock.close()


def test_the_cap_follows_the_open_file_limit(monkeypatch):
    import resource

    monkeypatch.setattr(resource, "getrlimit", lambda _: (1024, 4096))
    assert max_waiting_connections(256) == 256
    monkeypatch.setattr(resource, "getrlimit", lambda _: (256, 4096))
    assert max_waiting_connections(256) == 64

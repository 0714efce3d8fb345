"""Connection-level limits in front of the guard: a deadline for each request's headers, a cap on idle connections.

The guard (:mod:`.guard`) sees a request only once its headers are complete, and uvicorn has no header timeout
(its keep-alive timer is cancelled by the first byte of the next request), so a client that opens a connection and
sends half a request line, or nothing, held that connection and one file descriptor for ever: ~1,000 of them,
without any token, exhausted the usual 1024 open files and made the server unreachable. This HTTP protocol (h11,
as uvicorn uses it when httptools is absent; chosen explicitly so an install with httptools behaves the same) adds:

* **header deadline**: whenever a connection is not inside a request — just opened, or its last response sent —
  the next request's line and headers must be complete within ``header_timeout_s`` (a total, not a gap: a byte
  every few seconds does not extend it). Else the connection is closed: with a 408 when part of a request came,
  silently when nothing did (an idle keep-alive connection; a stray 408 there would be read as the answer to the
  client's next request). Bytes of a body the app did not read (a GET with a body) count as not inside a request.
* **cap on waiting connections**: at most ``max_waiting`` connections may wait for headers at once; one more
  closes the one that has waited longest. A real client sends its headers in one write, milliseconds after it
  connects, so it is never the oldest; an attacker's connections are. Connections inside a request are bounded
  elsewhere: unauthenticated requests are answered at once (401/404), inference requests by the guard's queue.

uvicorn's ``limit_concurrency`` is not used: it counts open connections but only answers 503 once a request's
headers are complete, so it neither frees a file descriptor nor stops a client that never sends them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import resource

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("genelive.serve")

DEFAULT_HEADER_TIMEOUT_S = 10.0
DEFAULT_MAX_WAITING = 256  # connections waiting for their headers (idle keep-alive ones included)
WARN_EVERY_S = 60.0
_BODY = json.dumps({"error": "request headers too slow"}).encode()
_TIMEOUT_408 = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
                b"content-length: %d\r\nconnection: close\r\n\r\n" % len(_BODY)) + _BODY


def max_waiting_connections(limit: int = DEFAULT_MAX_WAITING) -> int:
    """``limit``, but at most a quarter of this process's open-file limit (the rest is for connections inside a
    request, the models and the server's own files)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return limit if soft == resource.RLIM_INFINITY else max(8, min(limit, soft // 4))


def guarded_protocol(header_timeout_s: float = DEFAULT_HEADER_TIMEOUT_S,
                     max_waiting: int = DEFAULT_MAX_WAITING) -> type[H11Protocol]:
    """An h11 protocol class for ``uvicorn.Config(http=...)`` with the limits above; each class has its own table
    of waiting connections (one per server)."""
    waiting: dict[GuardedH11Protocol, None] = {}  # insertion-ordered: the longest-waiting first

    class Protocol(GuardedH11Protocol):
        pass

    Protocol.header_timeout_s, Protocol.max_waiting, Protocol.waiting = header_timeout_s, max_waiting, waiting
    return Protocol


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol plus the header deadline and the cap on waiting connections (module docstring)."""

    header_timeout_s: float = DEFAULT_HEADER_TIMEOUT_S
    max_waiting: int = DEFAULT_MAX_WAITING
    waiting: dict[GuardedH11Protocol, None] = {}
    _deadline: asyncio.TimerHandle | None = None
    _warned_at = -math.inf

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._update(restart=True)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._update()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._update(restart=True)  # a fresh deadline for the next request

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def _inside_request(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _update(self, restart: bool = False) -> None:
        """Start or stop the wait for the next request's headers after anything that may change the state."""
        if self.transport.is_closing() or self._inside_request():
            self._stop_waiting()
            return
        if self._deadline is not None and not restart:
            return
        self._stop_waiting()
        self._deadline = self.loop.call_later(self.header_timeout_s, self._too_slow)
        self.waiting[self] = None
        while len(self.waiting) > self.max_waiting:
            self._warn_full()
            next(iter(self.waiting))._too_slow()

    def _warn_full(self) -> None:
        """Say so in the log, at most once a minute (under attack this happens for every new connection)."""
        now = self.loop.time()
        if now - GuardedH11Protocol._warned_at >= WARN_EVERY_S:
            GuardedH11Protocol._warned_at = now
            log.warning("%d connections wait for their request headers (the limit): closing the oldest; "
                        "a client is opening connections without sending requests", self.max_waiting)

    def _stop_waiting(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self.waiting.pop(self, None)

    def _too_slow(self) -> None:
        self._stop_waiting()
        if self.transport.is_closing() or self._inside_request():
            return
        partial = self.conn.their_state is h11.IDLE and bool(self.conn.trailing_data[0])
        if partial:
            self.transport.write(_TIMEOUT_408)
        self.transport.close()

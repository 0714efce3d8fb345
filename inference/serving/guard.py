"""A thin ASGI middleware in front of MLServer's REST app: token, routes, body size and time, concurrency.

MLServer implements the V2 protocol but has no authentication, no request-size limit, no body-read timeout and
no admission control, and it transparently gunzips request bodies (a zip bomb would bypass any size limit).
This guard adds exactly those, outside MLServer's own V2 implementation:

* only the V2 inference routes are reachable (health, server/model metadata and readiness, ``infer``); the
  model-repository (load/unload) and docs routes answer 404;
* a bearer token, when configured, is required on every route except ``/v2/health/*`` (probes carry no token);
  compared in constant time on fixed-length digests so neither content nor length leaks through timing;
  the ``Authorization`` header is removed before MLServer sees the request, so it never reaches its logs;
* ``Content-Length`` above the limit -> 413 before any byte of the body is read; a chunked body is counted as it
  arrives and refused with 413 the moment it passes the limit; compressed bodies (any ``Content-Encoding`` but
  ``identity``, in any of its headers) -> 415, and the header is removed;
* the body must arrive within ``body_timeout_s`` with no gap longer than ``idle_timeout_s`` -> else 408; it is
  read *before* the request takes an inference slot, so a slow uploader holds a reading place, not a worker
  (see "Admission"); the headers before it have their own deadline (:mod:`.connections`);
* at most ``max_inflight`` inference requests run, ``max_queue`` more wait (FIFO); beyond that -> 503 with a
  ``Retry-After`` estimated from the queue (see "Admission" below); a request whose client disconnects while it
  waits for a worker is dropped, not run, and so is one that could no longer be answered within the time its
  client says it waits (``Genelive-Timeout``): 503, at once when the estimated wait says so on arrival (never
  while a worker is free);
* tensors are unpacked here (:mod:`.unpack`): binary ones (Triton's extension, which MLServer does not read) and
  JSON ones (parsed off the event loop into arrays, not into MLServer's Python lists and pydantic models);
* FastAPI's 422 schema errors (which echo the offending input back) become a one-line 400;
* ``Accept-Encoding`` is removed: the guard parses and rewrites the app's answers, which must stay plain JSON;
* an exception escaping the app or the guard becomes a JSON 500 without a traceback (the traceback goes to the
  server log).

Admission. A request is admitted or refused from its headers alone, *before* any byte of its body is read. Then
it waits (FIFO) for one of ``max_inflight + READ_AHEAD`` reading places, reads its body there and keeps the place
until a worker takes it: a slow uploader delays nobody until ``READ_AHEAD + 1`` of them hold every place (each
for at most ``body_timeout_s``), uploads overlap inference, and at most that many bodies plus the running ones
are in memory. A request waiting for a reading place holds only its connection, its parsed headers (h11 caps
them at 16 KiB) and at most 64 KiB of body that uvicorn buffers before it stops reading the socket
(``uvicorn.protocols.http.flow_control``), so memory per queued request is bounded (measured 0.16 MB,
tests/inference/test_serving_queue_memory.py) and a long queue is cheap; what a queue costs is waiting time. The
default queue (``DEFAULT_QUEUE_PER_WORKER`` per worker) holds a studio's worth of closed-loop clients, so they
wait in FIFO order instead of being refused. Beyond it the answer is 503 with ``Retry-After`` = time for the
current queue to drain (waiting requests x recent mean service time / workers, clamped to 1..30 s): a refused
client that came back sooner would only be refused again. Fairness: clients whose request just finished send
the next one at once and would take every freed place, starving the ones that were refused; so a retried request
(``Genelive-Retry`` header, sent by :mod:`.retry`) may also use a reserve of ``max_queue // 2`` places that new
requests cannot. A client can claim to be retrying; that only gets it the reserve, which is bounded too.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import math
import re
from collections.abc import Awaitable, Callable
from typing import Any

from inference.serving import binary, unpack
from inference.serving.v2 import V2FormatError

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

log = logging.getLogger("genelive.serve")
_REF = binary.TENSOR_REF_HEADER.encode()
_HEADER_LENGTH = binary.HEADER_LENGTH.encode()

#: The model names (and versions) routed; ``serve`` refuses to load a model it could not route to.
MODEL_NAME = r"[A-Za-z0-9_.\-]{1,128}"
_NAME = MODEL_NAME
_ROUTES_GET = re.compile(rf"^/v2(/health/(live|ready))?$|^/v2/models/{_NAME}(/versions/{_NAME})?(/ready)?$")
_ROUTE_INFER = re.compile(rf"^/v2/models/{_NAME}(/versions/{_NAME})?/infer$")
_PUBLIC = ("/v2/health/live", "/v2/health/ready")
_RETRY = b"genelive-retry"  # inference.serving.retry.RETRY_HEADER, as ASGI spells header names

DEFAULT_QUEUE_PER_WORKER = 32
READ_AHEAD = 4  # bodies read beyond one per worker (see "Admission")
RETRY_AFTER_MIN_S, RETRY_AFTER_MAX_S = 1, 30
LATE_CHECK_S = 0.5  # how often a waiting request checks whether it can still be answered in its client's time
TIMEOUT_HEADER = b"genelive-timeout"  # inference.serving.retry.TIMEOUT_HEADER: seconds the client waits in all
SERVICE_EWMA_WEIGHT = 0.1  # weight of the newest service time in the running mean (~ the last 10 requests)


class _Reject(Exception):
    def __init__(self, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or []


class GuardMiddleware:
    """Wrap an ASGI app (MLServer's FastAPI app) with the checks listed in the module docstring."""

    def __init__(self, app: Any, token: str | None = None, max_body_bytes: int = 64 << 20,
                 max_inflight: int = 1, max_queue: int = 8, body_timeout_s: float = 60.0,
                 idle_timeout_s: float = 10.0) -> None:
        self.app = app
        self._token_digest = _digest(token) if token else None
        self.max_body_bytes = max_body_bytes
        self.body_timeout_s, self.idle_timeout_s = body_timeout_s, idle_timeout_s
        self.max_inflight, self.max_queue = max(1, max_inflight), max(0, max_queue)
        self.retry_reserve = self.max_queue // 2
        self._line: dict[object, None] = {}  # running + waiting inference requests, in the order they were admitted
        self.mean_service_s = 1.0  # running mean of the time a request holds a slot; a guess until measured
        self._measured = False
        self.max_reading = self.max_inflight + READ_AHEAD
        self._slots: asyncio.Semaphore | None = None  # created on the server's event loop
        self._reading: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            infer = self._check_route_and_token(scope)
            if infer:
                await self._infer(scope, receive, tracking_send)
            else:
                await self._forward(scope, receive, tracking_send)
        except _Reject as rej:
            if not started:
                await _send_error(send, rej.status, rej.message, rej.headers)
        except Exception:  # a bug of ours or an input nobody foresaw: a JSON 500, not uvicorn's plain-text one
            log.exception("unhandled error in the guard on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await _send_error(send, 500, "internal server error (see the server log)")

    def _check_route_and_token(self, scope: Scope) -> bool:
        method, path = scope["method"], scope["path"]
        infer = method == "POST" and bool(_ROUTE_INFER.match(path))
        if not infer and not (method in ("GET", "HEAD") and _ROUTES_GET.match(path)):
            raise _Reject(404, f"no such route: {method} {path[:100]}")
        headers = scope.get("headers", [])
        if self._token_digest is not None and path not in _PUBLIC:
            given = _bearer(headers)
            if given is None or not hmac.compare_digest(_digest(given), self._token_digest):
                raise _Reject(401, "missing or wrong bearer token", [(b"www-authenticate", b"Bearer")])
        # the tensor reference header is ours to set (binary requests); never accept one from a client.
        # Accept-Encoding: the guard parses the app's answers (outputs, 422s), so they must not be compressed.
        drop = (b"authorization", _REF, b"accept-encoding")
        scope["headers"] = [(k, v) for k, v in headers if k.lower() not in drop]
        return infer

    def retry_after_s(self) -> int:
        """Seconds until the requests now waiting have been served (clamped to 1..30): the ``Retry-After``."""
        waiting = max(0, self._admitted - self.max_inflight)
        estimate = waiting * self.mean_service_s / self.max_inflight
        return int(min(RETRY_AFTER_MAX_S, max(RETRY_AFTER_MIN_S, math.ceil(estimate))))

    def wait_estimate_s(self, ahead: int) -> float:
        """Seconds a request with ``ahead`` requests (running and waiting) before it waits for a worker: 0 while
        one is free, else until ``ahead - workers + 1`` of them are done, at the running mean service time. Not
        its own service time: that depends on its size, which the mean does not know (counting it refused every
        request whose client waits less than the mean, with the queue empty, for good: refused requests are
        never measured, so one slow request could lock clients out until a restart)."""
        return max(0, ahead - self.max_inflight + 1) * self.mean_service_s / self.max_inflight

    @property
    def _admitted(self) -> int:
        """Running + waiting inference requests."""
        return len(self._line)

    def _busy(self, message: str) -> _Reject:
        return _Reject(503, f"server busy: {message}", [(b"retry-after", str(self.retry_after_s()).encode())])

    async def _infer(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = scope.get("headers", [])
        retried = any(k.lower() == _RETRY for k, _ in headers)
        limit = self.max_inflight + self.max_queue + (self.retry_reserve if retried else 0)
        if self._admitted >= limit:
            raise self._busy("too many requests in flight")
        try:
            patience = unpack.client_timeout(headers, TIMEOUT_HEADER)
        except ValueError as exc:
            raise _Reject(400, str(exc)) from exc
        if patience is not None and (estimate := self.wait_estimate_s(self._admitted)) > patience:  # 0: a worker free
            raise self._busy(f"the requests ahead would take about {estimate:.0f} s, longer than the client "
                             f"waits ({patience:g} s)")
        self._check_body_headers(scope)
        if self._slots is None or self._reading is None:
            self._slots = asyncio.Semaphore(self.max_inflight)
            self._reading = asyncio.Semaphore(self.max_reading)
        self._line[me := object()] = None
        loop = asyncio.get_running_loop()
        until = None if patience is None else loop.time() + patience  # when the client stops waiting
        gone: asyncio.Future[Message] = loop.create_future()
        try:
            async with self._reading:  # kept until a worker takes the request: bounds the bodies in memory
                body = await self._read_body(receive)
                # after the body, the next message is the disconnect: watched while the request waits
                gone = asyncio.ensure_future(receive())
                taken = await self._take_slot(self._slots, gone, lambda: until is not None and  # waited + to wait
                                              loop.time() + self.wait_estimate_s(list(self._line).index(me)) > until)
                if taken == "late":
                    log.info("request could no longer be answered before its client's timeout; not run")
                    raise self._busy(f"the queue took longer than the client waits ({patience:g} s)")
                if taken == "left":
                    log.info("client left while its request waited; not run")
                    return
            started = loop.time()
            try:
                body, ref = await _unpack(scope, body)
                try:
                    await self._forward(scope, _replay(body, gone), send, ref)
                finally:
                    binary.drop(ref)
            finally:
                self._slots.release()
                held_s = loop.time() - started
                weight = SERVICE_EWMA_WEIGHT if self._measured else 1.0  # the first measurement replaces the guess
                self.mean_service_s += weight * (held_s - self.mean_service_s)
                self._measured = True
        finally:
            del self._line[me]
            gone.cancel()

    @staticmethod
    async def _take_slot(slots: asyncio.Semaphore, gone: asyncio.Future[Message], late: Callable[[], bool]) -> str:
        """Wait for a worker unless the client disconnects first (``"left"``) or ``late()`` says it could no longer
        be answered before its client's timeout (``"late"``); ``"slot"`` when it holds a worker.

        A client that gives up (its timeout, Cancel in the editor, a retry after a timeout) closes its connection;
        before, its request still ran when its turn came, for nobody, and delayed everyone queued behind it (six
        clients that left after 1.5 s cost about five inferences)."""
        acquire = asyncio.ensure_future(slots.acquire())
        try:
            while not (acquire.done() or gone.done() or late()):
                await asyncio.wait((acquire, gone), timeout=LATE_CHECK_S, return_when=asyncio.FIRST_COMPLETED)
            if not _left(gone) and (acquire.done() or not late()):
                await acquire
                return "slot"
        except BaseException:
            if acquire.done() and not acquire.cancelled() and acquire.exception() is None:
                slots.release()
            acquire.cancel()
            raise
        if acquire.done() and not acquire.cancelled():
            slots.release()
        acquire.cancel()
        return "left" if _left(gone) else "late"

    def _check_body_headers(self, scope: Scope) -> None:
        """Refuse on the headers what the body would be refused for (compressed, too long), before waiting.

        Every ``Content-Encoding`` header and every item of a comma-separated one is checked, and the headers are
        then removed: MLServer gunzips a body when *any* of them says gzip, so checking only the last one (a dict
        of the headers) let ``gzip`` + ``identity`` through, and 0.4 MB on the wire became 400 MiB in memory."""
        headers = scope.get("headers", [])
        codings = [c.strip().lower() for k, v in headers if k.lower() == b"content-encoding" for c in v.split(b",")]
        if any(c not in (b"", b"identity") for c in codings):
            raise _Reject(415, "compressed request bodies are not accepted")
        scope["headers"] = headers = [(k, v) for k, v in headers if k.lower() != b"content-encoding"]
        length = dict((k.lower(), v) for k, v in headers).get(b"content-length")
        if length is not None:
            if not length.isdigit():
                raise _Reject(400, "invalid Content-Length")
            if int(length) > self.max_body_bytes:
                raise _Reject(413, f"request body of {int(length)} bytes is over the limit of "
                                   f"{self.max_body_bytes} bytes; send shorter chunks along time")

    async def _read_body(self, receive: Receive) -> bytes:
        chunks, size = [], 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.body_timeout_s
        while True:
            timeout = min(self.idle_timeout_s, deadline - loop.time())
            try:
                message = await asyncio.wait_for(receive(), timeout=max(timeout, 0.001))
            except TimeoutError as exc:
                raise _Reject(408, "request body too slow", [(b"connection", b"close")]) from exc
            if message["type"] == "http.disconnect":
                raise _Reject(400, "client disconnected")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise _Reject(413, f"request body over the limit of {self.max_body_bytes} bytes",
                              [(b"connection", b"close")])
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _forward(self, scope: Scope, receive: Receive, send: Send, ref: str | None = None) -> None:
        """Call the app; rewrite 422s to one-line 400s and, for infer requests, render the outputs the runtime
        left under ``ref`` (see :mod:`.binary`)."""
        started = False
        start: Message | None = None  # held response start (422 rewrite or output rendering)
        held: list[bytes] = []

        async def tracking_send(message: Message) -> None:
            nonlocal started, start
            if message["type"] == "http.response.start":
                started = True
                if message.get("status") == 422 or ref is not None:
                    start = message
                    return
            if start is not None and message["type"] == "http.response.body":
                held.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._finish(send, start, b"".join(held), ref)
                return
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await _send_error(send, 500, "internal server error (see the server log)")

    async def _finish(self, send: Send, start: Message, body: bytes, ref: str | None) -> None:
        status = start.get("status", 500)
        if status == 422:
            await _send_error(send, 400, unpack.summarise_validation(body))
            return
        outputs = binary.take_outputs(ref) if ref is not None else {}
        if status != 200 or not outputs:
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        try:
            body, header_length = binary.render_response(body, outputs)
        except (V2FormatError, KeyError, TypeError) as exc:
            log.error("cannot render outputs: %s", exc)
            await _send_error(send, 500, "internal server error (see the server log)")
            return
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if header_length is not None:
            headers.append((_HEADER_LENGTH, str(header_length).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def _unpack(scope: Scope, body: bytes) -> tuple[bytes, str]:
    """:func:`.unpack.unpack`, its errors as one-line 400s (a malformed tensor) or a JSON 500 (anything else)."""
    try:
        body, ref, scope["headers"] = await unpack.unpack(scope["headers"], body)
    except V2FormatError as exc:
        raise _Reject(400, str(exc)) from exc
    except Exception as exc:  # nothing a client sends may end as uvicorn's plain-text 500
        log.exception("cannot unpack a request")
        raise _Reject(500, "internal server error (see the server log)") from exc
    return body, ref


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def _bearer(headers: list[tuple[bytes, bytes]]) -> str | None:
    for key, value in headers:
        if key.lower() == b"authorization":
            scheme, _, credential = value.decode("latin-1").partition(" ")
            return credential.strip() if scheme.lower() == "bearer" else None
    return None


def _left(gone: asyncio.Future[Message]) -> bool:
    """Whether the message after the body has come and is the client's disconnect."""
    return gone.done() and not gone.cancelled() and gone.exception() is None and \
        gone.result().get("type") == "http.disconnect"


def _replay(body: bytes, after: asyncio.Future[Message]) -> Receive:
    """The body as one message, then the message after it (already asked for, see ``_infer``)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await asyncio.shield(after)  # after the body: wait for the disconnect as the app expects

    return replay


async def _send_error(send: Send, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": body})

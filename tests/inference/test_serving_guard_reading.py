"""GuardMiddleware in-process: bodies are read before a worker is taken, the app's answers are never compressed,
and nothing escapes the guard as uvicorn's plain-text 500."""

from __future__ import annotations

import asyncio
import json
import time

import numpy as np

from inference.serving import binary
from inference.serving.guard import READ_AHEAD, GuardMiddleware
from tests.inference.test_serving_guard import TOKEN, call, make_scope, ok_app


def test_a_slow_upload_does_not_hold_the_worker():
    """One worker; a client sends its body in ten pieces over a second (never a long gap). A request that comes
    meanwhile is answered at once: before, the slow one held the worker while it uploaded."""
    guard = GuardMiddleware(ok_app(), token=TOKEN, max_inflight=1, idle_timeout_s=1, body_timeout_s=5)

    async def main():
        slow = asyncio.create_task(call(guard, make_scope(length=12), chunks=[b" "] * 10 + [b"{}"], delay_s=0.1))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        fast = await call(guard, make_scope())
        fast_s = time.monotonic() - started
        return fast, fast_s, await slow

    (fast_status, _), fast_s, (slow_status, _) = asyncio.run(main())
    assert (fast_status, slow_status) == (200, 200)
    assert fast_s < 0.5


def test_bodies_wait_in_memory_only_for_the_reading_places():
    """While the worker is busy, READ_AHEAD + 1 requests read their bodies and wait for it; the rest of the queue
    holds no body (uvicorn stops reading their sockets)."""
    read: list[int] = []
    guard = GuardMiddleware(ok_app(delay_s=0.5), token=TOKEN, max_inflight=1, max_queue=20)

    async def counted(i):
        scope = make_scope()
        queue = [b"{}"]

        async def receive():
            if queue:
                read.append(i)
                return {"type": "http.request", "body": queue.pop(), "more_body": False}
            await asyncio.sleep(3600)

        async def send(message):
            pass

        await guard(scope, receive, send)

    async def main():
        tasks = [asyncio.create_task(counted(i)) for i in range(12)]
        await asyncio.sleep(0.25)
        bodies_read = len(read)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return bodies_read

    assert guard.max_reading == 1 + READ_AHEAD
    assert asyncio.run(main()) == 1 + guard.max_reading  # the running request's and the waiting ones'


def test_accept_encoding_never_reaches_the_app():
    """MLServer gzipped the runtime's placeholder answer, which the guard then could not parse (a 500)."""
    seen: list = []
    scope = make_scope(extra=[(b"accept-encoding", b"gzip, deflate")])
    assert asyncio.run(call(GuardMiddleware(ok_app(seen=seen), token=TOKEN), scope))[0] == 200
    assert all(k != b"accept-encoding" for k, _ in seen[0][0]["headers"])


def test_an_unexpected_error_while_unpacking_is_a_json_500(monkeypatch):
    def broken(body, header_length):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(binary, "split_binary_request", broken)
    body, length = binary.encode_binary_request({"x": np.zeros(2, np.float32)})
    scope = make_scope(length=len(body), extra=[(b"inference-header-content-length", str(length).encode())])
    status, reply = asyncio.run(call(GuardMiddleware(ok_app(), token=TOKEN), scope, chunks=(body,)))
    assert status == 500
    assert json.loads(reply) == {"error": "internal server error (see the server log)"}
    assert binary.pending_count() == 0

"""GuardMiddleware in-process with fake ASGI apps: admission control, timeouts, error rewriting."""

from __future__ import annotations

import asyncio
import json

import pytest

from inference.serving.guard import GuardMiddleware

TOKEN = "guard-token"


def make_scope(path="/v2/models/m/infer", method="POST", token=TOKEN, length=2, extra=()):
    headers = [(b"content-length", str(length).encode()), *extra]
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    return {"type": "http", "method": method, "path": path, "headers": headers}


async def call(app, scope, chunks=(b"{}",), delay_s=0.0):
    sent: list[dict] = []
    queue = list(chunks)

    async def receive():
        if delay_s:
            await asyncio.sleep(delay_s)
        if queue:
            chunk = queue.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(queue)}
        await asyncio.sleep(3600)

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body


def ok_app(delay_s=0.0, seen=None):
    async def app(scope, receive, send):
        message = await receive()
        if seen is not None:
            seen.append((scope, message))
        await asyncio.sleep(delay_s)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
    return app


def test_admission_control_answers_503_beyond_workers_plus_queue():
    guard = GuardMiddleware(ok_app(0.2), token=TOKEN, max_inflight=1, max_queue=1)

    async def main():
        return await asyncio.gather(*[call(guard, make_scope()) for _ in range(4)])

    statuses = sorted(s for s, _ in asyncio.run(main()))
    assert statuses == [200, 200, 503, 503]


def test_authorization_header_never_reaches_the_app():
    seen: list = []
    guard = GuardMiddleware(ok_app(seen=seen), token=TOKEN)
    assert asyncio.run(call(guard, make_scope()))[0] == 200
    scope, message = seen[0]
    assert all(k != b"authorization" for k, _ in scope["headers"])
    assert message["body"] == b"{}"


def test_idle_body_times_out_with_408():
    guard = GuardMiddleware(ok_app(), token=TOKEN, idle_timeout_s=0.05, body_timeout_s=5)
    status, _ = asyncio.run(call(guard, make_scope(length=10), chunks=(b"{", b"}"), delay_s=0.2))
    assert status == 408


def test_total_body_deadline_408_even_when_trickling():
    guard = GuardMiddleware(ok_app(), token=TOKEN, idle_timeout_s=1, body_timeout_s=0.2)
    chunks = [b" "] * 50
    status, _ = asyncio.run(call(guard, make_scope(length=50), chunks=chunks, delay_s=0.02))
    assert status == 408


def test_crashing_app_gives_json_500_without_traceback():
    async def boom(scope, receive, send):
        raise RuntimeError("secret internals")

    status, body = asyncio.run(call(GuardMiddleware(boom), make_scope(token=None)))
    assert status == 500
    assert b"secret" not in body
    assert b"Traceback" not in body


def test_422_schema_errors_become_one_line_400_without_echo():
    async def fastapi_like(scope, receive, send):
        await receive()
        detail = {"detail": [{"loc": ["body", "inputs"], "msg": "Field required", "input": {"huge": "x" * 1000}}]}
        await send({"type": "http.response.start", "status": 422, "headers": []})
        await send({"type": "http.response.body", "body": json.dumps(detail).encode()})

    status, body = asyncio.run(call(GuardMiddleware(fastapi_like), make_scope(token=None)))
    assert status == 400
    assert json.loads(body) == {"error": "malformed request: inputs: Field required"}


@pytest.mark.parametrize("length", [b"abc", b"-1"])
def test_invalid_content_length_is_400(length):
    scope = make_scope()
    scope["headers"] = [(k, length if k == b"content-length" else v) for k, v in scope["headers"]]
    assert asyncio.run(call(GuardMiddleware(ok_app(), token=TOKEN), scope))[0] == 400


def test_token_compare_uses_digests_not_the_raw_token():
    guard = GuardMiddleware(ok_app(), token=TOKEN)
    assert TOKEN.encode() not in repr(vars(guard)).encode()
    assert asyncio.run(call(guard, make_scope(token=TOKEN * 2)))[0] == 401


def test_binary_request_is_unpacked_and_forgotten_after_the_request():
    import numpy as np

    from inference.serving import binary

    seen: list = []
    guard = GuardMiddleware(ok_app(seen=seen), token=TOKEN)
    arrays = {"x": np.arange(6, dtype=np.float32).reshape(2, 3)}
    body, length = binary.encode_binary_request(arrays)
    scope = make_scope(length=len(body), extra=[(b"inference-header-content-length", str(length).encode()),
                                               (b"x-genelive-tensor-ref", b"forged")])
    status, _ = asyncio.run(call(guard, scope, chunks=(body,)))
    assert status == 200
    fwd_scope, message = seen[0]
    refs = [v for k, v in fwd_scope["headers"] if k == b"x-genelive-tensor-ref"]
    assert len(refs) == 1
    assert refs[0] != b"forged"
    forwarded = json.loads(message["body"])
    assert forwarded["inputs"][0]["data"] == []
    assert binary.pending_count() == 0  # the app never took them; the guard dropped them


async def call_headers(app, scope):
    """Like ``call``, also returning the response headers as a dict."""
    sent: list[dict] = []
    body = [b"{}"]

    async def receive():
        if body:
            return {"type": "http.request", "body": body.pop(), "more_body": False}
        await asyncio.sleep(3600)

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], {k.decode(): v.decode() for k, v in start.get("headers", [])}


def fill_then(guard, extra_scopes, fill=3, fill_retried=0):
    """Start ``fill`` new and ``fill_retried`` retried slow requests, let them be admitted, then send
    ``extra_scopes`` one after another; return the extra requests' (status, headers)."""
    scopes = [make_scope() for _ in range(fill)] + [make_scope(extra=(RETRY,)) for _ in range(fill_retried)]

    async def main():
        filling = [asyncio.create_task(call_headers(guard, scope)) for scope in scopes]
        await asyncio.sleep(0.05)
        extra = [await call_headers(guard, scope) for scope in extra_scopes]
        assert {s for s, _ in await asyncio.gather(*filling)} == {200}
        return extra

    return asyncio.run(main())


RETRY = (b"genelive-retry", b"1")


def test_retry_after_is_the_time_to_drain_the_queue():
    guard = GuardMiddleware(ok_app(0.5), token=TOKEN, max_inflight=1, max_queue=4)
    assert guard.mean_service_s == 1.0  # the guess before anything was measured
    [(status, headers)] = fill_then(guard, [make_scope()], fill=5)
    assert status == 503
    assert headers["retry-after"] == "4"  # 4 waiting x 1.0 s / 1 worker
    guard = GuardMiddleware(ok_app(0.5), token=TOKEN, max_inflight=2, max_queue=4)
    guard.mean_service_s = 100.0
    [(status, headers)] = fill_then(guard, [make_scope()], fill=6)
    assert headers["retry-after"] == "30"  # 200 s clamped: a client should look again within half a minute


def test_service_time_is_learnt_from_the_requests():
    guard = GuardMiddleware(ok_app(0.02), token=TOKEN, max_inflight=2)

    async def main():
        for _ in range(40):
            await call(guard, make_scope())

    asyncio.run(main())
    assert 0.02 <= guard.mean_service_s < 0.05  # 1.0 s guess forgotten: 0.9**40 = 1.5 %
    assert guard.retry_after_s() == 1  # nothing waiting: the minimum


def test_retried_requests_may_use_the_reserve_that_new_ones_cannot():
    guard = GuardMiddleware(ok_app(0.3), token=TOKEN, max_inflight=1, max_queue=2)
    assert guard.retry_reserve == 1
    # 1 running + 2 waiting: a new request is refused, a retried one waits in the reserve and is served
    results = fill_then(guard, [make_scope(), make_scope(extra=(RETRY,))], fill=3)
    assert [s for s, _ in results] == [503, 200]
    guard = GuardMiddleware(ok_app(0.3), token=TOKEN, max_inflight=1, max_queue=2)
    results = fill_then(guard, [make_scope(extra=(RETRY,))], fill=3, fill_retried=1)
    assert [s for s, _ in results] == [503]  # the reserve is bounded too

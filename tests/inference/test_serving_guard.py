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

"""GuardMiddleware in-process against clients that cheat or leave (a 2026 audit): a gzip body behind a second
``Content-Encoding`` header, a queued request whose client has gone; and JSON ``true``/``false`` as numbers."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from inference.serving.guard import GuardMiddleware
from inference.serving.v2 import V2FormatError, decode_tensor
from tests.inference.test_serving_guard import TOKEN, call, make_scope, ok_app


@pytest.mark.parametrize("encodings", [
    [b"gzip", b"identity"],  # MLServer gunzips when any header says gzip; the guard read only the last one
    [b"identity", b"gzip"],
    [b"identity, gzip"],
    [b"deflate"],
])
def test_a_compressed_body_is_415_however_its_encoding_is_spelled(encodings):
    seen: list = []
    scope = make_scope(extra=[(b"content-encoding", e) for e in encodings])
    status, _ = asyncio.run(call(GuardMiddleware(ok_app(seen=seen), token=TOKEN), scope))
    assert status == 415
    assert seen == []


def test_content_encoding_never_reaches_the_app():
    """``identity`` passes, and the header is dropped: nothing behind the guard decides to decompress."""
    seen: list = []
    scope = make_scope(extra=[(b"content-encoding", b"identity"), (b"Content-Encoding", b" Identity ")])
    assert asyncio.run(call(GuardMiddleware(ok_app(seen=seen), token=TOKEN), scope))[0] == 200
    assert all(k.lower() != b"content-encoding" for k, _ in seen[0][0]["headers"])


def test_a_request_whose_client_left_while_queued_is_not_run():
    """One worker busy for 0.4 s; the next request's client disconnects 0.1 s into its wait, a third waits behind
    it. Before, the abandoned request still ran (for nobody) and the third waited for it."""
    ran: list[str] = []

    async def app(scope, receive, send):
        ran.append(scope["path"])
        await receive()
        await asyncio.sleep(0.4)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    guard = GuardMiddleware(app, token=TOKEN, max_inflight=1, max_queue=4)

    async def leaving():
        messages = [{"type": "http.request", "body": b"{}", "more_body": False}]

        async def receive():
            if messages:
                return messages.pop()
            await asyncio.sleep(0.1)
            return {"type": "http.disconnect"}

        async def send(message):
            raise AssertionError(f"nothing is sent to a client that left: {message}")

        await guard(make_scope("/v2/models/left/infer"), receive, send)

    async def main():
        loop = asyncio.get_running_loop()
        first = asyncio.create_task(call(guard, make_scope("/v2/models/first/infer")))
        await asyncio.sleep(0.05)
        gone = asyncio.create_task(leaving())
        await asyncio.sleep(0.02)
        started = loop.time()
        third = await call(guard, make_scope("/v2/models/third/infer"))
        waited = loop.time() - started
        await asyncio.gather(first, gone)
        return third, waited

    (status, _), waited = asyncio.run(main())
    assert status == 200
    assert ran == ["/v2/models/first/infer", "/v2/models/third/infer"]
    assert waited < 0.75  # the first's 0.4 s and its own, not a third 0.4 s for the one that left
    assert guard._admitted == 0
    assert guard._slots is not None
    assert not guard._slots.locked()


@pytest.mark.parametrize(("datatype", "data"), [
    ("INT64", [True]),  # drafted slot 1 (Easy)
    ("INT64", [1, False]),
    ("FP32", [True]),  # read 1.0
    ("FP32", [0.5, True]),  # numpy reads the mix as floats: the dtype alone does not tell
    ("FP32", [[0.5, 0.25], [False, 0.0]]),
])
def test_true_and_false_are_not_numbers(datatype, data):
    shape = list(np.shape(data))
    with pytest.raises(V2FormatError, match="data must hold numbers only"):
        decode_tensor({"name": "x", "shape": shape, "datatype": datatype, "data": data})


def test_true_and_false_are_still_bool_data():
    _, array = decode_tensor({"name": "x", "shape": [2], "datatype": "BOOL", "data": [True, False]})
    assert array.tolist() == [True, False]
    _, array = decode_tensor({"name": "x", "shape": [1, 2], "datatype": "FP32", "data": [[0.5, 1]]})
    assert array.tolist() == [[0.5, 1.0]]

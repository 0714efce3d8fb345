"""A misbehaving KServe V2 server for client tests: serves one manifest's metadata and answers ``infer`` with
whatever a test asks for (a wrong shape, another datatype, a duplicate output, a slow drip, a redirect, ...).

It runs no model: an answer is built from the request's batch and frames by ``FakeV2.answer`` (default: the right
shape, zeros). Runs in a daemon thread on 127.0.0.1 from construction until :meth:`FakeV2.close`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

import numpy as np

from inference.manifest import Manifest
from inference.serving.binary import split_binary_request
from inference.serving.server import model_name
from inference.serving.v2 import datatype_of, decode_tensor, loads
from tests.inference.server_helpers import LoopbackServer

Answer = Callable[[int, int], list[dict[str, Any]]]


def right_answer(manifest: Manifest) -> Answer:
    """Outputs of the shape the request implies: [batch, frames] zeros for each output."""
    return lambda batch, frames: [tensor(s.name, np.zeros((batch, frames), np.float32)) for s in manifest.outputs]


def tensor(name: str, array: np.ndarray, datatype: str | None = None) -> dict[str, Any]:
    return {"name": name, "shape": list(array.shape), "datatype": datatype or datatype_of(array.dtype),
            "data": array.reshape(-1).tolist()}


def metadata(manifest: Manifest) -> dict[str, Any]:
    """What our ``serve`` answers for the model's metadata."""
    return {"name": model_name(manifest), "versions": ["1"], "platform": "fake",
            "inputs": [{"name": s.name, "datatype": datatype_of(s.dtype), "shape": list(s.shape)}
                       for s in manifest.inputs],
            "outputs": [{"name": s.name, "datatype": datatype_of(s.dtype), "shape": list(s.shape)}
                        for s in manifest.outputs],
            "parameters": {"sha256": manifest.sha256, "batch_broadcast": True}}


class FakeV2(LoopbackServer):
    """The fake server. Tests set its attributes before making requests:

    ``meta`` (the metadata dict, or raw bytes sent as they are), ``answer`` (outputs for (batch, frames)),
    ``raw`` (a handler ``raw(handler)`` that answers every request itself; ``raw_post`` only the infer requests),
    ``seen`` (method, path, headers)."""

    def __init__(self, manifest: Manifest) -> None:
        self.manifest = manifest
        self.meta: dict[str, Any] | bytes = metadata(manifest)
        self.answer: Answer = right_answer(manifest)
        self.raw: Callable[[BaseHTTPRequestHandler], None] | None = None
        self.raw_post: Callable[[BaseHTTPRequestHandler], None] | None = None
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        super().__init__(_Handler)


class _Handler(BaseHTTPRequestHandler):
    server: FakeV2
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def send_json(self, code: int, obj: Any) -> None:
        self.send_body(code, obj if isinstance(obj, bytes) else json.dumps(obj).encode())

    def send_body(self, code: int, data: bytes, content_type: str = "application/json") -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _start(self) -> bool:
        self.server.seen.append((self.command, self.path, dict(self.headers)))
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.body = body
        raw = self.server.raw_post if self.command == "POST" and self.server.raw_post else self.server.raw
        if raw is not None:
            raw(self)
            return False
        return True

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if not self._start():
            return
        name = model_name(self.server.manifest)
        if self.path in ("/v2/health/ready", "/v2/health/live"):
            self.send_json(200, {})
        elif self.path == "/v2":
            self.send_json(200, {"name": "fake", "version": "1"})
        elif self.path == f"/v2/models/{name}":
            self.send_json(200, self.server.meta)
        else:
            self.send_json(404, {"error": f"no {self.path}"})

    def do_POST(self) -> None:  # noqa: N802
        if not self._start():
            return
        length = self.headers.get("Inference-Header-Content-Length")
        if length:
            message, arrays = split_binary_request(self.body, int(length))
        else:
            message = loads(self.body)
            arrays = dict(decode_tensor(t) for t in message["inputs"])
        batch = max(a.shape[0] for a in arrays.values())
        frames = max((a.shape[1] for a in arrays.values() if a.ndim >= 2), default=0)
        self.send_json(200, {"model_name": "onset", "outputs": self.server.answer(batch, frames)})


def drip(handler: BaseHTTPRequestHandler, every_s: float = 0.2, seconds: float = 20.0) -> None:
    """A 200 whose body comes one byte every ``every_s`` (each read of the client gets something)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    ends = time.monotonic() + seconds
    try:
        while time.monotonic() < ends:
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(every_s)
    except OSError:
        return

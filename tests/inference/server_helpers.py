"""Start the real ``python main.py serve`` on 127.0.0.1 (a free port) for a test module, and stop it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from inference.serving.loadtest import free_port, server_process

__all__ = ["LoopbackProxy", "RunningServer", "free_port", "relay", "running_server"]


@dataclass
class RunningServer:
    url: str
    port: int
    token: str | None
    proc: subprocess.Popen

    def headers(self, token: str | None = "<own>") -> dict[str, str]:
        token = self.token if token == "<own>" else token
        return {"Authorization": f"Bearer {token}"} if token else {}

    def kill(self) -> None:
        """SIGKILL the server (and anything it started): no goodbye, connections simply break."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)


@contextlib.contextmanager
def running_server(models_dir: Path, work: Path, token: str | None = None, *extra: str) -> Iterator[RunningServer]:
    """Run the server until the block ends; waits until the models answer ``ready``."""
    with server_process(models_dir, work, token, *extra) as (url, proc):
        yield RunningServer(url, int(urlsplit(url).port or 0), token, proc)


class LoopbackServer(ThreadingHTTPServer):
    """``handler`` served on a free 127.0.0.1 port from a daemon thread, from construction until :meth:`close`."""

    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class LoopbackProxy(LoopbackServer):
    """A misbehaving stand-in in front of the real server. ``upstream`` is the real server's URL."""

    def __init__(self, upstream: str, handler: type[BaseHTTPRequestHandler]) -> None:
        self.upstream = upstream
        super().__init__(handler)


def relay(handler: BaseHTTPRequestHandler, method: str, body: bytes | None) -> None:
    """Forward ``handler``'s request to its proxy's upstream and copy the answer back (status, body, the V2
    headers a client reads)."""
    import requests

    keep = ("Authorization", "Content-Type", "Inference-Header-Content-Length")
    upstream: str = handler.server.upstream  # type: ignore[attr-defined]
    resp = requests.request(method, upstream + handler.path, data=body, timeout=30,
                            headers={k: handler.headers[k] for k in keep if handler.headers.get(k)})
    handler.send_response(resp.status_code)
    for key in ("Content-Type", "Inference-Header-Content-Length"):
        if key in resp.headers:
            handler.send_header(key, resp.headers[key])
    handler.send_header("Content-Length", str(len(resp.content)))
    handler.end_headers()
    handler.wfile.write(resp.content)

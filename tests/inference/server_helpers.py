"""Start the real ``python main.py serve`` on 127.0.0.1 (a free port) for a test module, and stop it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]


@dataclass
class RunningServer:
    url: str
    port: int
    token: str | None
    proc: subprocess.Popen
    log: Path

    def headers(self, token: str | None = "<own>") -> dict[str, str]:
        token = self.token if token == "<own>" else token
        return {"Authorization": f"Bearer {token}"} if token else {}

    def kill(self) -> None:
        """SIGKILL the server (and anything it started): no goodbye, connections simply break."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(models_dir: Path, work: Path, token: str | None = None, *extra: str,
                   timeout_s: float = 90.0) -> Iterator[RunningServer]:
    """Run the server until the block ends; waits until the models answer ``ready``."""
    port = free_port()
    args = [sys.executable, "main.py", "serve", "--port", str(port), "--models", str(models_dir), *extra]
    if token:
        token_file = work / f"token-{port}"
        token_file.write_text(token + "\n")
        args += ["--token-file", str(token_file)]
    log = work / f"server-{port}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(args, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = RunningServer(f"http://127.0.0.1:{port}", port, token, proc, log)
    try:
        _wait_ready(server, models_dir, timeout_s)
        yield server
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()


def _wait_ready(server: RunningServer, models_dir: Path, timeout_s: float) -> None:
    names = [p.name.removesuffix(".manifest.json") for p in models_dir.glob("*.manifest.json")]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"server exited with {server.proc.returncode}: {server.log.read_text()[-2000:]}")
        with contextlib.suppress(requests.RequestException):
            if all(requests.get(f"{server.url}/v2/models/{n}/ready", headers=server.headers(),
                                timeout=2).status_code == 200 for n in names):
                return
        time.sleep(0.2)
    raise RuntimeError(f"server not ready after {timeout_s} s: {server.log.read_text()[-2000:]}")

"""Start the real ``python main.py serve`` on 127.0.0.1 (a free port) for a test module, and stop it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from inference.serving.loadtest import free_port, server_process

__all__ = ["RunningServer", "free_port", "running_server"]


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

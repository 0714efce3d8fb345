"""Running the plugin worker process (``chart.plugins.run_plugin``) so that nothing it does can hold up the editor.

* It starts in a session (process group) of its own, and that whole group is killed when the run ends, is stopped
  or times out: a helper process the plugin started (a tool, a player) goes with it, and never holds the run up
  by keeping the pipes it inherited open.
* Its stdout (the answer) and stderr (whatever the plugin prints) are read by threads; only the last
  :data:`STDERR_TAIL_BYTES` of stderr are kept, so a plugin printing in a loop cannot fill the editor's memory.
* Nothing waits on a pipe without a limit: after the process ends, the readers get :data:`DRAIN_S` to finish (a
  helper that left the group may still hold a pipe).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO

STDERR_TAIL_BYTES = 16 * 1024
DRAIN_S = 1.0


@dataclass(frozen=True)
class WorkerRun:
    ended: str  # "exited", "cancelled" or "timeout"
    returncode: int | None
    out: bytes  # stdout, whole
    err_tail: bytes  # the end of stderr


class _Reader(threading.Thread):
    """Reads a pipe to its end; keeps everything, or only the last ``keep`` bytes."""

    def __init__(self, pipe: IO[bytes], keep: int | None):
        super().__init__(daemon=True)
        self.pipe, self.keep = pipe, keep
        self.data = bytearray()
        self.lock = threading.Lock()

    def run(self) -> None:
        fd = self.pipe.fileno()
        with contextlib.suppress(OSError):
            while chunk := os.read(fd, 65536):
                with self.lock:
                    self.data += chunk
                    if self.keep is not None and len(self.data) > 2 * self.keep:
                        del self.data[:-self.keep]
        with contextlib.suppress(OSError):
            self.pipe.close()

    def result(self) -> bytes:
        with self.lock:
            data = bytes(self.data)
        return data if self.keep is None else data[-self.keep:]


def _feed(pipe: IO[bytes], payload: bytes) -> None:
    with contextlib.suppress(OSError):  # the worker died before reading it all: its exit says why
        pipe.write(payload)
    with contextlib.suppress(OSError):
        pipe.close()


def kill_group(proc: subprocess.Popen) -> None:
    """Kill ``proc`` and every process still in its group (it leads its own session), then reap it."""
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        proc.kill()
    proc.wait()


def run_worker(args: Sequence[str], payload: bytes, env: dict[str, str], *, timeout_s: float,
               cancelled: Callable[[], bool], poll_s: float) -> WorkerRun:
    """Run ``args`` with ``payload`` on its stdin until it exits, ``cancelled()`` turns true or ``timeout_s`` pass."""
    proc = subprocess.Popen(list(args), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, start_new_session=os.name == "posix")
    assert proc.stdin is not None
    assert proc.stdout is not None
    assert proc.stderr is not None
    out, err = _Reader(proc.stdout, None), _Reader(proc.stderr, STDERR_TAIL_BYTES)
    out.start()
    err.start()
    threading.Thread(target=_feed, args=(proc.stdin, payload), daemon=True).start()
    started = time.monotonic()
    ended = "exited"
    try:
        while True:
            try:
                proc.wait(timeout=poll_s)
                break
            except subprocess.TimeoutExpired:
                if cancelled():
                    ended = "cancelled"
                    break
                if time.monotonic() - started > timeout_s:
                    ended = "timeout"
                    break
    finally:
        kill_group(proc)  # also when it exited: the helpers it left behind end with the run
    out.join(DRAIN_S)
    err.join(DRAIN_S)
    return WorkerRun(ended, proc.returncode, out.result(), err.result())

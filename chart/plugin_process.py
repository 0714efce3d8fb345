"""Running the plugin worker process (``chart.plugins.run_plugin``) so that nothing it does can hold up the editor.

* It starts in a session (process group) of its own, and that whole group is killed when the run ends, is stopped
  or times out: a helper process the plugin started (a tool, a player) goes with it, and never holds the run up
  by keeping the pipes it inherited open.
* Its stdout (the answer) and stderr (whatever the plugin prints) are read by threads; only the last
  :data:`STDERR_TAIL_BYTES` of stderr are kept, so a plugin printing in a loop cannot fill the editor's memory.
* Nothing waits on a pipe without a limit: after the process ends, the readers get :data:`DRAIN_S` to finish (a
  helper that left the group may still hold a pipe).
* A helper that leaves the group (``start_new_session=True``, a daemon's double fork) is found by its ancestry on
  Linux (:func:`descendants`, read from ``/proc``): the worker is a child subreaper (:func:`become_subreaper`), so
  an orphaned helper stays its descendant instead of going to init. The worker ends its own descendants when it
  returns; the editor notes the worker's descendants while it waits and kills them all when the run ends (a worker
  that crashed or was killed cannot end them itself). Elsewhere this is skipped: only the group goes.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

STDERR_TAIL_BYTES = 16 * 1024
DRAIN_S = 1.0
SCAN_S = 0.25  # how often the editor notes the worker's descendants while it runs
PR_SET_CHILD_SUBREAPER = 36


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


def become_subreaper() -> bool:
    """Make this process adopt its orphaned descendants (Linux ``PR_SET_CHILD_SUBREAPER``); False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _start_time(pid: int) -> int | None:
    """The start time of ``pid`` in clock ticks (``/proc/PID/stat`` field 22): tells a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat[stat.rindex(")") + 2:].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _children(pid: int) -> set[int]:
    """The children of ``pid``, from ``/proc/PID/task/*/children`` (every thread's), else a scan of /proc."""
    found: set[int] = set()
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    try:
        for task in tasks:
            found.update(int(c) for c in (task / "children").read_text().split())
        return found
    except FileNotFoundError:  # a kernel without CONFIG_PROC_CHILDREN
        pass
    except (OSError, ValueError):
        return found
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = (entry / "stat").read_text()
                if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                    found.add(int(entry.name))
    return found


def descendants(pid: int) -> dict[int, int | None]:
    """``{pid: start time}`` of every process below ``pid`` (Linux; empty elsewhere or when it is gone)."""
    if not sys.platform.startswith("linux"):
        return {}
    out: dict[int, int | None] = {}
    todo = [pid]
    while todo:
        for child in _children(todo.pop()):
            if child not in out and child != pid:
                out[child] = _start_time(child)
                todo.append(child)
    return out


def kill_noted(noted: dict[int, int | None]) -> None:
    """SIGKILL the processes of ``noted`` that still run with the start time noted (not a reused pid)."""
    for pid, started in noted.items():
        if started is not None and _start_time(pid) == started:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


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
    noted: dict[int, int | None] = {}
    scanned = started
    try:
        while True:
            try:
                proc.wait(timeout=poll_s)
                break
            except subprocess.TimeoutExpired:
                if time.monotonic() - scanned >= SCAN_S:
                    noted.update(descendants(proc.pid))
                    scanned = time.monotonic()
                if cancelled():
                    ended = "cancelled"
                    break
                if time.monotonic() - started > timeout_s:
                    ended = "timeout"
                    break
    finally:
        if proc.poll() is None:  # still there: its orphaned helpers are still below it (it is their subreaper)
            with contextlib.suppress(OSError):
                os.kill(proc.pid, signal.SIGSTOP)  # it starts no more while its tree is read
            noted.update(descendants(proc.pid))
        kill_group(proc)  # also when it exited: the helpers it left behind end with the run
        kill_noted(noted)  # and those that left its group
    out.join(DRAIN_S)
    err.join(DRAIN_S)
    return WorkerRun(ended, proc.returncode, out.result(), err.result())

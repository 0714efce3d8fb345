"""How the plugin worker (``chart.plugin_worker``) never outlives its run, nor lets the processes its plugin started
outlive it.

The worker ends itself, and first every process below it (:func:`end_run`: it is their child subreaper, so a helper
in a session of its own or detached by a double fork is still below it), when

* the editor that started it dies: Linux's parent-death signal (SIGTERM, whose handler ends the run), and a
  watchdog thread that sees the parent change;
* the request's time limit plus :data:`GRACE_S` have passed (the watchdog; the editor normally ends it first);
* it has used that much CPU time (``RLIMIT_CPU``, for a plugin stuck in C code: SIGXCPU ends the worker alone).

A signal handler and a thread only run when the plugin lets Python run: one stuck in C code that holds the GIL
(a regular expression backtracking without end, say) runs neither. So on Linux a small *sidecar* process, forked
before the plugin starts, watches the worker's parent from outside: when the editor is gone it stops the worker
(so it starts nothing more), kills every process below it, then the worker and its process group. It is the
worker's grandchild, not its child, so a plugin that reaps its own children (``os.wait()`` until
ChildProcessError) never waits on it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import NoReturn

from chart.plugin_process import descendants, kill_noted

GRACE_S = 10.0
WATCH_S = 0.1  # how often the sidecar and the watchdog look at the editor
PR_SET_PDEATHSIG = 1


def end_tree(pid: int) -> None:
    """SIGKILL every process below ``pid`` (Linux, from /proc; not this process). A few passes: a process forked
    meanwhile is orphaned to ``pid`` (a subreaper) and found by the next one."""
    killed: dict[int, int | None] = {}
    for _ in range(5):
        found = {p: t for p, t in descendants(pid).items() if p != os.getpid() and killed.get(p, -1) != t}
        if not found:
            return
        kill_noted(found)
        killed.update(found)


def end_run(code: int, group: bool = True) -> NoReturn:
    """End every process the plugin started (below this one; with ``group``, also those in this process's group
    when it leads one, which ends this process by SIGKILL), then this process, at once: no thread, atexit hook or
    finalizer of the plugin's is waited for. Callable from any thread."""
    with contextlib.suppress(Exception):  # noqa: BLE001 - nothing may keep this process alive
        end_tree(os.getpid())
        if group and os.name == "posix" and os.getpgrp() == os.getpid():  # a session of its own (run_worker)
            os.killpg(os.getpgrp(), signal.SIGKILL)
    os._exit(code)


def _parent_of(pid: int) -> tuple[int, str] | None:
    """``(parent pid, state)`` of ``pid`` from ``/proc/PID/stat``; None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2:].split()
        return int(fields[1]), fields[0]
    except (OSError, ValueError, IndexError):
        return None


def _sidecar(worker: int, editor: int) -> NoReturn:
    """The forked sidecar's whole life (see the module's docstring)."""
    try:
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)  # no pipe to the editor stays open through it
        os.closerange(3, 1 << 16)  # the answer's copy of stdout among them
        while True:
            time.sleep(WATCH_S)
            seen = _parent_of(worker)
            if seen is None or seen[1] in "ZX":  # the worker ended: the editor ends what it left
                os._exit(0)
            if seen[0] != editor:
                break
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker, signal.SIGSTOP)  # it starts nothing more while its tree is read
        end_tree(worker)
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if os.getpgid(worker) == worker:
                os.killpg(worker, signal.SIGKILL)  # this process too
    finally:
        os._exit(0)


def _start_sidecar(editor: int) -> None:
    """Fork the sidecar as a grandchild, not a child: a plugin that reaps its children (``os.wait()`` until
    ChildProcessError) must not wait on it. The middle process exits at once and is reaped here; the sidecar goes
    to init, not to this process (call this before ``become_subreaper``). It stays in this process's group (the
    editor's killpg ends it, and its group id keeps this PID from being reused) and ends once this process has."""
    worker = os.getpid()
    try:
        pid = os.fork()
    except OSError:  # no sidecar: the signal handler and the watchdog still work while Python runs
        return
    if pid == 0:
        try:
            if os.fork() == 0:
                _sidecar(worker, editor)
        finally:
            os._exit(0)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def guard(limit_s: float) -> None:
    """Make this process end, with everything below it, when the process that started it is gone, or ``limit_s``
    + GRACE_S after now. Call it before the plugin runs and before any thread starts (it forks)."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        _start_sidecar(parent)
        signal.signal(signal.SIGTERM, lambda _sig, _frame: end_run(4))
        with contextlib.suppress(OSError, AttributeError):  # no prctl: the watchdog and the sidecar do it
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # it died before the signal was asked for
            end_run(4)
    try:
        import resource

        cpu = int(limit_s + GRACE_S) + 1
        _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
        soft = cpu if hard == resource.RLIM_INFINITY or hard >= cpu else hard
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))  # past it: SIGXCPU ends the process
    except (ImportError, OSError, ValueError):
        pass
    deadline = time.monotonic() + limit_s + GRACE_S

    def watch() -> None:
        while os.getppid() == parent and time.monotonic() < deadline:
            time.sleep(WATCH_S)
        end_run(3)

    threading.Thread(target=watch, daemon=True).start()

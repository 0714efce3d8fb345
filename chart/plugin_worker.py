"""The process a note plugin runs in: ``python -m chart.plugin_worker`` (started by ``chart.plugins.run_plugin``).

It reads one JSON object ``{"path", "ctx"}`` from stdin (``chart.plugins.context_to_json``), runs the plugin
(``run_plugin_here``: import, ``run(ctx)``, result checks) and writes one JSON object to stdout: ``{"notes": [...]}``
(``notes_to_json``) or ``{"error": one-line message}``. The answer goes to a copy of the original stdout, and
file descriptor 1 then points at stderr: whatever the plugin prints, by ``print``, ``os.system``, a subprocess or
C code, goes to the log and cannot corrupt the answer. On Linux the process's address space is capped at what it
uses after start-up plus :data:`MEMORY_ALLOWANCE_BYTES`, so a plugin that runs away with memory fails with a
MemoryError instead of swapping the machine.

The worker also ends itself, so that it never outlives the run: when the editor that started it dies (Linux's
parent-death signal, and a watchdog thread that sees the parent change), after the request's time limit plus
:data:`GRACE_S` (the watchdog; the editor normally kills it first), and at that much CPU time (``RLIMIT_CPU``,
for a plugin stuck in C code that holds the GIL). On Linux it is a child subreaper: a helper the plugin starts in
a session of its own (or detaches by a double fork) stays its descendant, and is killed when the plugin returns
(``chart.plugin_process``; the editor kills what is left when it ends the run).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

from chart.plugin_process import become_subreaper, descendants, kill_noted
from chart.plugins import Plugin, PluginError, context_from_json, notes_to_json, run_plugin_here

MEMORY_ALLOWANCE_BYTES = 2 * 1024**3
GRACE_S = 10.0
PR_SET_PDEATHSIG = 1


def _cap_memory() -> None:
    try:
        import resource

        status = Path("/proc/self/status").read_text()
        vm_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmSize:"))
        limit = vm_kb * 1024 + MEMORY_ALLOWANCE_BYTES
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, OSError, StopIteration, ValueError):  # not Linux: no cap
        pass


def _end_with_parent(limit_s: float) -> None:
    """Exit when the process that started this one is gone, or ``limit_s`` + GRACE_S after now."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # no prctl: the watchdog does it
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
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
            time.sleep(0.25)
        os._exit(3)

    threading.Thread(target=watch, daemon=True).start()


def main() -> int:
    answer = os.fdopen(os.dup(1), "wb")  # not inherited by what the plugin starts (Python's fds are not)
    os.dup2(2, 1)  # fd 1 is the log now: os.system, subprocesses and C code print there too
    sys.stdout = sys.stderr  # the plugin's prints go to the log, never into the answer
    try:
        request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
        path, ctx = Path(request["path"]), context_from_json(request["ctx"])
        limit_s = float(request.get("timeout_s", 60.0))
    except (ValueError, KeyError, TypeError) as exc:
        answer.write(json.dumps({"error": f"bad request to the plugin worker: {exc}"}).encode("utf-8"))
        return 2
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # the request is read: the plugin's helpers get no pipe to the editor on stdin
    os.close(devnull)
    _end_with_parent(limit_s)
    become_subreaper()  # a helper the plugin detaches stays below this process, so the run can end it
    _cap_memory()
    try:
        reply: dict = {"notes": notes_to_json(run_plugin_here(Plugin(path.stem, "", path), ctx))}
    except PluginError as exc:
        reply = {"error": str(exc)}
    except MemoryError:
        reply = {"error": f"MemoryError: used more than {MEMORY_ALLOWANCE_BYTES // 1024**3} GiB"}
    answer.write(json.dumps(reply).encode("utf-8"))
    answer.flush()
    kill_noted(descendants(os.getpid()))  # a helper it left running ends with the run, in its session or not
    return 0


if __name__ == "__main__":
    sys.exit(main())

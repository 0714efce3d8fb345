"""The process a note plugin runs in: ``python -m chart.plugin_worker`` (started by ``chart.plugins.run_plugin``).

It reads one JSON object ``{"path", "ctx"}`` from stdin (``chart.plugins.context_to_json``), runs the plugin
(``run_plugin_here``: import, ``run(ctx)``, result checks) and writes one JSON object to stdout: ``{"notes": [...]}``
(``notes_to_json``) or ``{"error": one-line message}``. The answer goes to a copy of the original stdout, and
file descriptor 1 then points at stderr: whatever the plugin prints, by ``print``, ``os.system``, a subprocess or
C code, goes to the log and cannot corrupt the answer. On Linux the process's address space is capped at what it
uses after start-up plus :data:`MEMORY_ALLOWANCE_BYTES`, so a plugin that runs away with memory fails with a
MemoryError instead of swapping the machine. The cap is on address space, not on memory used: each thread's stack
reserves 8 MiB of it, so a plugin starting some 250 threads meets it too ("can't start new thread", reported as
that cap).

The plugin's folder comes first on ``sys.path`` (as a script's does), so it can import a helper module beside it
(``_common.py``: files starting with ``_`` are not listed as plugins). A process it starts with multiprocessing,
by any start method, can import the plugin's module (``chart.plugins._PluginFinder``): a spawn or forkserver
child imports this module as its main one, which installs the finder, before it unpickles the plugin's functions.
Once the answer is written the process ends at once (``os._exit``): a thread or an atexit hook the plugin left
cannot hold the answer up until the time limit.

The worker never outlives the run, nor do the processes the plugin started: ``chart.plugin_guard`` (when the editor
dies, at the time limit, at that much CPU time). On Linux it is a child subreaper: a helper the plugin starts in
a session of its own (or detaches by a double fork) stays its descendant, and is killed when the plugin returns
(``chart.plugin_process``; the editor kills what is left when it ends the run).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import traceback
from pathlib import Path

from chart.plugin_guard import end_run, guard
from chart.plugin_process import become_subreaper
from chart.plugins import (
    MEMORY_ALLOWANCE_BYTES,
    MEMORY_TEXT,
    PLUGIN_FILE_ENV,
    Plugin,
    PluginError,
    context_from_json,
    install_plugin_finder,
    notes_to_json,
    run_plugin_here,
)

install_plugin_finder()  # here too in a process the plugin starts by spawn or forkserver: it imports this module


def _cap_memory() -> None:
    try:
        import resource

        status = Path("/proc/self/status").read_text()
        vm_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmSize:"))
        limit = vm_kb * 1024 + MEMORY_ALLOWANCE_BYTES
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, OSError, StopIteration, ValueError):  # not Linux: no cap
        pass


def main() -> int:
    """Run the request; the answer is written and flushed before it returns (the exit code says little)."""
    answer = os.fdopen(os.dup(1), "wb")  # not inherited by what the plugin starts (Python's fds are not)
    os.dup2(2, 1)  # fd 1 is the log now: os.system, subprocesses and C code print there too
    sys.stdout = sys.stderr  # the plugin's prints go to the log, never into the answer
    try:
        request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
        path, ctx = Path(request["path"]), context_from_json(request["ctx"])
        limit_s = float(request.get("timeout_s", 60.0))
    except (ValueError, KeyError, TypeError) as exc:
        answer.write(json.dumps({"error": f"bad request to the plugin worker: {exc}"}).encode("utf-8"))
        answer.flush()
        return 2
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # the request is read: the plugin's helpers get no pipe to the editor on stdin
    os.close(devnull)
    guard(limit_s)  # before any thread starts (it forks its sidecar), and before becoming a subreaper (it would adopt it)
    become_subreaper()  # a helper the plugin detaches stays below this process, so the run can end it
    _cap_memory()
    sys.path.insert(0, str(path.parent))  # its helper modules beside it, as for a script
    os.environ[PLUGIN_FILE_ENV] = str(path)  # a multiprocessing child imports the plugin's module by its name
    try:
        reply: dict = {"notes": notes_to_json(run_plugin_here(Plugin(path.stem, "", path), ctx))}
    except PluginError as exc:
        reply = {"error": str(exc), "details": exc.details}
    except MemoryError:
        reply = {"error": f"MemoryError: {MEMORY_TEXT}"}
    answer.write(json.dumps(reply).encode("utf-8"))
    answer.flush()
    return 0


if __name__ == "__main__":
    try:
        code = main()
    except BaseException:  # noqa: BLE001 - a plugin's sys.exit(): no answer, the log's last line says why
        traceback.print_exc()
        code = 1
    for stream in (sys.__stdout__, sys.stderr):  # what it printed last, then the end, at once
        with contextlib.suppress(Exception):  # noqa: BLE001 - a closed or broken stream
            stream.flush()  # type: ignore[union-attr]
    end_run(code, group=False)  # the helpers it left running end with the run, in its session or not

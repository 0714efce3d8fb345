"""The process a note plugin runs in: ``python -m chart.plugin_worker`` (started by ``chart.plugins.run_plugin``).

It reads one JSON object ``{"path", "ctx"}`` from stdin (``chart.plugins.context_to_json``), runs the plugin
(``run_plugin_here``: import, ``run(ctx)``, result checks) and writes one JSON object to stdout: ``{"notes": [...]}``
(``notes_to_json``) or ``{"error": one-line message}``. Anything the plugin prints goes to stderr, so it cannot corrupt the answer. On Linux the process's address
space is capped at what it uses after start-up plus :data:`MEMORY_ALLOWANCE_BYTES`, so a plugin that runs away
with memory fails with a MemoryError instead of swapping the machine.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from chart.plugins import Plugin, PluginError, context_from_json, notes_to_json, run_plugin_here

MEMORY_ALLOWANCE_BYTES = 2 * 1024**3


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
    answer = sys.stdout.buffer
    sys.stdout = sys.stderr  # the plugin's prints go to the log, never into the answer
    try:
        request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
        path, ctx = Path(request["path"]), context_from_json(request["ctx"])
    except (ValueError, KeyError, TypeError) as exc:
        answer.write(json.dumps({"error": f"bad request to the plugin worker: {exc}"}).encode("utf-8"))
        return 2
    _cap_memory()
    try:
        reply: dict = {"notes": notes_to_json(run_plugin_here(Plugin(path.stem, "", path), ctx))}
    except PluginError as exc:
        reply = {"error": str(exc)}
    except MemoryError:
        reply = {"error": f"MemoryError: used more than {MEMORY_ALLOWANCE_BYTES // 1024**3} GiB"}
    answer.write(json.dumps(reply).encode("utf-8"))
    answer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

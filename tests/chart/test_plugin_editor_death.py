"""chart.plugin_guard: when the editor dies (SIGKILL) while a plugin runs, the plugin's process and every helper it
started end too: in its group or in a session of its own, with the plugin looping in Python or stuck in C code
that holds the GIL (where no signal handler nor thread of the worker can run)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.chart.test_plugin_safety import _alive
from tests.chart.test_plugins import write

STUCK = {
    "python": "    while True:\n        pass\n",
    "C code": "    sum(range(10**15))\n",  # C code that never lets go of the GIL nor looks at signals
}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal, subreaper and /proc: Linux")
@pytest.mark.parametrize("stuck", list(STUCK))
def test_the_plugins_helpers_end_when_the_editor_dies(tmp_path, stuck):
    pids = tmp_path / "pids"
    plugin = write(tmp_path, "helpers.py", (
        "import os, subprocess\nNAME = 'H'\ndef run(ctx):\n"
        "    a = subprocess.Popen(['sleep', '60'])\n"
        "    b = subprocess.Popen(['sleep', '60'], start_new_session=True)\n"
        f"    open({str(pids)!r} + '.tmp', 'w').write(f'{{os.getpid()}} {{a.pid}} {{b.pid}}')\n"
        f"    os.replace({str(pids)!r} + '.tmp', {str(pids)!r})\n" + STUCK[stuck]))
    editor = ("from fractions import Fraction\nfrom pathlib import Path\nfrom chart.notes import Note\n"
              "from chart.plugins import PluginContext, load_plugin, run_plugin\nfrom chart.timing import TimingData\n"
              "n = (Note(Fraction(0), 0),)\n"
              "ctx = PluginContext(n, n, TimingData.constant(120), 4, 'hard', 8, 16, Fraction(0), 'chart')\n"
              f"run_plugin(load_plugin(Path({str(plugin)!r})), ctx)\n")
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-c", editor], cwd=root, env=dict(os.environ, PYTHONPATH=str(root)))
    running: list[int] = []
    try:
        deadline = time.monotonic() + 20
        while not pids.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        running = [int(p) for p in pids.read_text().split()]
        time.sleep(0.3)
        assert all(_alive(p) for p in running)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 5
    while any(_alive(p) for p in running) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [p for p in running if _alive(p)]
    for pid in left:  # never leave them behind when the test fails
        os.kill(pid, signal.SIGKILL)
    assert left == []

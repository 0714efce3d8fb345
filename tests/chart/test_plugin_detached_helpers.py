"""A helper a plugin starts outside the worker's process group (a session of its own, a daemon's double fork) ends
with the run: when the plugin returns, when it is stopped, and when its worker dies without an answer."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from chart.plugins import PluginError, load_plugin, run_plugin
from tests.chart.helpers import tap
from tests.chart.test_plugin_safety import _alive
from tests.chart.test_plugins import ctx_for, write

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and prctl are Linux's")

SLEEPER = f"[{sys.executable!r}, '-c', 'import time; time.sleep(60)']"


def _helper(pidfile, how: str) -> str:
    """Plugin source lines defining ``start()``: a sleeper in a new session, or detached by a double fork."""
    if how == "session":
        return (f"import subprocess\ndef start():\n    p = subprocess.Popen({SLEEPER}, start_new_session=True)\n"
                f"    open({str(pidfile)!r}, 'w').write(str(p.pid))\n")
    return ("import os, subprocess\ndef start():\n    if os.fork() == 0:\n        os.setsid()\n"
            f"        p = subprocess.Popen({SLEEPER})\n"
            f"        open({str(pidfile)!r}, 'w').write(str(p.pid))\n        os._exit(0)\n"
            f"    os.wait()\n    while not os.path.exists({str(pidfile)!r}):\n        pass\n")


def _gone(pid: int, within_s: float = 3.0) -> bool:
    end = time.monotonic() + within_s
    while time.monotonic() < end:
        if not _alive(pid):
            return True
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)  # do not leave it behind when the test fails
    return False


@linux_only
@pytest.mark.parametrize("how", ["session", "double fork"])
def test_a_detached_helper_ends_when_the_plugin_returns(tmp_path, how):
    pidfile = tmp_path / "helper.pid"
    plugin = load_plugin(write(tmp_path, "det.py", f"NAME = 'D'\n{_helper(pidfile, how)}def run(ctx):\n"
                                                   "    start()\n    return ctx.notes\n"))
    assert run_plugin(plugin, ctx_for([tap(0, 0)])) == [tap(0, 0)]
    assert _gone(int(pidfile.read_text()))


@linux_only
@pytest.mark.parametrize("how", ["session", "double fork"])
def test_a_detached_helper_ends_when_the_plugin_is_stopped_or_crashes(tmp_path, how):
    pidfile = tmp_path / "helper.pid"
    looping = load_plugin(write(tmp_path, "loop.py", f"NAME = 'L'\n{_helper(pidfile, how)}def run(ctx):\n"
                                                     "    start()\n    while True:\n        pass\n"))
    with pytest.raises(PluginError):
        run_plugin(looping, ctx_for([tap(0, 0)]), cancelled=lambda: pidfile.exists())
    assert _gone(int(pidfile.read_text()))
    pidfile.unlink()
    crashing = load_plugin(write(tmp_path, "crash.py", f"NAME = 'C'\nimport os, time\n{_helper(pidfile, how)}"
                                                       "def run(ctx):\n    start()\n    time.sleep(1.0)\n"
                                                       "    os._exit(7)\n"))
    with pytest.raises(PluginError, match="exit code 7"):
        run_plugin(crashing, ctx_for([tap(0, 0)]))
    assert _gone(int(pidfile.read_text()))


def test_descendants_is_empty_for_a_process_without_children_and_never_raises():
    from chart.plugin_process import descendants

    assert descendants(2**22 + 12345) == {}  # no such process (or not Linux)

"""chart.plugin_guard / chart.plugins: a plugin's own child processes work as in a script. One that reaps its
children (``os.wait()`` until ChildProcessError) never waits on the guard's sidecar, and one that starts processes
with multiprocessing's spawn or forkserver method has them import its module (by its sys.modules name)."""

from __future__ import annotations

import os
import sys
import time

import pytest

from chart.plugins import load_plugin, run_plugin
from tests.chart.helpers import tap
from tests.chart.test_plugins import ctx_for, write

REAP = {
    "os.wait until ChildProcessError": "    while True:\n        try:\n            os.wait()\n"
                                       "        except ChildProcessError:\n            break\n",
    "os.waitpid(-1, 0)": "    for _ in range(2):\n        os.waitpid(-1, 0)\n"
                         "    try:\n        os.waitpid(-1, 0)\n    except ChildProcessError:\n        pass\n",
}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork")
@pytest.mark.parametrize("reap", list(REAP))
def test_a_plugin_that_reaps_its_children_returns_at_once(tmp_path, reap):
    """The sidecar was the worker's child: the wait blocked on it until 'did not finish within 5 s'."""
    plugin = load_plugin(write(tmp_path, "reaper.py", (
        "import os\nNAME = 'Reaper'\ndef run(ctx):\n"
        "    for _ in range(2):\n        if os.fork() == 0:\n            os._exit(0)\n" + REAP[reap]
        + "    return ctx.notes[:1]\n")))
    t0 = time.monotonic()
    assert run_plugin(plugin, ctx_for([tap(0, 0), tap(1, 1)]), timeout_s=5.0) == [tap(0, 0)]
    assert time.monotonic() - t0 < 4.0


STARTS = {
    "spawn Pool": ("    with mp.get_context('spawn').Pool(2) as pool:\n"
                   "        lanes = pool.map(flip, [n.lane for n in ctx.notes])\n"),
    "forkserver Process": ("    q = mp.get_context('forkserver').SimpleQueue()\n"
                           "    p = mp.get_context('forkserver').Process(target=put, args=(q, [n.lane for n in ctx.notes]))\n"
                           "    p.start()\n    lanes = q.get()\n    p.join()\n    assert p.exitcode == 0, p.exitcode\n"),
}


@pytest.mark.skipif(sys.platform == "win32", reason="forkserver: POSIX")
@pytest.mark.parametrize("start", list(STARTS))
def test_multiprocessing_by_spawn_or_forkserver_imports_the_plugin(tmp_path, start):
    """The child could not import genelive_plugin_<stem>_<sha>: a Pool re-spawned its workers until the limit
    ('did not finish within 10 s'), a Process ended with exit code 1."""
    plugin = load_plugin(write(tmp_path, "my-pool.py", (
        "import multiprocessing as mp\nfrom dataclasses import dataclass\nNAME = 'Pool'\n"
        "@dataclass\nclass Lane:\n    n: int\n"
        "def flip(lane):\n    return Lane(3 - lane)\n"
        "def put(q, lanes):\n    q.put([flip(n) for n in lanes])\n"
        "def run(ctx):\n" + STARTS[start]
        + "    return [n.replace(lane=x.n) for n, x in zip(ctx.notes, lanes)]\n")))
    assert run_plugin(plugin, ctx_for([tap(0, 0), tap(1, 1)]), timeout_s=10.0) == [tap(0, 3), tap(1, 2)]

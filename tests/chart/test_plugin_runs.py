"""chart.plugins / chart.plugin_worker: a plugin runs like a normal Python module (in sys.modules, its folder on the
path), whatever folder the editor was started from; its answer counts as soon as it is written; failures say what
happened; a big result can still be stopped while the editor checks it."""

from __future__ import annotations

import json
import os
import sys
import time
from fractions import Fraction

import pytest

import chart.plugin_checks as plugin_checks
import chart.plugins as plugins
from chart.plugin_process import WorkerRun
from chart.plugins import (
    PluginCancelled,
    PluginError,
    check_result,
    discover,
    load_plugin,
    module_name,
    notes_from_json,
    notes_to_json,
    run_plugin,
    run_plugin_here,
)
from tests.chart.helpers import tap
from tests.chart.test_plugins import BUNDLED, ctx_for, write

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc: Linux")


def test_a_plugin_is_a_module_dataclasses_and_pickle_can_find(tmp_path):
    """Without a sys.modules entry: AttributeError from dataclasses, PicklingError from pickle."""
    plugin = load_plugin(write(tmp_path, "my-lanes.py", (
        "from __future__ import annotations\nimport pickle\nfrom dataclasses import dataclass\nNAME = 'DC'\n"
        "@dataclass\nclass Step:\n    lane: int\n"
        "def run(ctx):\n    steps = pickle.loads(pickle.dumps([Step(ctx.lanes - 1 - n.lane) for n in ctx.notes]))\n"
        "    return [n.replace(lane=s.lane) for n, s in zip(ctx.notes, steps)]\n")))
    assert run_plugin(plugin, ctx_for([tap(0, 0), tap(1, 1)])) == [tap(0, 3), tap(1, 2)]
    # in this process too, and the module does not stay behind for the next run
    assert run_plugin_here(plugin, ctx_for([tap(0, 0)])) == [tap(0, 3)]
    assert module_name(plugin.path) not in sys.modules
    assert module_name(plugin.path).startswith("genelive_plugin_my_lanes_")  # no "-" nor "." (a package's child)


def test_an_answer_counts_when_written_not_when_the_plugins_threads_end(tmp_path):
    """A non-daemon thread or an atexit hook left running held the process up: 'did not finish within 5 s'."""
    plugin = load_plugin(write(tmp_path, "left.py", (
        "import atexit, threading, time\natexit.register(time.sleep, 60)\nNAME = 'Left'\n"
        "def run(ctx):\n    threading.Thread(target=time.sleep, args=(60,)).start()\n    return ctx.notes[:1]\n")))
    t0 = time.monotonic()
    assert run_plugin(plugin, ctx_for([tap(0, 0), tap(1, 1)]), timeout_s=5.0) == [tap(0, 0)]
    assert time.monotonic() - t0 < 4.0


def test_plugins_run_from_a_folder_holding_json_py_and_chart_py(tmp_path, monkeypatch):
    """``python -m`` put the current folder first on the worker's path: its json.py / chart.py were imported."""
    (tmp_path / "json.py").write_text("print('my own script')\n")
    (tmp_path / "chart.py").write_text("# my chart notes\n")
    monkeypatch.chdir(tmp_path)
    keep = load_plugin(BUNDLED / "keep_on_beat.py")
    assert run_plugin(keep, ctx_for([tap(0, 0), tap(Fraction(1, 2), 1)])) == [tap(0, 0)]
    monkeypatch.setenv("PYTHONPATH", os.pathsep)  # an empty entry is the current folder too
    assert run_plugin(keep, ctx_for([tap(0, 0), tap(Fraction(1, 2), 1)])) == [tap(0, 0)]


def test_a_plugin_imports_a_helper_module_beside_it(tmp_path):
    write(tmp_path, "_common.py", "def flip(ctx, n):\n    return n.replace(lane=ctx.lanes - 1 - n.lane)\n")
    write(tmp_path, "uses.py", "import _common\nNAME = 'Uses'\ndef run(ctx):\n"
                               "    return [_common.flip(ctx, n) for n in ctx.notes]\n")
    plugins_found, broken = discover([tmp_path])
    assert [p.name for p in plugins_found] == ["Uses"]
    assert broken == []
    assert run_plugin(plugins_found[0], ctx_for([tap(0, 0)])) == [tap(0, 3)]


@linux_only
def test_a_plugin_over_its_memory_allowance_is_told_so(tmp_path):
    """It was 'MemoryError:  (line 3)'. (One allocation past the cap fails at once, without touching memory.)"""
    plugin = load_plugin(write(tmp_path, "hog.py", "NAME = 'Hog'\ndef run(ctx):\n    big = bytearray(5 * 1024**3)\n"
                                                   "    return ctx.notes\n"))
    with pytest.raises(PluginError, match=r"^MemoryError: needed more than the 2 GiB of address space a plugin "
                                          r"may use \(each thread it starts reserves 8 MiB of it\) \(line 3\)$"):
        run_plugin(plugin, ctx_for([tap(0, 0)]))


def test_a_dict_result_and_a_class_named_run_are_named_as_such(tmp_path):
    with pytest.raises(PluginError, match=r"^run\(ctx\) returned a dict; return a list of notes$"):
        check_result({tap(0, 0): 1}, ctx_for([tap(0, 0)]))
    write(tmp_path, "klass.py", "NAME = 'K'\nclass run:\n    def __init__(self, ctx):\n        pass\n")
    write(tmp_path, "later.py", "NAME = 'L'\nclass run:\n    pass\nrun = run()\n")  # an instance: callable or not
    write(tmp_path, "redef.py", "NAME = 'R'\ndef run(ctx):\n    return []\nclass run:\n    pass\n")
    found, broken = discover([tmp_path])
    assert [p.path.name for p in found] == ["later.py"]
    assert {b.path.name: b.reason for b in broken} == {
        "klass.py": "klass.py: run is a class, not a function (line 2): define def run(ctx)",
        "redef.py": "redef.py: run is a class, not a function (line 4): define def run(ctx)"}


def test_stop_and_the_limit_reach_the_check_of_a_big_result(monkeypatch):
    """The result was read and checked after the worker ended with no way to stop it (a million notes: minutes)."""
    notes = [tap(Fraction(i, 4), i % 4) for i in range(3 * plugin_checks.CHECK_EVERY)]
    answer = ('{"notes": ' + json.dumps(notes_to_json(notes)) + "}").encode()
    monkeypatch.setattr(plugins, "run_worker", lambda *a, **k: WorkerRun("exited", 0, answer, b""))
    plugin = plugins.Plugin("Big", "", BUNDLED / "keep_on_beat.py")
    assert run_plugin(plugin, ctx_for([])) == notes
    asked = iter(range(10**6))
    with pytest.raises(PluginCancelled):  # Stop pressed while its notes are read
        run_plugin(plugin, ctx_for([]), cancelled=lambda: next(asked) >= 1)
    calls: list[int] = []

    def stop() -> None:
        calls.append(1)
        if len(calls) > 2:
            raise PluginCancelled("stopped")

    with pytest.raises(PluginCancelled):  # and while they are checked
        check_result(notes, ctx_for([]), stop)
    assert len(notes_from_json(notes_to_json(notes), lambda: calls.append(1))) == len(notes)

    def slow(*_a, **_k):
        time.sleep(0.3)
        return WorkerRun("exited", 0, answer, b"")

    monkeypatch.setattr(plugins, "run_worker", slow)
    with pytest.raises(PluginError, match="did not finish within 0.2 s"):
        run_plugin(plugin, ctx_for([]), timeout_s=0.2)


def test_a_result_bigger_than_a_chart_may_hold_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr(plugin_checks, "MAX_NOTES", 5)
    monkeypatch.setattr(plugins, "MAX_NOTES", 5)
    notes = [tap(i, 0) for i in range(6)]
    with pytest.raises(PluginError, match="returned 6 notes, more than the 5 a chart may hold"):
        check_result(notes, ctx_for([]))
    with pytest.raises(PluginError, match="gave 6 notes, more than the 5 a chart may hold"):
        notes_from_json(notes_to_json(notes))

"""chart.plugins / chart.plugin_worker / chart.plugin_process: a plugin process that prints without end, starts
helper processes, writes to file descriptor 1 or outlives the editor must not hurt the editor; results that no
chart file can store are refused (or normalised) before they reach the chart; plugin files Python accepts are
listed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import pytest

from chart.notes import Note, NoteKind, as_fraction
from chart.plugins import PluginCancelled, PluginError, check_result, discover, load_plugin, run_plugin
from tests.chart.helpers import hold, tap
from tests.chart.test_plugins import BUNDLED, ctx_for, write

posix_only = pytest.mark.skipif(os.name != "posix", reason="process groups and /proc are POSIX/Linux")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))


@posix_only
def test_a_plugin_printing_in_a_loop_keeps_the_editor_memory_flat(tmp_path):
    """Its stderr was read whole into the editor (3.2 GB in 6 s); only its tail is kept now."""
    import resource

    plugin = load_plugin(write(tmp_path, "chatty.py", "NAME = 'C'\ndef run(ctx):\n    line = 'debug ' * 2000\n"
                                                      "    while True:\n        print(line)\n"))
    t0 = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(PluginCancelled):
        run_plugin(plugin, ctx_for([tap(0, 0)]), cancelled=lambda: time.monotonic() - t0 > 3.0)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 200 * 1024  # ~1 GB was printed in that time
    # and the last line printed before dying is still quoted
    dying = load_plugin(write(tmp_path, "dying.py", "NAME = 'D'\nimport os, sys\ndef run(ctx):\n"
                                                    "    for i in range(20000):\n        print('noise', i)\n"
                                                    "    print('the last words')\n    sys.stdout.flush()\n"
                                                    "    os._exit(5)\n"))
    with pytest.raises(PluginError, match=r"exit code 5 without an answer \(the last words\)"):
        run_plugin(dying, ctx_for([tap(0, 0)]))


@posix_only
def test_stop_and_the_time_limit_end_a_plugin_and_the_helpers_it_started(tmp_path):
    pidfile = tmp_path / "helper.pid"
    helper = ("import subprocess\ndef start():\n    p = subprocess.Popen(['sleep', '30'])\n"
              f"    open({str(pidfile)!r}, 'w').write(str(p.pid))\n")
    looping = load_plugin(write(tmp_path, "loop.py", f"NAME = 'L'\n{helper}def run(ctx):\n    start()\n"
                                                     "    while True:\n        pass\n"))
    for kwargs in ({"cancelled": lambda: pidfile.exists()}, {"timeout_s": 1.0}):
        pidfile.unlink(missing_ok=True)
        t0 = time.monotonic()
        with pytest.raises(PluginError):
            run_plugin(looping, ctx_for([tap(0, 0)]), **kwargs)
        assert time.monotonic() - t0 < 8  # it waited for the helper's `sleep 30` before
        assert not _alive(int(pidfile.read_text()))
    pidfile.unlink()
    quick = load_plugin(write(tmp_path, "quick.py", f"NAME = 'Q'\n{helper}def run(ctx):\n    start()\n"
                                                    "    return ctx.notes\n"))
    t0 = time.monotonic()
    assert run_plugin(quick, ctx_for([tap(0, 0)])) == [tap(0, 0)]
    assert time.monotonic() - t0 < 8


@posix_only
def test_output_that_bypasses_print_does_not_break_the_answer(tmp_path):
    for body in ("import os\n    os.system('echo working')", "import subprocess\n    subprocess.run(['echo', 'hi'])",
                 "import sys\n    sys.__stdout__.write('working\\n')\n    sys.__stdout__.flush()"):
        plugin = load_plugin(write(tmp_path, "out.py", f"NAME = 'O'\ndef run(ctx):\n    {body}\n    return ctx.notes\n"))
        assert run_plugin(plugin, ctx_for([tap(0, 0)])) == [tap(0, 0)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal and /proc: Linux")
def test_the_worker_ends_when_the_editor_dies(tmp_path):
    plugin = write(tmp_path, "hang.py", "NAME = 'H'\ndef run(ctx):\n    while True:\n        pass\n")
    pidfile = tmp_path / "worker.pid"
    editor = ("import sys, time\nfrom fractions import Fraction\nfrom pathlib import Path\n"
              "import chart.plugin_process as pp\nfrom chart.notes import Note\n"
              "from chart.plugins import PluginContext, load_plugin, run_plugin\nfrom chart.timing import TimingData\n"
              "real = pp.subprocess.Popen\n"
              f"def spy(*a, **k):\n    p = real(*a, **k)\n    Path({str(pidfile)!r}).write_text(str(p.pid))\n    return p\n"
              "pp.subprocess.Popen = spy\nn = (Note(Fraction(0), 0),)\n"
              "ctx = PluginContext(n, n, TimingData.constant(120), 4, 'hard', 8, 16, Fraction(0), 'chart')\n"
              f"run_plugin(load_plugin(Path({str(plugin)!r})), ctx)\n")
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-c", editor], cwd=root, env=dict(os.environ, PYTHONPATH=str(root)))
    try:
        deadline = time.monotonic() + 20
        while not pidfile.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        worker = int(pidfile.read_text())
        assert _alive(worker)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 5
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = _alive(worker)
    if alive:
        os.kill(worker, signal.SIGKILL)
    assert not alive


@pytest.mark.parametrize(("result", "message"), [
    ([tap(-4, 0)], "a note at beat -4 in lane 0 is before beat 0"),
    ([tap(Fraction(1, 5), 0)], "a note at beat 0.2 in lane 0 is off the 1/48-beat grid"),
    ([hold(0, 0, Fraction(1, 5))], "the hold ending at beat 0.2 in lane 0 is off the 1/48-beat grid"),
    ([tap(0, 0).replace(lane=1.5)], "has lane 1.5, not a whole number"),
])
def test_check_result_refuses_notes_no_chart_file_stores(result, message):
    with pytest.raises(PluginError, match=message):
        check_result(result, ctx_for([tap(0, 0), tap(1, 1)]))


def test_check_result_keeps_notes_at_beats_the_chart_already_has():
    """A chart imported with notes off the grid (or before beat 0) is not the plugin's doing."""
    chart = [tap(Fraction(-1, 2), 0), tap(Fraction(1, 5), 1)]
    assert check_result([n.replace(lane=3 - n.lane) for n in chart], ctx_for(chart)) == \
        [tap(Fraction(-1, 2), 3), tap(Fraction(1, 5), 2)]


def test_check_result_normalises_lengths_and_numpy_numbers():
    np = pytest.importorskip("numpy")
    chart = [hold(0, 0, 2), Note(Fraction(4), 1, NoteKind.ROLL, Fraction(1))]
    out = check_result([n.replace(kind="tap") if n.kind != NoteKind.ROLL else n.replace(kind="mine") for n in chart],
                       ctx_for(chart))
    assert out == [tap(0, 0), Note(Fraction(4), 1, NoteKind.MINE)]
    assert all(n.length == 0 for n in out)
    out = check_result([tap(0, 0).replace(lane=np.int64(2), beat=np.float64(0.5))], ctx_for(chart))
    assert out == [tap(Fraction(1, 2), 2)]
    assert type(out[0].lane) is int
    assert as_fraction(np.float64(0.25)) == Fraction(1, 4)
    assert as_fraction(np.float32(0.5)) == Fraction(1, 2)


def test_numpy_results_cross_back_from_the_worker(tmp_path):
    pytest.importorskip("numpy")
    plugin = load_plugin(write(tmp_path, "np.py", "NAME = 'N'\nimport numpy as np\ndef run(ctx):\n"
                                                  "    return [n.replace(lane=np.int64(3) - n.lane, beat=np.float64(n.beat)"
                                                  " + 0.5) for n in ctx.notes]\n"))
    assert run_plugin(plugin, ctx_for([tap(0, 0), tap(1, 1)])) == [tap(Fraction(1, 2), 3), tap(Fraction(3, 2), 2)]


def test_a_pair_already_in_conflict_may_move_together():
    """The docs promise a note already inside a hold does not stop a plugin; Reverse Lanes moved the pair."""
    chart = [hold(0, 0, 2), tap(1, 0), tap(4, 0)]
    out = check_result([n.replace(lane=3 - n.lane) for n in chart], ctx_for(chart))
    assert out == [hold(0, 3, 2), tap(1, 3), tap(4, 3)]
    with pytest.raises(PluginError, match="inside the hold from beat 0"):  # a new conflict is still refused
        check_result([hold(0, 3, 2), tap(1, 3), tap(2, 3)], ctx_for(chart))
    with pytest.raises(PluginError, match="inside the hold from beat 0"):  # the pair pulled apart to one more
        check_result([hold(0, 3, 2), tap(1, 3), tap(Fraction(3, 2), 3), tap(4, 0)], ctx_for(chart))


def test_bundled_staircase_steps_around_a_hold_starting_where_the_note_ends():
    stair = load_plugin(BUNDLED / "staircase.py")
    chart = [tap(0, 3), tap(1, 3), hold(2, 3, 1), hold(3, 2, 1), tap(3, 0)]
    out = run_plugin(stair, ctx_for(chart))
    assert out == [tap(0, 0), tap(1, 1), hold(2, 3, 1), tap(3, 0), hold(3, 2, 1)]
    chart = [hold(0, 0, 2), tap(0, 3)]  # one tap of a jump whose hold is not selected: not onto the hold's cell
    assert run_plugin(stair, ctx_for(chart, selection=[tap(0, 3)])) == [tap(0, 1)]
    # no step is free for the hold at 2 (lanes 0-2 busy or mined): it stays in lane 3, so the hold at 1 must not
    # have been moved over it there (Save New Jersey, Beginner)
    mine = NoteKind.MINE
    chart = [hold(0, 2, 4), hold(1, 1, 2), hold(2, 3, 4), Note(Fraction(3), 0, mine), Note(Fraction(4), 1, mine),
             hold(5, 1, 1)]
    out = run_plugin(stair, ctx_for(chart))
    assert hold(2, 3, 4) in out
    assert len(out) == len(chart)


def test_plugin_files_python_accepts_are_listed_with_clear_names(tmp_path):
    (tmp_path / "bom.py").write_bytes('\ufeffNAME = "Bom"\ndef run(ctx):\n    return ctx.notes\n'.encode())
    (tmp_path / "latin.py").write_bytes('# -*- coding: latin-1 -*-\nNAME = "Caf\xe9"\ndef run(ctx):\n    return []\n'
                                        .encode("latin-1"))
    write(tmp_path, "typed.py", 'NAME: str = "Typed"\ndef run(ctx):\n    return ctx.notes\n')
    write(tmp_path, "a.py", 'NAME = "Same"\ndef run(ctx):\n    return []\n')
    write(tmp_path, "b.py", 'NAME = "Same"\ndef run(ctx):\n    return []\n')
    write(tmp_path, "syntax.py", 'NAME = "x"\ndef run(ctx:\n    return []\n')
    plugins, broken = discover([tmp_path])
    assert [p.name for p in plugins] == ["Bom", "Café", "Same (a.py)", "Same (b.py)", "Typed"]
    assert [b.reason for b in broken] == ["syntax.py: SyntaxError: '(' was never closed (line 2)"]
    assert run_plugin(plugins[0], ctx_for([tap(0, 0)])) == [tap(0, 0)]

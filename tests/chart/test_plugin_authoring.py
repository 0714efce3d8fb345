"""What a plugin author meets: a run defined in an if/try/with block or brought by a star import is listed, a failure
raised in a helper file names that file and line, the failure's details hold the traceback and what the plugin
printed, the address-space cap is named as such, and kept_cells (the plugin result's osu! sound map)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.notes import Note, NoteKind
from chart.plugins import PluginError, discover, load_plugin, run_plugin
from tests.chart.helpers import tap
from tests.chart.test_plugins import ctx_for, write

TRY_RUN = ('NAME = "Mirror"\ntry:\n    import numpy as np\n\n    def run(ctx):\n'
           '        return [n.replace(lane=int(np.int64(ctx.lanes - 1 - n.lane))) for n in ctx.notes]\n'
           'except ImportError:\n    def run(ctx):\n        return [n.replace(lane=ctx.lanes - 1 - n.lane) for n in ctx.notes]\n')
IF_RUN = 'NAME = "If"\nimport sys\nif sys.version_info < (3,):\n    pass\nelse:\n    def run(ctx):\n        return ctx.notes\n'
WITH_RUN = ('NAME = "With"\nimport contextlib\nwith contextlib.suppress(ImportError):\n'
            '    from _fast import run\n')


def test_a_run_inside_top_level_blocks_or_from_a_star_import_is_listed(tmp_path):
    """It was 'run(ctx) is missing' (greyed out) for all four, though each runs."""
    write(tmp_path, "try_run.py", TRY_RUN)
    write(tmp_path, "if_run.py", IF_RUN)
    write(tmp_path, "with_run.py", WITH_RUN)
    write(tmp_path, "star.py", 'NAME = "Star"\nfrom _shared import *\n')
    write(tmp_path, "_shared.py", "def run(ctx):\n    return list(ctx.notes)\n")
    write(tmp_path, "_fast.py", "def run(ctx):\n    return list(ctx.notes)\n")
    write(tmp_path, "none.py", 'NAME = "None"\ndef helper():\n    def run(ctx):\n        return []\n')
    plugins, broken = discover([tmp_path])
    assert sorted(p.name for p in plugins) == ["If", "Mirror", "Star", "With"]
    assert [(b.path.name, b.reason) for b in broken] == [
        ("none.py", "none.py: no def run(ctx) found (at the top level, or in an if, try or with there)")]
    ctx = ctx_for([tap(0, 0), tap(1, 1)])
    by_name = {p.name: p for p in plugins}
    assert [(n.beat, n.lane) for n in run_plugin(by_name["Mirror"], ctx)] == [(0, 3), (1, 2)]
    assert run_plugin(by_name["Star"], ctx) == list(ctx.notes)


def test_a_star_import_without_run_says_so_when_run(tmp_path):
    plugin = load_plugin(write(tmp_path, "star.py", 'NAME = "Star"\nfrom _empty import *\n'))
    write(tmp_path, "_empty.py", "X = 1\n")
    with pytest.raises(PluginError, match="^run\\(ctx\\) is missing: the file defines no run, and imports none$"):
        run_plugin(plugin, ctx_for([tap(0, 0)]))


def test_a_failure_in_a_helper_names_it_and_the_details_hold_traceback_and_output(tmp_path):
    """It was 'KeyError: Fraction(0, 1) (line 5)' (the plugin's calling line) and what it printed was never shown."""
    plugin = load_plugin(write(tmp_path, "dbg.py", 'NAME = "Debug"\nfrom _util import pick\n\ndef run(ctx):\n'
                                                    '    print("DEBUG: got", len(ctx.notes))\n'
                                                    '    return pick(ctx.notes)\n'))
    write(tmp_path, "_util.py", "def pick(notes):\n    rows = {}\n    return [rows[n.beat] for n in notes]\n")
    with pytest.raises(PluginError) as info:
        run_plugin(plugin, ctx_for([tap(0, 0)]))
    assert str(info.value) == "KeyError: Fraction(0, 1) (_util.py line 3, from line 6)"
    details = info.value.details
    assert "Traceback (most recent call last)" in details
    assert 'dbg.py", line 6, in run' in details
    assert '_util.py", line 3, in pick' in details
    assert "chart/plugins.py" not in details
    assert "DEBUG: got 1" in details


def test_an_error_in_the_plugin_itself_still_names_its_line(tmp_path):
    plugin = load_plugin(write(tmp_path, "crash.py", 'NAME = "Crash"\ndef run(ctx):\n    return ctx.notes[99]\n'))
    with pytest.raises(PluginError, match=r"^IndexError: tuple index out of range \(line 3\)$"):
        run_plugin(plugin, ctx_for([tap(0, 0)]))


def test_a_refused_result_keeps_what_the_plugin_printed(tmp_path):
    plugin = load_plugin(write(tmp_path, "bad.py", 'NAME = "Bad"\ndef run(ctx):\n    print("lane is", 9)\n'
                                                    '    return [ctx.notes[0].replace(lane=9)]\n'))
    with pytest.raises(PluginError) as info:
        run_plugin(plugin, ctx_for([tap(0, 0)]))
    assert "lane is 9" in info.value.details


def test_a_thread_start_failure_names_the_address_space_cap(tmp_path):
    """RLIMIT_AS counts each thread's 8 MiB stack: the documented "2 GiB of memory" failed as "can't start new
    thread" with 35 MB in use."""
    plugin = load_plugin(write(tmp_path, "threads.py", 'NAME = "Threads"\ndef run(ctx):\n'
                                                        '    raise RuntimeError("can\'t start new thread")\n'))
    with pytest.raises(PluginError, match=r"^RuntimeError: can't start new thread: needed more than the 2 GiB of "
                                          r"address space a plugin may use \(each thread it starts reserves 8 MiB "
                                          r"of it\) \(line 3\)$"):
        run_plugin(plugin, ctx_for([tap(0, 0)]))


def test_kept_cells_keeps_cells_that_stay_and_pairs_a_rows_one_moved_note():
    from chart.commands import kept_cells

    b = Fraction
    old = [tap(0, 0), tap(1, 1), Note(b(2), 0, NoteKind.HOLD, b(1)), tap(2, 2), tap(3, 0), tap(3, 1)]
    new = [tap(0, 0), tap(1, 3), Note(b(2), 0, NoteKind.ROLL, b(1)), tap(3, 2), tap(3, 3), tap(5, 1)]
    assert kept_cells(old, new) == {(b(0), 0): (b(0), 0),  # unchanged
                                    (b(1), 1): (b(1), 3),  # the row's one note, to another lane
                                    (b(2), 0): (b(2), 0)}  # a kind change on its cell; (2, 2) deleted; row 3 unclear

"""chart.plugins: loading plugin files (broken ones reported in one line), running them, checking their results;
and the three bundled plugins."""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import pytest

from chart.notes import Note, NoteKind, sort_notes
from chart.plugins import (
    PluginCancelled,
    PluginContext,
    PluginError,
    check_result,
    discover,
    load_plugin,
    run_plugin,
)
from chart.timing import TimingData
from tests.chart.helpers import hold, tap

BUNDLED = Path(__file__).resolve().parents[2] / "resources" / "plugins"


def ctx_for(notes, selection=None, lanes=4):
    chosen = tuple(sorted(selection if selection is not None else notes))
    return PluginContext(notes=chosen, chart_notes=tuple(sorted(notes)), timing=TimingData.constant(120),
                         lanes=lanes, slot="hard", meter=8, divisor=16, cursor_beat=Fraction(0),
                         scope="selection" if selection is not None else "chart")


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def test_discover_loads_good_files_reports_broken_ones_and_lets_the_user_replace_a_bundled_one(tmp_path):
    bundled, user = tmp_path / "bundled", tmp_path / "user"
    write(bundled, "shift.py", '"""Move notes a beat later."""\nNAME = "Shift"\ndef run(ctx):\n'
                               '    return [n.replace(beat=n.beat + 1) for n in ctx.notes]\n')
    write(bundled, "keep.py", 'NAME = "Keep (bundled)"\ndef run(ctx):\n    return ctx.notes\n')
    write(user, "keep.py", 'NAME = "Keep (mine)"\nDESCRIPTION = "Mine"\ndef run(ctx):\n    return ctx.notes\n')
    write(user, "syntax.py", "NAME = 'x'\ndef run(ctx:\n")
    write(user, "noname.py", "def run(ctx):\n    return []\n")
    write(user, "norun.py", "NAME = 'No run'\n")
    write(user, "raises.py", "import no_such_module_here\nNAME = 'Raises'\ndef run(ctx):\n    return []\n")
    write(user, "dynamic.py", "NAME = 'Dyn' + 'amic'\ndef run(ctx):\n    return []\n")
    write(user, "_helper.py", "raise RuntimeError('never imported')\n")
    plugins, broken = discover([bundled, user, tmp_path / "missing"])
    assert [p.name for p in plugins] == ["Keep (mine)", "Raises", "Shift"]  # listed without running any
    assert plugins[0].description == "Mine"
    assert plugins[2].description == "Move notes a beat later."
    reasons = {b.path.name: b.reason for b in broken}
    assert set(reasons) == {"syntax.py", "noname.py", "norun.py", "dynamic.py"}
    assert "SyntaxError" in reasons["syntax.py"]
    assert "(line 2)" in reasons["syntax.py"]
    assert "NAME" in reasons["noname.py"]
    assert "run(ctx)" in reasons["norun.py"]
    assert "string literal (line 1)" in reasons["dynamic.py"]
    with pytest.raises(PluginError, match=r"ModuleNotFoundError: .*no_such_module_here.* \(line 1\)"):
        run_plugin(plugins[1], ctx_for([tap(0, 0)]))  # its import fails when it runs, in its own process
    assert all("\n" not in r for r in reasons.values())


def test_run_plugin_reports_an_exception_in_one_line_with_its_line(tmp_path):
    plugin = load_plugin(write(tmp_path, "bad.py", 'NAME = "Bad"\n\ndef run(ctx):\n    return 1 / 0\n'))
    with pytest.raises(PluginError, match=r"ZeroDivisionError: division by zero \(line 4\)"):
        run_plugin(plugin, ctx_for([tap(0, 0)]))


def test_a_generator_plugin_that_raises_is_reported_as_a_returning_one_is(tmp_path):
    """A ``yield`` plugin's exception came out of the worker as "its process ended with exit code 1 ...": the
    generator ran (and raised) only when its result was checked, outside the plugin's own error handling."""
    plugin = load_plugin(write(tmp_path, "gen.py", 'NAME = "Gen"\ndef run(ctx):\n    for n in ctx.notes:\n'
                                                    '        yield n\n    raise KeyError("boom")\n'))
    with pytest.raises(PluginError, match=r"^KeyError: 'boom' \(line 5\)$"):
        run_plugin(plugin, ctx_for([tap(0, 0)]))
    good = load_plugin(write(tmp_path, "ok.py", 'NAME = "Ok"\ndef run(ctx):\n    yield from ctx.notes\n'))
    assert run_plugin(good, ctx_for([tap(0, 0)])) == [tap(0, 0)]


@pytest.mark.parametrize(("result", "message"), [
    (None, "must return the new notes"),
    (5, "not a list of Note"),
    ([tap(0, 0), "x"], "a str among the notes"),
    ([tap(0, 4)], "outside the chart's 4 lanes"),
    ([tap(0, 1), tap(0, 1)], "two notes at beat 0 in lane 1"),
    ([tap(2, 3)], "two notes at beat 2 in lane 3"),  # on a note the chart keeps (outside the selection)
    ([tap(Fraction(9, 2), 2)], "inside the hold from beat 4"),  # inside a kept hold
    ([hold(1, 3, 2)], "inside the hold from beat 1"),  # a new hold over the kept note at beat 2
])
def test_check_result_refuses_what_cannot_go_into_the_chart(result, message):
    chart = [tap(0, 0), tap(1, 1), tap(2, 3), hold(4, 2, 1)]
    ctx = ctx_for(chart, selection=[tap(0, 0), tap(1, 1)])
    with pytest.raises(PluginError, match=message):
        check_result(result, ctx)


def test_check_result_blames_a_plugin_only_for_what_it_did():
    """A chart that already has a note inside a hold (Verify's note-in-hold; the GUI fuzz made one by shifting a
    hold) made every plugin fail with "Nothing was changed", whatever it did elsewhere."""
    chart = [hold(Fraction(-5, 16), 0, 1), tap(0, 0), tap(1, 1), tap(2, 3)]
    ctx = ctx_for(chart, selection=[tap(1, 1), tap(2, 3)])
    assert check_result([tap(1, 2), tap(2, 1)], ctx) == [tap(1, 2), tap(2, 1)]  # the old conflict stays, not ours
    whole = ctx_for(chart, selection=chart)  # the selection holds the conflict and gives it back unchanged
    assert check_result(chart, whole) == sort_notes(chart)
    # a new note in the same hold, past the note already there (not next to the hold in its lane): refused
    with pytest.raises(PluginError, match=r"the note at beat 0\.5 in lane 0 is inside the hold from beat -0\.3125$"):
        check_result([tap(Fraction(1, 2), 0), tap(2, 3)], ctx)


def test_check_result_refuses_a_note_past_where_any_song_goes():
    """A note moved to beat 10**9 (on a 40-beat song) was accepted, and the next Save to .ssc built 250 million
    empty measures until the editor was killed for its memory. A note the chart already has there is not the
    plugin's doing."""
    chart = [tap(0, 0), tap(1, 1)]
    ctx = ctx_for(chart, selection=chart)
    with pytest.raises(PluginError, match=r"^a note at beat 1000000000 in lane 0 is past beat 100000, further "):
        check_result([tap(10**9, 0), tap(1, 1)], ctx)
    with pytest.raises(PluginError, match=r"^the hold ending at beat 100001 in lane 1 is past beat 100000"):
        check_result([tap(0, 0), hold(1, 1, 100_000)], ctx)
    assert check_result([tap(0, 0), tap(100_000, 1)], ctx) == [tap(0, 0), tap(100_000, 1)]  # the last beat allowed
    far = [*chart, tap(10**9, 2)]  # the chart's own far note (a hand-edited file), handed over and given back
    assert check_result(far, ctx_for(far, selection=far)) == far


def test_check_result_accepts_a_rewrite_of_the_selection():
    chart = [tap(0, 0), tap(1, 1), tap(2, 3)]
    ctx = ctx_for(chart, selection=[tap(0, 0), tap(1, 1)])
    assert check_result((n for n in [tap(1, 0), tap(0, 1)]), ctx) == [tap(0, 1), tap(1, 0)]


def bundled(name):
    return load_plugin(BUNDLED / name)


def test_bundled_keep_on_beat():
    notes = [tap(0, 0), tap(Fraction(1, 2), 1), hold(1, 2, Fraction(3, 2)), Note(Fraction(7, 4), 3, NoteKind.MINE),
             tap(2, 0), tap(2, 3)]
    assert run_plugin(bundled("keep_on_beat.py"), ctx_for(notes)) == [tap(0, 0), hold(1, 2, Fraction(3, 2)),
                                                                     tap(2, 0), tap(2, 3)]


def test_bundled_split_jumps_keeps_holds_and_avoids_repeating_the_lane():
    notes = [tap(0, 0), tap(1, 0), tap(1, 2),  # jump after lane 0: keep lane 2 (not a repeat)
             tap(2, 1), hold(2, 3, 1),  # the hold wins
             tap(4, 0), tap(4, 1), Note(Fraction(4), 2, NoteKind.MINE)]  # lane 0 (not 3); the mine stays
    out = run_plugin(bundled("split_jumps.py"), ctx_for(notes))
    assert out == [tap(0, 0), tap(1, 2), hold(2, 3, 1), tap(4, 0), Note(Fraction(4), 2, NoteKind.MINE)]


def test_bundled_staircase_steps_and_steps_around_holds():
    singles = [tap(b, 0) for b in range(8)]
    out = run_plugin(bundled("staircase.py"), ctx_for(singles))
    assert [n.lane for n in out] == [0, 1, 2, 3, 2, 1, 0, 1]
    # a kept hold in lane 1 from beat 0 to 3 (not selected): the stairs skip lane 1 while it is held
    chart = [hold(0, 1, 3)] + [tap(b, 3) for b in range(1, 6)] + [tap(6, 0), tap(6, 2)]
    selection = [n for n in chart if n.lane != 1]
    out = run_plugin(bundled("staircase.py"), ctx_for(chart, selection=selection))
    assert [(int(n.beat), n.lane) for n in out] == [(1, 0), (2, 2), (3, 3), (4, 2), (5, 1), (6, 0), (6, 2)]


def test_listing_plugins_never_runs_their_code(tmp_path):
    marker = tmp_path / "ran"
    write(tmp_path, "p.py", f"open({str(marker)!r}, 'w').close()\nNAME = 'P'\ndef run(ctx):\n    return ctx.notes\n")
    (plugin,), _ = discover([tmp_path])
    assert not marker.exists()
    assert run_plugin(plugin, ctx_for([tap(0, 0)])) == [tap(0, 0)]
    assert marker.exists()  # it ran, in the worker process


@pytest.mark.parametrize(("body", "message"), [
    ("    import os\n    os._exit(3)\n", "its process ended with exit code 3 without an answer"),
    ("    import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)\n", "killed by signal 9"),
    ("    import sys\n    print('about to fail', file=sys.stderr)\n    sys.stderr.flush()\n    import os\n"
     "    os._exit(1)\n", "(about to fail)"),
])
def test_a_plugin_that_kills_its_interpreter_is_reported_in_one_line(tmp_path, body, message):
    plugin = load_plugin(write(tmp_path, "die.py", f"NAME = 'Die'\ndef run(ctx):\n{body}"))
    with pytest.raises(PluginError) as err:
        run_plugin(plugin, ctx_for([tap(0, 0)]))
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_a_plugin_that_never_returns_is_stopped_by_the_time_limit_or_the_user(tmp_path):
    import time

    plugin = load_plugin(write(tmp_path, "loop.py", "NAME = 'Loop'\ndef run(ctx):\n    while True:\n        pass\n"))
    t0 = time.monotonic()
    with pytest.raises(PluginError, match="did not finish within 1 s"):
        run_plugin(plugin, ctx_for([tap(0, 0)]), timeout_s=1.0)
    assert time.monotonic() - t0 < 10
    asked = time.monotonic() + 0.5
    with pytest.raises(PluginCancelled):
        run_plugin(plugin, ctx_for([tap(0, 0)]), cancelled=lambda: time.monotonic() > asked)


def test_prints_do_not_corrupt_the_answer_and_memory_is_capped(tmp_path):
    chatty = load_plugin(write(tmp_path, "chatty.py", "NAME = 'Chatty'\ndef run(ctx):\n    print('x' * 100000)\n"
                                                      "    return ctx.notes\n"))
    assert run_plugin(chatty, ctx_for([tap(0, 0), tap(1, 1)])) == [tap(0, 0), tap(1, 1)]
    if sys.platform.startswith("linux"):
        hog = load_plugin(write(tmp_path, "hog.py", "NAME = 'Hog'\ndef run(ctx):\n    b = bytearray(3 * 1024**3)\n"
                                                    "    return ctx.notes\n"))
        with pytest.raises(PluginError, match="MemoryError"):
            run_plugin(hog, ctx_for([tap(0, 0)]))


def test_the_context_and_notes_cross_to_the_worker_exactly_as_json():
    import json

    from chart.notes import NoteKind
    from chart.plugins import context_from_json, context_to_json, notes_from_json

    timing = TimingData(offset=Fraction(-1, 7), bpms=((Fraction(0), Fraction(301, 2)),),
                        stops=((Fraction(4), Fraction(1, 3)),), extra=(("LABELS", "0=Intro"),))
    notes = [tap(Fraction(1, 3), 0), hold(Fraction(7, 12), 2, Fraction(5, 3)), Note(Fraction(9), 1, NoteKind.MINE)]
    ctx = PluginContext(notes=tuple(notes[:2]), chart_notes=tuple(notes), timing=timing, lanes=4, slot="hard",
                        meter=9, divisor=12, cursor_beat=Fraction(25, 6), scope="selection")
    assert context_from_json(json.loads(json.dumps(context_to_json(ctx)))) == ctx
    with pytest.raises(PluginError, match="could not be read"):
        notes_from_json([["1/2", 0, "bomb", "0/1"]])

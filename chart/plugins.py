"""Note plugins: small Python files that transform the selected notes (Plugins menu of the editor).

A plugin is a ``.py`` file in a plugin folder (the bundled ``resources/plugins/``, then the user's folder: the
editor's Plugins > Open Plugins Folder). It defines ``NAME`` (the menu text) and ``run(ctx)``, which returns the
notes that replace ``ctx.notes``; the module docstring's first line is its description (or ``DESCRIPTION``)::

    \"\"\"Keep only the notes on whole beats.\"\"\"
    NAME = "Keep notes on beats"

    def run(ctx):
        return [n for n in ctx.notes if n.beat.denominator == 1]

``ctx`` is a :class:`PluginContext`: the notes handed over (the selection, else the whole chart), every note of the
chart, its timing, lanes, slot and meter, the snap and the cursor's beat. Notes are :class:`chart.notes.Note`
values (exact ``Fraction`` beats; ``note.replace(lane=...)`` makes a changed copy). The editor applies the result
as one undo step, after checking it (:func:`check_result`): notes only, lanes inside the chart, holds with a
length, no two notes on one cell, nothing on a cell the chart keeps. A plugin that raises, or returns something
that fails a check, changes nothing and is reported in one line. A user plugin with the same file name as a
bundled one replaces it.

The menu is built by reading each file (:func:`load_plugin` parses it; ``NAME`` and ``DESCRIPTION`` must be string
literals) and a plugin runs in a separate Python process (:func:`run_plugin`, ``chart.plugin_worker``; the
context goes in and the notes come back as JSON with exact fractions, never as pickles), so the
editor never executes plugin code itself: a plugin that loops forever is stopped (by the user, or after
:data:`PLUGIN_TIMEOUT_S`), and one that exhausts its memory or crashes its interpreter is reported, with the editor
and its edits untouched. It still runs with the user's rights, like any script you run: install only plugins you
trust.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import ModuleType

from chart.checks.base import describe_beat
from chart.formats.json_timing import exact_text, parse_exact, timing_from_json, timing_to_json
from chart.notes import Note, NoteKind, sort_notes
from chart.sorted_notes import inside_holds
from chart.timing import TimingData

ROOT = Path(__file__).resolve().parents[1]  # the folder holding the ``chart`` package, for the worker's path
PLUGIN_TIMEOUT_S = 60.0


class PluginError(ValueError):
    """A plugin that could not be loaded or run, or whose result was refused (one line)."""


@dataclass(frozen=True)
class PluginContext:
    """What a plugin sees."""

    notes: tuple[Note, ...]  # the notes to transform: the selection, else the whole chart (in order)
    chart_notes: tuple[Note, ...]  # every note of the chart
    timing: TimingData  # the chart's timing (beat_to_seconds, seconds_to_beat, bpm_at...)
    lanes: int
    slot: str  # "beginner" ... "edit"
    meter: int
    divisor: int  # the editor's snap (4 = quarter notes, 16 = sixteenths...)
    cursor_beat: Fraction
    scope: str  # "selection" or "chart"


@dataclass(frozen=True)
class Plugin:
    name: str
    description: str
    path: Path


@dataclass(frozen=True)
class BrokenPlugin:
    path: Path
    reason: str  # one line


class PluginCancelled(PluginError):
    """The run was stopped by the user."""


def _one_line(exc: BaseException, path: Path) -> str:
    """``TypeError: ... (line 12)``: the exception and the deepest line of ``path`` in its traceback."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename) == path:
            line = frame.lineno
    if isinstance(exc, SyntaxError):
        line = exc.lineno
    text = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return f"{text} (line {line})" if line is not None else text


def _literal(node: ast.expr | None, path: Path, what: str) -> str | None:
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    raise PluginError(f"{path.name}: {what} must be a string literal (line {node.lineno}); plugins are listed "
                      "without running them")


def load_plugin(path: Path) -> Plugin:
    """Read one plugin file's NAME, description and ``run`` *without running it* (the editor never executes
    plugin code in its own process); PluginError (one line) when it cannot be used."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, ValueError) as exc:
        raise PluginError(f"{path.name}: {_one_line(exc, path)}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PluginError(f"{path.name}: cannot be read ({type(exc).__name__})") from None
    values: dict[str, ast.expr] = {}
    bound: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    values[target.id] = node.value
                    bound.add(target.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            bound.add(node.name)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    name = _literal(values.get("NAME"), path, "NAME")
    if name is None or not name.strip():
        raise PluginError(f"{path.name}: NAME (the menu text) is missing")
    if "run" not in bound:
        raise PluginError(f"{path.name}: run(ctx) is missing")
    description = _literal(values.get("DESCRIPTION"), path, "DESCRIPTION") or \
        (ast.get_docstring(tree) or "").strip().split("\n")[0]
    return Plugin(name.strip(), description, path)


def _import_run(path: Path) -> Callable[[PluginContext], Iterable[Note]]:
    """Execute the plugin file and return its ``run`` (in the process that will run it)."""
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10]
    spec = importlib.util.spec_from_file_location(f"genelive_plugin_{path.stem}_{digest}", path)
    if spec is None or spec.loader is None:
        raise PluginError(f"{path.name}: not a Python file")
    module: ModuleType = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - any error in user code becomes one line
        raise PluginError(_one_line(exc, path)) from None
    run = getattr(module, "run", None)
    if not callable(run):
        raise PluginError("run(ctx) is missing")
    return run


def discover(folders: Sequence[Path]) -> tuple[list[Plugin], list[BrokenPlugin]]:
    """Plugins of ``folders`` in order (a later folder's file replaces an earlier one of the same name), by name."""
    files: dict[str, Path] = {}
    for folder in folders:
        if folder.is_dir():
            for path in sorted(folder.glob("*.py")):
                if not path.name.startswith("_"):
                    files[path.name] = path
    plugins: list[Plugin] = []
    broken: list[BrokenPlugin] = []
    for path in files.values():
        try:
            plugins.append(load_plugin(path))
        except PluginError as exc:
            broken.append(BrokenPlugin(path, str(exc)))
    return sorted(plugins, key=lambda p: p.name.lower()), broken


def check_result(result: object, ctx: PluginContext) -> list[Note]:
    """The plugin's result as notes, or PluginError saying what is wrong with it."""
    if result is None or isinstance(result, (str, bytes, Note)):
        raise PluginError("run(ctx) must return the new notes (a list of Note)")
    try:
        notes = list(result)  # type: ignore[call-overload]
    except TypeError:
        raise PluginError(f"run(ctx) returned {type(result).__name__}, not a list of Note") from None
    gone = set(ctx.notes)
    taken = {(n.beat, n.lane) for n in ctx.chart_notes if n not in gone}
    seen: set[tuple[Fraction, int]] = set()
    for n in notes:
        if not isinstance(n, Note):
            raise PluginError(f"run(ctx) returned a {type(n).__name__} among the notes")
        if not 0 <= n.lane < ctx.lanes:
            raise PluginError(f"a note at beat {describe_beat(n.beat)} is in lane {n.lane}, outside the chart's {ctx.lanes} lanes")
        if n.kind.has_length and n.length <= 0:
            raise PluginError(f"the {n.kind.value} at beat {describe_beat(n.beat)} has no length")
        cell = (n.beat, n.lane)
        if cell in seen or cell in taken:
            raise PluginError(f"two notes at beat {describe_beat(n.beat)} in lane {n.lane}")
        seen.add(cell)
    before = inside_holds(ctx.chart_notes)  # a chart may already have some (Verify's note-in-hold): not ours
    for a, b in inside_holds([*notes, *(n for n in ctx.chart_notes if n not in gone)]) - before:
        raise PluginError(f"the note at beat {describe_beat(b.beat)} in lane {b.lane} is inside the "
                          f"{a.kind.value} from beat {describe_beat(a.beat)}")
    return sort_notes(notes)


def run_plugin_here(plugin: Plugin, ctx: PluginContext) -> list[Note]:
    """Run ``plugin`` on ``ctx`` in *this* process: the checked notes that replace ``ctx.notes`` (PluginError
    otherwise). The plugin worker process calls this; the editor calls :func:`run_plugin`."""
    run = _import_run(plugin.path)
    try:
        result = run(ctx)
    except Exception as exc:  # noqa: BLE001 - any error in user code becomes one line
        raise PluginError(_one_line(exc, plugin.path)) from None
    return check_result(result, ctx)


def run_plugin(plugin: Plugin, ctx: PluginContext, *, timeout_s: float = PLUGIN_TIMEOUT_S,
               cancelled: Callable[[], bool] = lambda: False, poll_s: float = 0.05) -> list[Note]:
    """Run ``plugin`` on ``ctx`` in a separate Python process (``chart.plugin_worker``) and return the checked
    notes that replace ``ctx.notes``.

    A plugin that raises, returns bad notes, runs past ``timeout_s``, exhausts its memory allowance or crashes its
    interpreter raises PluginError with one line; when ``cancelled()`` turns true the process is killed and
    PluginCancelled is raised. Nothing it does can freeze or crash the caller. What it prints goes to the
    process's stderr, whose last line is quoted when the process dies without an answer.
    """
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONUTF8="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    payload = json.dumps({"path": str(plugin.path), "ctx": context_to_json(ctx)}).encode("utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "chart.plugin_worker"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    started = time.monotonic()
    data: bytes | None = payload
    while True:
        try:
            out, err = proc.communicate(data, timeout=poll_s)
            break
        except subprocess.TimeoutExpired:
            data = None
            if cancelled():
                _kill(proc)
                raise PluginCancelled("stopped") from None
            if time.monotonic() - started > timeout_s:
                _kill(proc)
                raise PluginError(f"did not finish within {timeout_s:g} s and was stopped") from None
    try:
        answer = json.loads(out.decode("utf-8"))
    except ValueError:  # no answer: say how the process ended
        raise PluginError(_death(proc.returncode, err)) from None
    if not isinstance(answer, dict) or ("notes" not in answer and "error" not in answer):
        raise PluginError("its process gave an answer that could not be read")
    if "error" in answer:
        raise PluginError(str(answer["error"])[:500])
    return check_result(notes_from_json(answer["notes"]), ctx)


# ---------------------------------------------------------------- the worker's exchange (JSON, exact fractions)
def notes_to_json(notes: Iterable[Note]) -> list[list]:
    return [[exact_text(n.beat), n.lane, n.kind.value, exact_text(n.length)] for n in notes]


def notes_from_json(items: object) -> list[Note]:
    """Notes from :func:`notes_to_json`'s lists; PluginError when they are not such lists."""
    try:
        return [Note(parse_exact(b, "beat"), int(lane), NoteKind(kind), parse_exact(length, "length"))
                for b, lane, kind, length in items]  # type: ignore[attr-defined]
    except (TypeError, ValueError) as exc:
        raise PluginError(f"its process gave notes that could not be read ({exc})") from None


def context_to_json(ctx: PluginContext) -> dict:
    return {"notes": notes_to_json(ctx.notes), "chart_notes": notes_to_json(ctx.chart_notes),
            "timing": timing_to_json(ctx.timing), "lanes": ctx.lanes, "slot": ctx.slot, "meter": ctx.meter,
            "divisor": ctx.divisor, "cursor_beat": exact_text(ctx.cursor_beat), "scope": ctx.scope}


def context_from_json(obj: dict) -> PluginContext:
    timing = timing_from_json(obj["timing"], "timing")
    assert timing is not None
    return PluginContext(notes=tuple(notes_from_json(obj["notes"])), chart_notes=tuple(notes_from_json(
        obj["chart_notes"])), timing=timing, lanes=int(obj["lanes"]), slot=str(obj["slot"]), meter=int(obj["meter"]),
        divisor=int(obj["divisor"]), cursor_beat=parse_exact(obj["cursor_beat"], "cursor_beat"),
        scope=str(obj["scope"]))


def _kill(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.communicate()


def _death(returncode: int, err: bytes) -> str:
    lines = [x.strip() for x in err.decode("utf-8", "replace").splitlines() if x.strip()]
    how = f"was killed by signal {-returncode}" if returncode < 0 else f"ended with exit code {returncode}"
    return f"its process {how} without an answer" + (f" ({lines[-1][:200]})" if lines else "")

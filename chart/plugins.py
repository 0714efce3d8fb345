"""Note plugins: small Python files that transform the selected notes (Plugins menu of the editor).

A plugin is a ``.py`` file in a plugin folder (the bundled ``resources/plugins/``, then the user's folder: the
editor's Plugins > Open Plugins Folder). It defines ``NAME`` (the menu text) and ``run(ctx)``, which returns the
notes that replace ``ctx.notes``; the module docstring's first line is its description (or ``DESCRIPTION``)::

    \"\"\"Keep only the notes on whole beats.\"\"\"
    NAME = "Keep notes on beats"

    def run(ctx):
        return [n for n in ctx.notes if n.beat.denominator == 1]

``ctx`` is a :class:`PluginContext`: the notes handed over (the selection, else the whole chart; a selected beat
range hands over its notes, maybe none, and its span as ``range_beats``), every note of the chart, its timing,
lanes, slot and meter, the snap and the cursor's beat. Notes are :class:`chart.notes.Note`
values (exact ``Fraction`` beats; ``note.replace(lane=...)`` makes a changed copy). The editor applies the result
as one undo step, after checking it (:func:`check_result`): notes only, whole lanes inside the chart, holds with
a length, nothing before beat 0, past beat 100 000 or off the 1/48-beat grid, no two notes on one cell,
nothing on a cell the chart keeps; a tap, mine, lift or fake gets length 0. A plugin that raises, or returns
something that fails a check, changes nothing and is reported in one line. A user plugin with the same file name
as a bundled one replaces it. It runs as an imported module (in ``sys.modules``, :func:`module_name`; a
process it starts with multiprocessing, by any start method, imports it by that name) with its folder first on
``sys.path``, so it can import a ``_helper.py`` beside it (not listed: it starts with ``_``).

The menu is built by reading each file (:func:`load_plugin` parses it; ``NAME`` and ``DESCRIPTION`` must be string
literals) and a plugin runs in a separate Python process (:func:`run_plugin`, ``chart.plugin_worker``; the
context goes in and the notes come back as JSON with exact fractions, never as pickles), so the
editor never executes plugin code itself: a plugin that loops forever is stopped (by the user, or after
:data:`PLUGIN_TIMEOUT_S`) with the processes it started (``chart.plugin_process``), and one that exhausts its
memory or crashes its interpreter is reported, with the editor and its edits untouched. It still runs with the user's rights, like any script you run: install only plugins you
trust.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.abc
import importlib.util
import json
import operator
import os
import re
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

from chart.formats.errors import MAX_NOTES
from chart.formats.json_timing import exact_text, parse_exact, timing_from_json, timing_to_json
from chart.notes import Note, NoteKind
from chart.plugin_checks import CHECK_EVERY, PluginCancelled, PluginContext, PluginError, check_result
from chart.plugin_process import run_worker

__all__ = ["BrokenPlugin", "Plugin", "PluginCancelled", "PluginContext", "PluginError", "check_result", "discover",
           "load_plugin", "run_plugin", "run_plugin_here"]

ROOT = Path(__file__).resolve().parents[1]  # the folder holding the ``chart`` package, for the worker's path
PLUGIN_TIMEOUT_S = 60.0
MEMORY_ALLOWANCE_BYTES = 2 * 1024**3  # what a plugin's process may use beyond its start (``chart.plugin_worker``)


@dataclass(frozen=True)
class Plugin:
    name: str
    description: str
    path: Path


@dataclass(frozen=True)
class BrokenPlugin:
    path: Path
    reason: str  # one line


MEMORY_TEXT = (f"needed more than the {MEMORY_ALLOWANCE_BYTES / 1024**3:g} GiB of address space a plugin may use "
               "(each thread it starts reserves 8 MiB of it)")


def _one_line(exc: BaseException, path: Path) -> str:
    """``TypeError: ... (line 12)``: the exception and where it was raised: the deepest line of ``path`` in its
    traceback, or ``(_helper.py line 3, from line 12)`` when a deeper frame is in another file of the plugin's
    folder (a helper module beside it)."""
    line = None
    where = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        file = Path(frame.filename)
        if file == path:
            line, where = frame.lineno, ""
        elif file.parent == path.parent and frame.lineno is not None:
            where = f"{file.name} line {frame.lineno}"
    text = f"{type(exc).__name__}: {exc}".splitlines()[0]
    if isinstance(exc, MemoryError):  # its str() is empty: say what ran out
        text = f"MemoryError: {MEMORY_TEXT}"
    elif isinstance(exc, RuntimeError) and str(exc).startswith("can't start new thread"):  # the same cap, hit
        text = f"RuntimeError: can't start new thread: {MEMORY_TEXT}"  # by threads' stacks
    if isinstance(exc, SyntaxError):  # its str() already ends with "(file, line N)": say the line once
        line, where = exc.lineno, ""
        text = f"{type(exc).__name__}: {exc.msg}".splitlines()[0]
    if where:
        return f"{text} ({where}" + (f", from line {line})" if line is not None else ")")
    return f"{text} (line {line})" if line is not None else text


def _traceback(exc: BaseException, path: Path) -> str:
    """The traceback from the first frame in the plugin's folder on (the worker's own frames say nothing to it)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None and Path(tb.tb_frame.f_code.co_filename).parent != path.parent:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb)).rstrip()


def _literal(node: ast.expr | None, path: Path, what: str) -> str | None:
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    raise PluginError(f"{path.name}: {what} must be a string literal (line {node.lineno}); plugins are listed "
                      "without running them")


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The module's top-level statements in order, with those inside its top-level ``if``/``else``, ``try``/
    ``except``/``else``/``finally`` and ``with`` blocks (``try: from fast import run`` / ``except ImportError:
    def run(ctx): ...``), which run when the module is imported; never those of a function or class body."""
    for node in body:
        yield node
        if isinstance(node, ast.If):
            yield from _statements(node.body)
            yield from _statements(node.orelse)
        elif isinstance(node, ast.Try | ast.TryStar):
            yield from _statements(node.body)
            for handler in node.handlers:
                yield from _statements(handler.body)
            yield from _statements(node.orelse)
            yield from _statements(node.finalbody)
        elif isinstance(node, ast.With | ast.AsyncWith):
            yield from _statements(node.body)


def load_plugin(path: Path) -> Plugin:
    """Read one plugin file's NAME, description and ``run`` *without running it* (the editor never executes
    plugin code in its own process); PluginError (one line) when it cannot be used."""
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))  # bytes: a BOM or coding line decodes as Python does
    except (SyntaxError, ValueError) as exc:
        raise PluginError(f"{path.name}: {_one_line(exc, path)}") from None
    except OSError as exc:
        raise PluginError(f"{path.name}: cannot be read ({type(exc).__name__})") from None
    values: dict[str, ast.expr] = {}
    bound: set[str] = set()
    run_class: int | None = None  # the line of ``class run``, while that is the last binding of ``run``
    star = False  # ``from _helper import *``: what it binds cannot be seen without running it
    for node in _statements(tree.body):
        names: list[str] = []
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    values[target.id] = node.value
                    names.append(target.id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):  # NAME: str = "..."
            if node.value is not None:
                values[node.target.id] = node.value
            names.append(node.target.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.append(node.name)
        elif isinstance(node, ast.ClassDef) and node.name == "run":  # run(ctx) would make an instance of it
            run_class = node.lineno
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names.extend((alias.asname or alias.name).split(".")[0] for alias in node.names if alias.name != "*")
            star = star or any(alias.name == "*" for alias in node.names)
        if "run" in names:
            run_class = None
        bound.update(names)
    name = _literal(values.get("NAME"), path, "NAME")
    if name is None or not name.strip():
        raise PluginError(f"{path.name}: NAME (the menu text) is missing")
    if run_class is not None:
        raise PluginError(f"{path.name}: run is a class, not a function (line {run_class}): define def run(ctx)")
    if "run" not in bound and not star:  # with a star import, running it says whether run came with it
        raise PluginError(f"{path.name}: no def run(ctx) found (at the top level, or in an if, try or with there)")
    description = _literal(values.get("DESCRIPTION"), path, "DESCRIPTION") or \
        (ast.get_docstring(tree) or "").strip().split("\n")[0]
    return Plugin(name.strip(), description, path)


def module_name(path: Path) -> str:
    """The name a plugin file runs under in ``sys.modules``: one per file, never a module's of the worker."""
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10]
    return f"genelive_plugin_{re.sub(r'[^0-9A-Za-z_]', '_', path.stem)}_{digest}"  # no dot: not a package's child


PLUGIN_FILE_ENV = "GENELIVE_PLUGIN_FILE"  # the worker's plugin file, for the processes it starts (_PluginFinder)


class _PluginFinder(importlib.abc.MetaPathFinder):
    """Imports the run's plugin file (``$GENELIVE_PLUGIN_FILE``) by its :func:`module_name` in a process the plugin
    started with multiprocessing's spawn or forkserver method: such a process imports the module by that name to
    unpickle the plugin's functions and classes, and would die on start-up without it (a Pool re-spawning its
    workers until the time limit). The worker installs it (:func:`install_plugin_finder`), and so does every such
    process, which imports ``chart.plugin_worker`` (the worker's main module) before it unpickles anything."""

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> ModuleSpec | None:
        file = os.environ.get(PLUGIN_FILE_ENV)
        if path is not None or not file or not fullname.startswith("genelive_plugin_"):
            return None
        plugin = Path(file)
        return importlib.util.spec_from_file_location(fullname, plugin) if module_name(plugin) == fullname else None


def install_plugin_finder() -> None:
    """Let this process, and those it starts, import the plugin of ``$GENELIVE_PLUGIN_FILE`` by its module name."""
    if not any(isinstance(f, _PluginFinder) for f in sys.meta_path):
        sys.meta_path.append(_PluginFinder())


def _import_run(path: Path) -> Callable[[PluginContext], Iterable[Note]]:
    """Execute the plugin file and return its ``run`` (in the process that will run it). The module is in
    ``sys.modules`` as an imported one is (:func:`module_name`): dataclasses, typing and pickle look it up there, and a process it
    starts with multiprocessing imports it by that name (:class:`_PluginFinder`)."""
    name = module_name(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PluginError(f"{path.name}: not a Python file")
    module: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - any error in user code becomes one line
        sys.modules.pop(name, None)
        raise PluginError(_one_line(exc, path), _traceback(exc, path)) from None
    run = getattr(module, "run", None)
    if not callable(run):
        raise PluginError("run(ctx) is missing: the file defines no run, and imports none")
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
    counts = Counter(p.name for p in plugins)  # two files with one NAME: the menu says which is which
    plugins = [replace(p, name=f"{p.name} ({p.path.name})") if counts[p.name] > 1 else p for p in plugins]
    return sorted(plugins, key=lambda p: p.name.lower()), broken


def run_plugin_here(plugin: Plugin, ctx: PluginContext) -> list[Note]:
    """Run ``plugin`` on ``ctx`` in *this* process: the checked notes that replace ``ctx.notes`` (PluginError
    otherwise). The plugin worker process calls this; the editor calls :func:`run_plugin`."""
    run = _import_run(plugin.path)
    try:
        result = run(ctx)
        if isinstance(result, Iterator):  # a generator (``yield``) runs the plugin's code as it is read: here
            result = list(result)
    except Exception as exc:  # noqa: BLE001 - any error in user code becomes one line
        raise PluginError(_one_line(exc, plugin.path), _traceback(exc, plugin.path)) from None
    finally:
        sys.modules.pop(module_name(plugin.path), None)  # one run's module is not the next one's
    return check_result(result, ctx)


def run_plugin(plugin: Plugin, ctx: PluginContext, *, timeout_s: float = PLUGIN_TIMEOUT_S,
               cancelled: Callable[[], bool] = lambda: False, poll_s: float = 0.05) -> list[Note]:
    """Run ``plugin`` on ``ctx`` in a separate Python process (``chart.plugin_worker``) and return the checked
    notes that replace ``ctx.notes``.

    A plugin that raises, returns bad notes, runs past ``timeout_s``, exhausts its memory allowance or crashes its
    interpreter raises PluginError with one line; when ``cancelled()`` turns true the process is killed and
    PluginCancelled is raised; either way the processes it started end with it (``chart.plugin_process``).
    Nothing it does can freeze or crash the caller. What it prints goes to the process's stderr, of which only
    the end is kept: its last line is quoted when the process dies without an answer, and all of it is in the
    PluginError's ``details`` (with the traceback of an exception the plugin raised). Stop and the time limit
    also end the reading and checking of its answer (a million notes take a while). The worker runs with
    ``python -P`` and ``ROOT`` first on its path: a ``json.py`` or ``chart.py`` in the current folder is not
    imported in place of the real one.
    """
    started = time.monotonic()

    def stop() -> None:
        if cancelled():
            raise PluginCancelled("stopped")
        if time.monotonic() - started > timeout_s:
            raise PluginError(f"did not finish within {timeout_s:g} s and was stopped")

    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONUTF8="1")
    inherited = os.environ.get("PYTHONPATH", "").split(os.pathsep)  # an empty entry would be the current folder
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *(p for p in inherited if p)])
    payload = json.dumps({"path": str(plugin.path), "ctx": context_to_json(ctx),
                          "timeout_s": timeout_s}).encode("utf-8")
    ran = run_worker([sys.executable, "-P", "-m", "chart.plugin_worker"], payload, env, timeout_s=timeout_s,
                     cancelled=cancelled, poll_s=poll_s)
    if ran.ended == "cancelled":
        raise PluginCancelled("stopped")
    printed = _printed(ran.err_tail)
    if ran.ended == "timeout":
        raise PluginError(f"did not finish within {timeout_s:g} s and was stopped", printed)
    try:
        answer = json.loads(ran.out.decode("utf-8"))
    except RecursionError:
        raise PluginError("its process gave an answer nested too deeply to read", printed) from None
    except ValueError:  # no answer: say how the process ended
        raise PluginError(_death(ran.returncode or 0, ran.err_tail), printed) from None
    if not isinstance(answer, dict) or ("notes" not in answer and "error" not in answer):
        raise PluginError("its process gave an answer that could not be read", printed)
    if "error" in answer:
        details = answer.get("details")
        details = "\n\n".join(x for x in (details if isinstance(details, str) else "", printed) if x)
        raise PluginError(str(answer["error"])[:500], details)
    try:
        return check_result(notes_from_json(answer["notes"], stop), ctx, stop)
    except PluginCancelled:
        raise
    except PluginError as exc:  # a refused result: what it printed may say why
        raise PluginError(str(exc), printed) from None


def _printed(err_tail: bytes) -> str:
    """The kept end of what the plugin's process printed, for the failure's details ("" when nothing)."""
    text = err_tail.decode("utf-8", "replace").strip()
    return f"What it printed (the end of it is kept):\n{text}" if text else ""


# ---------------------------------------------------------------- the worker's exchange (JSON, exact fractions)
def notes_to_json(notes: Iterable[Note]) -> list[list]:
    return [[exact_text(n.beat), n.lane, n.kind.value, exact_text(n.length)] for n in notes]


def notes_from_json(items: object, stop: Callable[[], None] = lambda: None) -> list[Note]:
    """Notes from :func:`notes_to_json`'s lists; PluginError when they are not such lists (or too many).
    ``stop`` is called every :data:`CHECK_EVERY` notes (it raises to end the reading)."""
    if isinstance(items, list) and len(items) > MAX_NOTES:
        raise PluginError(f"its process gave {len(items)} notes, more than the {MAX_NOTES} a chart may hold")
    try:
        rows = iter(items)  # type: ignore[call-overload]
    except TypeError as exc:
        raise PluginError(f"its process gave notes that could not be read ({exc})") from None
    notes: list[Note] = []
    for i, row in enumerate(rows):
        if i % CHECK_EVERY == 0:
            stop()  # its PluginError is not the row's
        try:
            b, lane, kind, length = row
            notes.append(Note(parse_exact(b, "beat"), operator.index(lane), NoteKind(kind), parse_exact(length, "length")))
        except (TypeError, ValueError) as exc:
            raise PluginError(f"its process gave notes that could not be read ({exc})") from None
    return notes


def context_to_json(ctx: PluginContext) -> dict:
    return {"notes": notes_to_json(ctx.notes), "chart_notes": notes_to_json(ctx.chart_notes),
            "timing": timing_to_json(ctx.timing), "lanes": ctx.lanes, "slot": ctx.slot, "meter": ctx.meter,
            "divisor": ctx.divisor, "cursor_beat": exact_text(ctx.cursor_beat), "scope": ctx.scope,
            "range": None if ctx.range_beats is None else [exact_text(b) for b in ctx.range_beats]}


def context_from_json(obj: dict) -> PluginContext:
    timing = timing_from_json(obj["timing"], "timing")
    assert timing is not None
    return PluginContext(notes=tuple(notes_from_json(obj["notes"])), chart_notes=tuple(notes_from_json(
        obj["chart_notes"])), timing=timing, lanes=int(obj["lanes"]), slot=str(obj["slot"]), meter=int(obj["meter"]),
        divisor=int(obj["divisor"]), cursor_beat=parse_exact(obj["cursor_beat"], "cursor_beat"),
        scope=str(obj["scope"]), range_beats=None if obj.get("range") is None else (
            parse_exact(obj["range"][0], "range"), parse_exact(obj["range"][1], "range")))


def _death(returncode: int, err: bytes) -> str:
    lines = [x.strip() for x in err.decode("utf-8", "replace").splitlines() if x.strip()]
    how = f"was killed by signal {-returncode}" if returncode < 0 else f"ended with exit code {returncode}"
    return f"its process {how} without an answer" + (f" ({lines[-1][:200]})" if lines else "")

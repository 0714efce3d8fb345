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
bundled one replaces it. Plugins run in the editor's process with its rights, like any script you run: install
only plugins you trust.
"""

from __future__ import annotations

import hashlib
import importlib.util
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import ModuleType

from chart.notes import Note, sort_notes
from chart.timing import TimingData


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
    run: Callable[[PluginContext], Iterable[Note]]


@dataclass(frozen=True)
class BrokenPlugin:
    path: Path
    reason: str  # one line


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


def load_plugin(path: Path) -> Plugin:
    """Import one plugin file; PluginError (one line) when it cannot be used."""
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10]
    spec = importlib.util.spec_from_file_location(f"genelive_plugin_{path.stem}_{digest}", path)
    if spec is None or spec.loader is None:
        raise PluginError(f"{path.name}: not a Python file")
    module: ModuleType = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - any error in user code becomes one line
        raise PluginError(f"{path.name}: {_one_line(exc, path)}") from None
    name, run = getattr(module, "NAME", None), getattr(module, "run", None)
    if not isinstance(name, str) or not name.strip():
        raise PluginError(f"{path.name}: NAME (the menu text) is missing")
    if not callable(run):
        raise PluginError(f"{path.name}: run(ctx) is missing")
    description = getattr(module, "DESCRIPTION", None) or (module.__doc__ or "").strip().split("\n")[0]
    return Plugin(name.strip(), str(description), path, run)


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
            raise PluginError(f"a note at beat {n.beat} is in lane {n.lane}, outside the chart's {ctx.lanes} lanes")
        if n.kind.has_length and n.length <= 0:
            raise PluginError(f"the {n.kind.value} at beat {n.beat} has no length")
        cell = (n.beat, n.lane)
        if cell in seen or cell in taken:
            raise PluginError(f"two notes at beat {n.beat} in lane {n.lane}")
        seen.add(cell)
    by_lane: dict[int, list[Note]] = {}
    for n in sort_notes([*notes, *(n for n in ctx.chart_notes if n not in gone)]):
        by_lane.setdefault(n.lane, []).append(n)
    for lane_notes in by_lane.values():
        for a, b in zip(lane_notes, lane_notes[1:], strict=False):
            if a.kind.has_length and b.beat <= a.end_beat:
                raise PluginError(f"the note at beat {b.beat} in lane {b.lane} is inside the {a.kind.value} "
                                  f"from beat {a.beat}")
    return sort_notes(notes)


def run_plugin(plugin: Plugin, ctx: PluginContext) -> list[Note]:
    """Run ``plugin`` on ``ctx``: the checked notes that replace ``ctx.notes`` (PluginError otherwise)."""
    try:
        result = plugin.run(ctx)
    except Exception as exc:  # noqa: BLE001 - any error in user code becomes one line
        raise PluginError(_one_line(exc, plugin.path)) from None
    return check_result(result, ctx)

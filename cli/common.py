"""Shared CLI plumbing: parser assembly from the ``cli`` modules, the one-line error contract, progress bars."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn, TextIO

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class UserError(Exception):
    """Bad input from the user: printed as one line on stderr, exit code 2."""


def output_folder(path: Path, flag: str = "--out") -> Path:
    """``path`` as a folder to write into: UserError when a file is in the way (mkdir would say only
    "File exists")."""
    if path.exists() and not path.is_dir():
        raise UserError(f"{flag} {path} is a file; give a folder (e.g. runs/NAME)")
    return path


def chart_extensions(last: str = ",") -> str:
    """The chart file extensions the format registry reads and writes, ``".ssc, .sm, .osu, .json, .osz"`` (with
    ``last="or"``: ``"... .json or .osz"``): help texts and errors built from it list a new format too, where
    typed lists left ``.osz`` out."""
    from chart.formats.registry import formats

    names = [ext for fmt in formats() for ext in fmt.extensions]
    if last == "," or len(names) < 2:
        return ", ".join(names)
    return f"{', '.join(names[:-1])} {last} {names[-1]}"


def write_chart_files(song, output: Path) -> list[Path]:
    """``song`` written to ``output`` (one file per difficulty for .osu) as the chart commands write: all files or
    none (a folder in the way of one file, a full disk), and a file replaced keeps its old version as
    ``NAME.bak`` (said on stderr: ``draft -o song.ssc`` over a hand-made song replaced its six charts with one and
    kept nothing); an earlier, different ``NAME.bak`` moves to ``NAME.n.bak`` (:func:`chart.fileio.keep_older_backup`).
    An osu! set written away from its files gets a copy of its audio, background, video and storyboard
    (:func:`chart.formats.osu_set_files.set_files`, as the editor's Export), in the same all-or-nothing write.
    Errors: the format's ``WriteError``/``ParseError``, or a ``UserError`` naming the file."""
    from chart.fileio import keep_older_backup
    from chart.formats.osu_set_files import SetFileClash, set_files
    from chart.formats.registry import split_per_chart

    existing = [t for _part, t in split_per_chart(song, output) if Path(t).is_file()]
    try:
        made = set_files(song, output)
        older = [(p, kept) for p in existing if (kept := keep_older_backup(Path(p)))]
        written = made.write(output, keep_backup=True)
    except SetFileClash as err:
        raise UserError(str(err)) from None
    except OSError as err:
        failed = err.filename2 or (err.filename if not str(err.filename or "").endswith(".tmp") else None)
        raise UserError(f"cannot write {failed or output}: {err.strerror or err}") from None
    for path in existing:
        print(f"note: the old {path} is kept as {Path(path).name}.bak", file=sys.stderr)
    for path, kept in older:
        print(f"note: the earlier backup of {path} is kept as {kept.name}", file=sys.stderr)
    if note := made.note(output.parent):
        print(f"note: {note}", file=sys.stderr)
    return written


def require_torch(what: str = "training"):
    """The ``torch`` module, or a :class:`UserError` naming the ``[train]`` extra when it is not installed."""
    try:
        import torch
    except ImportError as exc:
        raise UserError(f"{what} needs the [train] extra (torch): pip install -e '.[train]'") from exc
    return torch


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """A usage error: one line and exit 2, as every bad input (argparse prints the usage too; exit 1 is
        `check`'s "a PROBLEM was found")."""
        sys.stderr.write(f"{self.prog}: error: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """Parser with every subcommand registered by a module of the ``cli`` package."""
    parser = _Parser(prog="main.py", description="GenéLive Studio: chart editor with AI assist")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    import cli

    for info in sorted(pkgutil.iter_modules(cli.__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name == "common":
            continue
        module = importlib.import_module(f"cli.{info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(sub)
    return parser


def run_cli(argv: list[str]) -> int:
    """Parse ``argv`` and run the chosen subcommand; map errors to exit codes."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        # No subcommand: open the editor if one is registered, else print help.
        if "open" in getattr(parser, "_subcommands", {}) or _has_command(parser, "open"):
            args = parser.parse_args(["open", *argv])
            func = args.func
        else:
            parser.print_help()
            return EXIT_OK
    try:
        with one_line_warnings():
            return int(func(args) or 0)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # disk full, permissions, missing files not caught earlier
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_USAGE


#: Packages of this project: their warnings (a damaged audio file decoded up to the damage, ...) are for the user.
OWN_PACKAGES = frozenset({"audio", "chart", "cli", "editor", "inference", "training"})


@contextmanager
def one_line_warnings() -> Iterator[None]:
    """Print the project's own warnings as ``warning: MESSAGE`` on stderr (not Python's file:line and source
    line); other libraries' warnings keep the default format."""
    default = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if category.__module__.split(".")[0] in OWN_PACKAGES:
            print(f"warning: {message}", file=sys.stderr if file is None else file)
        else:
            default(message, category, filename, lineno, file, line)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = default


def _has_command(parser: argparse.ArgumentParser, name: str) -> bool:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return name in action.choices
    return False


def progress(items: Iterable, total: int | None = None, desc: str = "", stream: TextIO | None = None):
    """Yield ``items`` while drawing a one-line progress bar on stderr (quiet when stderr is not a TTY).

    On a non-TTY stream it prints at most ~20 lines so logs stay readable.
    """
    stream = stream or sys.stderr
    items = list(items) if total is None and not hasattr(items, "__len__") else items
    n = total if total is not None else len(items)  # type: ignore[arg-type]
    tty = hasattr(stream, "isatty") and stream.isatty()
    step = max(1, n // 20)
    for i, item in enumerate(items, 1):
        yield item
        if tty:
            filled = int(30 * i / max(n, 1))
            stream.write(f"\r{desc} [{'#' * filled}{'.' * (30 - filled)}] {i}/{n}")
            if i == n:
                stream.write("\n")
            stream.flush()
        elif i % step == 0 or i == n:
            stream.write(f"{desc} {i}/{n}\n")
            stream.flush()

"""Shared CLI plumbing: parser assembly from the ``cli`` modules, the one-line error contract, progress bars."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import shutil
import signal
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TextIO

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a tool stopped by Ctrl+C
EXIT_PIPE_CLOSED = 141  # 128 + SIGPIPE, as a shell reports a Unix tool whose reader went away (``| head``)
#: The largest ``--seed``: numpy's and torch's generators take any seed from 0 to this one (the editor's Seed box
#: offers 0..1,000,000 of them)
MAX_SEED = 2**32 - 1


class UserError(Exception):
    """Bad input from the user: printed as one line on stderr, exit code 2."""


def output_folder(path: Path, flag: str = "--out", example: str | None = "runs/NAME") -> Path:
    """``path`` as a folder to write into: UserError naming the file when a file is in the way, at ``path`` or
    above it (mkdir would say only "File exists" or "Not a directory", without saying that a folder is wanted).
    ``example``: a folder name for the message (``runs/NAME`` suits a training run, not a stem cache)."""
    if path.exists() and not path.is_dir():
        raise UserError(f"{flag} {path} is a file; give a folder" + (f" (e.g. {example})" if example else ""))
    above = next((p for p in path.parents if p.exists()), None) if not path.exists() else None
    if above is not None and not above.is_dir():
        raise UserError(f"{flag} {path}: {above} is a file, not a folder")
    return path


def writable_folder(folder: Path, target: Path) -> None:
    """UserError naming ``target`` when no file can be made in ``folder`` (read-only, no permission, a folder like
    /proc): checked with a probe file, made and removed, before any long work, so a draft or a screenshot does not
    run for minutes and then fail at its write (``os.access`` says yes to root, and for a read-only folder of a
    writable file system)."""
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".probe", dir=folder)
    except OSError as err:
        raise UserError(f"cannot write {target}: no file can be made in {folder} ({err.strerror or err})") from None
    os.close(fd)
    os.unlink(probe)


@contextmanager
def new_folder(folder: Path) -> Iterator[None]:
    """``folder`` made now (with its missing parents) and checked with a probe file (:func:`writable_folder`),
    before the long work that fills it: a read-only place is "cannot write FOLDER: ..." at once, not after minutes
    of separation. When the work fails, the folders made here are removed again with what the run put in them (a
    full disk left an empty ``stems/`` or ``triton-repo/``); a folder that was there is left alone."""
    made = next((p for p in reversed([folder, *folder.parents]) if not p.exists()), None)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UserError(f"cannot write {folder}: {err.strerror or err}") from None
    try:
        writable_folder(folder, folder)
        yield
    except BaseException:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)
        raise


def seed_arg(text: str) -> int:
    """The ``--seed`` argument type: a whole number 0..:data:`MAX_SEED`, refused while parsing (one line, exit 2)
    rather than as numpy's traceback after the audio was decoded (``arrows --seed -1``)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"a seed is a whole number from 0 to {MAX_SEED}, got {text!r}")
    return value


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
    An ``.osz`` written over an archive whose extraction is beside it brings that folder up to date
    (:func:`chart.formats.osz_zip.refresh_extraction`): else the new archive would not open again.
    An osu! set written away from its files gets a copy of its audio, background, video and storyboard
    (:func:`chart.formats.osu_set_files.set_files`, as the editor's Export), in the same all-or-nothing write.
    Errors: the format's ``WriteError``/``ParseError``, or a ``UserError`` naming the file."""
    from chart.fileio import keep_older_backup
    from chart.formats.osu_set_files import SetFileClash, set_files
    from chart.formats.osz_zip import extraction_of, refresh_extraction
    from chart.formats.registry import split_per_chart

    try:  # a name too long for the file system fails already here: "cannot write NAME: File name too long"
        existing = [t for _part, t in split_per_chart(song, output) if Path(t).is_file()]
        extracted = extraction_of(output)
        made = set_files(song, output)
        older = [(p, kept) for p in existing if (kept := keep_older_backup(Path(p)))]
        written = made.write(output, keep_backup=True)
        work_done()  # written: Ctrl+C from here on no longer says "interrupted" (the rest is the report)
    except SetFileClash as err:
        raise UserError(str(err)) from None
    except OSError as err:
        failed = err.filename2 or (err.filename if not str(err.filename or "").endswith(".tmp") else None)
        raise UserError(f"cannot write {failed or output}: {err.strerror or err}") from None
    if extracted is not None and (refreshed := refresh_extraction(output, extracted)):
        print(f"note: {refreshed}", file=sys.stderr)  # Song/ beside Song.osz: the new archive's, so it opens again
    for path in existing:
        print(f"note: the old {path} is kept as {Path(path).name}.bak", file=sys.stderr)
    for path, kept in older:
        print(f"note: the earlier backup of {path} is kept as {kept.name}", file=sys.stderr)
    if note := made.note(output.parent):
        print(f"note: {note}", file=sys.stderr)
    if missing := made.missing():
        print(f"note: {missing}", file=sys.stderr)
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


def build_parser(prog: str = "main.py") -> argparse.ArgumentParser:
    """Parser with every subcommand registered by a module of the ``cli`` package; ``prog`` is the name the usage
    and error lines give the program (``main.py`` in the repository, the console script's name once installed)."""
    parser = _Parser(prog=prog, description="GenéLive Studio: chart editor with AI assist")
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


def run_cli(argv: list[str], prog: str = "main.py", exiting: bool = False) -> int:
    """Parse ``argv`` and run the chosen subcommand; map errors to exit codes. Everything is inside the ``try``,
    building the parser included: Ctrl+C at any moment is the one line ``error: interrupted`` and exit 130.
    Once the command has returned (or failed) Ctrl+C is ignored: a write that was finished is no "interrupted",
    and the process ends with the command's own code and message. ``exiting``: the caller ends the process next
    (``main.py``, the console script), so SIGINT stays ignored through the exit; else (a test calling this in its
    own process) the handler there before is put back."""
    finished = _Finished()
    _RUNNING.append(finished)
    try:
        return _run(argv, prog, finished)
    except KeyboardInterrupt:  # Ctrl+C in the instant an error was being reported
        finished()
        print("error: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        _RUNNING.remove(finished)
        if not exiting:
            finished.restore()


def work_done() -> None:
    """Said by a command once its output is written (:func:`write_chart_files`): Ctrl+C is ignored from then on, so
    a command whose files are whole ends with its own code and report, never "interrupted" (exit 130) after its
    "wrote ..." line. Nothing outside :func:`run_cli` (a test calling a command's function)."""
    if _RUNNING:
        _RUNNING[-1]()


class _Finished:
    """Called once the command's outcome is known: SIGINT ignored from then on (:meth:`restore` puts back the
    handler there before). Only the main thread can set a handler: elsewhere nothing changes."""

    def __init__(self) -> None:
        self.set = False
        self.before: Any = None

    def __call__(self) -> None:
        if not self.set:
            try:
                self.before = signal.signal(signal.SIGINT, signal.SIG_IGN)
                self.set = True
            except ValueError:  # not the main thread
                pass

    def restore(self) -> None:
        if self.set:
            signal.signal(signal.SIGINT, signal.SIG_DFL if self.before is None else self.before)
            self.set = False


_RUNNING: list[_Finished] = []  # run_cli's calls under way, the innermost last (work_done)


def _run(argv: list[str], prog: str, finished: _Finished) -> int:
    code: int | None = None
    try:
        parser = build_parser(prog)
        if argv and _is_path_to_open(parser, argv[0]):  # ``main.py SONG [options]``: ``open SONG [options]``
            argv = ["open", *argv]
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
        with one_line_warnings():
            code = int(func(args) or 0)
        finished()
        sys.stdout.flush()  # a reader gone (``| head``) is found here, not as Python's message at exit
        return code
    except UserError as exc:
        finished()
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        finished()
        if code is not None:  # Ctrl+C just after the command returned: its work is done, its own code stands
            return _flushed(code)
        print("error: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError as exc:
        finished()
        if not _stdout_closed():  # a pipe of its own (a server connection...): an error like any other
            return _os_error(exc)
        return _quiet_closed_stdout()
    except OSError as exc:  # disk full, permissions, missing files not caught earlier
        finished()
        return _os_error(exc)


def _flushed(code: int) -> int:
    """``code`` after stdout is flushed, or :data:`EXIT_PIPE_CLOSED` when its reader has gone."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return _quiet_closed_stdout()
    except OSError as exc:
        return _os_error(exc)
    return code


CONSOLE_SCRIPT = "genelive-studio"


def console_main() -> NoReturn:
    """The ``genelive-studio`` command an installed wheel puts on PATH ([project.scripts]): ``python main.py``
    of the repository, under the command's own name in usage and error lines."""
    sys.exit(run_cli(sys.argv[1:], prog=CONSOLE_SCRIPT, exiting=True))


def _os_error(exc: OSError) -> int:
    print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
    return EXIT_USAGE


def _stdout_closed() -> bool:
    """Whether stdout is a pipe whose reader has gone (poll says POLLERR); True where that cannot be asked."""
    try:
        import select

        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _fd, events in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no poll (Windows), stdout replaced or closed
        return True


def _quiet_closed_stdout() -> int:
    """A reader that stopped early (``check ... | head -1``) ends the command quietly, as it ends a Unix tool:
    no "error: Broken pipe" and no exit 2 (bad input), but exit 141 as for a tool stopped by SIGPIPE, which
    ``set -o pipefail`` scripts see. stdout goes to /dev/null so that Python's flush at exit finds no pipe (the
    Python docs' recipe for SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return EXIT_PIPE_CLOSED


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


def _is_path_to_open(parser: argparse.ArgumentParser, first: str) -> bool:
    """Whether ``main.py FIRST ...`` names a file for the editor rather than a command: no option, no command's
    name, and an existing path or a name with a suffix or folder (``song.ssc``, ``songs/x``). A mistyped command
    (``darft``) is none of these and stays argparse's "invalid choice"."""
    if first.startswith("-") or _has_command(parser, first) or not _has_command(parser, "open"):
        return False
    path = Path(first)
    return path.exists() or bool(path.suffix) or len(path.parts) > 1


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

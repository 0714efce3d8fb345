"""How a command ends when it is cut short: a reader that stops early (``| head``) and Ctrl+C at any moment."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

import cli.common
from chart.formats.registry import save
from tests.cli.test_chart_cmds import REPO, song_for_tests


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path: Path) -> None:
    """``check ... | head -1`` printed "error: Broken pipe" and exited 2 (bad input); a short output met the closed
    pipe at Python's exit instead ("Exception ignored ... BrokenPipeError", exit 120). Now: nothing said, 141."""
    ssc = save(song_for_tests(), tmp_path / "song.ssc")
    child = subprocess.Popen([sys.executable, "main.py", "info", str(ssc)], cwd=REPO, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stderr is not None
    child.stdout.close()  # gone before the command writes a byte
    err = child.stderr.read()
    assert child.wait(timeout=120) == 141, err  # 128 + SIGPIPE
    assert err == ""


def test_only_a_closed_stdout_is_taken_for_a_reader_gone(monkeypatch) -> None:
    """A broken pipe of another kind (a server connection) stays an error: stdout is asked, not assumed."""
    read, write = os.pipe()
    with os.fdopen(write, "w") as stdout:
        monkeypatch.setattr(sys, "stdout", stdout)
        assert not cli.common._stdout_closed()  # its reader is there
        os.close(read)
        assert cli.common._stdout_closed()
        monkeypatch.undo()


def test_a_broken_pipe_that_is_not_stdout_is_one_error_line(monkeypatch, capsys) -> None:
    def command(_args):
        raise BrokenPipeError(32, "Broken pipe")

    parser = argparse.ArgumentParser()
    parser.set_defaults(func=command)
    monkeypatch.setattr(cli.common, "build_parser", lambda prog="main.py": parser)
    monkeypatch.setattr(cli.common, "_stdout_closed", lambda: False)
    assert cli.common.run_cli([]) == cli.common.EXIT_USAGE
    assert capsys.readouterr().err == "error: Broken pipe\n"


def test_ctrl_c_while_the_parser_is_built_is_one_line(monkeypatch, capsys) -> None:
    """The parser was built (every ``cli`` module imported) outside the ``try``: Ctrl+C in the first moments of a
    command gave a KeyboardInterrupt traceback."""
    def interrupted(prog="main.py"):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.common, "build_parser", interrupted)
    try:
        code = cli.common.run_cli(["info", "x.ssc"])
    except KeyboardInterrupt:  # (not let through: it would stop the whole test run)
        pytest.fail("KeyboardInterrupt escaped run_cli")
    assert code == 130
    assert capsys.readouterr().err == "error: interrupted\n"

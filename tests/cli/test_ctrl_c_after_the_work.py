"""Ctrl+C once a command's work is done (its charts written, or its function returned) no longer ends it as
"error: interrupted" (exit 130) or as a process killed by SIGINT: it exits with the command's own code. The signal
is sent from inside the process at those points, so the test does not depend on timing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

import cli.chart_cmds
import cli.common
from chart.formats.registry import save
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

REPO = Path(__file__).resolve().parents[2]


def _ssc(tmp_path: Path) -> Path:
    notes = [Note(Fraction(b), b % 4) for b in range(8)]
    return save(Song(title="S", timing=TimingData.constant(120, "0"),
                     charts=[Chart(slot=Slot.EASY, meter=3, notes=notes)]), tmp_path / "song.ssc")


def _ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_just_after_the_command_returned_keeps_its_code(tmp_path: Path, monkeypatch, capsys) -> None:
    @contextmanager
    def interrupted_on_the_way_out():
        yield
        _ctrl_c()  # the command's function has returned: its code is known

    before = signal.getsignal(signal.SIGINT)
    monkeypatch.setattr(cli.common, "one_line_warnings", interrupted_on_the_way_out)
    code = cli.common.run_cli(["info", str(_ssc(tmp_path))])
    err = capsys.readouterr().err
    assert (code, "interrupted" in err) == (0, False), err
    assert signal.getsignal(signal.SIGINT) is before  # in-process: the handler is put back


def test_ctrl_c_after_the_charts_are_written_lets_the_command_finish(tmp_path: Path, monkeypatch, capsys) -> None:
    real = cli.chart_cmds.write_chart_files

    def write_then_ctrl_c(song, output):
        written = real(song, output)
        _ctrl_c()
        return written

    monkeypatch.setattr(cli.chart_cmds, "write_chart_files", write_then_ctrl_c)
    code = cli.common.run_cli(["convert", str(_ssc(tmp_path)), str(tmp_path / "out.json")])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "interrupted" not in err
    assert "wrote " in err


def test_ctrl_c_between_the_command_and_the_process_exit_is_ignored(tmp_path: Path) -> None:
    script = ("import os, runpy, signal, sys\n"
              "import cli.common as c\n"
              "real = c.run_cli\n"
              "def run_then_ctrl_c(*args, **kwargs):\n"
              "    code = real(*args, **kwargs)\n"
              "    os.kill(os.getpid(), signal.SIGINT)\n"
              "    return code\n"
              "c.run_cli = run_then_ctrl_c\n"
              f"sys.argv = ['main.py', 'info', {str(_ssc(tmp_path))!r}]\n"
              "runpy.run_path('main.py', run_name='__main__')\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "interrupted" not in done.stderr

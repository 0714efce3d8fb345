"""``open PATH --screenshot OUT.png`` exits 2 without a PNG when it could not show what was asked (it printed
"error: Cannot open: ..." and exited 0 with a picture of an empty editor; ``--stems`` and ``--after-draft`` on a song
without audio did nothing, silently, exit 0), and names OUT.png when that cannot be written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.editor.conftest import write_song
from tests.editor.test_cli_open import run

pytestmark = pytest.mark.qt


def _errors(result: subprocess.CompletedProcess) -> list[str]:
    assert "Traceback" not in result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


@pytest.mark.parametrize(("target", "expected"), [
    ("bad.osz", "error: Cannot open: "),
    ("empty.ogg", "error: Cannot read audio: empty.ogg: audio file empty.ogg is empty (0 bytes)"),
    ("nochart", "error: Cannot open: nochart: the folder holds no chart or audio file"),
])
def test_what_cannot_be_opened_is_exit_2_and_no_screenshot(tmp_path: Path, target: str, expected: str) -> None:
    (tmp_path / "bad.osz").write_text("not a zip", encoding="utf-8")
    (tmp_path / "empty.ogg").write_bytes(b"")
    (tmp_path / "nochart").mkdir()
    out = tmp_path / "shot.png"
    result = _run_in(tmp_path, target, out)  # the path as typed: relative, as the error names it
    assert result.returncode == 2, result.stderr
    errors = _errors(result)
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(expected)
    assert not out.exists()


def _run_in(folder: Path, target: str, out: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, str(REPO / "main.py"), "open", target, "--screenshot", str(out)],
                          capture_output=True, text=True, timeout=180, env=env, cwd=folder)


@pytest.mark.parametrize(("flag", "expected"), [
    ("--stems", "error: --stems: no stems: the song's audio is not loaded"),
    ("--after-draft", "error: --after-draft: no draft: the song's audio is not loaded"),
])
def test_flags_that_cannot_be_done_are_exit_2(tmp_path: Path, flag: str, expected: str) -> None:
    files = write_song(tmp_path / "song", audio=False)
    out = tmp_path / "shot.png"
    result = run("open", str(files.chart), flag, "--screenshot", str(out))
    assert result.returncode == 2, result.stderr
    errors = _errors(result)
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(expected), errors
    assert not out.exists()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc, a folder where no file can be made")
def test_a_folder_that_cannot_be_written_is_named_before_the_editor_opens(tmp_path: Path) -> None:
    """It named the hidden temporary file it could not make, after rendering."""
    files = write_song(tmp_path / "song")
    result = run("open", str(files.chart), "--screenshot", "/proc/shot.png")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: cannot write /proc/shot.png: no file can be made in /proc (No such file or directory)"]


def test_a_write_that_fails_names_the_screenshot(tmp_path: Path) -> None:
    """A full disk was a bare "error: No space left on device"."""
    files = write_song(tmp_path / "song")
    out = tmp_path / "shot.png"
    code = ("import errno, sys; import chart.fileio as f\n"
            "def full(path, data, *a, **k):\n"
            "    raise OSError(errno.ENOSPC, 'No space left on device')\n"
            "f.atomic_write_bytes = full\n"
            "from main import main\n"
            f"sys.exit(main(['open', {str(files.chart)!r}, '--screenshot', {str(out)!r}]))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180, cwd=REPO,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 2, result.stderr
    assert _errors(result) == [f"error: cannot write {out}: No space left on device"]

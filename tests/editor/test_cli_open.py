"""``main.py open``: bad input exits 2 with one line; ``--screenshot`` renders a PNG offscreen and exits 0."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.editor.conftest import write_song

pytestmark = pytest.mark.qt


def run(*args: str, timeout: float = 180.0, tmpdir=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **({"TMPDIR": str(tmpdir)} if tmpdir else {})}
    return subprocess.run([sys.executable, str(REPO / "main.py"), *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=REPO)


@pytest.mark.parametrize(("args", "message"), [
    (["open", "no/such/file.ssc"], "no such file"),
    (["open", "README.md"], "not a chart or audio file"),
    (["open", "--after-draft"], "--after-draft only applies with --screenshot"),
    (["open", "--screenshot", "shot.jpg"], "must be a .png"),
    (["open", "--compare", "expert-plus"], "--compare: unknown difficulty slot"),
])
def test_bad_input_is_one_line_exit_2(args, message):
    result = run(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert message in lines[0]
    assert "Traceback" not in result.stderr


def test_screenshot_of_a_song(tmp_path):
    files = write_song(tmp_path / "song")
    out = tmp_path / "shot.png"
    temp = tmp_path / "temp"
    temp.mkdir()
    result = run("open", str(files.chart), "--screenshot", str(out), tmpdir=temp)
    assert result.returncode == 0, result.stderr
    assert not list(temp.glob("genelive-shot-*"))  # its throwaway settings folder is gone (one was left per shot)
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 860)
    feet = tmp_path / "feet.png"  # View > Foot Labels on: the same window plus the badges
    result = run("open", str(files.chart), "--feet", "--screenshot", str(feet))
    assert result.returncode == 0, result.stderr
    labelled = QImage(str(feet))
    assert (labelled.width(), labelled.height()) == (1280, 860)
    assert labelled != image
    spaced = tmp_path / "spaced.png"  # X-mod on a song of one tempo: nothing to space differently
    result = run("open", str(files.chart), "--beat-spaced", "--screenshot", str(spaced))
    assert result.returncode == 0, result.stderr
    assert QImage(str(spaced)) == image


def test_beat_spaced_screenshot_of_a_song_with_tempo_changes(tmp_path):
    from fractions import Fraction

    from PySide6.QtGui import QImage

    from chart.formats.registry import load, save
    from chart.timing import TimingData

    files = write_song(tmp_path / "song")
    song = load(files.chart)
    song.timing = TimingData(offset=Fraction(-1, 10), bpms=((Fraction(0), Fraction(120)), (Fraction(2), Fraction(60))),
                             stops=((Fraction(4), Fraction(1, 2)),))
    save(song, files.chart)
    shots = {}
    for name, extra in (("plain", []), ("spaced", ["--beat-spaced"])):
        shots[name] = tmp_path / f"{name}.png"
        result = run("open", str(files.chart), *extra, "--screenshot", str(shots[name]))
        assert result.returncode == 0, result.stderr
    assert QImage(str(shots["spaced"])) != QImage(str(shots["plain"]))


def test_compare_with_a_slot_the_song_lacks_is_exit_2(tmp_path):
    files = write_song(tmp_path / "song")  # Beginner and Easy only
    result = run("open", str(files.chart), "--compare", "hard", "--screenshot", str(tmp_path / "shot.png"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == "error: --compare: the song has no Hard chart"
    assert not (tmp_path / "shot.png").exists()


def test_the_editor_fixes_glibcs_mmap_threshold():
    """Large freed numpy temporaries (spectrogram tiles, drafts) go back to the OS instead of staying in the heap
    arenas: a fresh process gets the fixed threshold on Linux, and nothing happens elsewhere."""
    code = ("import sys; sys.path.insert(0, '.'); from editor.app import fixed_mmap_threshold; "
            "print(fixed_mmap_threshold())")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("True" if sys.platform.startswith("linux") else "False")


def test_no_display_is_one_line_not_a_core_dump():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, str(REPO / "main.py"), "open"], capture_output=True, text=True,
                            timeout=120, env=env, cwd=REPO)
    assert result.returncode == 2  # Qt aborted the process (134) after a paragraph about platform plugins
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "no display" in result.stderr

"""Crash safety of saves (issue 8 item 2): SIGKILL a process in the middle of a save loop, many times.

A child process saves versions 1, 2, 3... of a chart with ``chart.fileio.atomic_write_text(keep_backup=True)`` in
a tight loop; the parent kills it with SIGKILL at a random moment, checks the files, and starts the next child
from the version on disk. After every kill:

* the chart file parses and is byte for byte one complete version (never partial);
* ``.bak`` is a complete version too: the one before the file's (or, when the kill fell between making the
  backup and renaming the new file into place, the file's own version, and then the new file's temporary is
  still there, proving the kill came mid-save).
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import textwrap
from fractions import Fraction
from pathlib import Path

import pytest

from chart.fileio import atomic_write_text
from chart.formats.registry import dumps, loads
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

REPO = Path(__file__).resolve().parents[2]
KILLS = 12
MARK = "@@VERSION@@"

CHILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[1])
    from chart.fileio import atomic_write_text

    path, start, templates = sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    texts = [open(t, encoding="utf-8").read() for t in templates]
    for version in range(start, start + 100_000):  # bounded even if the parent dies
        text = texts[version % len(texts)].replace("@@VERSION@@", str(version))
        atomic_write_text(path, text, keep_backup=True)
        if version == start:
            print("saved", flush=True)
""")


def templates(folder: Path) -> list[Path]:
    """Three different charts (~20 kB of .ssc each) whose title carries the version number."""
    paths = []
    for i, step in enumerate((Fraction(1, 4), Fraction(1, 3), Fraction(1, 2))):
        notes = [Note(k * step, (k * (i + 3)) % 4) for k in range(3000)]
        notes += [Note(3000 * step + 2 * k, k % 4, NoteKind.HOLD, Fraction(1)) for k in range(50)]
        song = Song(title=f"v{MARK}", artist="crash test", timing=TimingData.constant(150 + i),
                    charts=[Chart(slot=Slot.HARD, meter=9, notes=notes)])
        path = folder / f"template{i}.ssc"
        path.write_text(dumps(song, "ssc"), encoding="utf-8")
        paths.append(path)
    return paths


def version_of(path: Path, texts: list[str]) -> int:
    """The version a file holds; fails unless it parses and equals that version's text exactly."""
    data = path.read_bytes()
    version = int(loads(data, "ssc").title[1:])
    assert data == texts[version % len(texts)].replace(MARK, str(version)).encode("utf-8")
    return version


def test_sigkill_during_save_loop_leaves_old_or_new_file(tmp_path: Path) -> None:
    work = tmp_path / "song"
    work.mkdir()
    template_paths = templates(tmp_path)
    texts = [p.read_text(encoding="utf-8") for p in template_paths]
    target = work / "chart.ssc"
    atomic_write_text(target, texts[0].replace(MARK, "0"))
    rng = random.Random(8)
    version, mid_save_kills = 0, 0
    for _ in range(KILLS):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(REPO), str(target), str(version + 1), *map(str, template_paths)],
            stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        assert child.stdout.readline() == "saved\n"  # at least one save done in this run
        child.stdout.close()
        try:
            child.wait(timeout=rng.uniform(0.0, 0.15))  # saves take ~20 ms each here: kills land anywhere
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
            assert child.wait(timeout=30) == -signal.SIGKILL
        else:
            pytest.fail("the save loop ended by itself")
        new_version = version_of(target, texts)
        backup = version_of(target.with_name("chart.ssc.bak"), texts)
        leftovers = [p for p in work.iterdir() if p.name.endswith(".tmp")]
        assert new_version > version
        assert backup in (new_version - 1, new_version)
        if backup == new_version:  # killed after the backup was made, before the new file was renamed in
            assert leftovers
        mid_save_kills += bool(leftovers)
        for p in leftovers:  # temporaries never carry the real name; removing them keeps the next round clear
            assert p.name.startswith((".chart.ssc.", ".chart.ssc.bak."))
            p.unlink()
        version = new_version
    assert mid_save_kills >= 1, "no kill landed inside a save: the test proved nothing"

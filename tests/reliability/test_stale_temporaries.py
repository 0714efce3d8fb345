"""Temporaries left by killed saves (issue 8 item 2): the next save of the same file removes the stale ones.

A SIGKILL between ``mkstemp`` and ``os.replace`` leaves ``.NAME.xxxx.tmp`` (or the ``.bak`` staging file) beside
the chart; without cleanup every crash adds one. Fresh temporaries may belong to a save running in another
process right now and must survive.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from chart.fileio import STALE_TEMP_AGE_S, atomic_write_text, remove_stale_temporaries

REPO = Path(__file__).resolve().parents[2]


def age(path: Path, seconds: float) -> None:
    """Set ``path``'s modification time ``seconds`` into the past."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_next_save_removes_stale_temporaries_of_that_file_only(tmp_path: Path) -> None:
    target = tmp_path / "song [1].ssc"  # glob metacharacters in the name must not widen or break the match
    atomic_write_text(target, "v1")
    stale = [tmp_path / ".song [1].ssc.k3j9x.tmp", tmp_path / f".song [1].ssc.bak.{os.getpid() + 1}.tmp"]
    fresh = tmp_path / ".song [1].ssc.fresh1.tmp"  # another process may be saving right now
    other = tmp_path / ".other.ssc.old000.tmp"  # a different file's leftover is not ours to judge
    for p in (*stale, fresh, other):
        p.write_text("partial")
    for p in (*stale, other):
        age(p, STALE_TEMP_AGE_S + 5)
    atomic_write_text(target, "v2", keep_backup=True)
    assert target.read_text() == "v2"
    assert (tmp_path / "song [1].ssc.bak").read_text() == "v1"
    assert not any(p.exists() for p in stale)
    assert fresh.exists()
    assert other.exists()


def test_cleanup_helper_counts_and_respects_age(tmp_path: Path) -> None:
    target = tmp_path / "a.sm"
    leftovers = [tmp_path / f".a.sm.x{i}.tmp" for i in range(3)]
    for p in leftovers:
        p.write_text("x")
    assert remove_stale_temporaries(target) == 0  # all fresh
    age(leftovers[0], 120)
    age(leftovers[1], 61)
    assert remove_stale_temporaries(target) == 2
    assert [p.exists() for p in leftovers] == [False, False, True]
    assert remove_stale_temporaries(target, max_age_s=0) == 1
    assert remove_stale_temporaries(tmp_path / "missing-folder" / "b.sm") == 0


CHILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[1])
    import chart.fileio as fileio

    def stop(fd):  # the data is written; the process is killed before it can rename the temporary in
        print("in-save", flush=True)
        import time
        time.sleep(60)

    fileio.os.fsync = stop
    fileio.atomic_write_text(sys.argv[2], "new" * 1000, keep_backup=True)
""")


def test_temporary_of_a_save_killed_by_sigkill_is_removed_by_a_later_save(tmp_path: Path) -> None:
    target = tmp_path / "chart.ssc"
    atomic_write_text(target, "old")
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(REPO), str(target)], stdout=subprocess.PIPE,
                             text=True)
    assert child.stdout is not None
    assert child.stdout.readline() == "in-save\n"
    child.send_signal(signal.SIGKILL)
    assert child.wait(timeout=30) == -signal.SIGKILL
    child.stdout.close()
    leftovers = list(tmp_path.glob(".chart.ssc.*.tmp"))
    assert len(leftovers) == 1
    assert target.read_text() == "old"  # old-or-new: the kill left the old file
    age(leftovers[0], STALE_TEMP_AGE_S + 1)  # a minute later...
    atomic_write_text(target, "next", keep_backup=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chart.ssc", "chart.ssc.bak"]

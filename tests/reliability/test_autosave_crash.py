"""Crash safety end to end (issue 8 item 2): the editor's own autosave and recovery survive SIGKILL.

Each round starts a child editor process through the real start-up path (``editor.app.create_window``: offer
recovery, open the chart, start the autosave session) with the autosave timer at ``INTERVAL_MS``. The child
places a note every ``EDIT_MS`` and saves the chart every ``SAVE_MS`` until the parent kills it with SIGKILL at
a random moment. The next round's start-up recovers; a last child only recovers. After every kill:

* the chart file parses and holds exactly the base notes plus edits 0..S-1 for a save the child began
  (old-or-new, never partial);
* the recovered document holds exactly the base notes plus edits 0..K-1 (no note lost in the middle, none
  duplicated) and every edit made more than one autosave interval before the kill is among them.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import threading
import time
from fractions import Fraction
from pathlib import Path

import pytest

from chart.formats.registry import load, save
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from tests.reliability.autosave_child import EDIT_BASE_BEAT, edit_note

REPO = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("autosave_child.py")
INTERVAL_MS, EDIT_MS, SAVE_MS = 300, 20, 1000
KILLS = 3
# A late Qt timer tick on a loaded machine (2 shared cores) and the write itself; measured lateness stays far below
SCHEDULING_SLACK_S = 0.15
START_TIMEOUT_S = 120

pytestmark = pytest.mark.qt
_CHILDREN: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _no_orphans():
    """A failed assertion before the kill must not leave a child editing forever (it did, once)."""
    yield
    while _CHILDREN:
        proc = _CHILDREN.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)


class Child:
    """A child editor; a thread collects its stdout lines (they survive the kill: each is flushed)."""

    def __init__(self, ini: Path, chart: Path, recover_only: bool = False):
        args = [sys.executable, str(CHILD), str(REPO), str(ini), str(chart), str(INTERVAL_MS), str(EDIT_MS),
                str(SAVE_MS)] + (["--recover-only"] if recover_only else [])
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        _CHILDREN.append(self.proc)
        self.lines: list[list[str]] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if not line.endswith("\n"):
                break  # cut short by the kill
            self.lines.append(line.split(maxsplit=1) if line.startswith("start") else line.split())

    def wait_for(self, kind: str, timeout_s: float) -> list[str]:
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            found = [w for w in self.lines if w[0] == kind]
            if found:
                return found[0]
            assert self.proc.poll() is None or self.reader.is_alive(), f"child exited: {self.lines[-3:]}"
            time.sleep(0.01)
        raise AssertionError(f"no '{kind}' line from the child within {timeout_s} s")

    def kill(self) -> float:
        t_kill = time.monotonic()
        self.proc.send_signal(signal.SIGKILL)
        assert self.proc.wait(timeout=30) == -signal.SIGKILL
        self.reader.join(timeout=10)
        return t_kill

    def events(self, kind: str) -> list[tuple[int, float]]:
        return [(int(w[1]), float(w[2])) for w in self.lines if w[0] == kind]


def base_song() -> Song:
    notes = [Note(Fraction(k, 2), k % 4) for k in range(32)]
    return Song(title="Crash", artist="Test", music="missing.ogg", timing=TimingData.constant(120),
                charts=[Chart(slot=Slot.HARD, meter=8, notes=notes)])


def edits_held(notes: list[tuple[str, int]], base: list[Note]) -> int:
    """K when ``notes`` are exactly ``base`` plus edits 0..K-1; fails on anything else."""
    notes = sorted((str(beat), int(lane)) for beat, lane in notes)
    base_keys = [(str(n.beat), n.lane) for n in base]
    k = sum(1 for beat, _lane in notes if Fraction(beat) >= EDIT_BASE_BEAT)
    expected = sorted(base_keys + [(str(edit_note(i).beat), edit_note(i).lane) for i in range(k)])
    assert notes == expected, "the document is not the base plus a prefix of the edits"
    return k


def test_sigkill_after_autosave_recovers_work_at_most_one_interval_old(tmp_path: Path) -> None:
    ini = tmp_path / "settings" / "editor.ini"
    chart = tmp_path / "song" / "crash.ssc"
    chart.parent.mkdir()
    base = base_song()
    save(base, chart)
    base_notes = list(base.charts[0].notes)
    rng = random.Random(88)
    expected_start, losses_s = 0, []
    for _round in range(KILLS):
        child = Child(ini, chart)
        k_start = edits_held(json.loads(child.wait_for("start", START_TIMEOUT_S)[1]), base_notes)
        assert k_start == expected_start
        child.wait_for("edit", 30)
        time.sleep(rng.uniform(1.2, 2.4))  # > 3 autosave intervals and at least one chart save
        t_kill = child.kill()
        edits, autosaves, saves = child.events("edit"), child.events("autosave"), child.events("save")
        assert autosaves, "no autosave ran before the kill"
        on_disk = sorted((str(n.beat), n.lane) for n in load(chart).charts[0].notes)
        s_file = edits_held(on_disk, base_notes)  # parses, and is one complete saved state
        assert s_file >= max((s for s, _t in saves), default=k_start)
        # the next start-up recovers: what it gets is checked at the top of the next round
        child = Child(ini, chart, recover_only=True)
        k_rec = edits_held(json.loads(child.wait_for("start", START_TIMEOUT_S)[1]), base_notes)
        assert child.proc.wait(timeout=60) == 0
        lost = [t for k, t in edits if k >= k_rec]
        losses_s.append(t_kill - lost[0] if lost else 0.0)
        assert losses_s[-1] <= INTERVAL_MS / 1000 + SCHEDULING_SLACK_S, (k_rec, edits[-1], autosaves[-3:])
        # k_rec >= s_file except when the kill lands in the few ms between a save's rename and the deletion of the
        # older generations it supersedes (see docs/RELIABILITY.md); the bound above holds either way
        expected_start = k_rec
    print(f"{KILLS} kills; work lost per kill (s): {[round(x, 3) for x in losses_s]}; interval {INTERVAL_MS} ms")

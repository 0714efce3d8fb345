"""Render docs/editor-record.png: a take in record mode on the demo song, in the middle of the take.

The player is the tests' FakePlayer on a fake clock (no sound device, no real time), so the picture is the same on
every machine: Record Replaces Notes on, the Easy chart recorded over from beat 32 by tapping the Medium chart's
notes of beats 32-44 with seeded Gaussian timing errors (mean +10 ms, sd 15 ms), holds held to their ends; the
window is grabbed before Escape, with the REC overlay showing, and the status line of the take is printed.

    QT_QPA_PLATFORM=offscreen python scripts/screenshot_record.py [OUT.png]
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

FIRST_BEAT, LAST_BEAT = 32, 44


def main(out: Path) -> int:
    from tests.editor.fakes import song_on_fake_clock

    try:
        with song_on_fake_clock(REPO / "resources" / "demo" / "first-light.ssc") as (win, clock):
            return record_and_grab(win, clock, out)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 2


def record_and_grab(win, clock, out: Path) -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    charts = {c.slot.name: c for c in win.session.doc.song.charts}
    win.session.set_chart(charts["EASY"])
    win.session.set_divisor(16)
    win.actions["play.record_replace"].setChecked(True)
    timing = win.session.timing()
    win.seek(float(timing.beat_to_seconds(FIRST_BEAT)))
    if not win.record.start():
        return 2
    keys = [Qt.Key.Key_D, Qt.Key.Key_F, Qt.Key.Key_J, Qt.Key.Key_K]
    notes = sorted((n for n in charts["MEDIUM"].notes if n.kind.is_onset and FIRST_BEAT <= n.beat < LAST_BEAT),
                   key=lambda n: (n.beat, n.lane))
    rng = random.Random(1)
    player = win.playback.player
    for n in notes:
        t = float(timing.beat_to_seconds(n.beat))
        clock.advance(t + rng.gauss(0.010, 0.015) - player.position_s())
        QTest.qWait(1)
        QTest.keyPress(win.timeline, keys[n.lane])
        held = float(timing.beat_to_seconds(n.end_beat)) - t if n.kind.has_length else 0.05
        clock.advance(max(held, 0.05))
        QTest.qWait(1)
        QTest.keyRelease(win.timeline, keys[n.lane])
    QTest.qWait(100)
    ok = win.grab().save(str(out))
    QTest.keyClick(win.timeline, Qt.Key.Key_Escape)
    print(win.statusBar().currentMessage())
    win.actions["play.record_replace"].setChecked(False)
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "editor-record.png"))

"""Render docs/editor-testplay.png: a test play of the demo song's Medium chart, played by a simulated player.

The player is the tests' FakePlayer on a fake clock (no sound device, no real time), so the picture is the same on
every machine: 60 notes from beat 32, hit with seeded Gaussian offsets (mean +12 ms, sd 20 ms), every 17th note
missed; then Escape, and the view moved back over the played part so the hit marks show.

    QT_QPA_PLATFORM=offscreen python scripts/screenshot_test_play.py [OUT.png]
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

FIRST_BEAT = 32
NOTES = 60


def main(out: Path) -> int:
    from tests.editor.fakes import song_on_fake_clock

    try:
        with song_on_fake_clock(REPO / "resources" / "demo" / "first-light.ssc") as (win, clock):
            return play_and_grab(win, clock, out)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 2


def play_and_grab(win, clock, out: Path) -> int:
    """Open the demo, test-play its Medium chart from FIRST_BEAT with the simulated player, save the window."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    chart = next(c for c in win.session.doc.song.charts if c.slot.name == "MEDIUM")
    win.session.set_chart(chart)
    timing = win.session.timing()
    t0 = float(timing.beat_to_seconds(FIRST_BEAT))
    win.seek(t0)
    if not win.test_play.start():
        return 2
    rng = random.Random(3)
    keys = [Qt.Key.Key_D, Qt.Key.Key_F, Qt.Key.Key_J, Qt.Key.Key_K]
    notes = sorted((n for n in chart.notes if n.kind.is_onset and float(timing.beat_to_seconds(n.beat)) >= t0),
                   key=lambda n: (n.beat, n.lane))[:NOTES]
    player = win.playback.player
    for i, n in enumerate(notes):
        if i % 17 == 9:
            continue
        t = float(timing.beat_to_seconds(n.beat))
        clock.advance(t + rng.gauss(0.012, 0.02) - player.position_s())
        QTest.qWait(1)
        QTest.keyPress(win.timeline, keys[n.lane])
        held = float(timing.beat_to_seconds(n.end_beat)) - t if n.kind.has_length else 0.04
        clock.advance(max(held, 0.04))
        QTest.qWait(1)
        QTest.keyRelease(win.timeline, keys[n.lane])
    QTest.keyClick(win.timeline, Qt.Key.Key_Escape)
    QTest.qWait(2700)  # the judgment overlay fades
    win.seek(float(timing.beat_to_seconds(notes[30].beat)))
    win.lower_panels.setCurrentIndex(win.lower_panels.count() - 1)
    QTest.qWait(200)
    ok = win.grab().save(str(out))
    print(win.statusBar().currentMessage())
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "editor-testplay.png"))

"""Render docs/editor-feet.png: View > Foot Labels on the demo song's Medium chart, around its first crossover.

    QT_QPA_PLATFORM=offscreen python scripts/screenshot_feet.py [OUT.png]
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CURSOR_BEAT = 22  # two beats before the chart's first crossover (beat 24: Left, Up, Right stepped L R L)


def verified(win) -> bool:
    """Whether Verify has checked the chart shown (its automatic run is on a timer, then a background job)."""
    panel = win.verify_panel
    return bool(panel.summary.text()) and not panel._timer.isActive() and panel._job is None


def main(out: Path) -> int:
    from PySide6.QtTest import QTest

    from editor.screenshot import docs_window, open_and_wait

    with docs_window() as win:
        if not open_and_wait(win, REPO / "resources" / "demo" / "first-light.ssc"):
            return 2
        win.session.set_chart(next(c for c in win.session.doc.song.charts if c.slot.name == "MEDIUM"))
        win.lower_panels.setCurrentIndex(0)  # Verify: the parity INFO beside the labels
        # until Verify has checked the Medium chart (a fixed 1.5 s wait left its list empty on a busy machine);
        # then the labels, so their status line is still up when the picture is taken
        for _ in range(1500):
            if verified(win):
                break
            QTest.qWait(20)
        win.actions["view.feet"].setChecked(True)
        message = win.statusBar().currentMessage()
        win.seek(float(win.session.timing().beat_to_seconds(CURSOR_BEAT)))
        QTest.qWait(800)
        ok = win.grab().save(str(out))
        print(message)
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "editor-feet.png"))

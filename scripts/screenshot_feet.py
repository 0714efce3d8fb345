"""Render docs/editor-feet.png: View > Foot Labels on the demo song's Medium chart, around its first crossover.

    QT_QPA_PLATFORM=offscreen python scripts/screenshot_feet.py [OUT.png]
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CURSOR_BEAT = 22  # two beats before the chart's first crossover (beat 24: Left, Up, Right stepped L R L)


def main(out: Path) -> int:
    from PySide6.QtTest import QTest

    from editor.screenshot import docs_window

    with docs_window() as win:
        if not win.open_path(REPO / "resources" / "demo" / "first-light.ssc"):
            return 2
        win.session.set_chart(next(c for c in win.session.doc.song.charts if c.slot.name == "MEDIUM"))
        win.actions["view.feet"].setChecked(True)
        message = win.statusBar().currentMessage()
        win.seek(float(win.session.timing().beat_to_seconds(CURSOR_BEAT)))
        win.lower_panels.setCurrentIndex(0)  # Verify: the parity INFO beside the labels
        QTest.qWait(1500)
        ok = win.grab().save(str(out))
        print(message)
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "editor-feet.png"))

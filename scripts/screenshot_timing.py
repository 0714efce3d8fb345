"""Render docs/editor-timing.png: the Timing panel with StepMania 5's display segments (labels, scrolls, a speed
change, a fake segment) beside BPM and stop changes, and their markers on the timeline.

    QT_QPA_PLATFORM=offscreen python scripts/screenshot_timing.py [OUT.png]

The bundled demo song is copied to a temporary folder and given the segments in code, then opened.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from fractions import Fraction as F
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
CURSOR_BEAT = 22


def write_song(folder: Path) -> Path:
    from chart.formats import display_segments as ds
    from chart.formats.registry import load, save

    for path in (REPO / "resources" / "demo").iterdir():
        shutil.copy(path, folder / path.name)
    path = folder / "first-light.ssc"
    song = load(path)
    timing = song.timing.with_changes(stops=((F(20), F(1, 4)),))
    for tag, entries in (("LABELS", [(F(0), "Intro"), (F(16), "Verse"), (F(32), "Build"), (F(48), "Chorus")]),
                         ("SCROLLS", [(F(0), F(1)), (F(24), F(1, 2)), (F(28), F(1))]),
                         ("SPEEDS", [(F(16), F(3, 2), F(1), 0)]), ("FAKES", [(F(30), F(2))])):
        timing = ds.with_entries(timing, tag, entries)
    song.timing = timing
    save(song, path)
    return path


def main(out: Path) -> int:
    from PySide6.QtTest import QTest

    from editor.screenshot import docs_window, open_and_wait

    with docs_window() as win:
        if not open_and_wait(win, write_song(Path(tempfile.mkdtemp(prefix="genelive-timing-")))):
            return 2
        win.panels.setCurrentWidget(win.timing_panel)
        win.timeline.set_zoom(70.0)
        win.seek(float(win.session.timing().beat_to_seconds(CURSOR_BEAT)))
        QTest.qWait(800)
        picture = win.grab()
    return 0 if picture.save(str(out)) else 2


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "editor-timing.png"))

"""Render docs/editor-reverse.png: one passage in the usual downward scroll and in View > Reverse Scroll, each in
C-mod and X-mod, side by side (the song of ``scripts/screenshot_xmod.py``: 120 BPM, 180 BPM from beat 16, a 0.75-s
stop at beat 24, 90 BPM from beat 32; an 8th-note stream with a hold at each tempo change), with the spectrogram
lane on and two notes selected.

    QT_QPA_PLATFORM=offscreen python scripts/screenshot_reverse.py [OUT.png]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from screenshot_xmod import CURSOR_BEAT, write_song  # noqa: E402

VIEWS = ((False, False, "C-mod"), (True, False, "C-mod, Reverse Scroll"), (False, True, "X-mod"),
         (True, True, "X-mod, Reverse Scroll"))


def grab(win, reverse: bool, beat_spaced: bool):
    from PySide6.QtTest import QTest

    win.actions["view.beat_spaced"].setChecked(beat_spaced)
    win.actions["view.reverse"].setChecked(reverse)
    win.seek(float(win.session.timing().beat_to_seconds(CURSOR_BEAT)))
    QTest.qWait(300)
    return win.timeline.grab().toImage()


def wait_for_spectrogram(win, timeout_s: float = 60.0) -> None:
    """Until every spectrogram tile of the (short) song is in, so each view shows the whole lane."""
    from PySide6.QtTest import QTest

    for _ in range(int(timeout_s / 0.05)):
        tiler = win.spectrogram.tiler
        if tiler is not None and len(win.timeline.spectrogram_item.tiles) >= tiler.n_tiles:
            return
        QTest.qWait(50)


def main(out: Path) -> int:
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter

    from editor.screenshot import docs_window, open_and_wait

    with docs_window(980, 820) as win:
        if not open_and_wait(win, write_song(Path(tempfile.mkdtemp(prefix="genelive-reverse-")))):
            return 2
        win.actions["view.spectrogram"].setChecked(True)
        wait_for_spectrogram(win)
        win.timeline.set_zoom(110.0)
        win.session.select([n for n in win.session.chart.notes if 20 <= n.beat <= 21])
        shots = [grab(win, reverse, beat_spaced) for reverse, beat_spaced, _title in VIEWS]
    header, gap = 30, 10
    width = sum(s.width() for s in shots) + gap * (len(shots) - 1)
    picture = QImage(width, max(s.height() for s in shots) + header, QImage.Format.Format_RGB32)
    picture.fill(QColor(12, 13, 17))
    p = QPainter(picture)
    font = QFont()
    font.setPixelSize(15)
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor(230, 230, 235))
    x = 0
    for shot, (_reverse, _beat_spaced, title) in zip(shots, VIEWS, strict=True):
        p.drawImage(x, header, shot)
        p.drawText(QRect(x, 0, shot.width(), header), Qt.AlignmentFlag.AlignCenter, title)
        x += shot.width() + gap
    p.end()
    return 0 if picture.save(str(out)) else 2


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "editor-reverse.png"))

"""Render docs/editor-xmod.png: the same passage in C-mod (time-spaced, the default) and in View > Beat-Spaced
(X-mod), side by side, on a synthesised song with two tempo changes and a stop.

    QT_QPA_PLATFORM=offscreen python scripts/screenshot_xmod.py [OUT.png]

The song (made here, nothing external): 120 BPM, 180 BPM from beat 16, a 0.75-s stop at beat 24 (the music pauses
too), 90 BPM from beat 32; a kick on every beat and a hat on every 8th, so the waveform shows the beats. The Medium
chart is one 8th-note stream (Left, Down, Up, Right) with a hold at each tempo change.
"""

from __future__ import annotations

import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SR_HZ = 22050
CURSOR_BEAT = 19


def timing():
    from chart.timing import TimingData

    return TimingData(offset=Fraction(-1, 2), bpms=((Fraction(0), Fraction(120)), (Fraction(16), Fraction(180)),
                                                    (Fraction(32), Fraction(90))),
                      stops=((Fraction(24), Fraction(3, 4)),))


def render_audio(tm, beats: int) -> np.ndarray:
    """Kick on the beats, hat on the 8ths, silence through the stop; float32 mono."""
    end_s = float(tm.beat_to_seconds(beats)) + 1.0
    y = np.zeros(int(end_s * SR_HZ), np.float32)
    n = int(0.12 * SR_HZ)
    t = np.arange(n) / SR_HZ
    kick = (np.sin(2 * np.pi * (50 + 90 * np.exp(-t * 30)) * t) * np.exp(-t * 18)).astype(np.float32)
    rng = np.random.default_rng(0)
    hat = (rng.standard_normal(n) * np.exp(-t * 120) * 0.35).astype(np.float32)
    for k in range(2 * beats):
        i = int(float(tm.beat_to_seconds(Fraction(k, 2))) * SR_HZ)
        sound = kick if k % 2 == 0 else hat
        y[i:i + n] += sound[:len(y) - i]
    return np.clip(y * 0.7, -1.0, 1.0)


def write_song(folder: Path) -> Path:
    import soundfile as sf

    from chart.formats.registry import save
    from chart.notes import Note, NoteKind
    from chart.song import Chart, Slot, Song

    tm, beats = timing(), 48
    sf.write(str(folder / "tempo.wav"), render_audio(tm, beats), SR_HZ)
    holds = {Fraction(16), Fraction(32)}  # a one-beat hold at each tempo change, the 8th inside it left out
    notes = []
    for k in range(2 * beats):
        beat = Fraction(k, 2)
        if beat - Fraction(1, 2) in holds:
            continue
        kind, length = (NoteKind.HOLD, Fraction(1)) if beat in holds else (NoteKind.TAP, Fraction(0))
        notes.append(Note(beat, k % 4, kind, length))
    song = Song(title="Tempo Changes", artist="GenéLive Studio", music="tempo.wav", timing=tm,
                charts=[Chart(slot=Slot.MEDIUM, meter=5, notes=notes)])
    path = folder / "tempo.ssc"
    save(song, path)
    return path


def grab(win, beat_spaced: bool):
    from PySide6.QtTest import QTest

    win.actions["view.beat_spaced"].setChecked(beat_spaced)
    win.seek(float(win.session.timing().beat_to_seconds(CURSOR_BEAT)))
    QTest.qWait(800)
    return win.timeline.grab().toImage()


def main(out: Path) -> int:
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter

    from editor.screenshot import docs_window, open_and_wait

    with docs_window(1100, 900) as win:
        if not open_and_wait(win, write_song(Path(tempfile.mkdtemp(prefix="genelive-xmod-")))):
            return 2
        win.timeline.set_zoom(110.0)
        left, right = grab(win, False), grab(win, True)
    header = 30
    picture = QImage(left.width() + right.width() + 12, max(left.height(), right.height()) + header,
                     QImage.Format.Format_RGB32)
    picture.fill(QColor(12, 13, 17))
    p = QPainter(picture)
    p.drawImage(0, header, left)
    p.drawImage(left.width() + 12, header, right)
    p.setPen(QColor(230, 230, 235))
    font = QFont()
    font.setPixelSize(15)
    font.setBold(True)
    p.setFont(font)
    p.drawText(QRect(0, 0, left.width(), header), Qt.AlignmentFlag.AlignCenter,
               "C-mod (default): time-spaced")
    p.drawText(QRect(left.width() + 12, 0, right.width(), header), Qt.AlignmentFlag.AlignCenter,
               "X-mod (View > Beat-Spaced): beat-spaced")
    p.end()
    return 0 if picture.save(str(out)) else 2


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "editor-xmod.png"))

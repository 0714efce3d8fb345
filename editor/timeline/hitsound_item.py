"""HitsoundMarksItem: a small badge at the upper right of each note of an osu! map that has a sound of its own.

The badge reads left to right: the normal sample set's initial in grey (``n`` Normal, ``s`` Soft, ``d`` Drum;
nothing for Auto), the additions in their colours (**W** whistle blue, **F** finish gold, **C** clap red), the
addition sample set's initial when the additions have one of their own, and a dot for a custom sample index,
volume or file. ``sWC`` is a soft note with whistle and clap; ``Fd`` a finish in the drum set.

Only charts that keep osu! sounds have marks (a dance chart has none, and pays nothing): the data are three
sorted arrays (time, lane, look), and a frame blits one cached sprite per visible sounded note, as the note heads
are drawn (:class:`~editor.timeline.notes_item.NotesItem`), so a big hitsounded map costs a few hundred blits.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPixmap

from editor.timeline import geometry as geo
from editor.timeline.overlay_items import _ViewSpanItem

_SET_LETTERS = ("", "n", "s", "d")  # Auto, Normal, Soft, Drum
_ADDITIONS = ((2, "W", QColor(95, 175, 255)), (4, "F", QColor(255, 205, 70)), (8, "C", QColor(255, 110, 120)))
_SET_COLOR = QColor(190, 195, 205)
_BADGE_BG = QColor(8, 10, 14, 215)


def look_code(bits: int, normal_set: int, addition_set: int, custom: bool) -> int:
    """One int per badge look (the sprite cache key): additions, the two sample sets (the addition set only when
    there are additions to play it) and the custom mark."""
    additions = bits & 14
    return (additions >> 1) | normal_set << 3 | (addition_set if additions else 0) << 5 | int(custom) << 7


def badge_text(code: int) -> list[tuple[str, QColor]]:
    """The badge's letters and their colours for a :func:`look_code`."""
    out: list[tuple[str, QColor]] = []
    if _SET_LETTERS[code >> 3 & 3]:
        out.append((_SET_LETTERS[code >> 3 & 3], _SET_COLOR))
    out += [(letter, color) for bit, letter, color in _ADDITIONS if code << 1 & bit]
    if _SET_LETTERS[code >> 5 & 3]:
        out.append((_SET_LETTERS[code >> 5 & 3], _SET_COLOR))
    if code >> 7 & 1:
        out.append(("•", _SET_COLOR))
    return out


class HitsoundMarksItem(_ViewSpanItem):
    """The badges of the current chart's sounded notes (:mod:`editor.controllers.hitsound_marks` fills it)."""

    def __init__(self) -> None:
        super().__init__(11)  # over the note heads, under the foot labels and the ghosts
        self.time_s = np.zeros(0)
        self.lane = np.zeros(0, dtype=np.int64)
        self.code = np.zeros(0, dtype=np.int64)
        self.beat: np.ndarray | None = None  # the notes' beats, where given: X-mod places the badges by them
        self._sprites: dict[tuple[int, int], QPixmap] = {}

    def set_marks(self, time_s, lanes, codes, beats=None) -> None:
        """Sounded notes: time (s), lane and :func:`look_code` each (any order), and their beats (the current
        timing's) if known: in X-mod a badge then sits on its note inside a warp, whose notes share one time."""
        order = np.argsort(np.asarray(time_s, dtype=np.float64), kind="stable")
        self.time_s = np.asarray(time_s, dtype=np.float64)[order]
        self.lane = np.asarray(lanes, dtype=np.int64)[order]
        self.code = np.asarray(codes, dtype=np.int64)[order]
        self.beat = None if beats is None else np.asarray(beats, dtype=np.float64)[order]
        self.update()

    def __len__(self) -> int:
        return len(self.time_s)

    def paint(self, painter: QPainter, *_args) -> None:
        shown = geo.visible_marks(self, painter, self.time_s)
        if shown is None:
            return
        pm, lo, hi = shown
        head = float(np.clip(pm.lane_px * 0.72, 8.0, 46.0))  # the note head's size (NotesItem.paint)
        px = int(np.clip(pm.lane_px * 0.15, 8.0, 12.0))
        xs = pm.x(self.lane[lo:hi].astype(np.float64) + 1.0)
        if self.beat is not None and pm.axis.beat_spaced:
            ys = pm.y_beat(self.beat[lo:hi])
        else:
            ys = pm.y(self.time_s[lo:hi])
        painter.save()
        painter.resetTransform()
        for k in range(hi - lo):
            sprite = self._sprite(int(self.code[lo + k]), px)
            painter.drawPixmap(QPointF(float(xs[k]) - sprite.width() - 2.0,
                                       float(ys[k]) - head * 0.42 - sprite.height() / 2), sprite)
        painter.restore()

    def _sprite(self, code: int, px: int) -> QPixmap:
        """The badge of one look at one size, drawn once (text layout per note per frame would cost ~20x more)."""
        sprite = self._sprites.get((code, px))
        if sprite is not None:
            return sprite
        font = QFont()
        font.setPixelSize(px)
        font.setBold(True)
        metrics = QFontMetricsF(font)
        parts = badge_text(code)
        widths = [metrics.horizontalAdvance(text) for text, _ in parts]
        sprite = QPixmap(int(sum(widths) + 5), px + 4)
        sprite.fill(Qt.GlobalColor.transparent)
        p = QPainter(sprite)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(_BADGE_BG)
        p.drawRoundedRect(QRectF(0, 0, sprite.width(), sprite.height()), 3.0, 3.0)
        p.setFont(font)
        x = 2.5
        for (text, color), width in zip(parts, widths, strict=True):
            p.setPen(color)
            p.drawText(QRectF(x, 0, width, sprite.height()), int(Qt.AlignmentFlag.AlignCenter), text)
            x += width
        p.end()
        self._sprites[(code, px)] = sprite
        return sprite

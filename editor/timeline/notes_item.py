"""NotesItem: draws a chart's notes (or AI draft ghosts) for the visible time range only.

Heads are drawn in device pixels (constant size at every zoom): arrows for the Left/Down/Up/Right pads
(:func:`chart.keyboard.draws_arrows`: dance-single, doubles, couple, routine, techno's 4-panel modes; not an
osu!mania map), bars otherwise (other panels, keys),
coloured by quantisation like a StepMania noteskin; holds and rolls get a body to the tail; mines are round.
Ghost mode draws drafts hollow, dashed and tinted by model confidence (magenta = unsure, cyan = sure), so that
a designer never mistakes a draft for a note of the chart. Reference mode draws another difficulty of the song
as pale outlines behind the chart (compare: which of the easier chart's steps the harder one keeps).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen, QPixmap, QTransform

from editor.timeline import geometry as geo
from editor.timeline.note_index import NoteIndex

_ARROW = [(0.0, -0.5), (0.5, 0.0), (0.2, 0.0), (0.2, 0.5), (-0.2, 0.5), (-0.2, 0.0), (-0.5, 0.0)]
_ROTATION = {0: -90.0, 1: 180.0, 2: 0.0, 3: 90.0}  # left, down, up, right (dance-single)
_KIND_HOLD, _KIND_ROLL, _KIND_MINE, _KIND_FAKE, _KIND_LIFT = 1, 2, 3, 4, 5


def _arrow_path(lane: int, size_px: float) -> QPainterPath:
    path = QPainterPath()
    pts = [QPointF(x * size_px, y * size_px) for x, y in _ARROW]
    path.moveTo(pts[0])
    for p in pts[1:]:
        path.lineTo(p)
    path.closeSubpath()
    return QTransform().rotate(_ROTATION[lane % 4]).map(path)


class NotesItem(pg.GraphicsObject):
    """Paints a :class:`NoteIndex`. ``ghost=True`` draws it as AI draft notes, ``reference=True`` as another
    difficulty's notes (pale outlines, under the chart's own)."""

    def __init__(self, ghost: bool = False, reference: bool = False):
        super().__init__()
        self.ghost, self.reference = ghost, reference and not ghost
        self.index: NoteIndex | None = None
        self.lanes = 4
        self._arrows_asked = True  # set_index's ``arrows``
        self.pad_arrows = True  # the chart's panels are Left/Down/Up/Right (set_arrow_style)
        self._extent_s = (0.0, 60.0)
        self._paths: dict[tuple[int, int], QPainterPath] = {}
        self._sprites: dict[tuple, QPixmap] = {}
        self.setZValue(20 if ghost else 5 if self.reference else 10)

    # ------------------------------------------------------------------ data
    @property
    def arrows(self) -> bool:
        """Whether heads are drawn as arrows: Left/Down/Up/Right pads (doubles repeat them per pad), else bars."""
        return self._arrows_asked and self.pad_arrows and self.lanes in (4, 8)

    def set_arrow_style(self, pad_arrows: bool) -> None:
        """Whether the chart shown has Left/Down/Up/Right panels (:func:`chart.keyboard.draws_arrows` of its chart:
        not a techno-single8, a bm-single7 or an osu!mania 8K map, whose 4 or 8 lanes are other panels or keys)."""
        if pad_arrows != self.pad_arrows:
            self.pad_arrows = pad_arrows
            self.update()

    def set_index(self, index: NoteIndex | None, lanes: int, arrows: bool) -> None:
        self.prepareGeometryChange()
        self.index, self.lanes, self._arrows_asked = index, lanes, arrows
        self.update()

    def set_extent(self, t0_s: float, t1_s: float) -> None:
        self.prepareGeometryChange()
        self._extent_s = (t0_s - 5.0, t1_s + 5.0)
        self.update()

    def boundingRect(self) -> QRectF:
        t0, t1 = self._extent_s
        return QRectF(0.0, t0, float(self.lanes), t1 - t0)

    # ------------------------------------------------------------------ painting
    def paint(self, painter: QPainter, *_args) -> None:
        ix = self.index
        if ix is None or len(ix) == 0:
            return
        pm = geo.pixel_map(self, painter)
        size = float(np.clip(pm.lane_px * 0.72, 8.0, 46.0))
        # A head is centred on its time: one whose time is just past the view's edge still shows up to half of
        # itself (its badge a little more). The range is widened by a head's height, else heads popped in and
        # out whole at the top and bottom edges while scrolling.
        # In X-mod notes are placed by beat (geometry.TimeAxis.by_beat): a warp's notes share one time, and by
        # time they all sat on the row of the warp's end while the warp's own rows stayed empty.
        by_beat = pm.axis.by_beat(ix.timing)
        margin = size / max(abs(pm.sy), 1e-9)
        view = geo.visible_beats(self, margin) if by_beat else geo.visible_range(self, margin_y=margin)
        if view is None:
            return
        idx = ix.visible(view[-2], view[-1], by_beat)
        if len(idx) == 0:
            return
        starts, ends, _ = ix.spans(by_beat)
        row = (lambda v: pm.y_beat(v, ix.timing)) if by_beat else pm.y
        heads = np.asarray(row(starts[idx]), dtype=np.float64)
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self._paint_bodies(painter, pm, ix, idx, size, heads, np.asarray(row(ends[idx]), dtype=np.float64))
        self._paint_heads(painter, pm, ix, idx, size, heads)
        painter.restore()

    def _paint_bodies(self, painter: QPainter, pm: geo.PixelMap, ix: NoteIndex, idx: np.ndarray, size: float,
                      heads: np.ndarray, tails: np.ndarray) -> None:
        """Bodies of the holds and rolls among ``idx`` of ``ix``, whose heads and tails are at pixel rows ``heads``,
        ``tails``."""
        long_k = np.flatnonzero((ix.kinds[idx] == _KIND_HOLD) | (ix.kinds[idx] == _KIND_ROLL))
        width = size * 0.55
        for k in long_k.tolist():
            i = idx[k]
            cx = pm.x(ix.lanes[i] + 0.5)
            y_head, y_tail = float(heads[k]), float(tails[k])
            y0, y1 = sorted((y_head, y_tail))  # the body runs from the head to the tail, down or (reverse) up
            rect = QRectF(cx - width / 2, y0, width, y1 - y0)
            color = QColor(geo.ROLL_BODY if ix.kinds[i] == _KIND_ROLL else geo.HOLD_BODY)
            if self.ghost:
                color = geo.ghost_color(float(ix.confidence[i]))
                color.setAlpha(90)
            elif self.reference:
                color = QColor(geo.REFERENCE_COLOR)
                color.setAlpha(55)
            painter.setPen(Qt.PenStyle.NoPen)
            if ix.kinds[i] == _KIND_ROLL and not self.ghost and not self.reference:
                painter.setBrush(QBrush(color, Qt.BrushStyle.BDiagPattern))
            else:
                painter.setBrush(color)
            painter.drawRect(rect)  # plain rects: antialiased rounded ones cost ~0.4 ms each here
            if ix.selected[i]:
                painter.setPen(QPen(geo.SELECT_COLOR, 2))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(rect)
            # tail cap, so the end of a hold reads clearly at every zoom (inside the body, at its tail end)
            cap_top = y_tail - 3 if y_tail >= y_head else y_tail
            painter.fillRect(QRectF(cx - width / 2, cap_top, width, 3), color.lighter(130))

    def _head_key(self, ix: NoteIndex, i: int, size: int) -> tuple:
        """What note ``i`` of ``ix`` looks like: shape (lane or mine or bar), size, colour class, selection."""
        kind = int(ix.kinds[i])
        shape: str | int
        if kind == _KIND_MINE:
            shape = "mine"
        elif kind == _KIND_LIFT or not self.arrows:
            shape = "bar"  # lifts are bars even among arrows, as StepMania noteskins draw them
        else:
            shape = int(ix.lanes[i])
        if kind == _KIND_FAKE and not self.ghost:
            return shape, size, int(ix.quant[i]), "fake-selected" if ix.selected[i] else "fake"
        if self.ghost:
            return shape, size, "ghost", int(round(float(ix.confidence[i]) * 15))
        if self.reference:
            return shape, size, "reference", False
        return shape, size, int(ix.quant[i]), bool(ix.selected[i])

    def _sprite(self, key: tuple) -> QPixmap:
        """A pre-rendered head (antialiased once, then blitted: ~50x cheaper than drawing the path each frame)."""
        sprite = self._sprites.get(key)
        if sprite is not None:
            return sprite
        shape, size, colour, state = key
        if shape == "unsure":
            return self._badge(size)
        pad = 4
        sprite = QPixmap(size + 2 * pad, size + 2 * pad)
        sprite.fill(Qt.GlobalColor.transparent)
        p = QPainter(sprite)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if colour == "ghost":
            color = geo.ghost_color(state / 15.0)
            fill = QColor(color)
            fill.setAlpha(70)
            p.setPen(QPen(color, 2.0, Qt.PenStyle.DashLine))
            p.setBrush(fill)
        elif colour == "reference":  # another difficulty: a pale outline, so the chart's own notes stay on top
            color = QColor(geo.REFERENCE_COLOR)
            p.setPen(QPen(color, 1.5))
            color.setAlpha(40)
            p.setBrush(color)
        elif state in ("fake", "fake-selected"):  # fakes are never judged: a faint outline of the head
            color = geo.quant_color(colour)
            p.setPen(QPen(geo.SELECT_COLOR, 3.0, Qt.PenStyle.DotLine) if state == "fake-selected"
                     else QPen(color, 1.5, Qt.PenStyle.DotLine))
            color.setAlpha(60)
            p.setBrush(color)
        elif state:  # selected
            p.setPen(QPen(geo.SELECT_COLOR, 3.0))
            p.setBrush(geo.quant_color(colour).lighter(140))
        else:
            p.setPen(QPen(QColor(15, 15, 20), 1.5))
            p.setBrush(geo.quant_color(colour))
        centre = QPointF(pad + size / 2, pad + size / 2)
        if shape == "mine":
            self._paint_mine(p, centre, float(size), colour not in ("ghost", "reference") and state is True)
        elif shape == "bar":
            h = max(6.0, size * 0.35)
            p.drawRoundedRect(QRectF(centre.x() - size / 2, centre.y() - h / 2, size, h), 3, 3)
        else:
            p.drawPath(self._path(int(shape), float(size)).translated(centre))
        p.end()
        self._sprites[key] = sprite
        return sprite

    def _badge(self, size: int) -> QPixmap:
        """The "arrows are a guess" badge: a "?" in an amber disc."""
        sprite = QPixmap(size + 2, size + 2)
        sprite.fill(Qt.GlobalColor.transparent)
        p = QPainter(sprite)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(QPen(QColor(20, 20, 24), 1.0))
        p.setBrush(geo.UNSURE_COLOR)
        p.drawEllipse(QRectF(1, 1, size, size))
        font = p.font()
        font.setBold(True)
        font.setPixelSize(max(7, int(size * 0.8)))
        p.setFont(font)
        p.setPen(QColor(20, 20, 24))
        p.drawText(QRectF(1, 1, size, size), int(Qt.AlignmentFlag.AlignCenter), "?")
        p.end()
        self._sprites[("unsure", size, "badge", False)] = sprite
        return sprite

    def _paint_heads(self, painter: QPainter, pm: geo.PixelMap, ix: NoteIndex, idx: np.ndarray, size: float,
                     ys: np.ndarray) -> None:
        xs = pm.x(ix.lanes[idx].astype(np.float64) + 0.5)
        isize = int(size)
        for k, i in enumerate(idx):
            sprite = self._sprite(self._head_key(ix, int(i), isize))
            half = sprite.width() / 2
            painter.drawPixmap(QPointF(float(xs[k]) - half, float(ys[k]) - half), sprite)
        if self.ghost and ix.unsure.any():  # the lane model guessed these arrows: a "?" badge
            badge = self._sprite(("unsure", max(10, isize // 3), "badge", False))
            off = size * 0.32
            for j in np.flatnonzero(ix.unsure[idx]):
                painter.drawPixmap(QPointF(float(xs[j]) + off - badge.width() / 2,
                                           float(ys[j]) - off - badge.height() / 2), badge)

    def _paint_mine(self, painter: QPainter, center: QPointF, size: float, selected: bool) -> None:
        r = size * 0.32
        if not self.ghost and not self.reference:
            painter.setBrush(QColor(30, 30, 30))
            painter.setPen(QPen(geo.SELECT_COLOR if selected else geo.MINE_COLOR, 3.0 if selected else 2.5))
        painter.drawEllipse(center, r, r)
        painter.drawLine(QPointF(center.x() - r * 0.6, center.y() - r * 0.6),
                         QPointF(center.x() + r * 0.6, center.y() + r * 0.6))
        painter.drawLine(QPointF(center.x() - r * 0.6, center.y() + r * 0.6),
                         QPointF(center.x() + r * 0.6, center.y() - r * 0.6))

    def _path(self, lane: int, size: float) -> QPainterPath:
        key = (lane, int(size))
        path = self._paths.get(key)
        if path is None:
            path = self._paths[key] = _arrow_path(lane, float(int(size)))
        return path

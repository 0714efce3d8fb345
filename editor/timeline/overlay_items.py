"""Small timeline items: lane backgrounds, the cursor/playhead with receptors, the selection box, the selected
range / loop region and the AI probability curve."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

from editor.timeline import geometry as geo


class _ViewSpanItem(pg.GraphicsObject):
    """Base for items that cover the whole lane area of the visible range (culling is done in paint)."""

    def __init__(self, z: float):
        super().__init__()
        self.lanes = 4
        self._extent_s = (0.0, 60.0)
        self.setZValue(z)

    def set_extent(self, t0_s: float, t1_s: float, lanes: int) -> None:
        self.prepareGeometryChange()
        self._extent_s = (t0_s - 60.0, t1_s + 60.0)
        self.lanes = lanes
        self.update()

    def boundingRect(self) -> QRectF:
        t0, t1 = self._extent_s
        return QRectF(-3.0, t0, self.lanes + 5.0, t1 - t0)


class LanesBackgroundItem(_ViewSpanItem):
    """Alternating lane shading and the audio's extent (darker outside the song)."""

    def __init__(self) -> None:
        super().__init__(-30)
        self.audio_s = (0.0, 0.0)

    def paint(self, painter: QPainter, *_args) -> None:
        view = geo.visible_range(self)
        if view is None:
            return
        pm = geo.pixel_map(self, painter)
        painter.save()
        painter.resetTransform()
        for lane in range(self.lanes):
            painter.fillRect(pm.rect(lane, view[2], lane + 1, view[3]), geo.LANE_BG[lane % 2])
        a0, a1 = self.audio_s
        shade = QColor(0, 0, 0, 110)
        if view[2] < a0:
            painter.fillRect(pm.rect(0, view[2], self.lanes, min(a0, view[3])), shade)
        if view[3] > a1 > 0:
            painter.fillRect(pm.rect(0, max(a1, view[2]), self.lanes, view[3]), shade)
        painter.restore()


class CursorItem(_ViewSpanItem):
    """The edit cursor (which is also the playhead): a line across the lanes with receptor outlines."""

    def __init__(self) -> None:
        super().__init__(40)
        self.time_s = 0.0
        self.beat: float | None = None  # the beat the cursor is on, where known (a warp's beats share one time)
        self.playing = False

    def set_time(self, t_s: float, playing: bool, beat: float | None = None) -> None:
        """The cursor's time, and its beat where the time alone would not say which (X-mod draws a warp's beats
        on rows of their own: :meth:`editor.timeline.view.TimelineWidget.exact_beat`)."""
        self.time_s, self.playing, self.beat = t_s, playing, beat
        self.update()

    def paint(self, painter: QPainter, *_args) -> None:
        pm = geo.pixel_map(self, painter)
        y = float(pm.y_beat(self.beat)) if self.beat is not None else pm.y(self.time_s)
        x0, x1 = pm.x(0.0), pm.x(float(self.lanes))
        painter.save()
        painter.resetTransform()
        color = geo.PLAYHEAD_COLOR if self.playing else geo.CURSOR_COLOR
        painter.setPen(QPen(color, 2.0))
        painter.drawLine(QLineF(x0 - 6, y, x1 + 6, y))
        size = float(np.clip(pm.lane_px * 0.72, 8.0, 46.0))
        receptor = QColor(color)
        receptor.setAlpha(90)
        painter.setPen(QPen(receptor, 2.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for lane in range(self.lanes):
            cx = pm.x(lane + 0.5)
            painter.drawRect(QRectF(cx - size / 2, y - size / 2, size, size))
        painter.restore()


class SelectionBoxItem(_ViewSpanItem):
    """Rubber band of a box selection, in data coordinates (lane units, seconds; or beats with ``by_beat``, as
    X-mod places what is on a beat: :meth:`editor.timeline.pointer.PointerMixin.show_box`)."""

    def __init__(self) -> None:
        super().__init__(45)
        self.box: tuple[float, float, float, float] | None = None
        self.by_beat = False

    def set_box(self, box: tuple[float, float, float, float] | None, by_beat: bool = False) -> None:
        self.box, self.by_beat = box, by_beat
        self.update()

    def paint(self, painter: QPainter, *_args) -> None:
        if self.box is None:
            return
        pm = geo.pixel_map(self, painter)
        x0, t0, x1, t1 = self.box
        if self.by_beat:
            rect = QRectF(QPointF(pm.x(x0), float(pm.y_beat(t0))), QPointF(pm.x(x1), float(pm.y_beat(t1))))
        else:
            rect = pm.rect(x0, t0, x1, t1)
        painter.save()
        painter.resetTransform()
        painter.setPen(QPen(QColor(120, 180, 255), 1.0, Qt.PenStyle.DashLine))
        painter.setBrush(QColor(120, 180, 255, 40))
        painter.drawRect(rect.normalized())
        painter.restore()


class RangeItem(_ViewSpanItem):
    """The selected beat range (blue) and the playback loop region (green), beside and behind the lanes."""

    def __init__(self) -> None:
        super().__init__(-5)
        self.range_s: tuple[float, float] | None = None
        self.loop_s: tuple[float, float] | None = None

    def set_ranges(self, range_s: tuple[float, float] | None, loop_s: tuple[float, float] | None) -> None:
        self.range_s, self.loop_s = range_s, loop_s
        self.update()

    def paint(self, painter: QPainter, *_args) -> None:
        pm = geo.pixel_map(self, painter)
        painter.save()
        painter.resetTransform()
        if self.range_s is not None:
            painter.fillRect(pm.rect(0, self.range_s[0], self.lanes, self.range_s[1]), QColor(80, 140, 255, 45))
            painter.fillRect(pm.rect(-0.12, self.range_s[0], -0.04, self.range_s[1]), QColor(80, 140, 255, 220))
        if self.loop_s is not None:
            painter.fillRect(pm.rect(self.lanes + 0.04, self.loop_s[0], self.lanes + 0.12, self.loop_s[1]),
                             QColor(80, 230, 120, 220))
        painter.restore()


class CurveItem(_ViewSpanItem):
    """The model's onset probability over time, as a filled curve in a strip right of the lanes."""

    def __init__(self) -> None:
        super().__init__(15)
        self.times_s = np.zeros(0)
        self.probs = np.zeros(0)
        self.threshold: float | None = None

    def set_curve(self, times_s: np.ndarray, probs: np.ndarray, threshold: float | None = None) -> None:
        self.times_s = np.asarray(times_s, dtype=np.float64)
        self.probs = np.clip(np.asarray(probs, dtype=np.float64), 0.0, 1.0)
        self.threshold = threshold
        self.update()

    def paint(self, painter: QPainter, *_args) -> None:
        view = geo.visible_range(self)
        if view is None or len(self.times_s) < 2:
            return
        lo = max(0, int(np.searchsorted(self.times_s, view[2])) - 1)
        hi = min(len(self.times_s), int(np.searchsorted(self.times_s, view[3])) + 1)
        if hi - lo < 2:
            return
        pm = geo.pixel_map(self, painter)
        base = self.lanes + geo.CURVE_GAP
        xs = pm.x(base + self.probs[lo:hi] * (geo.CURVE_X1 - geo.CURVE_X0))
        ys = pm.y(self.times_s[lo:hi])
        step = max(1, (hi - lo) // 2000)  # never more than ~2000 vertices per frame
        path = QPainterPath(QPointF(pm.x(base), float(ys[0])))
        for x, y in zip(xs[::step], ys[::step]):
            path.lineTo(float(x), float(y))
        path.lineTo(pm.x(base), float(ys[-1]))
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.fillRect(pm.rect(base, view[2], self.lanes + geo.CURVE_STRIP, view[3]), QColor(18, 18, 24))
        painter.setPen(QPen(geo.GHOST_HIGH, 1.2))
        painter.setBrush(QColor(120, 255, 240, 60))
        painter.drawPath(path)
        if self.threshold is not None:
            x = pm.x(base + self.threshold)
            painter.setPen(QPen(QColor(255, 255, 255, 90), 1.0, Qt.PenStyle.DashLine))
            painter.drawLine(QLineF(x, pm.y(view[2]), x, pm.y(view[3])))
        painter.restore()


class JudgmentMarksItem(_ViewSpanItem):
    """Where a test play's hits landed: for each judged note, a line in its lane from the note to the moment the
    key went down (early above, late below; the other way in reverse scroll) ending in a dot of the grade's colour;
    a cross for a miss. Stays after the run, so the notefield shows where it went wrong.

    Painted a colour (a grade) at a time, the lines as one path and the dots as round points: mark by mark with a
    pen each, a 10,000-note run doubled a zoomed-out frame (7 -> 17 ms at 40 px/s). A run appends its results as
    they come (:meth:`add_marks`), so a key press costs its own mark, not the whole run's."""

    def __init__(self) -> None:
        super().__init__(15)
        self.note_s = np.zeros(0)
        self.hit_s = np.zeros(0)  # NaN for a miss
        self.lane = np.zeros(0, dtype=np.int64)
        self.color = np.zeros(0, dtype=np.uint32)  # each mark's colour, as QColor.rgba()
        self._colors: dict[int, QColor] = {}  # rgba -> the colour

    def set_marks(self, note_s, hit_s, lanes, colors: list[QColor]) -> None:
        """Show these marks instead of those shown."""
        self.note_s, self.hit_s = np.zeros(0), np.zeros(0)
        self.lane, self.color = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint32)
        self._colors = {}
        self.add_marks(note_s, hit_s, lanes, colors)

    def add_marks(self, note_s, hit_s, lanes, colors: list[QColor]) -> None:
        """Show these marks too (a note's time, its hit's time or NaN for a miss, its lane, the grade's colour)."""
        keys = []
        for c in colors:
            keys.append(c.rgba())
            self._colors.setdefault(keys[-1], QColor(c))
        self.note_s = np.concatenate([self.note_s, np.asarray(note_s, dtype=np.float64)])
        self.hit_s = np.concatenate([self.hit_s, np.asarray(hit_s, dtype=np.float64)])
        self.lane = np.concatenate([self.lane, np.asarray(lanes, dtype=np.int64)])
        self.color = np.concatenate([self.color, np.asarray(keys, dtype=np.uint32)])
        self.update()

    def paint(self, painter: QPainter, *_args) -> None:
        view = geo.visible_range(self)
        if view is None or not len(self.note_s):
            return
        pm = geo.pixel_map(self, painter)
        t0, t1 = view[2] - 0.3, view[3] + 0.3
        shown = np.flatnonzero((self.note_s >= t0) & (self.note_s <= t1))
        if not len(shown):
            return
        r = float(np.clip(pm.lane_px * 0.09, 3.0, 6.0))
        x = pm.x(self.lane[shown] + 0.88)
        y_note = pm.y(self.note_s[shown])
        missed = np.isnan(self.hit_s[shown])
        y_hit = pm.y(np.where(missed, self.note_s[shown], self.hit_s[shown]))
        keys = self.color[shown]
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for key in np.unique(keys):
            color = self._colors[int(key)]
            hit = (keys == key) & ~missed
            miss = (keys == key) & missed
            xh, xm, ym = x[hit], x[miss], y_note[miss]
            # segments as point pairs: a hit's line from its note to its hit, a miss's two strokes of a cross
            xs = np.concatenate([np.column_stack([xh, xh]).ravel(),
                                 np.column_stack([xm - r, xm + r, xm - r, xm + r]).ravel()])
            ys = np.concatenate([np.column_stack([y_note[hit], y_hit[hit]]).ravel(),
                                 np.column_stack([ym - r, ym + r, ym + r, ym - r]).ravel()])
            painter.setPen(QPen(color, 2.0))
            painter.drawPath(pg.arrayToQPath(xs, ys, connect="pairs"))
            if len(xh):  # the dots: round points as wide as the dot and its outline were
                dot = QPen(color, 2.0 * r + 2.0)
                dot.setCapStyle(Qt.PenCapStyle.RoundCap)
                painter.setPen(dot)
                painter.drawPoints(pg.functions.arrayToQPolygonF(xh, y_hit[hit]))
        painter.restore()


#: Foot label kinds (:class:`FootLabelsItem`): which foot (or a hand) steps a note.
FOOT_LEFT, FOOT_RIGHT, FOOT_HAND = 0, 1, 2
#: Row marks: nothing to note, the row crosses the feet over, the row is a fast double step.
MARK_NONE, MARK_CROSSOVER, MARK_DOUBLE_STEP = 0, 1, 2
_FOOT_TEXT = {FOOT_LEFT: "L", FOOT_RIGHT: "R", FOOT_HAND: "H"}
_FOOT_COLORS = {FOOT_LEFT: QColor(110, 200, 255), FOOT_RIGHT: QColor(255, 140, 170), FOOT_HAND: QColor(200, 200, 200)}
_MARK_BG = {MARK_NONE: QColor(10, 12, 18, 190), MARK_CROSSOVER: QColor(230, 160, 30, 230),
            MARK_DOUBLE_STEP: QColor(220, 50, 50, 235)}


class FootLabelsItem(_ViewSpanItem):
    """Which foot steps each note (:func:`chart.parity.parse_feet`): a small L / R (H for a hand) badge at the
    note's lower left, in the foot's colour; its background turns amber on a row that crosses the feet over and
    red on a fast double step, the two things the Verify parity check reports."""

    def __init__(self) -> None:
        super().__init__(12)
        self.time_s = np.zeros(0)
        self.lane = np.zeros(0, dtype=np.int64)
        self.foot = np.zeros(0, dtype=np.int64)
        self.mark = np.zeros(0, dtype=np.int64)

    def set_labels(self, time_s, lanes, feet, marks) -> None:
        order = np.argsort(np.asarray(time_s, dtype=np.float64), kind="stable")
        self.time_s = np.asarray(time_s, dtype=np.float64)[order]
        self.lane = np.asarray(lanes, dtype=np.int64)[order]
        self.foot = np.asarray(feet, dtype=np.int64)[order]
        self.mark = np.asarray(marks, dtype=np.int64)[order]
        self.update()

    def paint(self, painter: QPainter, *_args) -> None:
        shown = geo.visible_marks(self, painter, self.time_s)
        if shown is None:
            return
        pm, lo, hi = shown
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        size = float(np.clip(pm.lane_px * 0.2, 9.0, 15.0))
        font = painter.font()
        font.setPixelSize(int(size * 0.8))
        font.setBold(True)
        painter.setFont(font)
        for i in range(lo, hi):
            x = float(pm.x(self.lane[i] + 0.06))
            y = float(pm.y(self.time_s[i])) + pm.lane_px * 0.12
            box = QRectF(x, y, size, size)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_MARK_BG[int(self.mark[i])])
            painter.drawRoundedRect(box, 3.0, 3.0)
            painter.setPen(QPen(_FOOT_COLORS[int(self.foot[i])] if self.mark[i] == MARK_NONE else QColor(0, 0, 0)))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, _FOOT_TEXT[int(self.foot[i])])
        painter.restore()

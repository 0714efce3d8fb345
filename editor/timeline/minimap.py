"""DensityMinimap: the whole song at a glance — notes per second of the current chart (and of the AI drafts),
the visible window, the cursor and Verify issue marks (problems red, warnings amber, as the Verify list colours
them). Click or drag to seek; a click gives the keyboard focus to the notefield it follows (the minimap takes
none), so the next key (Space...) acts on the chart, not in the panel field that had the focus.

Time runs down like the notefield, and up when the notefield is in reverse scroll (:meth:`set_reversed`), so a
passage sits at the same end of both. The density curve comes from :func:`chart.stats` through ``density_fn``;
the widget only bins and paints, and recomputes only when told the notes changed. The visible-window box follows
the notefield by itself (:meth:`follow`): sent only on cursor moves and zooms, it went stale when Beat-Spaced or
a window resize changed what the notefield shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QLinearGradient, QMouseEvent, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from editor.timeline import geometry as geo

if TYPE_CHECKING:  # the notefield imports the timeline's items, never this widget
    from editor.timeline.view import TimelineWidget

DensityFn = Callable[[], tuple[np.ndarray, np.ndarray]]  # -> (bin centres in s, notes per second)
PROBLEM_TICK = QColor(240, 90, 90)  # the Verify list's colours (editor.panels.verify.COLORS)
WARNING_TICK = QColor(240, 180, 60)


class DensityMinimap(QWidget):
    """Vertical NPS graph of the whole song that seeks on click."""

    seek_requested = Signal(float)  # seconds

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumWidth(64)
        self.setMaximumWidth(96)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.setToolTip("Notes per second over the whole song (click to seek)")
        self.setAccessibleName("Density minimap")
        self.density_fn: DensityFn | None = None
        self.ghost_density_fn: DensityFn | None = None
        self.reference_density_fn: DensityFn | None = None  # the compared difficulty, a pale outline
        self.duration_s = 60.0
        self.view_s = (0.0, 10.0)
        self.cursor_s = 0.0
        self.issue_times_s: list[float] = []  # problems
        self.warning_times_s: list[float] = []
        self.reversed = False  # time runs up, as in the notefield's reverse scroll
        self._curve: tuple[np.ndarray, np.ndarray] | None = None
        self._ghost: tuple[np.ndarray, np.ndarray] | None = None
        self._reference: tuple[np.ndarray, np.ndarray] | None = None
        self._cache: QPixmap | None = None  # the curves, redrawn only when they or the size change
        self._cache_key: tuple | None = None
        self._followed: TimelineWidget | None = None  # the TimelineWidget whose visible range the box shows (follow)

    # ------------------------------------------------------------------ state
    def refresh(self) -> None:
        """Recompute the density curves (call after notes or drafts change)."""
        self._curve = self.density_fn() if self.density_fn is not None else None
        self._ghost = self.ghost_density_fn() if self.ghost_density_fn is not None else None
        self._reference = self.reference_density_fn() if self.reference_density_fn is not None else None
        self._cache_key = None
        self.update()

    def set_duration(self, duration_s: float) -> None:
        """Span the song: ``duration_s`` (the session's, the audio's length when there is audio), or further, to
        the end of the last note of the followed notefield, which scrolls and seeks past the audio to its notes
        (``TimelineWidget.seek``): notes after the end of the audio are drawn and a click reaches them."""
        self.duration_s = max(duration_s, self.notes_end_s(), 1.0)
        self.update()

    def notes_end_s(self) -> float:
        """Where the followed notefield's last note ends (a hold at its tail), in seconds; 0 without notes."""
        index = getattr(self._followed, "index", None)
        return float(np.max(index.end_s)) if index is not None and len(index) else 0.0

    def set_view(self, t0_s: float, t1_s: float, cursor_s: float) -> None:
        self.view_s, self.cursor_s = (t0_s, t1_s), cursor_s
        self.update()

    def follow(self, timeline: TimelineWidget) -> None:
        """Show ``timeline``'s visible range (a :class:`~editor.timeline.view.TimelineWidget`) from now on: the box
        is re-sent whenever the notefield's view range changes, whatever changed it (a seek, playback, zoom,
        Beat-Spaced on or off, a resize), from the one signal every such change passes through."""
        self._followed = timeline
        timeline.vb.sigYRangeChanged.connect(self._view_range_changed)
        self._view_range_changed()

    def _view_range_changed(self, *_args) -> None:
        timeline = self._followed
        assert timeline is not None  # connected by follow
        self.set_view(*timeline.visible_times(), timeline.cursor_s)

    def set_reversed(self, on: bool) -> None:
        """Time running up (the song's start at the bottom) or down."""
        self.reversed = bool(on)
        self._cache_key = None
        self.update()

    def set_issues(self, problems_s: Sequence[float], warnings_s: Sequence[float] = ()) -> None:
        """Tick the times of Verify's problems (red) and warnings (amber): a red tick always means a problem."""
        self.issue_times_s, self.warning_times_s = list(problems_s), list(warnings_s)
        self.update()

    # ------------------------------------------------------------------ geometry
    def _y(self, t_s: float) -> float:
        frac = t_s / self.duration_s
        return 4.0 + (self.height() - 8.0) * (1.0 - frac if self.reversed else frac)

    def time_at(self, y: float) -> float:
        frac = float(np.clip((y - 4.0) / max(self.height() - 8.0, 1.0), 0.0, 1.0))
        return (1.0 - frac if self.reversed else frac) * self.duration_s

    # ------------------------------------------------------------------ painting
    def paintEvent(self, _ev) -> None:  # noqa: N802 - Qt API
        key = (self.width(), self.height(), self.duration_s, tuple(self.issue_times_s), tuple(self.warning_times_s),
               self.reversed)
        if self._cache is None or key != self._cache_key:
            self._cache = self._render_static()
            self._cache_key = key
        p = QPainter(self)
        p.drawPixmap(0, 0, self._cache)
        y0, y1 = self._y(self.view_s[0]), self._y(self.view_s[1])
        p.setPen(QPen(QColor(255, 255, 255, 150), 1.0))
        p.setBrush(QColor(255, 255, 255, 28))
        y0, y1 = sorted((y0, y1))
        p.drawRect(QRectF(1, y0, self.width() - 2, max(y1 - y0, 2.0)))
        p.setPen(QPen(geo.PLAYHEAD_COLOR, 1.5))
        yc = self._y(self.cursor_s)
        p.drawLine(QPointF(0, yc), QPointF(self.width(), yc))
        p.end()

    def _render_static(self) -> QPixmap:
        """Background, density curves, issue marks and the scale label (what changes only with the notes)."""
        pixmap = QPixmap(max(self.width(), 1), max(self.height(), 1))
        pixmap.fill(QColor(16, 17, 22))
        p = QPainter(pixmap)
        peak = 1.0
        for curve in (self._curve, self._ghost, self._reference):
            if curve is not None and len(curve[1]):
                peak = max(peak, float(np.max(curve[1])))
        if self._curve is not None:
            self._paint_curve(p, self._curve, peak, style="chart")
        if self._reference is not None:
            self._paint_curve(p, self._reference, peak, style="reference")
        if self._ghost is not None:
            self._paint_curve(p, self._ghost, peak, style="ghost")
        for color, times in ((WARNING_TICK, self.warning_times_s), (PROBLEM_TICK, self.issue_times_s)):
            p.setPen(QPen(color, 2.0))  # problems drawn last: one where a warning is shows red
            for t in times:
                y = self._y(t)
                p.drawLine(QPointF(self.width() - 7, y), QPointF(self.width() - 1, y))
        p.setPen(QColor(170, 170, 180))
        # the scale: the top of the curves, the Stats panel's Peak NPS for the chart's own (nps_curve samples it)
        p.drawText(QRectF(2, self.height() - 16, self.width() - 4, 14), Qt.AlignmentFlag.AlignLeft, f"{peak:g} nps")
        p.end()
        return pixmap

    def _paint_curve(self, p: QPainter, curve: tuple[np.ndarray, np.ndarray], peak: float, style: str) -> None:
        """One density curve: ``chart`` (filled, coloured by density), ``ghost`` (drafts) or ``reference``."""
        times, nps = np.asarray(curve[0], dtype=np.float64), np.asarray(curve[1], dtype=np.float64)
        inside = times <= self.duration_s  # a curve made for a longer span: its tail is not piled into the last row
        times, nps = times[inside], nps[inside]
        if len(times) == 0:
            return
        width = self.width() - 10.0
        # one vertex per pixel row: interpolated where samples are sparser than rows, the max where denser
        n_rows = max(self.height() - 8, 1)
        row_s = (np.arange(n_rows) + 0.5) * self.duration_s / n_rows
        per_row = np.interp(row_s, times, nps, left=0.0, right=0.0)
        rows = np.clip((times / self.duration_s * n_rows).astype(np.int64), 0, n_rows - 1)
        np.maximum.at(per_row, rows, nps)
        ys = 4.0 + (np.arange(n_rows)[::-1] if self.reversed else np.arange(n_rows))
        xs = 2.0 + width * per_row / peak
        polygon = QPolygonF([QPointF(2.0, float(ys[0]))] + [QPointF(float(x), float(y)) for x, y in zip(xs, ys)]
                            + [QPointF(2.0, float(ys[-1]))])
        if style == "ghost":  # drafts: a translucent magenta outline over the chart's own density
            color = QColor(geo.GHOST_LOW)
            color.setAlpha(190)
            p.setPen(QPen(color, 1.0))
            color.setAlpha(45)
            p.setBrush(color)
        elif style == "reference":  # the compared difficulty: a pale outline, unfilled
            color = QColor(geo.REFERENCE_COLOR)
            color.setAlpha(200)
            p.setPen(QPen(color, 1.0))
            p.setBrush(Qt.BrushStyle.NoBrush)
        else:
            grad = QLinearGradient(2.0, 0.0, 2.0 + width, 0.0)
            grad.setColorAt(0.0, QColor(50, 120, 220, 200))
            grad.setColorAt(0.6, QColor(230, 200, 60, 220))
            grad.setColorAt(1.0, QColor(235, 70, 60, 240))
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(grad)
        p.drawPolygon(polygon)

    # ------------------------------------------------------------------ seeking
    def mousePressEvent(self, ev: QMouseEvent) -> None:  # noqa: N802
        if ev.button() == Qt.MouseButton.LeftButton:
            self.seek_requested.emit(self.time_at(ev.position().y()))
            if self._followed is not None:  # the keys go to the notefield: Space plays from here, not into a field
                self._followed.setFocus(Qt.FocusReason.MouseFocusReason)

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:  # noqa: N802
        if ev.buttons() & Qt.MouseButton.LeftButton:
            self.seek_requested.emit(self.time_at(ev.position().y()))

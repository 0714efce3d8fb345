"""WaveformItem: the song's waveform behind the lanes, from the min/max peak pyramid, visible range only.

One peak query per repaint asks the pyramid for exactly one (min, max) pair per pixel row of the visible range,
so a 10-minute song costs the same as a 10-second one. The rows become one ARGB image (numpy, no per-row Python
loop) that is cached until the view, the size or the gain changes; note edits repaint from the cache.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter

from editor.timeline import geometry as geo


class PeakSource(Protocol):
    """What the waveform needs from :mod:`audio.peaks`: min/max per pixel of a time range."""

    def query(self, start_s: float, end_s: float, n_pixels: int) -> tuple[np.ndarray, np.ndarray]: ...


class WaveformItem(pg.GraphicsObject):
    """Rectified waveform centred on the lanes (ArrowVortex style), drawn in device pixels."""

    def __init__(self) -> None:
        super().__init__()
        self.peaks: PeakSource | None = None
        self.duration_s = 1.0
        self.lanes = 4
        self.gain = 1.0
        self.visible_flag = True
        self._y_extent = (-1.0, 61.0)
        self._cache_key: tuple | None = None
        self._cache_img: list[tuple[int, QImage]] = []
        self.setZValue(-10)

    def set_peaks(self, peaks: PeakSource | None, duration_s: float = 1.0) -> None:
        self.prepareGeometryChange()
        self.peaks = peaks
        self.duration_s = max(float(duration_s), 1e-3)
        self._cache_key = None
        self.update()

    def set_lanes(self, lanes: int) -> None:
        self.prepareGeometryChange()
        self.lanes = lanes
        self._cache_key = None
        self.update()

    def set_y_extent(self, y0: float, y1: float) -> None:
        """The song's extent in the view's y units (the timeline sets it with the time axis)."""
        self.prepareGeometryChange()
        self._y_extent = (y0, y1)
        self.update()

    def boundingRect(self) -> QRectF:
        y0, y1 = self._y_extent
        return QRectF(0.0, y0, float(self.lanes), y1 - y0)

    def paint(self, painter: QPainter, *_args) -> None:
        view = geo.visible_range(self)
        peaks = self.peaks
        if peaks is None or view is None or not self.visible_flag:
            return
        pm = geo.pixel_map(self, painter)
        t0, t1 = max(view[2], 0.0), min(view[3], self.duration_s)
        if t1 <= t0:
            return
        x0, x1 = sorted((pm.x(0.0), pm.x(float(self.lanes))))
        width = int(x1 - x0)
        if width < 2:
            return
        # One image per stretch where y is linear in time: the whole range in C-mod; in X-mod the waveform is
        # cut at tempo changes, stops and warps, each piece drawn at its own pixels per second between the rows
        # its own beats reach (pm.rows: a piece ending at a warp ends at the warp's first beat, not its last).
        # Just after a stop the first few ms show the stop's opening (drawn_pieces): a note on a stop sounds at
        # its start, and its row is where the stop ends.
        pieces = pm.axis.drawn_pieces(t0, t1)
        key = (tuple((round(a, 6), round(b, 6), round(src, 6)) for a, b, src in pieces), round(float(pm.y(t0)), 1),
               width, self.gain, id(peaks), id(pm.axis))
        if key != self._cache_key:
            self._cache_img = []
            for a, b, src in pieces:
                ya, yb = pm.rows(a, b)
                height = int(round(abs(yb - ya)))
                if height >= 1:
                    image = self._render(peaks, src, src + (b - a), width, height, flip=yb < ya)
                    self._cache_img.append((int(round(min(ya, yb))), image))
            self._cache_key = key
        painter.save()
        painter.resetTransform()
        for top, image in self._cache_img:
            painter.drawImage(int(x0), top, image)
        painter.restore()

    def _render(self, peaks: PeakSource, t0: float, t1: float, width: int, height: int, flip: bool) -> QImage:
        mins, maxs = peaks.query(t0, t1, height)
        amp = np.maximum(np.abs(np.asarray(mins, np.float32)), np.abs(np.asarray(maxs, np.float32)))
        amp = np.clip(amp * self.gain, 0.0, 1.0)
        if flip:
            amp = amp[::-1]
        half = amp * (width / 2.0 - 1.0)
        centre = width / 2.0
        cols = np.arange(width, dtype=np.float32)[None, :]
        dist = np.abs(cols - centre)
        inside = dist <= half[:, None]
        # brighter towards the edge of the envelope: the outline of transients reads better than a flat fill
        shade = np.where(inside, 0.55 + 0.45 * dist / np.maximum(half[:, None], 1.0), 0.0)
        r, g, b = geo.WAVEFORM_COLOR
        alpha = (shade * 170).astype(np.uint32)  # translucent: the grid and notes stay the figure
        argb = (alpha << 24) | ((alpha * r // 255) << 16) | ((alpha * g // 255) << 8) | (alpha * b // 255)
        data = np.ascontiguousarray(argb, dtype=np.uint32)
        img = QImage(data.data, width, height, 4 * width, QImage.Format.Format_ARGB32_Premultiplied)
        return img.copy()  # own the pixels: ``data`` goes away with this frame

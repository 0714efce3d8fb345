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

    def __init__(self):
        super().__init__()
        self.peaks: PeakSource | None = None
        self.duration_s = 1.0
        self.lanes = 4
        self.gain = 1.0
        self.visible_flag = True
        self._cache_key: tuple | None = None
        self._cache_img: QImage | None = None
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

    def boundingRect(self) -> QRectF:
        return QRectF(0.0, -1.0, float(self.lanes), self.duration_s + 2.0)

    def paint(self, painter: QPainter, *_args) -> None:
        view = geo.visible_range(self)
        if self.peaks is None or view is None or not self.visible_flag:
            return
        pm = geo.PixelMap.from_transform(painter.transform())
        t0, t1 = max(view[2], 0.0), min(view[3], self.duration_s)
        if t1 <= t0:
            return
        x0, x1 = sorted((pm.x(0.0), pm.x(float(self.lanes))))
        ya, yb = pm.y(t0), pm.y(t1)
        width, height = int(x1 - x0), int(round(abs(yb - ya)))
        if width < 2 or height < 1:
            return
        key = (round(t0, 6), round(t1, 6), width, height, self.gain, id(self.peaks))
        if key != self._cache_key:
            self._cache_img = self._render(t0, t1, width, height, flip=yb < ya)
            self._cache_key = key
        painter.save()
        painter.resetTransform()
        painter.drawImage(int(x0), int(round(min(ya, yb))), self._cache_img)
        painter.restore()

    def _render(self, t0: float, t1: float, width: int, height: int, flip: bool) -> QImage:
        mins, maxs = self.peaks.query(t0, t1, height)
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

"""Timeline geometry and colours shared by the timeline items.

The timeline is vertical (time runs down, like ArrowVortex, StepMania and Quaver), in *seconds*: y is song time
in seconds and x is in lane units — lane ``k`` spans ``[k, k + 1)``. Items paint in device pixels (so note heads
keep their size at every zoom) through :class:`PixelMap`, the affine data->pixel map of the painter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QTransform

# Lane area: lanes occupy x in [0, lanes). The spectrogram lane and the probability curve sit beside them.
SPECTRO_X0, SPECTRO_X1 = -2.7, -0.25
CURVE_X0, CURVE_X1 = 0.0, 1.0  # relative to the right edge of the lanes (x = lanes + CURVE_X0 ...)
CURVE_GAP = 0.2

# Note colours by quantisation, as StepMania noteskins and ArrowVortex show them.
QUANT_COLORS: dict[int, str] = {
    4: "#e8343a",  # quarter: red
    8: "#2f6df0",  # eighth: blue
    12: "#a53ff0",  # triplet eighth: purple
    16: "#f0d22f",  # sixteenth: yellow
    24: "#f05fb6",  # triplet sixteenth: pink
    32: "#f08a2f",  # 32nd: orange
    48: "#3fd9f0",  # 48th: cyan
    64: "#4fd04f",  # 64th: green
    96: "#9aa0a6",
    192: "#7d8a6e",
}
GRID_ALPHA = {4: 150, 8: 110, 12: 110, 16: 90}
MEASURE_COLOR = QColor(235, 235, 235, 210)
LANE_BG = (QColor(22, 24, 30), QColor(28, 30, 37))
HOLD_BODY = QColor(70, 200, 110, 200)
ROLL_BODY = QColor(240, 160, 40, 200)
MINE_COLOR = QColor(230, 60, 60)
SELECT_COLOR = QColor(255, 255, 255)
CURSOR_COLOR = QColor(255, 255, 255, 200)
PLAYHEAD_COLOR = QColor(80, 255, 140, 230)
WAVEFORM_COLOR = (62, 108, 160)
GHOST_LOW = QColor(240, 120, 255)  # low-confidence drafts: magenta
GHOST_HIGH = QColor(120, 255, 240)  # high-confidence drafts: cyan
REFERENCE_COLOR = QColor(215, 220, 235)  # another difficulty shown for comparison: pale outlines


def quant_divisor(beat: float) -> int:
    """Coarsest StepMania divisor (4..192) whose grid holds a float beat (within 1/1000 beat), else 192."""
    frac = beat % 1.0
    for divisor in (4, 8, 12, 16, 24, 32, 48, 64, 192):
        per_beat = divisor // 4
        x = frac * per_beat
        if abs(x - round(x)) < per_beat * 1e-3:
            return divisor
    return 192


def quant_color(divisor: int) -> QColor:
    """Noteskin colour of a quantisation divisor."""
    return QColor(QUANT_COLORS.get(divisor, QUANT_COLORS[192]))


def ghost_color(confidence: float) -> QColor:
    """Colour of a draft note: magenta (unsure) to cyan (sure), so drafts never look like real notes."""
    c = float(np.clip(confidence, 0.0, 1.0))
    lo, hi = GHOST_LOW, GHOST_HIGH
    return QColor(
        int(lo.red() + (hi.red() - lo.red()) * c),
        int(lo.green() + (hi.green() - lo.green()) * c),
        int(lo.blue() + (hi.blue() - lo.blue()) * c),
    )


@dataclass(frozen=True)
class PixelMap:
    """Affine map from data coordinates (lane units, seconds) to device pixels (no rotation, as in a ViewBox)."""

    sx: float
    dx: float
    sy: float
    dy: float

    @classmethod
    def from_transform(cls, tr: QTransform) -> PixelMap:
        return cls(sx=tr.m11(), dx=tr.m31(), sy=tr.m22(), dy=tr.m32())

    def x(self, x: float | np.ndarray) -> float | np.ndarray:
        return self.sx * x + self.dx

    def y(self, y: float | np.ndarray) -> float | np.ndarray:
        return self.sy * y + self.dy

    def point(self, x: float, y: float) -> QPointF:
        return QPointF(self.sx * x + self.dx, self.sy * y + self.dy)

    def rect(self, x0: float, y0: float, x1: float, y1: float) -> QRectF:
        """Pixel rectangle of a data rectangle, normalised (the y axis may be inverted)."""
        return QRectF(self.point(x0, y0), self.point(x1, y1)).normalized()

    @property
    def lane_px(self) -> float:
        """Width of one lane in pixels."""
        return abs(self.sx)


def visible_range(item) -> tuple[float, float, float, float] | None:
    """(x0, x1, t0_s, t1_s) of the item's ViewBox, or None before it is in a view."""
    vb = item.getViewBox()
    if vb is None:
        return None
    (x0, x1), (t0, t1) = vb.viewRange()
    return x0, x1, t0, t1

"""The notefield's left axis: song time as m:ss, m:ss.s or m:ss.ss, as finely as its ticks are apart."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtGui import QFontMetricsF

from editor.timeline import geometry as geo

MIN_AXIS_PX = 46  # the time axis is never narrower (it is fitted to the song's labels: TimeAxisItem.fit_width)


def label_decimals(spacing_s: float) -> int:
    """Decimals of the seconds that tell ticks ``spacing_s`` apart: 0 from 1 s, 1 from 0.1 s, else 2.

    Zoomed in to 1000 px/s and more the ticks are 0.01-0.05 s apart; with one decimal eight ticks in a row read
    "5:20.0". The zoom stops at 4000 px/s, where 0.01 s is 40 px, so two decimals are the most needed.
    """
    if spacing_s >= 1:
        return 0
    return 1 if spacing_s >= 0.1 - 1e-9 else 2


def time_label(t: float, decimals: int) -> str:
    """``t`` seconds as m:ss (``decimals`` 0) or m:ss.s, m:ss.ss, ... (the axis, and the status bar's m:ss.sss)."""
    sign = "-" if t < 0 else ""
    t = abs(t)
    if decimals == 0:
        return f"{sign}{int(t // 60)}:{int(t % 60):02d}"
    t = round(t, decimals)  # 59.996 -> 1:00.00, not 0:60.00
    return f"{sign}{int(t // 60)}:{t % 60:0{3 + decimals}.{decimals}f}"


class TimeAxisItem(pg.AxisItem):
    """Left axis labelled m:ss.s: the song time at each tick (in X-mod too, where ticks are evenly spaced in beats)."""

    time_axis = geo.C_MOD

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph API
        if self.time_axis.beat_spaced:
            values = [float(self.time_axis.to_t(v)) for v in values]
            # the times between ticks are uneven: as many decimals as the closest two need, tenths at least
            gaps = [b - a for a, b in zip(sorted(values), sorted(values)[1:]) if b > a]
            spacing = min([0.5, *gaps])
        decimals = label_decimals(spacing)
        return [time_label(v, decimals) for v in values]

    def fit_width(self, end_s: float) -> bool:
        """Make the axis as wide as the longest label up to ``end_s`` needs; True when the width changed.

        pyqtgraph drops a label that does not fit its axis, so at a fixed 46 px every label vanished from 10:00
        on ("10:05.0" is one digit wider than "9:55.0"), and so did those before the song starts ("-0:05.0").
        Sized per song: only songs of 10 minutes and more get the extra digit.
        """
        digits = len(str(int(max(end_s, 0.0) // 60)))
        metrics = QFontMetricsF(self.style["tickFont"] or self.font())
        text_px = max(metrics.horizontalAdvance(s) for s in ("8" * digits + ":88.88", "-0:88.88"))
        width = max(MIN_AXIS_PX, math.ceil(text_px) + self.style["tickTextOffset"][0]
                    + max(0, self.style["tickLength"]) + 1)
        if width == self.fixedWidth:
            return False
        self.setWidth(width)
        return True

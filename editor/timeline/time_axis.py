"""The notefield's left axis: song time as m:ss, m:ss.s, m:ss.ss or m:ss.sss, as finely as its ticks are apart."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtGui import QFontMetricsF

from editor.timeline import geometry as geo

#: Tick levels at least this far apart get labels (pyqtgraph leaves the text out of closer ones): X-mod picks its
#: decimals from the times of those ticks.
LABELLED_PX = 30.0
MIN_AXIS_PX = 46  # the time axis is never narrower (it is fitted to the song's labels: TimeAxisItem.fit_width)


def label_decimals(spacing_s: float) -> int:
    """Decimals of the seconds that tell ticks ``spacing_s`` apart: 0 from 1 s, 1 from 0.1 s, 2 from 0.01 s, else 3.

    Zoomed in to 1000 px/s and more the ticks are 0.01-0.05 s apart; with one decimal eight ticks in a row read
    "5:20.0". In C-mod the zoom stops at 4000 px/s, where 0.01 s is 40 px, so two decimals do; in X-mod a passage
    faster than the reference tempo is stretched, and its ticks can be 5 ms of song time apart (two decimals
    gave pairs of equal labels): three.
    """
    if spacing_s >= 1:
        return 0
    if spacing_s >= 0.1 - 1e-9:
        return 1
    return 2 if spacing_s >= 0.01 - 1e-9 else 3


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
    _labelled: frozenset[float] = frozenset()  # the values of this draw's labelled tick levels (tickValues)

    def tickValues(self, minVal, maxVal, size):  # noqa: N802, N803 - pyqtgraph API
        levels = super().tickValues(minVal, maxVal, size)
        px = size / max(abs(maxVal - minVal), 1e-12)  # pixels per y unit
        self._labelled = frozenset(v for spacing, values in levels[:self.style["maxTextLevel"] + 1]
                                   if spacing * px >= LABELLED_PX for v in values)
        return levels

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph API
        if self.time_axis.beat_spaced:
            times = self.time_axis.tick_times(values)  # a tick on a stop's row names its start, when its note sounds
            # The times between ticks are uneven: as many decimals as the closest two need, tenths at least, the
            # same for every level (a major tick's time is no rounder than a minor one's).
            near = self.time_axis.tick_times(sorted(self._labelled)) if self._labelled.issuperset(values) else times
            gaps = [b - a for a, b in zip(sorted(near), sorted(near)[1:]) if b > a]
            return [time_label(v, label_decimals(min([0.5, *gaps]))) for v in times]
        return [time_label(v, label_decimals(spacing)) for v in values]

    def fit_width(self, end_s: float) -> bool:
        """Make the axis as wide as the longest label up to ``end_s`` needs; True when the width changed.

        pyqtgraph drops a label that does not fit its axis, so at a fixed 46 px every label vanished from 10:00
        on ("10:05.0" is one digit wider than "9:55.0"), and so did those before the song starts ("-0:05.0").
        Sized per song: only songs of 10 minutes and more get the extra digit; X-mod (set :attr:`time_axis`
        first) one more decimal.
        """
        digits = len(str(int(max(end_s, 0.0) // 60)))
        metrics = QFontMetricsF(self.style["tickFont"] or self.font())
        frac = "8" * (3 if self.time_axis.beat_spaced else 2)  # X-mod's stretched passages get 3 decimals
        text_px = max(metrics.horizontalAdvance(s) for s in ("8" * digits + ":88." + frac, "-0:88." + frac))
        width = max(MIN_AXIS_PX, math.ceil(text_px) + self.style["tickTextOffset"][0]
                    + max(0, self.style["tickLength"]) + 1)
        if width == self.fixedWidth:
            return False
        self.setWidth(width)
        return True

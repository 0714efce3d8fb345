"""BeatGridItem: measure, beat and subdivision lines coloured by snap, measure numbers and timing markers.

Only the visible beat range is computed. When the chosen snap would put lines closer than a few pixels, the grid
falls back to coarser divisors, so a zoomed-out long song stays readable and cheap to draw. The density is judged
stretch by stretch of the view (between tempo changes, stops, delays and warps the pixels per beat are constant):
one view can hold a slow part with room for the snap's lines and a fast one where only beat lines fit. Measure
lines and their numbers thin out the same way (every 2nd, 4th, 8th ... measure) where measures are closer than
that (a 10000 BPM section zoomed out, a 1/64 time signature). The numbers sit left of the lanes, where no note,
ghost or badge covers them; one too wide for that gutter (a narrow notefield beside the spectrogram lane) is drawn
smaller, down to :data:`MIN_NUMBER_PT`, and left out only below that.

Timing-change texts sit right of the lanes, each beside its tick or at most :data:`MARKER_PUSH_PX` below it where
texts crowd; one that does not fit there is left out (its tick stays), tempo changes, stops, delays and warps
before labels before display segments. Pushed without a limit, zoomed out over a BPM change every measure, each
text went a line below the one before and they piled up measures away from their beats. The layout is worked out
over the whole song at the zoom (:func:`marker_text_ys`), so a text does not move or vanish as the view scrolls.
"""

from __future__ import annotations

import bisect
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from chart.formats.display_segments import readable
from chart.timing import TimingData
from editor.timeline import geometry as geo

MIN_LINE_GAP_PX = 5.0
MEASURE_GAP_PX = 10.0  # measure lines (2 px, bright) at least this far apart: closer, they merge into a block
LABEL_GAP_PX = 14.0  # measure numbers at least this far apart
SAME_ROW_PX = 1e-3  # measure lines this close share a row (a warp's, in C-mod): thinned keeps the last
NUMBER_RIGHT = -0.14  # lane units: the measure numbers end here, left of the lanes and of the selected range's bar
NUMBER_MARGIN_PX = 2.0  # between a measure number and what is left of it (the spectrogram lane)
MIN_NUMBER_PT = 6.0  # a measure number that does not fit the gutter in 8 pt is drawn smaller, down to this
MARKER_LINE_PX = 12.0
MARKER_PUSH_PX = 2 * MARKER_LINE_PX  # a timing text goes at most this far below its tick (3 changes on one beat)
LABEL_KIND = 4  # marker_rows' kind of a #LABELS name
_FALLBACK_DIVISORS = (192, 96, 64, 48, 32, 24, 16, 12, 8, 4)


def number_font(font: QFont, text: str, room: float) -> QFont | None:
    """``font``, or a smaller copy down to :data:`MIN_NUMBER_PT`, in which ``text`` is at most ``room`` pixels
    wide; None when it is wider even at the smallest. A 4-lane notefield 480-560 px wide numbered measures 10-12
    and not 110-112 (the gutter beside the spectrogram lane is 0.36 lane: "110" in 8 pt is 21 px)."""
    width = QFontMetricsF(font).horizontalAdvance(text)
    if width <= room:
        return font
    size = font.pointSizeF()
    pt = min(math.floor(2 * size * room / width) / 2, size - 0.5)  # the width goes about with the size: from there,
    while pt >= MIN_NUMBER_PT:  # half a point at a time (a font's pixel sizes are whole: 6.5 pt may be 7's)
        smaller = QFont(font)
        smaller.setPointSizeF(pt)
        if QFontMetricsF(smaller).horizontalAdvance(text) <= room:
            return smaller
        pt -= 0.5
    return None


class BeatGridItem(pg.GraphicsObject):
    """Grid for the current snap divisor over the lanes ``[0, lanes)``."""

    def __init__(self):
        super().__init__()
        self.divisor = 16
        self.lanes = 4
        self._extent_y = (0.0, 60.0)  # the view's y units (seconds in C-mod; beat-spaced in X-mod)
        self._follow(TimingData())
        self.markers_x = 0.0  # lane units right of the lanes where the marker ticks start (past the AI curve strip)
        self.number_left = -geo.GUTTER  # lane units: the measure numbers stay right of this (set_number_left)
        self._font = QFont()
        self._font.setPointSizeF(8.0)
        self.setZValue(0)

    def set_timing(self, timing: TimingData, y0: float, y1: float) -> None:
        """The timing to draw, over ``[y0, y1]`` of the view's time axis (y, not seconds: in X-mod a song that
        spends its time above the reference tempo reaches far past its length in seconds)."""
        self.prepareGeometryChange()
        self._follow(timing)
        self._extent_y = (y0 - 5.0, y1 + 5.0)
        self.update()

    def _follow(self, timing: TimingData) -> None:
        self.timing = timing
        rows = marker_rows(timing)
        self._markers = [(beat, text, color) for beat, _, text, color in rows]
        self._priorities = [marker_priority(kind) for _, kind, _, _ in rows]
        self._knots = knot_beats(timing)
        self._layout_key: tuple | None = None  # (time axis, pixels per y unit) the marker layout is for
        self._layout = (np.empty(0), np.empty(0))

    def set_divisor(self, divisor: int) -> None:
        self.divisor = divisor
        self.update()

    def set_lanes(self, lanes: int) -> None:
        self.prepareGeometryChange()
        self.lanes = lanes
        self.update()

    def set_markers_x(self, x: float) -> None:
        """Move the timing-change markers ``x`` lane units right of the lanes (so a strip drawn there, the AI
        panel's onset curve, does not cover them)."""
        self.prepareGeometryChange()
        self.markers_x = float(x)
        self.update()

    def set_number_left(self, x: float) -> None:
        """Keep the measure numbers right of ``x`` lane units (the spectrogram lane's right edge, or the view's left
        edge): a number that does not fit between there and the lanes is left out. In a narrow notefield the
        lanes shrink and so does the gutter, and the numbers ran into the spectrogram lane."""
        self.prepareGeometryChange()
        self.number_left = float(x)
        self.update()

    def boundingRect(self) -> QRectF:
        y0, y1 = self._extent_y
        x0 = min(-geo.GUTTER, self.number_left)  # the measure numbers, left of the lanes
        return QRectF(x0, y0, self.lanes + 1.0 + self.markers_x - x0, y1 - y0)

    def _effective_divisor(self, px_per_beat: float) -> int:
        """The snap divisor, or the finest coarser one whose lines stay MIN_LINE_GAP_PX apart."""
        for d in (self.divisor, *[d for d in _FALLBACK_DIVISORS if d < self.divisor]):
            if px_per_beat * 4.0 / d >= MIN_LINE_GAP_PX * (1 - 1e-9):  # (a slope measured off by a rounding)
                return d
        return 0  # measure lines only

    def paint(self, painter: QPainter, *_args) -> None:
        view, beats = geo.visible_range(self), geo.visible_beats(self)
        if view is None or beats is None:
            return
        pm = geo.pixel_map(self, painter)
        if pm.axis.by_beat(self.timing):  # X-mod: from y, so a view that starts inside a warp's room draws it
            b0, b1 = beats
        else:
            b0, b1 = (float(b) for b in self.timing.seconds_to_beats_array([view[2], view[3]]))
        if not (math.isfinite(b0) and math.isfinite(b1)) or b1 <= b0:
            return
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # crisp 1 px lines, and the fast path
        self._paint_subdivisions(painter, pm, self.line_beats(pm, b0, b1))
        self._paint_measures(painter, pm, b0, b1)
        if pm.axis.by_beat(self.timing):  # the rows of the view's own beats: inside a warp's room its times are one
            ends = pm.y_beat(np.array([b0, b1]), self.timing)
        else:
            ends = pm.y(np.array([view[2], view[3]]))
        self._paint_markers(painter, pm, view, *sorted(float(y) for y in ends))
        painter.restore()

    def stretches(self, pm: geo.PixelMap, b0: float, b1: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(starts, ends, pixels per beat) of the stretches of ``[b0, b1]`` between timing changes, where the
        pixels per beat are constant (0 inside a warp in C-mod; X-mod gives every beat, a warp's too, the same
        room). Each slope is measured inside its stretch: a stop at its start adds time but no beats."""
        inner = self._knots[(self._knots > b0) & (self._knots < b1)]
        edges = np.concatenate(([b0], inner, [b1]))
        a, b = edges[:-1], edges[1:]
        keep = b - a > 1e-9
        a, b = a[keep], b[keep]
        lo, hi = a + (b - a) / 4, b - (b - a) / 4
        y = np.asarray(pm.y_beat(np.concatenate((lo, hi)), self.timing), dtype=np.float64)
        return a, b, np.abs(y[len(a):] - y[:len(a)]) / (hi - lo)

    def line_beats(self, pm: geo.PixelMap, b0: float, b1: float) -> np.ndarray:
        """Beats of the snap lines to draw in ``[b0, b1]``: per stretch (:meth:`stretches`), the snap's grid or the
        finest coarser one whose lines stay MIN_LINE_GAP_PX apart there (none where even beats would not)."""
        out = []
        for a, b, px in zip(*self.stretches(pm, b0, b1), strict=True):
            d = self._effective_divisor(float(px))
            if d:
                k = np.arange(math.ceil(a * d / 4), math.floor(b * d / 4) + 1)
                out.append(k * 4.0 / d)  # ints over d: a beat two grids share is the very same float
        return np.unique(np.concatenate(out)) if out else np.empty(0)

    def _paint_subdivisions(self, painter: QPainter, pm: geo.PixelMap, beats: np.ndarray) -> None:
        if not len(beats):
            return
        ys = np.asarray(pm.y_beat(beats, self.timing), dtype=np.float64)
        x0, x1 = pm.x(0.0), pm.x(float(self.lanes))
        quants = np.array([geo.quant_divisor(b) for b in beats], dtype=np.int16)
        for q in sorted(set(quants.tolist()), reverse=True):  # coarse lines drawn last, on top
            color = geo.quant_color(q)
            color.setAlpha(geo.GRID_ALPHA.get(q, 70))
            painter.setPen(QPen(color, 1))  # width-1 lines take Qt's fast path; 1.6 px went through the stroker
            painter.drawLines([QLineF(x0, y, x1, y) for y in ys[quants == q]])

    def measure_lines(self, pm: geo.PixelMap, b0: float, b1: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(beats, numbers, strides) of the measure lines to draw in ``[b0, b1]``: per stretch (:meth:`stretches`),
        :meth:`TimingData.measure_lines` with lines listed no closer than about MEASURE_GAP_PX, so the cost
        follows the pixels on screen, not the beats; none inside a warp in C-mod (it takes no time: its lines
        would all fall on the row of its end, which the next stretch draws). A 10^9-beat warp in view froze the
        redraw (in X-mod it is 10^9 beats tall: only the measures in view are listed)."""
        parts = [self.timing.measure_lines(a, b, MEASURE_GAP_PX / px)
                 for a, b, px in zip(*self.stretches(pm, b0, b1), strict=True) if px > 0]
        if not parts:
            return np.empty(0), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        beats, numbers, strides = (np.concatenate(p) for p in zip(*parts, strict=True))
        numbers, first = np.unique(numbers, return_index=True)  # stretches share their ends
        return beats[first], numbers, strides[first]

    def _paint_measures(self, painter: QPainter, pm: geo.PixelMap, b0: float, b1: float) -> None:
        starts, numbers, strides = self.measure_lines(pm, b0, b1)
        if len(starts) == 0:
            return
        ys = np.asarray(pm.y_beat(starts, self.timing), dtype=np.float64)
        lines = thinned(numbers, ys, MEASURE_GAP_PX, strides)
        x0, x1 = pm.x(0.0), pm.x(float(self.lanes))
        painter.setPen(QPen(geo.MEASURE_COLOR, 2.0))
        painter.drawLines([QLineF(x0, y, x1, y) for y in ys[lines]])
        painter.setFont(self._font)
        painter.setPen(QColor(200, 200, 210))
        labels = lines & thinned(numbers, ys, LABEL_GAP_PX, strides)
        inside = 1.0 if pm.time_down else -15.0  # the number sits inside its measure: below its line, or above
        right = pm.x(NUMBER_RIGHT)  # left of the lanes: inside lane 0 a note, ghost or foot badge covered it
        room = right - pm.x(self.number_left) - NUMBER_MARGIN_PX
        fonts: dict[int, QFont | None] = {}  # digits -> the font a number of that many digits fits in
        for number, y in zip(numbers[labels].tolist(), ys[labels].tolist(), strict=True):
            text = str(number)
            if len(text) not in fonts:
                fonts[len(text)] = number_font(self._font, text, room)
            font = fonts[len(text)]
            if font is not None:  # too narrow a gutter even at the smallest size: no number, not one over the lane
                painter.setFont(font)
                painter.drawText(QRectF(right - 40, y + inside, 40, 14), Qt.AlignmentFlag.AlignRight, text)

    def marker_layout(self, pm: geo.PixelMap) -> tuple[np.ndarray, np.ndarray]:
        """(y units, text offsets in pixels) of every timing marker of the song at this zoom: a marker's text goes
        its offset below its tick, NaN where it is left out (:func:`marker_text_ys`). Laid out over the whole song
        from the zoom alone (rounded, so float noise in the view's range cannot flip a choice): the same texts at
        every scroll position. Kept until the timing, the time axis or the zoom changes."""
        scale = round(pm.sy, 3)
        key = (pm.axis, scale)
        if self._layout_key != key:
            beats = np.array([float(m[0]) for m in self._markers], dtype=np.float64)
            units = np.asarray(pm.axis.beat_to_y(beats, self.timing), dtype=np.float64).reshape(-1)
            rows = units * scale
            text_ys = marker_text_ys(rows, self._priorities)
            offsets = np.array([np.nan if t is None else t - r for t, r in zip(text_ys, rows.tolist(), strict=True)],
                               dtype=np.float64)
            self._layout_key, self._layout = key, (units, offsets)
        return self._layout

    def _paint_markers(self, painter: QPainter, pm: geo.PixelMap, view: tuple[float, float, float, float],
                       top: float, bottom: float) -> None:
        """Timing changes right of the lanes: a tick at each change's beat and its text beside it or a little below
        (:meth:`marker_layout`), cut with "…" at the view's right edge."""
        if not self._markers:
            return
        units, offsets = self.marker_layout(pm)
        ys = pm.sy * units + pm.dy
        near = np.flatnonzero((ys >= top - MARKER_PUSH_PX - MARKER_LINE_PX) & (ys <= bottom + MARKER_LINE_PX))
        if not len(near):
            return
        x = pm.x(float(self.lanes) + self.markers_x) + 4
        room = float(pm.x(view[1])) - x - 2
        painter.setFont(self._font)
        metrics = QFontMetricsF(painter.font())
        for i in near.tolist():
            _beat, text, color = self._markers[i]
            y = float(ys[i])
            painter.setPen(QPen(color, 1.5))
            painter.drawLine(QPointF(x - 6, y), QPointF(x - 1, y))
            if not math.isnan(offsets[i]) and room > 0:
                painter.drawText(QRectF(x, y + float(offsets[i]) - 7, room, 14),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                                 metrics.elidedText(text, Qt.TextElideMode.ElideRight, room))


def knot_beats(timing: TimingData) -> np.ndarray:
    """Sorted beats where the pixels per beat may change: tempo changes, stops, delays, both ends of warps."""
    beats = [b for b, _ in timing.bpms] + [b for b, _ in timing.stops] + [b for b, _ in timing.delays]
    beats += [b for b, _ in timing.warps] + [b + length for b, length in timing.warps]
    return np.unique(np.array([float(b) for b in beats], dtype=np.float64))


def thinned(numbers: np.ndarray, ys: np.ndarray, gap_px: float, strides: np.ndarray | None = None) -> np.ndarray:
    """Which of the lines numbered ``numbers`` at pixel rows ``ys`` (in order) to keep so that they stay about
    ``gap_px`` apart: where consecutive lines are closer, only every 2nd, 4th, 8th ... number (the smallest power
    of two that spaces them out), judged line by line from the gap to the next one, so a dense stretch thins out
    and a sparse one in the same view keeps every line. ``strides``: the lines given are already every
    ``stride``-th one (:meth:`BeatGridItem.measure_lines`); the power of two then counts in those steps.

    Lines on one row (a warp that spans whole measures in C-mod: its measures all fall on its end's row) are one
    line, the last of them: the measure the song goes on in. Judged by their gap of 0 px, none of them was drawn."""
    ys = np.asarray(ys, dtype=np.float64)
    own_row = np.append(np.abs(np.diff(ys)) >= SAME_ROW_PX, True) if len(ys) else np.ones(0, dtype=bool)
    rows = np.flatnonzero(own_row)
    keep = np.zeros(len(ys), dtype=bool)
    if len(rows) < 2:
        keep[rows] = True
        return keep
    gaps = np.abs(np.diff(ys[rows]))
    gaps = np.append(gaps, gaps[-1])
    need = gap_px / np.maximum(gaps, 1e-9)
    stride = np.where(need > 1, 2 ** np.ceil(np.log2(np.minimum(need, 2.0**40))), 1).astype(np.int64)
    if strides is not None:
        stride = np.minimum(stride, 2**20) * np.asarray(strides)[rows]  # (strides are at most 2**40: no overflow)
    keep[rows] = np.asarray(numbers)[rows] % stride == 0
    return keep


def marker_text_ys(ys, priorities=None, max_push_px: float = MARKER_PUSH_PX) -> list[float | None]:
    """Where each marker's text goes: the row (pixels) of its tick ``ys``, or lower on screen by at most
    ``max_push_px`` where a text placed before it is closer than a line; None where no row there is free (the
    text is left out). Texts keep the screen order of their ticks (those on one row in their order) and never
    overlap. They are placed by ``priorities`` (lower first; all equal when None), then top to bottom, so a
    crowded stretch keeps its tempo changes and stops and drops display markers. Markers come by beat, so their
    rows decrease in reverse scroll: they are laid out top to bottom on screen all the same."""
    rows = [float(y) for y in ys]
    prio = [0] * len(rows) if priorities is None else list(priorities)
    keys: list[tuple[float, int]] = []  # the placed texts' ticks, in screen order ...
    texts: list[float] = []  # ... and their rows: increasing, a line apart at least
    out: list[float | None] = [None] * len(rows)
    for i in sorted(range(len(rows)), key=lambda i: (prio[i], rows[i], i)):
        k = bisect.bisect(keys, (rows[i], i))
        row = rows[i] if k == 0 else max(rows[i], texts[k - 1] + MARKER_LINE_PX)
        if row - rows[i] > max_push_px + 1e-6 or (k < len(keys) and texts[k] - row < MARKER_LINE_PX - 1e-6):
            continue
        keys.insert(k, (rows[i], i))
        texts.insert(k, row)
        out[i] = row
    return out


def marker_priority(kind: int) -> int:
    """Which timing texts a crowded stretch keeps first (:func:`marker_rows` kinds): tempo changes, stops, delays
    and warps (they move the notes in time), then labels, then fake segments, scrolls and speeds (they change
    what the player sees, not when)."""
    return 0 if kind < LABEL_KIND else 1 if kind == LABEL_KIND else 2


def marker_rows(timing: TimingData) -> list[tuple[float, int, str, QColor]]:
    """(beat, kind, text, colour) of every timing change the grid labels, by beat and kind: BPM changes (green),
    stops and delays (red, orange), warps (grey-blue), labels, fake segments (grey-blue) and scroll and speed
    changes (cyan). Tick counts and combos only change scoring and are listed in the Timing panel only."""
    rows: list[tuple[float, int, str, QColor]] = []
    good, _ = readable(timing)
    rows += [(float(b), 0, f"{float(v):g} BPM", QColor(110, 230, 120)) for b, v in timing.bpms]
    rows += [(float(b), 1, f"stop {float(v):g}s", QColor(240, 90, 90)) for b, v in timing.stops]
    rows += [(float(b), 2, f"delay {float(v):g}s", QColor(240, 170, 70)) for b, v in timing.delays]
    rows += [(float(b), 3, f"warp {float(v):g} beats", QColor(150, 160, 220)) for b, v in timing.warps]
    rows += [(float(b), LABEL_KIND, str(name), geo.LABEL_COLOR) for b, name in good.get("LABELS", [])]
    rows += [(float(b), 5, f"fake {float(v):g} beats", QColor(150, 160, 220)) for b, v in good.get("FAKES", [])]
    rows += [(float(b), 6, f"scroll x{float(v):g}", QColor(90, 210, 230)) for b, v in good.get("SCROLLS", [])]
    rows += [(float(e[0]), 7, f"speed x{float(e[1]):g}", QColor(90, 210, 230)) for e in good.get("SPEEDS", [])]
    return sorted(rows, key=lambda r: (r[0], r[1]))


def timing_markers(timing: TimingData) -> list[tuple[float, str, QColor]]:
    """(beat, text, colour) of :func:`marker_rows`."""
    return [(beat, text, color) for beat, _, text, color in marker_rows(timing)]

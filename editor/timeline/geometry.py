"""Timeline geometry and colours shared by the timeline items.

The timeline is vertical (time runs down, like ArrowVortex, StepMania and Quaver; up in reverse scroll); x is in lane units — lane ``k``
spans ``[k, k + 1)``. What y means is the :class:`TimeAxis`: song time in seconds (C-mod, the default), or beats
spaced evenly (X-mod: every beat the same height, stops take no room). Items keep their data in seconds and paint
in device pixels (so note heads keep their size at every zoom) through :class:`PixelMap`, which maps song time
through the view's axis and then the painter's affine transform; :func:`visible_range` answers in seconds too.
What sits on a beat (notes, grid lines, timing markers, clicks) is placed by its beat (:meth:`PixelMap.y_beat`,
:meth:`TimeAxis.y_to_beat`): in X-mod a warp gets its beats' room, though they all share one instant.
Reverse scroll (time running up) is that transform's y scale turned negative by the view, nothing else: an item
that needs to know which way time runs on screen asks :attr:`PixelMap.time_down`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import overload

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QTransform

from chart.timing import TimingData

# Lane area: lanes occupy x in [0, lanes). The spectrogram lane and the probability curve sit beside them.
#: Lane units left of the lanes kept for the measure numbers (3 digits at 8 pt), between them and the spectrogram.
GUTTER = 0.5
SPECTRO_X0, SPECTRO_X1 = -2.7, -GUTTER
CURVE_X0, CURVE_X1 = 0.0, 1.0  # relative to the right edge of the lanes (x = lanes + CURVE_X0 ...)
CURVE_GAP = 0.2
#: Lane units right of the lanes that the AI curve strip takes (gap and strip): markers go past it.
CURVE_STRIP = CURVE_GAP + (CURVE_X1 - CURVE_X0)

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
UNSURE_COLOR = QColor(255, 190, 60)  # a draft row whose arrows the lane model guessed: amber "?" badge
REFERENCE_COLOR = QColor(215, 220, 235)  # another difficulty shown for comparison: pale outlines
LABEL_COLOR = QColor(235, 150, 255)  # a #LABELS name on the timeline


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


#: Seconds of a stop's opening drawn on its row in X-mod (:meth:`TimeAxis.drawn_pieces`): a note's attack.
STOP_HEAD_S = 0.04


class TimeAxis:
    """The timeline's vertical coordinate y as a function of song time t (seconds).

    * C-mod (``beat_spaced=False``): y = t. The waveform and spectrogram are undistorted; stops show as gaps.
    * X-mod (``beat_spaced=True``): y = t(beat 0) + beat(t) x 60 / BPM_ref, where BPM_ref is the tempo the song
      spends the most time in. Every beat is equally tall (ArrowVortex's X-mod, StepMania's x-speed), so a
      rhythm looks the same at every BPM and a stop takes no room; in a song of one tempo, y = t as in C-mod.
      A warp's beats take no time but do take room: y jumps over them at the warp's instant, and what sits on
      them is placed by beat (:meth:`beat_to_y`), not by time.
      Zoom (pixels per y unit) keeps its meaning: at BPM_ref, one y unit is one second.
    """

    def __init__(self, timing: TimingData | None = None, beat_spaced: bool = False, end_s: float = 60.0):
        self.timing = timing if timing is not None else TimingData()
        self.beat_spaced = bool(beat_spaced) and not self.timing.is_constant
        self.ref_bpm = self._dominant_bpm(self.timing, end_s)
        self._spb = 60.0 / self.ref_bpm
        self._t0 = float(self.timing.beat0_s)
        self._same: tuple[TimingData | None, bool] = (None, False)  # by_beat's last answer
        self._heads: list[tuple[float, float, float]] | None = None  # _stop_heads, computed on first use

    @staticmethod
    def _dominant_bpm(timing: TimingData, end_s: float) -> float:
        """The tempo in effect for the most seconds between beat 0 and ``end_s`` (the first one on a tie)."""
        end_beat = max(float(timing.seconds_to_beats_array([end_s])[0]), 0.0)
        starts = [max(float(b), 0.0) for b, _ in timing.bpms]
        seconds: dict[float, float] = {}
        for i, (_b, bpm) in enumerate(timing.bpms):
            stop = starts[i + 1] if i + 1 < len(starts) else max(end_beat, starts[i])
            seconds[float(bpm)] = seconds.get(float(bpm), 0.0) + max(min(stop, end_beat) - starts[i], 0.0) * 60 / float(bpm)
        best = max(seconds.items(), key=lambda kv: kv[1])
        return best[0] if best[1] > 0 else float(timing.bpms[0][1])

    def to_y(self, t):
        """y of song time(s) ``t`` (float or array, same shape back)."""
        if not self.beat_spaced:
            return t
        y = self._t0 + self.timing.seconds_to_beats_array(np.asarray(t, dtype=np.float64)) * self._spb
        return float(y) if np.ndim(y) == 0 else y

    def to_t(self, y):
        """Song time of y (float or array); inside a stop (X-mod) the time its beat is judged."""
        if not self.beat_spaced:
            return y
        t = self.timing.beats_to_seconds_array((np.asarray(y, dtype=np.float64) - self._t0) / self._spb)
        return float(t) if np.ndim(t) == 0 else t

    def by_beat(self, timing: TimingData | None = None) -> bool:
        """Whether y is linear in the beats of ``timing`` (this axis's when None): X-mod, with this axis's timing.

        Then a note, grid line or click is placed by its beat (:meth:`beat_to_y`, :meth:`y_to_beat`), not through
        its time: a warp's beats all share one instant, which ``to_y`` maps to the warp's last beat, so its notes
        piled up on that row and the room X-mod gives the warp stayed empty. Another chart's timing (a compared
        difficulty) is placed by time. The answer for the last timing asked about is kept (one ``==`` a frame)."""
        if not self.beat_spaced:
            return False
        if timing is None or timing is self.timing:
            return True
        if self._same[0] is not timing:
            self._same = (timing, timing == self.timing)
        return self._same[1]

    @property
    def beat_height(self) -> float:
        """y units per beat in X-mod (every beat is as tall); meaningless in C-mod."""
        return self._spb

    def beat_to_y(self, beats, timing: TimingData | None = None):
        """y of beat(s) of ``timing`` (this axis's when None): by beat where :meth:`by_beat`, else through time."""
        if self.by_beat(timing):
            y = self._t0 + np.asarray(beats, dtype=np.float64) * self._spb
        else:
            seconds = (timing if timing is not None else self.timing).beats_to_seconds_array(np.asarray(beats, dtype=np.float64))
            y = np.asarray(self.to_y(seconds), dtype=np.float64)
        return float(y) if np.ndim(y) == 0 else y

    def y_to_beat(self, y):
        """The beat at y (float or array): in X-mod straight from y, so a row inside a warp's room is its own beat;
        in C-mod the beat of the time y (the beat a stop or a warp ends on)."""
        if self.beat_spaced:
            b = (np.asarray(y, dtype=np.float64) - self._t0) / self._spb
        else:
            b = self.timing.seconds_to_beats_array(np.asarray(y, dtype=np.float64))
        return float(b) if np.ndim(b) == 0 else b

    def pieces(self, t0: float, t1: float) -> list[tuple[float, float]]:
        """[t0, t1] cut where y stops being linear in t (tempo changes, stops, delays, warps; X-mod only); pieces
        that take no room (a stop's time) are kept out, so drawing them piece by piece warps pictures exactly.
        Draw a piece between the rows of :meth:`span_y`, not ``to_y`` of its ends (which is wrong at a warp)."""
        if not self.beat_spaced or t1 <= t0:
            return [(t0, t1)] if t1 > t0 else []
        cuts = self.timing.slope_change_times()
        edges = [t0, *cuts[(cuts > t0) & (cuts < t1)].tolist(), t1]
        out = []
        for a, b in zip(edges[:-1], edges[1:]):
            if b - a > 1e-9:
                ya, yb = self.span_y(a, b)
                if abs(yb - ya) > 1e-9:
                    out.append((a, b))
        return out

    def drawn_pieces(self, t0: float, t1: float) -> list[tuple[float, float, float]]:
        """:meth:`pieces` as ``(a, b, src)``: drawn between the rows of ``[a, b]``, showing the audio of
        ``[src, src + b - a]``; ``src`` is ``a`` except just after a stop in X-mod.

        A stop's seconds take no room, and a note on a stop sounds at the stop's start: its row (the stop's end)
        showed the audio from the end of the stop, and the note's own attack was not drawn at all. So the first
        :data:`STOP_HEAD_S` seconds after each stop (at most the stop's length and half the piece after it) show
        the stop's opening instead, at that piece's own scale: the attack sits on the note's row and nothing
        else moves. A delay needs nothing: its note sounds when the delay ends, where the piece after starts."""
        out = []
        heads = self._stop_heads()
        for a, b in self.pieces(t0, t1):
            for leave, judged, length in heads:
                h1 = leave + length
                if h1 <= a or leave >= b:
                    continue
                if leave > a:  # (never: a stop's end is a cut) the stretch before the head as it is
                    out.append((a, leave, a))
                    a = leave
                cut = min(h1, b)
                out.append((a, cut, judged + (a - leave)))
                a = cut
            if b - a > 1e-9:
                out.append((a, b, a))
        return out

    def _stop_heads(self) -> list[tuple[float, float, float]]:
        """(end, start, length of the head) of each stop, for :meth:`drawn_pieces` (X-mod only)."""
        if not self.beat_spaced:
            return []
        if self._heads is None:
            stops: dict[float, float] = {}  # stops listed twice on a beat add up, as in TimingData
            for at, held in self.timing.stops:
                stops[float(at)] = stops.get(float(at), 0.0) + float(held)
            cuts = self.timing.slope_change_times()
            heads: list[tuple[float, float, float]] = []
            for beat, seconds in sorted(stops.items()):
                judged = float(self.timing.beats_to_seconds_array([beat])[0])  # after a delay on the same beat
                leave = judged + seconds
                after = cuts[cuts > leave + 1e-9]
                room = (float(after[0]) - leave) / 2.0 if len(after) else STOP_HEAD_S
                length = min(seconds, STOP_HEAD_S, room)
                if length > 1e-9:
                    heads.append((leave, judged, length))
            self._heads = heads
        return self._heads

    def tick_times(self, ys) -> list[float]:
        """Song times of the time axis's ticks at ``ys``. In X-mod a tick within float noise of a timing change's
        beat is put on it first: the tick on a stop's row named the stop's end (0:06.0), not its start, when the
        note drawn there sounds."""
        if not self.beat_spaced:
            return [float(y) for y in ys]
        beats = np.atleast_1d(np.asarray(self.y_to_beat(np.asarray(ys, dtype=np.float64)), dtype=np.float64))
        tm = self.timing
        knots = np.unique(np.array([float(b) for b, _ in (*tm.bpms, *tm.stops, *tm.delays)]
                                   + [float(b + n) for b, n in tm.warps] + [float(b) for b, _ in tm.warps]))
        at = np.searchsorted(knots, beats)
        for k in (knots[np.clip(at, 0, len(knots) - 1)], knots[np.clip(at - 1, 0, len(knots) - 1)]):
            beats = np.where(np.abs(beats - k) <= 1e-7 * np.maximum(1.0, np.abs(k)), k, beats)
        return [float(t) for t in self.timing.beats_to_seconds_array(beats)]

    def span_y(self, a: float, b: float) -> tuple[float, float]:
        """y at the two ends of a piece ``[a, b]`` of :meth:`pieces`, each as approached from inside the piece.

        A warp's beats take no time, so y jumps at its moment, and ``to_y`` there gives the far side of the jump
        (where the piece after the warp starts). The piece that ends at the warp ends at the warp's first beat:
        stretched to ``to_y(b)`` it reached the warp's last beat, and its waveform and spectrogram were drawn
        below their beat lines (53 px at 120 px/s for a 2-beat warp at 120 BPM). y is linear inside a piece, so
        its end is its start mirrored through its middle."""
        ya = float(self.to_y(a))
        if not self.beat_spaced:
            return ya, float(b)
        return ya, 2.0 * float(self.to_y((a + b) / 2.0)) - ya


C_MOD = TimeAxis()


@dataclass(frozen=True)
class PixelMap:
    """Map from data coordinates (lane units, song seconds) to device pixels: the view's :class:`TimeAxis`, then
    the painter's affine transform (no rotation, as in a ViewBox)."""

    sx: float
    dx: float
    sy: float
    dy: float
    axis: TimeAxis = C_MOD

    @classmethod
    def from_transform(cls, tr: QTransform, axis: TimeAxis = C_MOD) -> PixelMap:
        return cls(sx=tr.m11(), dx=tr.m31(), sy=tr.m22(), dy=tr.m32(), axis=axis)

    @overload
    def x(self, x: float) -> float: ...
    @overload
    def x(self, x: np.ndarray) -> np.ndarray: ...
    def x(self, x: float | np.ndarray) -> float | np.ndarray:
        return self.sx * x + self.dx

    @overload
    def y(self, t: float) -> float: ...
    @overload
    def y(self, t: np.ndarray) -> np.ndarray: ...
    def y(self, t: float | np.ndarray) -> float | np.ndarray:
        """Pixel row of song time(s) ``t``."""
        return self.sy * self.axis.to_y(t) + self.dy

    def y_beat(self, beats, timing: TimingData | None = None):
        """Pixel row(s) of beat(s) of ``timing`` (:meth:`TimeAxis.beat_to_y`)."""
        return self.sy * self.axis.beat_to_y(beats, timing) + self.dy

    def point(self, x: float, t: float) -> QPointF:
        return QPointF(self.sx * x + self.dx, float(self.y(t)))

    def rect(self, x0: float, t0: float, x1: float, t1: float) -> QRectF:
        """Pixel rectangle of a data rectangle, normalised (the y axis may be inverted)."""
        return QRectF(self.point(x0, t0), self.point(x1, t1)).normalized()

    def rows(self, a: float, b: float) -> tuple[float, float]:
        """Pixel rows of the two ends of a piece ``[a, b]`` of :meth:`TimeAxis.pieces` (see
        :meth:`TimeAxis.span_y`: at a warp, ``y(b)`` is the wrong side of the jump)."""
        ya, yb = self.axis.span_y(a, b)
        return self.sy * ya + self.dy, self.sy * yb + self.dy

    def piece_rect(self, x0: float, a: float, x1: float, b: float) -> QRectF:
        """Pixel rectangle of a piece ``[a, b]`` of :meth:`TimeAxis.pieces` between lane units x0 and x1."""
        ya, yb = self.rows(a, b)
        return QRectF(QPointF(self.sx * x0 + self.dx, ya), QPointF(self.sx * x1 + self.dx, yb)).normalized()

    @property
    def time_down(self) -> bool:
        """Whether later times are lower on screen (False in reverse scroll, where time runs up)."""
        return self.sy >= 0

    @property
    def lane_px(self) -> float:
        """Width of one lane in pixels."""
        return abs(self.sx)


def time_axis(item) -> TimeAxis:
    """The time axis of the ViewBox an item is in (C-mod when it is in none)."""
    vb = item.getViewBox()
    return getattr(vb, "time_axis", C_MOD) if vb is not None else C_MOD


def pixel_map(item, painter) -> PixelMap:
    """The :class:`PixelMap` an item paints with: its painter's transform and its view's time axis."""
    return PixelMap.from_transform(painter.transform(), time_axis(item))


def visible_range(item, margin_y: float = 0.0) -> tuple[float, float, float, float] | None:
    """(x0, x1, t0_s, t1_s) of the item's ViewBox, in lane units and song seconds, or None before it is in a
    view. ``margin_y`` (y units) widens the range at both ends: what is drawn around a time (a note head centred
    on it) shows before that time enters the view."""
    vb = item.getViewBox()
    if vb is None:
        return None
    (x0, x1), (y0, y1) = vb.viewRange()
    axis = getattr(vb, "time_axis", C_MOD)
    return x0, x1, float(axis.to_t(y0 - margin_y)), float(axis.to_t(y1 + margin_y))


def visible_beats(item, margin_y: float = 0.0) -> tuple[float, float] | None:
    """(b0, b1): the beats at the top and bottom of the item's ViewBox (widened by ``margin_y`` y units), or None
    before it is in a view. In X-mod straight from y (:meth:`TimeAxis.y_to_beat`): a view that starts inside a
    warp's room starts at its own beat there, not at the warp's end."""
    vb = item.getViewBox()
    if vb is None:
        return None
    y0, y1 = vb.viewRange()[1]
    axis = getattr(vb, "time_axis", C_MOD)
    return float(axis.y_to_beat(y0 - margin_y)), float(axis.y_to_beat(y1 + margin_y))


def visible_marks(item, painter, time_s: np.ndarray, margin_s: float = 0.3) -> tuple[PixelMap, int, int] | None:
    """For an overlay item whose marks sit at sorted ``time_s``: its :class:`PixelMap` and the slice ``lo:hi`` of the
    marks within ``margin_s`` of the view (a label drawn around its time shows as it enters), or None when there is
    nothing to paint (no view yet, no marks, none near the view). The foot labels and the hitsound badges share it."""
    view = visible_range(item)
    if view is None or not len(time_s):
        return None
    lo, hi = np.searchsorted(time_s, [view[2] - margin_s, view[3] + margin_s])
    if hi <= lo:
        return None
    return pixel_map(item, painter), int(lo), int(hi)

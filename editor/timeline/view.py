"""TimelineWidget: the vertical notefield (pyqtgraph) — waveform, grid, lanes, notes, drafts, cursor.

Why vertical: the designers this editor is for chart in ArrowVortex, StepMania's editor and Quaver, which all
scroll time downwards through vertical lanes; the receptors, the 1-4 keys and the lanes then line up the way a
player reads the chart. Time on the y axis is in seconds by default (ArrowVortex's C-mod), so the waveform lines
up with the notes under any BPM change or stop; View > Beat-Spaced (X-mod) spaces beats evenly instead
(:class:`editor.timeline.geometry.TimeAxis`). Items and controllers work in song seconds either way; in X-mod
what sits on a beat (notes, grid, clicks) is placed by its beat, so a warp's beats get their own rows.

View > Reverse Scroll (StepMania's Reverse, ArrowVortex's reverse scroll) makes time run *up*: the one switch is
the ViewBox's y inversion (:meth:`TimelineWidget.set_reverse`). Every item paints through the painter's
data-to-pixel transform (``geometry.PixelMap``) and every press is mapped back through the same ViewBox, so notes,
holds, grid, waveform, spectrogram, curve, labels, the selection box, the cursor and mouse editing all follow it;
texts are drawn in device pixels and are never mirrored. The cursor then sits ``CURSOR_ANCHOR`` up from the
bottom, where StepMania puts the receptors under Reverse, with the notes to come above it.

The widget owns *view* state only: the cursor time (and the beat it was put on where a warp gives several beats
that time: :meth:`TimelineWidget.exact_beat`; the cursor time is the playhead while playing; the view follows it,
keeping it ``CURSOR_ANCHOR`` down from the top, or up from the bottom in reverse scroll), the zoom in pixels per
second (per y unit in X-mod), the time axis, the scroll direction and what is shown. Editing is done by the
controllers: mouse presses, drags and releases are handed to ``interaction`` as :class:`Hit` values
(:mod:`editor.timeline.pointer`).
"""

from __future__ import annotations

import math
from fractions import Fraction

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget

from chart.snap import snap_beat
from chart.timing import TimingData
from editor.timeline import cursor_steps as steps_
from editor.timeline import geometry as geo
from editor.timeline.focus_frame import FocusFrameMixin
from editor.timeline.grid_item import BeatGridItem
from editor.timeline.hitsound_item import HitsoundMarksItem
from editor.timeline.note_index import NoteIndex
from editor.timeline.notes_item import NotesItem
from editor.timeline.overlay_items import (
    CursorItem,
    CurveItem,
    FootLabelsItem,
    JudgmentMarksItem,
    LanesBackgroundItem,
    RangeItem,
    SelectionBoxItem,
)
from editor.timeline.pointer import HIT_TOLERANCE_PX, Hit, PointerMixin
from editor.timeline.time_axis import MIN_AXIS_PX, TimeAxisItem
from editor.timeline.waveform_item import PeakSource, WaveformItem

CURSOR_ANCHOR = 0.3  # fraction of the view height above the cursor
MIN_PPS, MAX_PPS = 15.0, 4000.0  # zoom limits, pixels per second
DEFAULT_PPS = 240.0
LANE_PX = 76.0  # lane width in pixels (ArrowVortex's columns are about this wide)


__all__ = ["CURSOR_ANCHOR", "DEFAULT_PPS", "HIT_TOLERANCE_PX", "Hit", "MAX_PPS", "MIN_PPS", "TimelineWidget"]


class TimelineWidget(FocusFrameMixin, PointerMixin, pg.PlotWidget):
    """The notefield. See the module docstring for the model."""

    cursor_moved = Signal(float)  # cursor time in seconds, after a user scroll or seek in this widget
    zoom_changed = Signal(float)  # pixels per second

    def __init__(self, parent: QWidget | None = None) -> None:
        axis = TimeAxisItem(orientation="left")
        axis.setWidth(MIN_AXIS_PX)
        self.time_axis_item = axis
        # PlotWidget's keywords: pyqtgraph is untyped, so mypy takes QGraphicsView's __init__ (PointerMixin's base)
        super().__init__(parent, background=(12, 13, 17), axisItems={"left": axis})  # type: ignore[call-overload]
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # framed while it has it (editor.timeline.focus_frame)
        self.setAccessibleName("Notefield")
        self.setAccessibleDescription("The chart's lanes over the song's waveform: the number keys place notes at "
                                      "the cursor, Up/Down move it by the snap, Space plays (F1 lists every key)")
        self.setMouseTracking(True)  # hover over a hold's end changes the pointer
        plot = self.getPlotItem()
        plot.hideAxis("bottom")
        plot.hideButtons()
        plot.setMenuEnabled(False)
        self.vb = plot.getViewBox()
        self.vb.invertY(True)
        self.vb.setMouseEnabled(False, False)
        self.vb.disableAutoRange()
        self.vb.setDefaultPadding(0.0)
        # Items paint only inside the visible range; Qt's per-call clip to the ViewBox shape costs ~40 us per
        # draw call on the raster engine, which was most of a frame with a few hundred notes on screen.
        self.vb.setFlag(self.vb.GraphicsItemFlag.ItemClipsChildrenToShape, False)
        self.timing = TimingData()
        self.lanes = 4
        self.divisor = 16
        self.duration_s = 60.0
        self.cursor_s = 0.0
        self.cursor_exact: Fraction | None = None  # the beat the cursor was put on (see exact_beat)
        self.pps = DEFAULT_PPS
        self.playing = False
        self.show_spectrogram = False
        self.show_curve = False
        self.beat_spaced = False  # View > Beat-Spaced (X-mod)
        self.reverse = False  # View > Reverse Scroll: time runs up
        self.axis = geo.C_MOD
        self.vb.time_axis = self.axis  # read by the items through geometry.pixel_map / visible_range
        self.interaction = None  # controller with press(hit) / drag(hit) / release(hit)
        self.before_input = None  # callable run before hit testing (brings a coalesced note index up to date)
        self.seek_guard = None  # callable(t_s) -> True to refuse a user seek (playback, while a test play runs)
        self.index: NoteIndex | None = None
        self.ghosts: NoteIndex | None = None
        self.reference: NoteIndex | None = None  # another difficulty, drawn faintly under the chart's notes
        self._build_items()
        self._update_x_range()

    def _build_items(self) -> None:
        self.background_item = LanesBackgroundItem()
        self.waveform_item = WaveformItem()
        self.range_item = RangeItem()
        self.grid_item = BeatGridItem()
        self.notes_item = NotesItem()
        self.ghost_item = NotesItem(ghost=True)
        self.reference_item = NotesItem(reference=True)
        self.curve_item = CurveItem()
        self.cursor_item = CursorItem()
        self.box_item = SelectionBoxItem()
        self.marks_item = JudgmentMarksItem()  # where a test play's hits landed
        self.feet_item = FootLabelsItem()  # View > Foot Labels (editor.controllers.feet)
        self.hitsound_item = HitsoundMarksItem()  # an osu! map's sounded notes (editor.controllers.hitsound_marks)
        self.spectrogram_item = None  # added by set_spectrogram_item
        for item in (self.background_item, self.waveform_item, self.range_item, self.grid_item, self.reference_item,
                     self.notes_item, self.hitsound_item, self.feet_item, self.marks_item, self.ghost_item,
                     self.curve_item, self.cursor_item, self.box_item):
            self.vb.addItem(item, ignoreBounds=True)
        self.curve_item.setVisible(False)
        self.feet_item.setVisible(False)

    # ------------------------------------------------------------------ data
    def set_song(self, timing: TimingData, lanes: int, duration_s: float) -> None:
        """New timing / lane count / audio length: re-extent every item."""
        self.timing, self.lanes, self.duration_s = timing, lanes, max(duration_s, 1.0)
        t_end = max(self.duration_s, self.index.end_s[-1] if self.index is not None and len(self.index) else 0.0)
        self.axis = geo.TimeAxis(timing, self.beat_spaced, t_end)
        self.vb.time_axis = self.time_axis_item.time_axis = self.axis
        if self.time_axis_item.fit_width(t_end + 10.0):
            self.getPlotItem().layout.activate()  # the view box narrows now, before the lanes are sized to it
        # item extents are in y units (seconds in C-mod; evenly spaced beats in X-mod)
        y0, y1 = float(self.axis.to_y(-10.0)), float(self.axis.to_y(t_end + 10.0))
        for item in (self.notes_item, self.ghost_item, self.reference_item):
            item.set_extent(y0, y1)
        for item in (self.background_item, self.range_item, self.cursor_item, self.box_item, self.curve_item,
                     self.marks_item, self.feet_item, self.hitsound_item):
            item.set_extent(y0, y1, lanes)
        self.waveform_item.set_y_extent(y0, y1)
        if self.spectrogram_item is not None:
            self.spectrogram_item.set_y_extent(y0, y1)
        self.background_item.audio_s = (0.0, self.duration_s)
        self.grid_item.set_lanes(lanes)
        self.grid_item.set_timing(timing, y0, y1)
        self.waveform_item.set_lanes(lanes)
        self.notes_item.set_index(self.index, lanes, arrows=True)  # the lane count decides arrows vs bars
        self.ghost_item.set_index(self.ghosts, lanes, arrows=True)
        self.reference_item.set_index(self.reference, lanes, arrows=True)
        self._update_x_range()
        self.set_cursor(self.cursor_s)

    def set_notes(self, index: NoteIndex | None) -> None:
        self.index = index
        self.notes_item.set_index(index, self.lanes, arrows=True)

    def set_ghosts(self, index: NoteIndex | None) -> None:
        self.ghosts = index
        self.ghost_item.set_index(index, self.lanes, arrows=True)

    def set_reference(self, index: NoteIndex | None) -> None:
        """Another difficulty's notes (timed with its own timing), drawn as pale outlines; None hides them."""
        self.reference = index
        self.reference_item.set_index(index, self.lanes, arrows=True)

    def set_peaks(self, peaks: PeakSource | None, duration_s: float = 1.0) -> None:
        self.waveform_item.set_peaks(peaks, duration_s)

    def set_divisor(self, divisor: int) -> None:
        self.divisor = divisor
        self.grid_item.set_divisor(divisor)

    def set_spectrogram_item(self, item) -> None:
        """Install the spectrogram lane item (built by the spectrogram controller)."""
        self.spectrogram_item = item
        self.vb.addItem(item, ignoreBounds=True)
        item.set_y_extent(float(self.axis.to_y(-10.0)), float(self.axis.to_y(self.duration_s + 10.0)))
        item.setVisible(self.show_spectrogram)

    def set_show_spectrogram(self, show: bool) -> None:
        self.show_spectrogram = show
        if self.spectrogram_item is not None:
            self.spectrogram_item.setVisible(show)
        self._update_x_range()

    def set_beat_spaced(self, on: bool) -> None:
        """X-mod (every beat equally tall, stops take no room) or C-mod (y is time); the cursor stays put. A song of
        one tempo and no stops looks the same in both."""
        self.beat_spaced = bool(on)
        self.set_song(self.timing, self.lanes, self.duration_s)
        self.time_axis_item.picture = None  # re-label the ticks
        self.time_axis_item.update()

    def set_reverse(self, on: bool) -> None:
        """Reverse scroll (time runs up, lanes stay left to right) or the usual downward scroll; the cursor stays
        put and moves to ``CURSOR_ANCHOR`` up from the bottom. Only the ViewBox's y inversion changes: the items'
        pixel maps and the mouse mapping follow it (see the module docstring)."""
        self.reverse = bool(on)
        self.vb.invertY(not self.reverse)
        self.set_cursor(self.cursor_s)
        self.time_axis_item.picture = None  # the ticks' labels are laid out again, the other way up
        self.time_axis_item.update()

    @property
    def down(self) -> int:
        """Which way the song runs down the screen: 1 (later is lower) or -1 in reverse scroll."""
        return -1 if self.reverse else 1

    def set_show_curve(self, show: bool) -> None:
        self.show_curve = show
        self.curve_item.setVisible(show)
        self.grid_item.set_markers_x(geo.CURVE_STRIP if show else 0.0)
        self._update_x_range()

    # ------------------------------------------------------------------ view state
    def _update_x_range(self) -> None:
        """Lanes keep a designer-sized width (LANE_PX) whatever the window width; extra room goes right."""
        width_px = max(float(self.vb.width()), 1.0)
        curve_units = geo.CURVE_STRIP if self.show_curve else 0.0
        lane_px = min(LANE_PX, width_px / (self.lanes + 1.6 + (2.8 if self.show_spectrogram else 0.0) + curve_units))
        units = width_px / lane_px
        if self.show_spectrogram:
            left = geo.SPECTRO_X0 - 0.1
        else:  # centre the notefield (with its right-hand labels/curve strip) like ArrowVortex
            right_extra = curve_units + 1.15
            left = min(-geo.GUTTER, -(units - self.lanes - right_extra) / 2.0)  # the measure numbers' room, at least
        self.vb.setXRange(left, left + units, padding=0.0)
        self.grid_item.set_number_left(geo.SPECTRO_X1 if self.show_spectrogram else left)

    def view_span_y(self) -> float:
        """Height of the view in y units (seconds in C-mod)."""
        return max(self.vb.height(), 1.0) / self.pps

    def visible_times(self) -> tuple[float, float]:
        """Song times (s) at the top and the bottom of the view."""
        y0, y1 = self.vb.viewRange()[1]
        return float(self.axis.to_t(y0)), float(self.axis.to_t(y1))

    def pixels_between(self, a_s: float, b_s: float) -> float:
        """Vertical distance in pixels between two song times."""
        return abs(float(self.axis.to_y(a_s)) - float(self.axis.to_y(b_s))) * self.pps

    def set_cursor(self, t_s: float, playing: bool | None = None, beat: Fraction | None = None) -> None:
        """Move the cursor (the playhead) and scroll the view so it sits at CURSOR_ANCHOR. ``beat``: the beat it
        is put on (:meth:`exact_beat`); without one, a move to another time forgets the last."""
        if playing is not None:
            self.playing = playing
        t_s = float(t_s)
        if beat is not None:
            self.cursor_exact = Fraction(beat)
        elif t_s != self.cursor_s:
            self.cursor_exact = None
        self.cursor_s = t_s
        exact = self.exact_beat()
        span = self.view_span_y()
        y = float(self.axis.beat_to_y(float(exact))) if exact is not None else float(self.axis.to_y(self.cursor_s))
        top = y - CURSOR_ANCHOR * span
        self.vb.setYRange(top, top + span, padding=0.0, update=True)
        self.cursor_item.set_time(self.cursor_s, self.playing, None if exact is None else float(exact))

    def exact_beat(self) -> Fraction | None:
        """The beat the cursor was put on (a jump, Go to a beat, an X-mod step), while the cursor stays at its
        time under the current timing; else None, and the cursor's beat is that of its time. A warp's beats all
        share one time, which reads as its last beat: a jump to a note inside it, or an X-mod step onto one of its
        rows, must not edit, show or draw the cursor at another beat."""
        beat = self.cursor_exact
        if beat is None or abs(float(self.timing.beat_to_seconds(beat)) - self.cursor_s) > 1e-9:
            return None
        return beat

    def beat_at(self, t_s: float) -> float:
        """The beat at time ``t_s``: :meth:`exact_beat` when that is the cursor's time, else the time's beat."""
        exact = self.exact_beat() if t_s == self.cursor_s else None
        return float(exact) if exact is not None else float(self.timing.seconds_to_beats_array([t_s])[0])

    def set_zoom(self, pps: float) -> None:
        self.pps = float(min(max(pps, MIN_PPS), MAX_PPS))
        self.set_cursor(self.cursor_s)
        self.zoom_changed.emit(self.pps)

    def zoom_by(self, factor: float) -> None:
        self.set_zoom(self.pps * factor)

    def resizeEvent(self, ev) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(ev)
        if not hasattr(self, "cursor_item"):  # pyqtgraph resizes once inside its own __init__
            return
        self._update_x_range()
        self.set_cursor(self.cursor_s)

    def cursor_beat(self) -> Fraction:
        """The cursor's beat (:meth:`exact_beat` when it has one), snapped to the current divisor."""
        exact = self.exact_beat()
        if exact is not None:
            return snap_beat(exact, self.divisor)
        beat = float(self.timing.seconds_to_beats_array([self.cursor_s])[0])
        return snap_beat(Fraction(beat).limit_denominator(1 << 16), self.divisor)

    def _step_from(self, grid: int) -> Fraction:
        """Where the cursor's steps start: its exact beat, else its time's beat on the finest of 1/192 and this
        grid (which removes float noise: a custom 1/20 snap's lines are not on 1/192, and rounding to it stuck
        the cursor)."""
        exact = self.exact_beat()
        if exact is not None:
            return exact
        beat = float(self.timing.seconds_to_beats_array([self.cursor_s])[0])
        return snap_beat(Fraction(beat).limit_denominator(1 << 16), grid)

    def _step_to(self, steps: int, step, grid: int) -> None:
        """Seek ``steps`` steps of ``step`` away (:mod:`editor.timeline.cursor_steps`) from :meth:`_step_from`
        ``grid``: in X-mod onto the beat reached (a warp's beats have rows there), in C-mod onto its time (and its
        beat where that time reads back as another), past the beats that share the cursor's row."""
        by_beat = self.axis.by_beat()
        beat = steps_.step_beats(self.timing, self._step_from(grid), steps, step, past_shared=not by_beat)
        keep = by_beat or steps_.keeps_beat(self.timing, beat)
        self.seek(float(self.timing.beat_to_seconds(beat)), beat=beat if keep else None)

    def step_cursor(self, steps: int, divisor: int | None = None) -> None:
        """Move the cursor by whole grid steps (the snap's by default), as the wheel and arrow keys do: to the
        next line of this grid, so after a snap change the cursor lands on the nearest line of the new snap, as in
        ArrowVortex."""
        d = divisor or self.divisor
        self._step_to(steps, steps_.snap_step(d), math.lcm(192, d))

    def cursor_down(self, steps: int, measures: bool = False) -> None:
        """Move the cursor ``steps`` snap steps (or measures) down the screen, up when negative: the wheel and
        the Up/Down, PgUp/PgDn keys. Later in the song, or earlier in reverse scroll (see
        :mod:`editor.timeline.pointer` for why)."""
        if measures:
            self.step_measure(steps * self.down)
        else:
            self.step_cursor(steps * self.down)

    def step_measure(self, steps: int) -> None:
        """Move the cursor by whole measures, to measure lines (time signatures followed): PgUp/PgDn,
        Shift+wheel."""
        self._step_to(steps, steps_.measure_step(self.timing), 192)

    def seek(self, t_s: float, beat: Fraction | None = None) -> None:
        """User seek: move the cursor and announce it, unless ``seek_guard`` refuses it (every user seek comes
        here: the wheel, arrow keys, the minimap, jumps from panels). ``beat``: the beat sought, where it is known
        (:meth:`exact_beat`)."""
        if self.seek_guard is not None and self.seek_guard(t_s):
            return
        limit = max(self.duration_s, self.index.end_s[-1] if self.index is not None and len(self.index) else 0.0)
        self.set_cursor(min(max(t_s, self.timing.beats_to_seconds_array([0.0])[0] - 2.0), limit + 2.0), beat=beat)
        self.cursor_moved.emit(self.cursor_s)

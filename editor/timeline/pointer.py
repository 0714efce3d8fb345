"""Pointer input on the notefield: where a mouse event lands (:class:`Hit`), the pointer's shape over what can be
dragged, and the wheel. :class:`PointerMixin` is the part of :class:`editor.timeline.view.TimelineWidget` that
does this (a module of its own to keep the widget's module short).

Positions go through the ViewBox's own scene-to-data mapping, so hit testing follows the time axis (C-mod or
X-mod) and reverse scroll without code of its own: a press is the song time under the pointer, whichever way
time runs on screen. In X-mod it is the beat under the pointer first (y is linear in beats there), then its time:
inside a warp's room every beat has the warp's one instant, and going through the time landed every click there
on the warp's last beat; notes are found by beat there too, where they are drawn.

The pointer turns into a vertical arrow where a drag changes a note's length rather than moving it: over the end
of a hold or roll, and with Alt held, over the head of a hold or roll (Alt+drag moves its start, the end stays)
and over a tap (Alt+drag draws it out into a hold). The head needs Alt because a plain drag on a head moves the
selection, the gesture charts are mostly edited with.

The wheel walks the cursor by the snap down the screen when rolled towards the user (up the screen when rolled
away), as the Down and Up keys do: later in the song normally, earlier in reverse scroll, where later notes are
higher. ArrowVortex (``View.cpp``: snap directions swapped with reverse scroll) and StepMania's editor (the
scroll buttons' beats negated under Reverse) do the same, so what is under the pointer always moves the same way
as the wheel turns.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent, QWheelEvent

from chart.notes import NoteKind
from chart.snap import snap_beat

if TYPE_CHECKING:
    import pyqtgraph as pg
    from PySide6.QtWidgets import QGraphicsView

    from chart.timing import TimingData
    from editor.timeline.geometry import TimeAxis
    from editor.timeline.note_index import NoteIndex
    from editor.timeline.overlay_items import SelectionBoxItem

    _Host = QGraphicsView  # the mixin's host is a QGraphicsView (a pyqtgraph PlotWidget): its methods are there
else:
    _Host = object

HIT_TOLERANCE_PX = 9.0


@dataclass(frozen=True)
class Hit:
    """Where a mouse event landed: time, snapped beat, lane (None outside the lanes), note index under it."""

    time_s: float
    beat: float
    snapped: Fraction
    x: float
    lane: int | None
    note: int | None
    button: Qt.MouseButton
    modifiers: Qt.KeyboardModifier
    tail: bool = False  # on the end of the hold or roll ``note`` (nearer its end than its head): drag to resize
    head: bool = False  # on the head of the hold or roll ``note`` (not its end): Alt+drag moves its start


class Interaction(Protocol):
    """What handles the notefield's presses, drags and releases (``editor.controllers.editing``)."""

    def press(self, hit: Hit) -> None: ...
    def drag(self, hit: Hit) -> None: ...
    def release(self, hit: Hit) -> None: ...


class PointerMixin(_Host):
    """Mouse, wheel and pointer-shape handling of the notefield (mixed into ``TimelineWidget``)."""

    _hover_pos: QPointF | None = None
    # the host's state this mixin reads (set by TimelineWidget.__init__ and _build_items)
    vb: pg.ViewBox
    axis: TimeAxis
    timing: TimingData
    index: NoteIndex | None
    lanes: int
    divisor: int
    pps: float
    box_item: SelectionBoxItem
    interaction: Interaction | None  # press(hit) / drag(hit) / release(hit)
    before_input: Callable[[], object] | None  # run before hit testing

    if TYPE_CHECKING:  # the host's methods this mixin calls (TimelineWidget's)
        def pixels_between(self, a_s: float, b_s: float) -> float: ...
        def zoom_by(self, factor: float) -> None: ...
        def cursor_down(self, steps: int, measures: bool = False) -> None: ...

    # ------------------------------------------------------------------ hit testing
    def hit_at(self, pos: QPointF, button=Qt.MouseButton.NoButton, modifiers=Qt.KeyboardModifier.NoModifier) -> Hit:
        """Map a widget position to a :class:`Hit`."""
        p = self.vb.mapSceneToView(self.mapToScene(pos.toPoint()))
        y, x = float(p.y()), float(p.x())
        by_beat = self.axis.by_beat(self.timing)
        if by_beat:  # X-mod: the beat straight from y, so a row inside a warp's room is its own beat
            beat = float(self.axis.y_to_beat(y))
            t_s = float(self.timing.beats_to_seconds_array([beat])[0])
        else:
            t_s = float(self.axis.to_t(y))
            beat = float(self.timing.seconds_to_beats_array([t_s])[0])
        snapped = snap_beat(Fraction(beat).limit_denominator(1 << 16), self.divisor)
        lane = int(math.floor(x)) if 0.0 <= x < self.lanes else None
        note, tail, head = None, False, False
        if lane is not None and self.index is not None:
            # notes are found where they are drawn (notes_item): by beat in X-mod, else by time
            by_beat = self.axis.by_beat(self.index.timing)
            at = beat if by_beat else t_s
            tol_y = HIT_TOLERANCE_PX / self.pps
            if by_beat:
                tol = tol_y / self.axis.beat_height
            else:  # the tolerance in seconds here
                tol = max(abs(float(self.axis.to_t(y + tol_y)) - float(self.axis.to_t(y - tol_y))) / 2.0, 1e-4)
            starts, ends, _ = self.index.spans(by_beat)
            note = self.index.hit(at, lane, tol, by_beat)
            below = self.index.hit(at - tol, lane, 1e-6, by_beat) if note is None else None  # past a hold's end
            for candidate in (note, below):
                if candidate is not None and self.index.notes[candidate].kind.has_length:
                    start, end = float(starts[candidate]), float(ends[candidate])
                    tail = abs(end - at) <= tol and abs(end - at) < abs(start - at)
                    if tail:
                        note = candidate
            if note is not None and not tail and self.index.notes[note].kind.has_length:
                head = abs(float(starts[note]) - at) <= tol
        return Hit(t_s, beat, snapped, x, lane, note, button, modifiers, tail, head)

    # ------------------------------------------------------------------ between two hits (drags, box selection)
    def _hits_by_beat(self) -> bool:
        return self.axis.by_beat(self.index.timing if self.index is not None else self.timing)

    def hit_rows_px(self, a: Hit, b: Hit) -> float:
        """Vertical pixels between where two hits landed (how far a drag went): by beat in X-mod, where a drag
        inside a warp's room goes from beat to beat in no time."""
        if self._hits_by_beat():
            return abs(a.beat - b.beat) * self.axis.beat_height * self.pps
        return self.pixels_between(a.time_s, b.time_s)

    def show_box(self, a: Hit | None, b: Hit | None = None) -> None:
        """Show the rubber band of a box selection from hit ``a`` to hit ``b`` (hidden when either is None)."""
        if a is None or b is None:
            self.box_item.set_box(None)
        elif self._hits_by_beat():
            self.box_item.set_box((a.x, a.beat, b.x, b.beat), by_beat=True)
        else:
            self.box_item.set_box((a.x, a.time_s, b.x, b.time_s))

    def notes_in_box(self, a: Hit, b: Hit, lane0: int, lane1: int) -> list:
        """The notes whose heads lie between hits ``a`` and ``b`` (by beat in X-mod, so a box inside a warp's room
        takes the notes it shows, not the whole warp's) in lanes ``lane0`` to ``lane1``."""
        if self.index is None:
            return []
        if self._hits_by_beat():
            return self.index.in_box(a.beat, b.beat, lane0, lane1, by_beat=True)
        return self.index.in_box(a.time_s, b.time_s, lane0, lane1)

    @property
    def hover_pos(self) -> QPointF | None:
        """Where the pointer is over the notefield (viewport pixels), None when elsewhere: Timing > Sync Beat at
        Cursor to Mouse reads it (:mod:`editor.controllers.beat_sync`)."""
        return self._hover_pos

    def widget_pos(self, t_s: float, x: float) -> QPointF:
        """Widget pixel position of a data point (tests and tooltips)."""
        scene = self.vb.mapViewToScene(QPointF(x, float(self.axis.to_y(t_s))))
        return QPointF(self.mapFromScene(scene))

    def resizes_at(self, hit: Hit, alt: bool) -> bool:
        """Whether a left drag from ``hit`` changes a note's length (the pointer shows a vertical arrow): a hold's
        end; with Alt, a hold's head or a tap."""
        if hit.tail:
            return True
        if not alt or hit.note is None or self.index is None:
            return False
        return hit.head or self.index.notes[hit.note].kind == NoteKind.TAP

    def _update_pointer(self, pos: QPointF | None, alt: bool) -> None:
        resize = pos is not None and self.resizes_at(self.hit_at(pos), alt)
        if resize != (self.cursor().shape() == Qt.CursorShape.SizeVerCursor):
            self.setCursor(Qt.CursorShape.SizeVerCursor if resize else Qt.CursorShape.ArrowCursor)

    # ------------------------------------------------------------------ Qt events
    def mousePressEvent(self, ev: QMouseEvent) -> None:  # noqa: N802
        self.setFocus()
        if self.before_input is not None:
            self.before_input()
        if self.interaction is not None:
            self.interaction.press(self.hit_at(ev.position(), ev.button(), ev.modifiers()))
        ev.accept()

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:  # noqa: N802
        self._hover_pos = QPointF(ev.position())  # also while dragging: Alt pressed after the drag reads it
        if self.interaction is not None and ev.buttons() != Qt.MouseButton.NoButton:
            self.interaction.drag(self.hit_at(ev.position(), ev.buttons(), ev.modifiers()))
        elif ev.buttons() == Qt.MouseButton.NoButton:  # hovering: what can be resized shows it
            self._update_pointer(self._hover_pos, bool(ev.modifiers() & Qt.KeyboardModifier.AltModifier))
        ev.accept()

    def leaveEvent(self, ev: QEvent) -> None:  # noqa: N802 - Qt API
        self._hover_pos = None
        super().leaveEvent(ev)

    def keyPressEvent(self, ev: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if ev.key() == Qt.Key.Key_Alt:  # Alt down over a head: it can be dragged now
            self._update_pointer(self._hover_pos, True)
        super().keyPressEvent(ev)

    def keyReleaseEvent(self, ev: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if ev.key() == Qt.Key.Key_Alt:
            self._update_pointer(self._hover_pos, False)
        super().keyReleaseEvent(ev)

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:  # noqa: N802
        if self.interaction is not None:
            self.interaction.release(self.hit_at(ev.position(), ev.button(), ev.modifiers()))
        ev.accept()

    def mouseDoubleClickEvent(self, ev: QMouseEvent) -> None:  # noqa: N802
        ev.accept()

    def wheelEvent(self, ev: QWheelEvent) -> None:  # noqa: N802
        notches = ev.angleDelta().y() / 120.0
        if notches == 0:
            return
        mods = ev.modifiers()
        toward_user = -int(math.copysign(max(1, round(abs(notches))), notches))  # wheel down: positive
        if mods & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.2 ** notches)
        elif mods & Qt.KeyboardModifier.ShiftModifier:
            self.cursor_down(toward_user, measures=True)
        else:  # ArrowVortex: the wheel walks the cursor by the snap, down the screen when rolled towards you
            self.cursor_down(toward_user)
        ev.accept()

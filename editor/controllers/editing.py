"""EditController: mouse and keyboard editing on the notefield.

Mouse (ArrowVortex/osu!-like):

* left click in an empty lane cell places the current note type (tap, mine, roll) at the snapped beat;
* left drag from an empty cell down (or up) draws a hold (a roll when the note type is roll);
* left drag on the end of a hold or roll (the pointer turns into a vertical arrow there) changes its length, and
  Alt+drag on a tap draws it out into a hold; both stop one snap step before the lane's next note; Alt+drag on
  the head of a hold or roll moves its start (:mod:`editor.controllers.hold_head`);
* left click on a note selects it (Ctrl toggles); dragging a selected note moves the selection by snapped beats
  and whole lanes — a live preview that is one undo step (a Document stroke);
* right click on a note deletes it;
* Shift+drag, or a drag that starts outside the lanes, draws a selection box.

Keys 1-4 toggle a note in that lane at the cursor (which is the playhead while playing); a key held down while
the cursor moves draws a hold (:mod:`editor.controllers.key_holds`). Every change is a command pushed through the
session, so each gesture is exactly one undo step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

from PySide6.QtCore import QObject, Qt

from chart.checks.base import describe_beat
from chart.commands import AddNotes, RemoveNotes, ReplaceNotes, move_onto
from chart.history import HistoryError
from chart.note_keys import in_order
from chart.notes import Note, NoteKind
from chart.snap import step
from editor.controllers.cursor_row import row_beat
from editor.controllers.hold_head import drag_head
from editor.controllers.key_holds import STOPS_AT_0, KeyHolds, blocker, free_span, placed_in_room
from editor.session import PLACE_KINDS, EditorSession
from editor.timeline.view import Hit, TimelineWidget

DRAG_START_PX = 4.0


@dataclass
class _Gesture:
    kind: str  # "box" | "move" | "draw" | "tail" | "head"
    start: Hit
    moved: bool = False
    originals: tuple[Note, ...] = ()
    last_delta: tuple[Fraction, int] = (Fraction(0), 0)
    base: list[Note] = field(default_factory=list)  # a move: the chart's notes before it
    longest: Fraction = Fraction(0)  # a move: the longest hold of ``base`` (make_room reads only near the notes)
    shown: Note | None = None  # a head drag: the hold as it shows now


class EditController(QObject):
    """Turns notefield gestures and edit keys into commands on the session's Document."""

    def __init__(self, window, session: EditorSession, timeline: TimelineWidget):
        super().__init__(window)
        self.window, self.session, self.timeline = window, session, timeline
        self.gesture: _Gesture | None = None
        self.keys = KeyHolds(window, session, timeline, self)
        timeline.interaction = self
        session.chart_switched.connect(self._chart_switched)

    # ------------------------------------------------------------------ helpers
    @property
    def chart(self):
        return self.session.chart

    def _note(self, hit: Hit) -> Note | None:
        index = self.timeline.index
        return index.notes[hit.note] if hit.note is not None and index is not None else None

    def _far_enough(self, a: Hit, b: Hit) -> bool:
        dy_px = self.timeline.hit_rows_px(a, b)  # by beat in X-mod: a drag inside a warp's room moves too
        return dy_px >= DRAG_START_PX or (a.lane is not None and b.lane is not None and a.lane != b.lane)

    # ------------------------------------------------------------------ mouse protocol (called by the timeline)
    def press(self, hit: Hit) -> None:
        if self.chart is None:
            return
        self.keys.finish()  # a lane key still down: its note stays as drawn
        if self.gesture is not None:  # a second button during a drag: cancel the drag
            self.cancel_gesture()
            return
        if hit.button == Qt.MouseButton.RightButton:
            note = self._note(hit)
            if note is not None:
                self.session.push(RemoveNotes(self.chart, [note], name="Delete note"))
            else:
                self.session.clear_selection()
            return
        if hit.button != Qt.MouseButton.LeftButton:
            return
        shift = bool(hit.modifiers & Qt.KeyboardModifier.ShiftModifier)
        ctrl = bool(hit.modifiers & Qt.KeyboardModifier.ControlModifier)
        note = self._note(hit)
        alt = bool(hit.modifiers & Qt.KeyboardModifier.AltModifier)
        if hit.lane is None or shift:
            self.gesture = _Gesture("box", hit)
        elif note is not None and not ctrl and (hit.tail or (alt and note.kind == NoteKind.TAP)):
            self.session.select([note])
            self.gesture = _Gesture("tail", hit, originals=(note,))
        elif note is not None and not ctrl and alt and hit.head:  # Alt on a hold's head: move its start
            self.session.select([note])
            self.gesture = _Gesture("head", hit, originals=(note,))
        elif note is not None:
            if ctrl:
                self.session.toggle(note)
            elif note not in self.session.selection:
                self.session.select([note])
            self.gesture = _Gesture("move", hit, originals=tuple(in_order(self.session.selection)))
        else:
            self.gesture = _Gesture("draw", hit)

    def drag(self, hit: Hit) -> None:
        g = self.gesture
        if g is None:
            return
        if not g.moved and not self._far_enough(g.start, hit):
            return
        g.moved = True
        if g.kind == "box":
            self.timeline.show_box(g.start, hit)
        elif g.kind == "move":
            self._drag_move(g, hit)
        elif g.kind == "draw":
            self._drag_draw(g, hit)
        elif g.kind == "tail":
            self._drag_tail(g, hit)
        elif g.kind == "head":
            g.shown = drag_head(self.session, g.originals[0], hit.snapped, g.shown)

    def release(self, hit: Hit) -> None:
        g, self.gesture = self.gesture, None
        if g is None:
            return
        if g.kind == "box":
            self.timeline.show_box(None)
            if g.moved:
                self._finish_box(g, hit)
            elif not hit.modifiers & Qt.KeyboardModifier.ControlModifier:
                self.session.clear_selection()
        elif g.kind in ("move", "tail", "head"):
            if g.moved and self.session.doc.history.in_stroke:
                self.session.doc.commit_stroke()
        elif g.kind == "draw":
            if g.moved and self.session.doc.history.in_stroke:
                self.session.doc.commit_stroke()
            elif not g.moved:
                assert g.start.lane is not None  # a draw starts in a lane (press)
                self.place(g.start.snapped, g.start.lane, self.session.place_kind)

    def cancel_gesture(self) -> None:
        """Escape or a second button: drop the drag, restoring the chart to how it was."""
        g, self.gesture = self.gesture, None
        self.timeline.box_item.set_box(None)
        if g is not None and self.session.doc.history.in_stroke:
            self.session.doc.abort_stroke()
            if g.kind in ("move", "tail", "head"):
                self.session.select(g.originals)

    def _chart_switched(self) -> None:
        """Another chart shown during a mouse drag (F5/F6, the difficulty box, the Charts or History panel...):
        the drag is dropped as Escape drops it, its edit undone. It belonged to the chart left, and went on there
        unseen (a raw "not in chart" error on the status line) and was committed as a step of that chart."""
        g, self.gesture = self.gesture, None
        if g is None:
            return
        self.timeline.box_item.set_box(None)
        if g.moved and g.kind != "box" and self.session.doc.history.in_stroke:
            self.session.doc.abort_stroke()
            self.session.status.emit("Drag dropped: the chart changed during it (finish the drag before switching)")

    # ------------------------------------------------------------------ gestures
    def _drag_move(self, g: _Gesture, hit: Hit) -> None:
        """Move the selection by the snapped beats and whole lanes from the press to the pointer; the move stops
        with its first note on beat 0 (as in osu! and ArrowVortex), where it would go before: no chart file keeps
        notes there, and Save refused the chart after it. The status line says so."""
        if not g.originals or hit.lane is None or g.start.lane is None:
            return
        beat_delta = hit.snapped - g.start.snapped
        floor = min(Fraction(0), -g.originals[0].beat)  # in Note order: the first is the earliest (one before 0 stays)
        clamped = beat_delta < floor
        beat_delta = max(beat_delta, floor)
        lanes = self.chart.lanes
        lo = min(n.lane for n in g.originals)
        hi = max(n.lane for n in g.originals)
        lane_delta = max(-lo, min(lanes - 1 - hi, hit.lane - g.start.lane))
        if clamped:
            self.session.status.emit("Move notes: stopped at beat 0, where chart files keep no notes (to chart an "
                                     "intro, move the offset in the Song panel)")
        if (beat_delta, lane_delta) == g.last_delta:
            return
        history = self.session.doc.history
        if not history.in_stroke:
            self.session.doc.begin_stroke("Move notes")
            g.base = list(self.chart.notes)  # as before the drag: what a moved note lands on is replaced
            g.longest = self.session.doc.longest_hold(self.chart)
        g.last_delta = (beat_delta, lane_delta)
        # each mouse move reads only the stretch of the base around the moved notes: its cost follows the
        # selection, not the chart
        command = move_onto(self.chart, g.base, g.originals, beat_delta, lane_delta,
                            gap=step(self.session.divisor), longest=g.longest)
        try:
            self.session.doc.update_stroke(command)
        except (ValueError, KeyError, HistoryError) as exc:
            self.session.status.emit(f"Move notes: {exc}")
            return
        self.session.select(command.moved)

    def _drag_draw(self, g: _Gesture, hit: Hit) -> None:
        """Draw a hold from the pressed cell to the pointer, stopping one snap step short of the lane's other notes
        and at beat 0 (as a lane key held down draws); nothing when the pressed cell is taken."""
        doc, lane = self.session.doc, g.start.lane
        assert lane is not None  # a draw starts in a lane (press)
        history = doc.history
        own = g.originals[0] if g.originals and history.in_stroke else None  # the hold this drag shows now
        if own is None and blocker(doc, self.chart, g.start.snapped, lane) is not None:
            return
        start, end = free_span(doc, self.chart, lane, g.start.snapped, hit.snapped, step(self.session.divisor), own)
        length = end - start
        kind = NoteKind.ROLL if self.session.place_kind == NoteKind.ROLL else NoteKind.HOLD
        what = "Add roll" if kind == NoteKind.ROLL else "Add hold"
        if min(g.start.snapped, hit.snapped) < 0:
            self.session.status.emit(f"{what}: {STOPS_AT_0}")
        if length <= 0:
            if history.in_stroke:
                doc.abort_stroke()
            g.originals = ()
            return
        note = Note(start, lane, kind, length)
        if not history.in_stroke:
            doc.begin_stroke(what)
        try:
            doc.update_stroke(AddNotes(self.chart, [note], name="Add hold"))
        except (ValueError, KeyError, HistoryError) as exc:
            self.session.status.emit(f"Add hold: {exc}")
            return
        g.originals = (note,)

    def _drag_tail(self, g: _Gesture, hit: Hit) -> None:
        """Resize the hold (or draw out the tap) of the gesture so that it ends at the snapped pointer."""
        (note,) = g.originals
        gap = step(self.session.divisor)
        end = max(hit.snapped, note.beat + gap)
        later = [n.beat for n in self.session.doc.notes_in_range(self.chart, note.beat, end + gap)
                 if n.lane == note.lane and n.beat > note.beat]
        if later:
            end = min(end, min(later) - gap)
        history = self.session.doc.history
        if end <= note.beat or end == note.end_beat:  # no room, or back where it was: the note as it was
            if history.in_stroke:
                self.session.doc.abort_stroke()
                self.session.select([note])
            return
        kind = note.kind if note.kind.has_length else NoteKind.HOLD
        new = Note(note.beat, note.lane, kind, end - note.beat)
        if not history.in_stroke:
            self.session.doc.begin_stroke("Change hold length" if note.kind.has_length else "Draw out into a hold")
        try:
            self.session.doc.update_stroke(ReplaceNotes(self.chart, [note], [new], name="Change hold length"))
        except (ValueError, KeyError, HistoryError) as exc:
            self.session.status.emit(f"Change hold length: {exc}")
            return
        self.session.select([new])

    def _finish_box(self, g: _Gesture, hit: Hit) -> None:
        index = self.timeline.index
        if index is None:
            return
        x0, x1 = sorted((g.start.x, hit.x))
        lane0 = max(0, math.ceil(x0 - 0.5))  # a lane counts when the box covers its centre (k + 0.5); int()
        lane1 = min(self.chart.lanes - 1, math.floor(x1 - 0.5))  # truncated -0.3 to lane 0, left of the lanes
        notes = self.timeline.notes_in_box(g.start, hit, lane0, lane1) if lane1 >= lane0 else []
        add = bool(hit.modifiers & Qt.KeyboardModifier.ControlModifier)
        self.session.select(notes, add=add)

    # ------------------------------------------------------------------ placing
    def place(self, beat: Fraction, lane: int, kind: NoteKind) -> None:
        """Place a note (a click, or a number key on an empty cell)."""
        if self.chart is None or not 0 <= lane < self.chart.lanes or not self._on_chart(beat, "Add note"):
            return
        doc = self.session.doc
        taken = blocker(doc, self.chart, beat, lane)
        if taken is not None:  # a click snapped onto a note, or into a hold's body: that note, not a second one
            self.session.select([taken])
            where = "is there" if taken.beat == beat else f"from beat {describe_beat(taken.beat)} covers it"
            self.session.status.emit(f"Lane {lane + 1}, beat {describe_beat(beat)}: the {taken.kind.value} {where}")
            return
        note = placed_in_room(doc, self.chart, beat, lane, kind, self.session.divisor)
        if note is None:
            self.session.status.emit(f"Add {kind.value}: no room before the next note of lane {lane + 1}")
            return
        if self.session.push(AddNotes(self.chart, [note], name=f"Add {kind.value}")):
            self.session.select([note])

    def toggle_at_cursor(self, lane: int) -> None:
        """Number key: remove the note in ``lane`` at the cursor, or place one there (a lane the chart does not
        have: said on the status line)."""
        if self.chart is None:
            return
        if lane >= self.chart.lanes:
            lanes = self.chart.lanes
            self.session.status.emit(f"Place Note in Lane {lane + 1}: this chart has {lanes} lane"
                                     f"{'s' if lanes != 1 else ''}")
            return
        # the cursor's row, as Paste's: its exact beat on StepMania's rows (a 16th '.' left under a 1/4 snap), else
        # the snap's; the note looked for, the hold covering it and the one placed are all on it (an empty exact
        # row removed, then placed, the note of the next snap row)
        beat, exact = row_beat(self.timeline), row_beat(self.timeline, anywhere=True)
        existing = self.session.doc.note_at(self.chart, exact, lane)  # off the rows too: an .osu note jumped to
        if existing is None and exact != beat:  # an exact beat off the rows: the snap's row, where notes go
            existing = self.session.doc.note_at(self.chart, beat, lane)
        if existing is not None and existing == self.keys.current.get(lane):
            return  # the note this key is drawing (a repeat of its press): keep drawing
        if existing is not None:
            self.keys.finish()
            self.session.push(RemoveNotes(self.chart, [existing], name="Delete note"))
        elif (covering := self.session.doc.hold_covering(self.chart, beat, lane)) is not None:
            if covering != self.keys.current.get(lane):  # not the hold this key is drawing
                self.session.status.emit(f"Lane {lane + 1}, beat {describe_beat(beat)}: inside the "
                                         f"{covering.kind.value} from beat {describe_beat(covering.beat)}")
            return
        elif not self._on_chart(beat, "Add note"):
            return
        elif self.gesture is not None or not self.keys.press(lane, beat, self.session.place_kind):
            self.place(beat, lane, self.session.place_kind)
        self.keys.acted(lane)

    def _on_chart(self, beat: Fraction, what: str) -> bool:
        """Whether a new note may go at ``beat``: not before beat 0, which no .sm/.ssc/.osu file stores (the
        cursor may go there to hear the intro); False with a status line."""
        if beat >= 0:
            return True
        self.session.status.emit(f"{what}: beat {describe_beat(beat)} is before beat 0, where chart files keep no "
                                 f"notes (to chart an intro, move the offset in the Song panel)")
        return False

    def cycle_place_kind(self) -> None:
        i = PLACE_KINDS.index(self.session.place_kind) if self.session.place_kind in PLACE_KINDS else -1
        self.session.set_place_kind(PLACE_KINDS[(i + 1) % len(PLACE_KINDS)])
        self.session.status.emit(f"Placing: {self.session.place_kind.value}")

    # ------------------------------------------------------------------ snap and selection keys
    def change_snap(self, direction: int) -> None:
        """Left/Right: the next coarser/finer snap of the Snap list (4..192, 12/24/48 included, and the custom
        snap in its place by fineness)."""
        divisors = list(self.session.snaps())
        current = self.session.divisor
        i = divisors.index(current) if current in divisors else divisors.index(16)
        i = max(0, min(len(divisors) - 1, i + direction))
        self.session.set_divisor(divisors[i])

    def extend_range(self, steps: int) -> None:
        """Shift+Up/Down: grow or shrink the selected beat range from where it started, moving the cursor."""
        anchor = self.session.range_beats[0] if self.session.range_beats is not None else row_beat(self.timeline)
        self.timeline.step_cursor(steps)
        self.session.set_range((anchor, row_beat(self.timeline)))

    def select_all(self) -> None:
        if self.chart is not None:
            self.session.select(self.chart.notes)

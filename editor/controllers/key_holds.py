"""KeyHolds: number keys that stay down draw holds, as in ArrowVortex.

Pressing a lane key (1-4) on an empty cell places the current note type there and opens a Document stroke; moving
the cursor (arrow keys, wheel, a click in the minimap) while the key is still down draws that note out into a hold
(a roll when the note type is roll) from where it was placed to the cursor, up or down; releasing the key ends the
stroke: one undo step for the whole gesture ("Add tap" when the cursor did not move, else "Add hold"). Several keys
held together draw several holds (a jump of holds) in the same step.

What keeps this safe:

* the lane actions do not auto-repeat, so a key held down never toggles its note on and off;
* the playhead moving during playback does not draw (tapping along while playing still places taps);
* the stroke is closed, as it stands, when the window loses focus (the release may never come), when a mouse
  button goes down, when another chart is shown, and before a lane key deletes a note; other edits wait for the
  keys, as during a mouse drag;
* only a stroke this object opened is ever committed (a mouse drag's stroke is left to the mouse gesture);
* a hold never grows over another note in its lane (it stops at the last free cell), and mines, lifts and fakes
  are placed, not drawn.

**Step entry** (Edit > Step Entry, Ctrl+Shift+E): after a lane key places or removes a note, the cursor moves on one
snap step once every lane key is up, so a passage is typed in key by key; keys pressed together make a jump (one
step for the chord), and a key held while the cursor moves still draws a hold (the step comes after its end). Not
while playing: the playhead moves on by itself.
"""

from __future__ import annotations

from fractions import Fraction

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from chart.commands import AddNotes
from chart.history import HistoryError
from chart.notes import Note, NoteKind
from chart.snap import step
from chart.song import Chart

N_LANES_WITH_KEYS = 10  # the place actions edit.place_1..10 (keys 1-9, 0; 5-8: the right pad of a doubles chart)
UNDRAWN = (NoteKind.MINE, NoteKind.LIFT, NoteKind.FAKE)  # placed by a held key, never drawn out
KEY_ENDS = "release the lane key"  # what ends the stroke of a note drawn out by a held key (an edit refused meanwhile)
STOPS_AT_0 = "stops at beat 0, where chart files keep no notes (to chart an intro, move the offset in the Song panel)"


def placed_note(beat: Fraction, lane: int, kind: NoteKind, divisor: int, room: Fraction | None = None) -> Note | None:
    """The note a click or a lane key places: a hold or roll gets one snap step, at least a sixteenth, but never
    more than ``room`` beats (the free span before the lane's next note); None when that leaves it no length."""
    if kind.has_length:
        length = max(step(divisor), Fraction(1, 4))
        if room is not None:
            length = min(length, room)
        return Note(beat, lane, kind, length) if length > 0 else None
    return Note(beat, lane, kind)


def free_span(doc, chart, lane: int, origin: Fraction, cursor: Fraction, gap: Fraction,
              own: Note | None = None) -> tuple[Fraction, Fraction]:
    """``(start, end)`` of a hold drawn in ``lane`` from ``origin`` towards ``cursor`` (either way), stopping one
    snap step (``gap``) short of every other note of the lane, holds that reach into the span included, and at
    beat 0 (:data:`STOPS_AT_0`: a hold drawn up into the intro started before it, and Save refused the chart);
    ``end <= start`` when there is no room. ``own``: the gesture's own note, which does not block it."""
    lo, hi = min(origin, cursor), max(origin, cursor)
    others = [n for n in doc.notes_overlapping(chart, lo - gap, hi + gap) if n.lane == lane and n != own]
    if cursor > origin:
        return max(origin, Fraction(0)), min([cursor] + [n.beat - gap for n in others if n.beat > origin])
    return max([cursor, Fraction(0)] + [n.end_beat + gap for n in others if n.beat < origin]), origin


def placed_in_room(doc, chart, beat: Fraction, lane: int, kind: NoteKind, divisor: int,
                   own: Note | None = None) -> Note | None:
    """:func:`placed_note` in ``chart``: a hold or roll gets at most the free room before the lane's next note
    (:func:`free_span`); None when there is none."""
    room = None
    if kind.has_length:
        gap = step(divisor)
        start, end = free_span(doc, chart, lane, beat, beat + max(gap, Fraction(1, 4)), gap, own)
        room = end - start
    return placed_note(beat, lane, kind, divisor, room)


def blocker(doc, chart, beat: Fraction, lane: int) -> Note | None:
    """The note that keeps a new note off ``(beat, lane)``: one there already, or a hold of the lane over it."""
    return doc.note_at(chart, beat, lane) or doc.hold_covering(chart, beat, lane)


class KeyHolds(QObject):
    """Lane keys held down: the notes they placed, drawn out to the cursor until the keys come up."""

    def __init__(self, window, session, timeline, parent: QObject | None = None):
        super().__init__(parent)
        self.window, self.session, self.timeline = window, session, timeline
        self.held: dict[int, tuple[Fraction, NoteKind]] = {}  # lane -> (beat where its key placed, kind)
        # lane -> the note of the gesture as the stroke shows it now; lanes in it but not in ``held`` are the ones
        # whose key came up while others are still down (their notes keep their shape)
        self.current: dict[int, Note] = {}
        self.down: set[int] = set()  # lanes whose key is physically down (seen going down, not yet up)
        self.step_entry = False
        self._step_due = False  # step entry: move the cursor on once the last lane key is up
        self._chart: Chart | None = None  # the chart of the open gesture: set exactly while this object's stroke is open
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)  # the release goes to whichever widget has focus by then
        timeline.cursor_moved.connect(self.follow)
        session.chart_switched.connect(self._chart_switched)

    def _chart_switched(self, *_args) -> None:
        """Another chart is shown (F6, the Charts panel): the gesture ends in the chart it was drawing in."""
        if self._chart is not None:
            self.finish()

    # ------------------------------------------------------------------ gesture
    def press(self, lane: int, beat: Fraction, kind: NoteKind) -> bool:
        """A lane key went down on an empty cell: place the note and keep drawing it while the key is down.
        False (nothing done) when the lane's key is not down (the action was triggered otherwise: the caller
        places the note as a click does)."""
        if lane not in self.down:
            return False
        doc = self.session.doc
        if lane in self.current and lane not in self.held:  # the same key again before the others came up
            self.finish()  # a new gesture
        if not self.held:
            if doc.history.in_stroke:  # a mouse drag is under way
                return False
            doc.begin_stroke(f"Add {kind.value}", ends=KEY_ENDS)
            self._chart = self.session.chart
        self.held[lane] = (beat, kind)
        if not self._show(beat):
            del self.held[lane]
            if not self.current:  # nothing of this gesture is shown: no stroke to keep
                doc.abort_stroke()
                self._chart = None
            return False
        return True

    def follow(self, _t_s: float = 0.0) -> None:
        """The cursor moved (not the playhead): draw the held notes to it."""
        if self.held and not self.timeline.playing:
            self._show(self.timeline.cursor_beat())

    def release(self, lane: int) -> None:
        """A lane key came up: its note keeps its shape; the last key up ends the step."""
        if lane not in self.held:
            return
        del self.held[lane]  # its note stays in ``current`` as last shown
        if not self.held:
            self.finish()

    def finish(self) -> None:
        """End the gesture as it stands (keys up, focus lost, another edit starting)."""
        doc = self.session.doc
        chart = self._chart
        ours = chart is not None  # a mouse drag's stroke is not this gesture's to commit
        shapes = list(self.current.values())
        self.held.clear()
        self.current.clear()
        self._chart = None
        if not ours:
            return
        longs = [n for n in shapes if n.kind.has_length]
        if longs and not all(n.kind == NoteKind.ROLL for n in longs):
            doc.rename_stroke("Add hold" if len(shapes) == 1 else "Add notes")
        elif len(shapes) > 1:
            doc.rename_stroke("Add notes")
        if doc.commit_stroke() and chart is self.session.chart:  # selected only where they are
            self.session.select(shapes)

    def acted(self, lane: int) -> None:
        """A lane key placed or removed a note at the cursor: step entry moves the cursor on one snap step, now
        (the action came from a menu) or once every lane key is up."""
        if not self.step_entry or self.timeline.playing:
            return
        if lane in self.down:
            self._step_due = True
        else:
            self.timeline.step_cursor(1)

    def _step_if_due(self) -> None:
        if self._step_due and not self.down:
            self._step_due = False
            self.timeline.step_cursor(1)

    # ------------------------------------------------------------------ shapes
    def _shape(self, lane: int, cursor: Fraction | None) -> Note | None:
        """The note of a held lane with the cursor at ``cursor`` (None: as placed): a hold between the beat where
        the key placed it and the cursor, stopping one snap step short of another note in the lane and at beat 0."""
        origin, kind = self.held[lane]
        gap = step(self.session.divisor)
        own = self.current.get(lane)
        placed = lambda: placed_in_room(self.session.doc, self._chart, origin, lane, kind,  # noqa: E731
                                        self.session.divisor, own)  # as placed, not drawn out (None: no room)
        if kind in UNDRAWN or cursor is None or cursor == origin:
            return placed()
        start, end = free_span(self.session.doc, self._chart, lane, origin, cursor, gap, own)
        if end <= start:
            return placed()
        return Note(start, lane, NoteKind.ROLL if kind == NoteKind.ROLL else NoteKind.HOLD, end - start)

    def _show(self, cursor: Fraction) -> bool:
        """Put the current shapes of every lane of the gesture into the stroke; False when refused."""
        chart = self._chart
        assert chart is not None  # set by press before any key's note is shown
        shaped = {**self.current, **{lane: self._shape(lane, cursor) for lane in self.held}}
        shapes = {lane: n for lane, n in shaped.items() if n is not None}
        if len(shapes) < len(shaped):
            self.session.status.emit("Add roll: no room before the next note of its lane")
            return False
        try:
            self.session.doc.update_stroke(AddNotes(chart, list(shapes.values()), name="Add notes"))
        except (ValueError, KeyError, HistoryError) as exc:
            self.session.status.emit(f"Add note: {exc}")
            return False
        self.current = shapes
        drawn = {kind for _beat, kind in self.held.values() if kind not in UNDRAWN}
        if cursor < 0 and drawn:
            self.session.status.emit(f"{'Add roll' if drawn == {NoteKind.ROLL} else 'Add hold'}: {STOPS_AT_0}")
        return True

    # ------------------------------------------------------------------ key releases
    def _lane_of(self, key: int) -> int | None:
        """The lane whose place action has ``key`` as its shortcut (modifiers aside), or None."""
        actions = getattr(self.window, "actions", None)
        if actions is None:
            return None
        for lane in range(N_LANES_WITH_KEYS):
            seq = actions[f"edit.place_{lane + 1}"].shortcut()
            if seq.count() and seq[0].key() == key:
                return lane
        return None

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802 - Qt API
        kind = ev.type()
        if kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and not ev.isAutoRepeat():
            lane = self._lane_of(ev.key())  # seen before the shortcut fires (ShortcutOverride comes first)
            if lane is not None:
                self.down.add(lane)
        elif kind == QEvent.Type.KeyRelease and not ev.isAutoRepeat():
            lane = self._lane_of(ev.key())
            if lane is not None:
                self.down.discard(lane)
                self.release(lane)
                self._step_if_due()
        elif (kind == QEvent.Type.WindowDeactivate and obj is self.window) \
                or kind == QEvent.Type.ApplicationDeactivate:  # the key may come up elsewhere: end it now
            self.down.clear()
            self.finish()
            self._step_if_due()
        return False

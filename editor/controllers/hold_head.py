"""Dragging the head of a hold or roll: Alt + left drag on its head moves where it starts, and its end stays.

The mouse already changes a hold's length from its end (a plain drag there); designers coming from the osu! and
Quaver editors also expect to pull a hold's start. The head takes Alt because a plain drag on a note, its head
included, moves the selection, which is how most notes are edited; Alt + drag on a tap draws it out into a hold
(its end moves), so Alt + drag always edits a note's extent from the end it is grabbed at. The notefield shows
the vertical-resize pointer over a hold's head while Alt is down (:mod:`editor.timeline.pointer`).

Rules, those of the end drag mirrored:

* the new start is the snapped beat under the pointer, but at least one snap step before the end;
* it stops one snap step after the lane's previous note, or after the end of a hold of the lane before it (as a
  drawn hold stops: :func:`editor.controllers.key_holds.free_span`), and never before beat 0;
* the drag is one undo step ("Move hold start", a Document stroke previewed live); dragged back to where it
  started it changes nothing and leaves no step, and Escape or a second button cancels it.
"""

from __future__ import annotations

from fractions import Fraction

from chart.commands import ReplaceNotes
from chart.history import HistoryError
from chart.notes import Note
from chart.snap import step
from editor.controllers.key_holds import free_span


def dragged_start(doc, chart, note: Note, pointer: Fraction, gap: Fraction, shown: Note | None = None) -> Fraction:
    """The start that dragging the head of the hold ``note`` to the snapped beat ``pointer`` gives it: at least
    ``gap`` (one snap step) before its end, at least ``gap`` after the lane's notes before it, not before beat 0.
    ``note.beat`` itself when there is no room to move it. ``shown``: the hold as the drag shows it in the chart
    now (``note`` before the drag has changed it), which does not block it."""
    start = min(pointer, note.end_beat - gap)
    if start < note.beat:  # earlier: into the free room before the hold (none: where it is)
        room = free_span(doc, chart, note.lane, note.beat, start, gap, own=shown or note)[0]
        start = min(max(room, Fraction(0)), note.beat)
    return start


def drag_head(session, note: Note, pointer: Fraction, shown: Note | None = None) -> Note:
    """Show the hold (or roll) ``note`` of the current chart starting at ``pointer`` (snapped), its end kept, as
    the live preview of the session's open stroke; the hold as it was when that is where it started. ``shown``:
    what the previous call returned. Returns the hold as it shows now."""
    doc, chart = session.doc, session.chart
    history = doc.history
    shown = shown if shown is not None and history.in_stroke else note
    start = dragged_start(doc, chart, note, pointer, step(session.divisor), shown)
    if start == note.beat or start >= note.end_beat:  # back where it was, or no room: the hold as it was
        if history.in_stroke:
            doc.abort_stroke()
            session.select([note])
        return note
    new = Note(start, note.lane, note.kind, note.end_beat - start)
    if new == shown:
        return shown
    if not history.in_stroke:
        doc.begin_stroke("Move hold start")
    try:
        doc.update_stroke(ReplaceNotes(chart, [note], [new], name="Move hold start",
                                       follow={(note.beat, note.lane): (start, note.lane)}))  # its osu! sound
    except (ValueError, KeyError, HistoryError) as exc:
        session.status.emit(f"Move hold start: {exc}")
        return shown
    session.select([new])
    return new

"""TimestampController: review timestamps as osu! modders trade them (Edit > Copy Timestamp, Go to Timestamp).

A reviewer selects the notes a comment is about and copies ``00:12:345 (12345|0,12500|1) - `` to paste before the
comment; the designer pastes that back (from a chat, a discussion page, a text file, text around it and all) and
lands on the passage with those notes selected. The text is osu!'s own (:mod:`chart.timestamp`), so timestamps
copied here open the same notes in osu!'s editor once the chart is exported to .osu, and timestamps from an osu!
review of an exported chart select the notes here. Go to also reads plain times, beats and measures.

Copying puts plain text on the system clipboard; a later Ctrl+V still pastes the notes last copied here (the
transform controller keeps its own copy when the system clipboard holds no notes of ours).
"""

from __future__ import annotations

from fractions import Fraction

from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication

from chart.note_keys import in_order
from chart.timestamp import Position, TimestampError, find_picks, parse_timestamp, timestamp_for
from editor.timeline.time_axis import time_label

PREFILL_CHARS = 500  # a longer clipboard text is not a timestamp someone means to paste into the dialog


class TimestampController(QObject):
    """Copy Timestamp and Go to Timestamp for one window."""

    def __init__(self, win):
        super().__init__(win)
        self.win, self.session = win, win.session
        self.last_text = ""

    # ------------------------------------------------------------------ copy
    def timestamp(self) -> str:
        """The selection's timestamp (its first note's time and every note), else the selected range's start,
        else the cursor's."""
        timing = self.session.timing()
        notes = in_order(self.session.selection) if self.session.chart is not None else []
        rng = self.session.range_beats
        if not notes and rng is not None:
            return timestamp_for((), timing, timing.beat_to_seconds(min(rng)))
        return timestamp_for(notes, timing, Fraction(self.win.timeline.cursor_s))

    def copy(self) -> str:
        """Put :meth:`timestamp` on the system clipboard (Ctrl+Alt+C) and say so."""
        text = self.timestamp()
        QGuiApplication.clipboard().setText(text)
        n = len(self.session.selection)
        shown = text if n <= 4 else f"{text.split(' ', 1)[0]} ({n} notes) - "
        self.session.status.emit(f"Copied timestamp {shown.strip()}")
        return text

    # ------------------------------------------------------------------ go to
    def describe(self, text: str) -> str:
        """One line saying where ``text`` points in the shown chart; raises TimestampError when it names none."""
        position = parse_timestamp(text)
        timing = self.session.timing()
        seconds = position.seconds_in(timing)
        beat = position.beat_in(timing)
        measure, into = timing.measure_position(float(beat))
        line = f"{time_label(float(seconds), 3)}, measure {measure} beat {into:.2f}"
        if position.picks:
            found = self._found(position)[0]
            line += f"; {len(found)} of the {len(position.picks)} listed notes found in this chart"
        elif position.combo:
            line += "; its list is not osu!mania's (time|lane), so no notes are selected"
        return line

    def _found(self, position: Position):
        chart = self.session.chart
        if chart is None:
            return [], list(position.picks)
        return find_picks(chart.notes, self.session.timing(), position.picks)

    def go_to(self, text: str) -> bool:
        """Move the cursor where ``text`` points and select the notes it lists (time within 1 ms, lane). An
        unreadable text is a status line and nothing moves; True when the cursor went there."""
        try:
            position = parse_timestamp(text)
        except TimestampError as exc:
            self.session.status.emit(f"Go to Timestamp: {exc}")
            return False
        self.last_text = " ".join(text.split())
        timing = self.session.timing()
        target_s = float(position.seconds_in(timing))
        if position.seconds is None:  # a beat or a measure: that beat, though a warp's beats share its time
            self.win.timeline.seek(target_s, beat=position.beat_in(timing))
        else:
            self.win.seek(target_s)
        landed_s = self.win.timeline.cursor_s
        where = time_label(target_s, 3)
        if abs(landed_s - target_s) > 5e-4:
            self.session.status.emit(f"Go to {where}: the cursor stops at {time_label(landed_s, 3)}, "
                                     f"as far as the song goes")
            return False
        message = f"Went to {where}"
        if position.picks:
            found, missing = self._found(position)
            self.session.select(found)
            message += f": {len(found)} of the {len(position.picks)} listed notes selected"
            if missing:
                listed = ",".join(f"{ms}|{lane}" for ms, lane in missing[:4]) + ("..." if len(missing) > 4 else "")
                message += f"; no note of this chart within 1 ms of {listed}"
        elif position.combo:
            message += " (its note list is not osu!mania's time|lane, so nothing is selected)"
        self.session.status.emit(message)
        self.win.timeline.setFocus()
        return True

    def prefill(self) -> str:
        """The dialog's first text: the clipboard's when it reads as a timestamp (just copied from a review),
        else the last one gone to."""
        clip = QGuiApplication.clipboard().text() or ""
        if clip.strip() and len(clip) <= PREFILL_CHARS:
            try:
                parse_timestamp(clip)
                return " ".join(clip.split())
            except TimestampError:
                pass
        return self.last_text

    def dialog(self):
        from editor.dialogs.go_to_timestamp import GoToTimestampDialog

        return GoToTimestampDialog(self.win, self.describe, self.prefill())

    def ask(self) -> bool:
        """Edit > Go to Timestamp (Ctrl+G): the dialog, then :meth:`go_to` its text."""
        dialog = self.dialog()
        return bool(dialog.exec()) and self.go_to(dialog.text())

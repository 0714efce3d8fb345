"""Sync the beat at the cursor to the audio ("visual sync", ArrowVortex's 2024 fork after DDreamStudio): put the
cursor on the beat that should line up with an onset seen in the waveform or spectrogram (or heard), then point at
the onset and **Shift+Alt+click** on the notefield, or press **Timing > Sync Beat at Cursor to Mouse** (Shift+V)
with the pointer there. The timing changes so that the beat sounds at the time under the pointer; the notes stay on
their beats, so the grid and the notes move together (:mod:`chart.beat_sync` says which part of the timing moves:
the offset in the first tempo stretch, else the BPM since the previous BPM change or synced beat).

Shift+Alt is free on the notefield: Shift+drag draws a selection box and Alt+drag changes a hold's extent, both
from where the press lands, while this gesture acts on the press alone (the release that follows does nothing).
The press is taken by an event filter on the notefield's viewport before the editing controller sees it, so no
selection box starts.

**Timing > Sync Keeps Later Beats in Time** (on by default, kept as a setting) puts a BPM change on the synced beat
so the next sync of a later beat leaves it where it is, and keeps what follows in time. The beats synced this
session are remembered per timing (the song's, or a chart's own in split timing), each while it still sounds where
it was put: with the option off, a later sync changes the tempo only from the last synced beat on.

A sync edits the timing the current chart plays with (:meth:`EditorSession.timing_target`: its own in split
timing, else the song's) as **one undo step**, never with Keep notes in time (the notes are meant to move with
the grid). The cursor follows the beat to its new time (not while playing), and the status line says what changed
("BPM 128.000 -> 127.412 from beat 64 to 96; beat 96 at 0:45.210 (+12.0 ms)"); an absurd result (a BPM not above
0 or above 10000, the beat at or before its anchor, a beat inside a warp) is refused with one warning line. A
cursor beat off StepMania's 1/48-beat rows (a custom 1/20 snap's 8.2) is moved to the nearest row first, as the
Timing panel's adds are, and the status line says so: the sync puts a BPM change there (or may, as the next sync's
anchor), and Save refused one off the rows.
"""

from __future__ import annotations

from fractions import Fraction

from PySide6.QtCore import QEvent, QObject, Qt

from chart.beat_sync import SyncError, clock_text, still_synced, sync_beat
from chart.checks.base import describe_beat
from chart.commands import SetTiming
from editor.panels.timing_rows import on_row

GESTURE = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier
SETTING = "timing/sync_keep_later"
NAME = "Sync beat"


class BeatSync(QObject):
    """The sync gesture and actions of the window ``win`` (module docstring)."""

    def __init__(self, win):
        super().__init__(win)
        self.win, self.session, self.timeline = win, win.session, win.timeline
        self.keep_later = bool(win.settings.get(SETTING))
        self._marks: dict[str | None, list[tuple[Fraction, Fraction]]] = {}  # timing -> (beat, time synced to)
        self.timeline.viewport().installEventFilter(self)
        self.session.document_replaced.connect(self._marks.clear)

    def set_keep_later(self, on: bool) -> None:
        """Timing > Sync Keeps Later Beats in Time."""
        self.keep_later = bool(on)
        self.win.settings.set(SETTING, self.keep_later)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        if (event.type() == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton
                and event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier == GESTURE):
            self.timeline.setFocus()
            self.sync_to(self.timeline.hit_at(event.position()).time_s)
            return True
        return super().eventFilter(watched, event)

    def sync_to_mouse(self) -> bool:
        """Timing > Sync Beat at Cursor to Mouse: to the time under the pointer on the notefield."""
        pos = self.timeline.hover_pos
        if pos is None:
            self.win.status_warning("Sync: point at the onset on the notefield, then press the key (or "
                                    "Shift+Alt+click there)")
            return False
        return self.sync_to(self.timeline.hit_at(pos).time_s)

    def sync_to(self, at_s: float | Fraction) -> bool:
        """Make the beat at the cursor sound at ``at_s`` (one undo step); False, with a line saying why, when
        refused or when nothing changes."""
        s = self.session
        if s.chart is None:
            s.status.emit("Sync: no chart is open")
            return False
        timing, chart = s.timing_target()
        key = None if chart is None else s.doc.chart_id(chart)
        beat = self.timeline.cursor_beat()  # a custom snap's (1/20) may lie off StepMania's 1/48-beat rows
        (beat,), moved = on_row((beat,), (beat,) if any(b == beat for b, _ in timing.bpms) else None)
        synced = still_synced(timing, self._marks.get(key, ()))
        try:
            result = sync_beat(timing, beat, Fraction(at_s).limit_denominator(10**7), synced, self.keep_later)
        except SyncError as exc:
            self.win.status_warning(str(exc))
            return False
        if result.timing == timing:
            s.status.emit(f"Sync: beat {describe_beat(beat)} already sounds at {clock_text(result.at_s)}")
            return False
        if not s.push(SetTiming(result.timing, chart=chart, name=NAME, merge=False)):
            return False
        marks = self._marks.get(key, [])
        held = set(still_synced(result.timing, marks))  # an offset sync moves the beats synced before
        self._marks[key] = [*((b, t) for b, t in marks if b != beat and b in held), (beat, result.at_s)]
        playback = getattr(self.win, "playback", None)
        if playback is None or not playback.playing:
            self.win.seek(float(result.at_s))  # the cursor stays on the beat it synced
        whose = f" ({chart.slot.sm_name}'s own timing)" if chart is not None else ""
        s.status.emit(f"{NAME}{whose}: {moved + '; ' if moved else ''}{result.describe()}")
        return True

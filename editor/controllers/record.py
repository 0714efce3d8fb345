"""RecordController: tap along with the song and the notes land on the grid (StepMania's record mode).

Playback > Record from Cursor (Ctrl+R) plays the song from one second before the cursor; every lane key that goes
down places a note at the snapped beat of the moment it was heard (the audio clock, as test play times keys: see
:mod:`editor.controllers.live_keys`), at the current snap and note type. A key held for a quarter of a second of
real time draws a hold (a roll when the note type is roll) that grows while it stays down. Slowed playback
records exactly the same beats, so a dense passage can be tapped in at 50 %.

Keys: those of test play (D F J K or the arrows for 4 lanes) and the number keys 1-4 (ArrowVortex's place keys;
1-9 and 0 for lanes 1-10 of a bigger chart).
Escape or Space ends the take, as do a click in the notefield, the end of the song, switching chart or song.

The take shows as it is played and is **one undo step** ("Record 42 notes"), selected when it ends. Playback >
Record Replaces Notes (a setting) clears the passage being recorded as the song reaches it (re-recording a
passage); without it the chart's notes stay and a key on one of them does nothing. The rules are those of
:class:`chart.record.Recorder`. The status line says what the take did and how far the presses sat from the grid:
a median far from zero on music that is on the grid means the latency setting needs a calibration.
"""

from __future__ import annotations

from PySide6.QtCore import Signal

from chart.commands import ReplaceNotes
from chart.document import Document
from chart.history import HistoryError
from chart.macro_command import MacroCommand
from chart.record import HOLD_MIN_S, Recorder, Take
from chart.song import Chart
from editor.controllers.live_keys import KEYS_BY_LANES, LiveKeys, key_names

DIGITS = 10  # the number keys 1-9 and 0 press lanes 1-10 too (as they place notes: edit.place_1..10)


def record_keys(lanes: int) -> dict[int, int]:
    """Qt key -> lane while recording: test play's layout plus the number keys."""
    from PySide6.QtCore import Qt

    keys = {int(k): lane for lane, ks in enumerate(KEYS_BY_LANES[lanes]) for k in ks}
    for lane in range(min(lanes, DIGITS)):
        keys[int(Qt.Key.Key_0) + (lane + 1) % 10] = lane
    return keys


def take_line(take: Take, rate: float = 1.0) -> str:
    """What a take did, in a status line; press offsets in real milliseconds at playback ``rate`` (latency is
    real time: at 50 % a press 11 ms late is 5.5 ms of song)."""
    n = len(take.added)
    parts = [f"{n} note{'s' if n != 1 else ''}" + (f" ({take.holds} held)" if take.holds else "")]
    if take.removed:
        parts.append(f"replaced {len(take.removed)}")
    if take.dropped:
        parts.append(f"{take.dropped} key{'s' if take.dropped != 1 else ''} fell on notes kept or before the cursor")
    if take.before_zero:
        parts.append(f"{take.before_zero} key{'s' if take.before_zero != 1 else ''} before beat 0 not recorded "
                     "(no chart file keeps notes there)")
    median = take.median_offset_ms
    if median is not None and len(take.offsets_ms) >= 8:
        median /= rate
        parts.append(f"presses {abs(median):.0f} ms {'late' if median >= 0 else 'early'} of the grid on median")
    return ", ".join(parts)


class RecordController(LiveKeys):
    """One window's record mode."""

    what = "Record"
    busy = "recording: Esc ends the take"
    started = Signal()
    ended = Signal(object)  # the Take

    def __init__(self, win, session, playback, timeline, settings):
        super().__init__(win, session, playback, timeline)
        self.settings = settings
        self.recorder: Recorder | None = None
        self.chart: Chart | None = None
        self.doc: Document | None = None  # the Document the take's stroke is open in
        self._dirty = False  # keys changed the take since it was last shown
        self._take: MacroCommand | None = None  # the open stroke's command: the steps that showed the take so far
        self._shown: dict = {}  # (beat, lane) -> the recorded note as the chart shows it

    @property
    def active(self) -> bool:
        return self.recorder is not None

    @property
    def replace(self) -> bool:
        return bool(self.settings.get("record/replace"))

    def set_replace(self, on: bool) -> None:
        self.settings.set("record/replace", bool(on))

    # ------------------------------------------------------------------ start / stop
    def start(self) -> bool:
        """Play from a second before the cursor and record the lane keys into the current chart."""
        if self.active:
            return False
        s = self.session
        chart = s.chart
        why = self.refusal(chart)
        if why is not None:
            s.status.emit(why)
            return False
        start_s = self.timeline.cursor_s
        self.rate = rate = float(self.playback.player.rate)
        self.recorder = Recorder(chart.notes, s.timing(), s.divisor, start_s, chart.lanes, kind=s.place_kind,
                                 replace=self.replace, hold_min_s=HOLD_MIN_S * rate)  # a real quarter second
        self.drop_gesture()  # before the take's stroke opens: a pending drag would edit it
        self.chart, self.doc = chart, s.doc
        self._take, self._shown = None, {}
        self.doc.begin_stroke("Record")
        keys = record_keys(chart.lanes)
        self.begin(start_s, keys)
        self._hud()
        mode = "replacing the passage" if self.replace else "keeping the chart's notes"
        s.status.emit(f"Recording from {start_s:.2f} s at 1/{s.divisor} ({mode}): {key_names(chart.lanes, keys)};"
                      " Esc ends it")
        self.started.emit()
        return True

    def stop(self, why: str = "") -> Take | None:
        """End the take where the song is now: one undo step; returns the take (None when none was running)."""
        rec = self.recorder
        if rec is None:
            return None
        take = rec.finish(self.end())
        self._update(final=True)
        doc, chart = self.doc, self.chart
        self.recorder = self.chart = self.doc = None
        self._take, self._shown = None, {}
        assert doc is not None
        if not doc.history.in_stroke:  # ended elsewhere (it must not be): nothing of the take is left to keep
            self.session.status.emit(f"Recording ended{f' ({why})' if why else ''}: its notes were not kept")
            self.ended.emit(take)
            return take
        if take.added or take.removed:
            doc.rename_stroke(f"Record {len(take.added)} note{'s' if len(take.added) != 1 else ''}")
            doc.commit_stroke()
            if doc is self.session.doc and chart is self.session.chart:
                self.session.select(take.added)
        else:
            doc.abort_stroke()
        self._hud(take)
        self.session.status.emit(f"Recording ended{f' ({why})' if why else ''}: {take_line(take, self.rate)}")
        self.ended.emit(take)
        return take

    # ------------------------------------------------------------------ frames and keys
    def on_frame(self, t_s: float) -> None:
        assert self.recorder is not None
        if self.recorder.advance(t_s) or self._dirty:
            self._update()

    def on_key(self, lane: int, down: bool, t_s: float) -> None:
        """Only the recorder's bookkeeping here: showing the take waits for the next frame (one step for all the
        keys since), so the next key is read, and timed, without that delay."""
        rec = self.recorder
        assert rec is not None
        rec.advance(t_s)
        if down:
            rec.press(lane, t_s)
        else:
            rec.release(lane, t_s)
        self._dirty = True

    def on_release_all(self, t_s: float) -> None:
        rec = self.recorder
        if rec is not None:
            for lane in list(rec.down):
                rec.release(lane, t_s)
            self._dirty = True

    def _update(self, final: bool = False) -> None:
        """Show the take so far in the chart (the open stroke). A frame applies only what changed since the last
        one, on top of the stroke (re-applying the whole take cost a 3-minute take 10 ms a frame, and delayed the
        keys read after it); the end of the take makes it one plain step, the chart's notes it replaced for the
        notes it recorded, as the undo step to keep."""
        rec, doc, chart = self.recorder, self.doc, self.chart
        if rec is None or doc is None or chart is None:
            return
        self._dirty = False
        removed, cells = rec.changes()
        try:
            if final or self._take is None or not doc.history.in_stroke:
                whole = ReplaceNotes(chart, rec.removed, rec.notes, name="Record")
                self._take = None if final else MacroCommand("Record", [whole])
                doc.update_stroke(whole if self._take is None else self._take)
                self._shown = dict(rec.added)
            else:
                self._extend(removed, cells)
        except (ValueError, KeyError, HistoryError) as exc:  # not expected: the recorder avoids collisions
            self._take = None  # the next change shows the whole take again
            self.session.status.emit(f"Record: {exc}")
            return
        self._hud()

    def _extend(self, removed: list, cells: list) -> None:
        """Apply what changed since the last frame as one more step of the open stroke's command (the history
        holds that command: undoing or aborting the stroke undoes every step)."""
        rec, take, chart, doc = self.recorder, self._take, self.chart, self.doc
        assert rec is not None
        assert take is not None
        assert chart is not None
        assert doc is not None
        old, new = list(removed), []
        for cell in cells:
            note, shown = rec.added[cell], self._shown.get(cell)
            if note != shown:
                if shown is not None:
                    old.append(shown)
                new.append(note)
        if not old and not new:
            return
        step = ReplaceNotes(chart, old, new, name="Record")
        doc.apply_in_stroke(step)  # one notes_changed a frame (the removal and the insertion sent one each)
        take.children.append(step)
        self._shown.update(((n.beat, n.lane), n) for n in new)

    def _hud(self, take: Take | None = None) -> None:
        rec = self.recorder
        if take is None and rec is None:
            return
        n = len(take.added) if take is not None else len(rec.added)  # type: ignore[union-attr]
        head = ("<span style='color:#ff5a5a; font-size:20px; font-weight:600'>&#9679; REC</span>" if take is None
                else "<span style='color:#ddd; font-size:18px'>Recorded</span>")
        self.hud.show_html(f"{head}<br><span style='color:#eee; font-size:13px'>{n} note{'s' if n != 1 else ''}"
                           "</span>")

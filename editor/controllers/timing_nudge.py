"""Nudge keys for the timing, as in StepMania 5's editor: F7/F8 lower/raise the BPM in force at the cursor by
0.01 (Shift: 0.1), F11/F12 lower/raise ``#OFFSET`` by 1 ms (Shift: 10 ms), while the song plays or loops.

A nudge changes the timing the Timing panel edits (:meth:`EditorSession.timing_target`: the current chart's own
timing for a split-timing chart, else the song's) through :func:`editor.panels.timing.push_timing`, so **Keep
notes in time** means here what it means there. Nudges of the same kind (the BPM of one segment, or the offset,
of one timing) less than the history's merge window (1 s) apart are one undo step: the step before is undone and
the whole change since the first nudge applied again from where it started. With Keep notes in time on, that also
re-beats the notes from their places before the first nudge: re-beating after every 1 ms nudge would leave them on
their beats each time (an offset nudge under half a 1/48 row moves no note), and ten nudges would then have moved
no note although the grid moved 10 ms. A save, an undo or any other edit in between ends the run.

The player follows at once: a timing change re-times the beat ticks (``PlaybackController.update_ticks``) and
playback and a loop go on; the status bar says the new value.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from chart.timing import TimingData
from editor.key_hints import key_text
from editor.panels.timing import push_timing
from editor.panels.timing_rows import shown

BPM_STEP = Fraction(1, 100)
OFFSET_STEP_S = Fraction(1, 1000)
BIG = 10  # Shift: ten steps


@dataclass
class _Run:
    """Nudges merged into one undo step so far."""

    key: tuple  # (kind, the target chart's id or None, the BPM segment's beat)
    base: TimingData  # the timing before the first nudge
    steps: int  # whole steps since then (signed)
    command: object  # the undo step the last nudge left on top
    at_s: float  # when the last nudge was made


class TimingNudges:
    """The nudge keys' actions (module docstring)."""

    def __init__(self, session, cursor_beat: Callable[[], Fraction], clock: Callable[[], float] = time.monotonic):
        self.session = session
        self.cursor_beat = cursor_beat
        self.clock = clock
        self._run: _Run | None = None

    def _keys(self, kind: str) -> str:
        """'; F7/F8, x10: Shift+F7/Shift+F8' for ``kind`` 'bpm' or 'offset', with the keys the keymap gives now."""
        small = key_text(self.session, f"timing.{kind}_down", f"timing.{kind}_up")
        big = key_text(self.session, f"timing.{kind}_down_big", f"timing.{kind}_up_big")
        parts = [part for part in (small, big and f"x10: {big}") if part]
        return "; " + ", ".join(parts) if parts else ""

    def nudge_bpm(self, direction: int, big: bool = False) -> bool:
        """Raise (direction 1) or lower the BPM in force at the cursor by :data:`BPM_STEP` (ten with ``big``)."""
        timing, chart = self.session.timing_target()
        beat = self.cursor_beat()
        index = max(i for i, (b, _bpm) in enumerate(timing.bpms) if i == 0 or b <= beat)
        segment = timing.bpms[index][0]
        run = self._continue(("bpm", self._chart_key(chart), segment))
        base = run.base if run is not None else timing
        steps = (run.steps if run is not None else 0) + direction * (BIG if big else 1)
        old_bpm = base.bpms[index][1]
        bpm = old_bpm + steps * BPM_STEP
        if bpm <= 0:
            if run is not None:
                self.session.doc.redo()  # keep the run as it was
                self._run = run
            self.session.status.emit(f"BPM at beat {shown(segment, 6)}: a BPM stays above 0")
            return False
        bpms = list(base.bpms)
        bpms[index] = (segment, bpm)
        text = (f"BPM at beat {shown(segment, 6)}: {shown(bpm)} ({float(bpm - old_bpm):+.2f} since "
                f"{shown(old_bpm)}{self._keys('bpm')})")  # what the file will hold (.3f showed 141.550313 as 141.550)
        return self._apply(("bpm", self._chart_key(chart), segment), run, base, base.with_changes(bpms=tuple(bpms)),
                           chart, steps, "Nudge BPM", text)

    def nudge_offset(self, direction: int, big: bool = False) -> bool:
        """Raise (direction 1) or lower ``#OFFSET`` by :data:`OFFSET_STEP_S` (ten with ``big``): a higher offset
        puts beat 0, and the whole grid, earlier."""
        timing, chart = self.session.timing_target()
        run = self._continue(("offset", self._chart_key(chart), None))
        base = run.base if run is not None else timing
        steps = (run.steps if run is not None else 0) + direction * (BIG if big else 1)
        offset = base.offset + steps * OFFSET_STEP_S
        text = (f"#OFFSET {shown(offset)} s: beat 0 at {float(-offset) * 1000:.0f} ms "
                f"({float(offset - base.offset) * 1000:+.0f} ms{self._keys('offset')})")
        return self._apply(("offset", self._chart_key(chart), None), run, base, base.with_changes(offset=offset),
                           chart, steps, "Nudge offset", text)

    def set_offset(self, offset: Fraction, name: str = "Change offset") -> bool:
        """Set ``#OFFSET`` to ``offset`` (the Song panel's box): changes less than a second apart are one undo step
        as the nudge keys' are, Keep notes in time included (each step of the box was a transaction of its own)."""
        timing, chart = self.session.timing_target()
        if offset == timing.offset:
            return True
        key = ("offset", self._chart_key(chart), None)
        run = self._continue(key)
        base = run.base if run is not None else timing
        text = f"#OFFSET {shown(offset)} s ({float(offset - base.offset) * 1000:+.0f} ms)"
        return self._apply(key, run, base, base.with_changes(offset=offset), chart, 0, name, text)

    # ------------------------------------------------------------------ merging
    def _chart_key(self, chart) -> str | None:
        return None if chart is None else self.session.doc.chart_id(chart)

    def _continue(self, key: tuple) -> _Run | None:
        """The run this nudge continues, with its last step undone; None when it starts a new one."""
        run, self._run = self._run, None
        history = self.session.doc.history
        if (run is None or run.key != key or self.clock() - run.at_s > history.merge_window_s
                or history.in_stroke or not history.can_undo or history.redo_commands()
                or history.undo_commands()[-1] is not run.command or history.is_clean):
            return None
        return run if self.session.doc.undo() else None

    def _apply(self, key: tuple, run: _Run | None, base: TimingData, changed: TimingData, chart, steps: int,
               name: str, text: str) -> bool:
        if changed == base:  # back where the run started: the undo was the whole change
            self.session.status.emit(text)
            return True
        said: list[str] = []

        def hear(line: str) -> None:
            said.append(line)

        self.session.status.connect(hear)
        try:
            ok = push_timing(self.session, changed, chart, name, merge=False)
        finally:
            self.session.status.disconnect(hear)
        if not ok:
            if run is not None:  # put the run's last step back rather than lose it
                self.session.doc.redo()
                self._run = run
            self.session.status.emit(said[-1] if said else f"{name}: refused")
            return False
        self._run = _Run(key, base, steps, self.session.doc.history.undo_commands()[-1], self.clock())
        self.session.status.emit(text + (f". {said[-1].split(': ', 1)[-1]}" if said else ""))
        return True

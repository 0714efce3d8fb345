"""TestPlayController: play the current chart from the cursor with the keyboard, judged as a game would.

Playback > Test Play from Cursor (Ctrl+T) starts the song one second before the cursor (a moment to get ready);
notes from the cursor on are judged by :class:`chart.judge.Judge` with StepMania's judge-4 windows. Every key
press and release is timed on the **audio clock** (``clock.audible_seconds(now)``: the song time being heard, after
the output-latency setting), the same clock that drives the playhead, so a judgment says how far the player was
from what they heard, at any rate (windows are real time: slowed playback is judged fairly).

Keys: D F J K or the arrow keys for a 4-lane chart (more lanes: see :data:`KEYS_BY_LANES`); what test play shares
with record mode (keys swallowed, how it ends) is in :mod:`editor.controllers.live_keys`. The judgments show
over the notefield as they happen; when it ends, the Test Play panel lists the counts, the offsets and every
spot that went wrong (click one to go there).

The chart stays as it is while a run judges it: the run holds the history as a record take does (an empty
stroke, ended with the run, that leaves no step; Save and autosave still work), so every edit, Undo, Redo and
History jump (the menus, the mouse, a panel) is refused with "a test play is running: Esc ends it".
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor

from chart.judge import START_SLACK_S, Grade, HoldResult, Judge, MineResult, Summary, TapResult
from chart.notes import NoteKind
from editor.controllers.live_keys import KEYS_BY_LANES, Hud, LiveKeys, key_names
from editor.controllers.save_checks import TEST_PLAY_ENDS as STROKE_ENDS

GRADE_COLORS = {Grade.MARVELOUS: "#8fe9ff", Grade.PERFECT: "#ffe066", Grade.GREAT: "#6fe06f",
                Grade.GOOD: "#5fa8ff", Grade.BOO: "#c27cff", Grade.MISS: "#ff5a5a"}

#: The overlay's live counts, two letters each as StepMania players abbreviate them ("MA3 PF0 GR1 GD1 BO0 MS2"):
#: first letters alone read "M3 P0 G1 G1 B0 M2", Marvelous and Miss, Great and Good alike.
GRADE_SHORT = {Grade.MARVELOUS: "MA", Grade.PERFECT: "PF", Grade.GREAT: "GR", Grade.GOOD: "GD", Grade.BOO: "BO",
               Grade.MISS: "MS"}


def signed(value: float, decimals: int = 0) -> str:
    """``value`` with its sign ("+12", "-3.5"), and "0" for what rounds to zero: ``+.0f`` printed -0.3 ms as "-0"."""
    text = f"{value:+.{decimals}f}"
    return text[1:] if float(text) == 0 else text


class JudgmentHud(Hud):
    """The last judgment, its offset and the combo, over the top of the notefield."""

    def show_result(self, result, combo: int, counts: str) -> None:
        if isinstance(result, TapResult):
            color = GRADE_COLORS[result.grade]
            offset = "" if result.offset_ms is None else (
                f"<span style='color:#ccc; font-size:13px'> {signed(result.offset_ms)} ms</span>")
            head = f"<span style='color:{color}; font-size:26px; font-weight:600'>{result.grade.label}</span>{offset}"
        elif isinstance(result, HoldResult):
            head = ("<span style='color:#6fe06f; font-size:22px'>OK</span>" if result.ok
                    else "<span style='color:#ff5a5a; font-size:22px'>NG</span>")
        elif isinstance(result, MineResult):
            head = "<span style='color:#ff5a5a; font-size:22px'>Mine!</span>"
        else:
            head = "<span style='color:#ddd; font-size:18px'>Test play</span>"
        combo_text = f"<br><span style='color:#eee; font-size:13px'>{combo} combo</span>" if combo >= 4 else ""
        self.show_html(f"{head}{combo_text}<br><span style='color:#aaa; font-size:11px'>{counts}</span>")


class TestPlayController(LiveKeys):
    """One window's test play."""

    __test__ = False  # not a pytest class
    what = "Test play"
    busy = "a test play is running: Esc ends it"
    hud_class = JudgmentHud
    hud: JudgmentHud
    started = Signal()
    ended = Signal(object, object, object)  # Summary, the Judge (for its trouble spots), the chart played

    def __init__(self, win, session, playback, timeline):
        super().__init__(win, session, playback, timeline)
        self.judge: Judge | None = None
        self.chart = None
        self.doc = None  # the Document whose history the run holds (its stroke)
        self._marked = 0  # results already turned into marks

    @property
    def active(self) -> bool:
        return self.judge is not None

    # ------------------------------------------------------------------ start / stop
    def start(self) -> bool:
        """Play from a second before the cursor and judge the current chart's notes from the cursor on."""
        if self.active:
            return False
        s = self.session
        chart = s.chart
        why = self.refusal(chart)
        if why is None and not any(n.kind.is_onset for n in chart.notes):
            why = "Test play: this chart has no notes to play"
        if why is not None:
            s.status.emit(why)
            return False
        start_s = self.timeline.cursor_s
        self.judge = Judge(chart.notes, s.timing(), start_s, rate=float(self.playback.player.rate),
                           lanes=chart.lanes)
        if self.judge.total_taps == 0:
            self.judge = None
            s.status.emit(self._none_judged(chart, start_s))
            return False
        self.chart = chart
        self._clear_marks()
        self.drop_gesture()  # before the run's stroke opens: a pending drag would end it
        self.doc = s.doc
        self.doc.begin_stroke("Test play", ends=STROKE_ENDS)  # no edit while the run judges the chart as it was
        self.begin(start_s, {int(k): lane for lane, keys in enumerate(KEYS_BY_LANES[chart.lanes]) for k in keys})
        self.hud.show_result(None, 0, self._counts_text())
        s.status.emit(f"Test play from {start_s:.2f} s: {key_names(chart.lanes)}; Esc ends it")
        self.started.emit()
        return True

    def _none_judged(self, chart, start_s: float) -> str:
        """Why a run from ``start_s`` would judge no note: none after the cursor, or those there are never judged
        (fakes, notes inside warps or fake segments, as in StepMania)."""
        timing = self.session.timing()
        why = "fakes, or inside warps or fake segments"
        if not Judge(chart.notes, timing, float("-inf"), lanes=chart.lanes).total_taps:
            return f"Test play: no note of this chart is judged (all are {why})"
        steps = [float(n.beat) for n in chart.notes if n.kind != NoteKind.MINE]
        if steps and (timing.beats_to_seconds_array(np.array(steps)) >= start_s - START_SLACK_S).any():
            return f"Test play: no note after the cursor is judged ({why}); move the cursor back (e.g. Home)"
        return "Test play: no notes after the cursor (move it back, e.g. Home)"

    def stop(self, why: str = "") -> Summary | None:
        """End the test play where the song is now; returns its summary (None when none was running)."""
        judge = self.judge
        if judge is None:
            return None
        summary = judge.finish(self.end())  # keys still down go up now
        doc, self.doc = self.doc, None
        if doc is not None and doc.history.stroke_ends == STROKE_ENDS:
            doc.commit_stroke()  # nothing in it: no step, no change signal
        self._update_marks(judge)
        chart = self.chart
        self.judge = None
        self.chart = None
        self.session.status.emit(f"Test play ended{f' ({why})' if why else ''}: {self._summary_line(summary)}")
        self.ended.emit(summary, judge, chart)
        return summary

    def _chart_switched(self) -> None:
        self.stop("the chart changed")
        self._clear_marks()  # the marks belong to the chart that was played

    # ------------------------------------------------------------------ clock, frames and keys
    def now_s(self) -> float:
        if self.playback.player is None:
            return self.judge.now_s if self.judge is not None else 0.0
        return super().now_s()

    def on_frame(self, t_s: float) -> None:
        """Settle misses, holds and mines as the song plays; end with the notes."""
        assert self.judge is not None
        for result in self.judge.advance(t_s):
            self._show(result)
        if self.judge.done:
            self.stop("every note played")

    def on_key(self, lane: int, down: bool, t_s: float) -> None:
        assert self.judge is not None
        # a press is a step even with the lane's other key down; ``down`` False: the lane's last key came up
        result = (self.judge.press if down else self.judge.release)(lane, t_s)
        if result is not None:
            self._show(result)

    def on_release_all(self, t_s: float) -> None:
        if self.judge is not None:
            self.judge.release_all(t_s)

    def _show(self, result) -> None:
        if self.judge is not None:
            self.hud.show_result(result, self.judge.combo, self._counts_text())
            self._update_marks()

    def _clear_marks(self) -> None:
        self._marked = 0
        self.timeline.marks_item.set_marks([], [], [], [])

    def _update_marks(self, judge: Judge | None = None) -> None:
        """Draw the judged taps in the notefield: the results that came in since the last call are appended."""
        judge = judge or self.judge
        if judge is None or len(judge.results) == self._marked:
            return
        note_s: list[float] = []
        hit_s: list[float] = []
        lanes: list[int] = []
        colors: list[QColor] = []
        for r in judge.results[self._marked:]:
            if isinstance(r, TapResult):
                note_s.append(r.note_s)
                hit_s.append(float("nan") if r.offset_ms is None else r.at_s)
                lanes.append(r.note.lane)
                colors.append(QColor(GRADE_COLORS[r.grade]))
        self._marked = len(judge.results)
        if note_s:
            self.timeline.marks_item.add_marks(note_s, hit_s, lanes, colors)

    def _counts_text(self) -> str:
        if self.judge is None:
            return ""
        c = self.judge.counts
        return " ".join(f"{GRADE_SHORT[g]}{c[g]}" for g in Grade)

    @staticmethod
    def _summary_line(s: Summary) -> str:
        if not s.judged:
            return "no notes were reached"
        return (f"{s.score * 100:.1f} %, " + ", ".join(f"{s.counts[g]} {g.label}" for g in Grade if s.counts[g])
                + (f", median offset {signed(s.median_offset_ms)} ms" if s.median_offset_ms is not None else ""))

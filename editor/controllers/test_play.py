"""TestPlayController: play the current chart from the cursor with the keyboard, judged as a game would.

Playback > Test Play from Cursor (Ctrl+T) starts the song one second before the cursor (a moment to get ready);
notes from the cursor on are judged by :class:`chart.judge.Judge` with StepMania's judge-4 windows. Every key
press and release is timed on the **audio clock** (``clock.audible_seconds(now)``: the song time being heard, after
the output-latency setting), the same clock that drives the playhead, so a judgment says how far the player was
from what they heard, at any rate (windows are real time: slowed playback is judged fairly).

Keys: D F J K or the arrow keys for a 4-lane chart (more lanes: see :data:`KEYS_BY_LANES`). While a test play
runs, every other key is swallowed, so nothing edits the chart by accident; Escape or Space ends it, as do a
click in the notefield, the end of the song, switching chart or song, and losing the audio. The judgments show
over the notefield as they happen; when it ends, the Test Play panel lists the counts, the offsets and every
spot that went wrong (click one to go there).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from chart.judge import Grade, HoldResult, Judge, MineResult, Summary, TapResult

FRAME_MS = 16
LEAD_IN_S = 1.0  # playback starts this long before the cursor
K = Qt.Key
KEYS_BY_LANES: dict[int, tuple[tuple[Qt.Key, ...], ...]] = {
    # per lane, the keys that press it
    4: ((K.Key_D, K.Key_Left), (K.Key_F, K.Key_Down), (K.Key_J, K.Key_Up), (K.Key_K, K.Key_Right)),
    5: ((K.Key_D,), (K.Key_F,), (K.Key_Space,), (K.Key_J,), (K.Key_K,)),
    6: ((K.Key_S,), (K.Key_D,), (K.Key_F,), (K.Key_J,), (K.Key_K,), (K.Key_L,)),
    7: ((K.Key_S,), (K.Key_D,), (K.Key_F,), (K.Key_Space,), (K.Key_J,), (K.Key_K,), (K.Key_L,)),
    8: ((K.Key_A,), (K.Key_S,), (K.Key_D,), (K.Key_F,), (K.Key_J,), (K.Key_K,), (K.Key_L,), (K.Key_Semicolon,)),
}
STOP_KEYS = (K.Key_Escape, K.Key_Space)  # unless the layout plays the key (5 and 7 lanes use Space)
GRADE_COLORS = {Grade.MARVELOUS: "#8fe9ff", Grade.PERFECT: "#ffe066", Grade.GREAT: "#6fe06f",
                Grade.GOOD: "#5fa8ff", Grade.BOO: "#c27cff", Grade.MISS: "#ff5a5a"}
KEY_EVENTS = (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride)


def key_names(lanes: int) -> str:
    """The keys of each lane, for the status line: ``D/Left F/Down J/Up K/Right``."""
    from PySide6.QtGui import QKeySequence

    return " ".join("/".join(QKeySequence(k).toString() for k in keys) for keys in KEYS_BY_LANES.get(lanes, ()))


class JudgmentHud(QLabel):
    """The last judgment, its offset and the combo, over the top of the notefield (mouse goes through)."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet("background: rgba(10, 12, 20, 190); border-radius: 6px; padding: 6px 14px;")
        self.hide()

    def show_result(self, result, combo: int, counts: str) -> None:
        if isinstance(result, TapResult):
            color = GRADE_COLORS[result.grade]
            offset = "" if result.offset_ms is None else (
                f"<span style='color:#ccc; font-size:13px'> {result.offset_ms:+.0f} ms</span>")
            head = f"<span style='color:{color}; font-size:26px; font-weight:600'>{result.grade.label}</span>{offset}"
        elif isinstance(result, HoldResult):
            head = ("<span style='color:#6fe06f; font-size:22px'>OK</span>" if result.ok
                    else "<span style='color:#ff5a5a; font-size:22px'>NG</span>")
        elif isinstance(result, MineResult):
            head = "<span style='color:#ff5a5a; font-size:22px'>Mine!</span>"
        else:
            head = "<span style='color:#ddd; font-size:18px'>Test play</span>"
        combo_text = f"<br><span style='color:#eee; font-size:13px'>{combo} combo</span>" if combo >= 4 else ""
        self.setText(f"{head}{combo_text}<br><span style='color:#aaa; font-size:11px'>{counts}</span>")
        self.adjustSize()
        self._place()
        self.show()
        self.raise_()

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.move(max(0, (parent.width() - self.width()) // 2), 12)


class TestPlayController(QObject):
    """One window's test play."""

    __test__ = False  # not a pytest class
    started = Signal()
    ended = Signal(object, object, object)  # Summary, the Judge (for its trouble spots), the chart played

    def __init__(self, win, session, playback, timeline):
        super().__init__(win)
        self.win, self.session, self.playback, self.timeline = win, session, playback, timeline
        self.judge: Judge | None = None
        self.chart = None
        self.keys: dict[int, int] = {}  # Qt key -> lane
        self.hud = JudgmentHud(timeline)
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self.frame)
        self._hide_hud = QTimer(self)
        self._hide_hud.setSingleShot(True)
        self._hide_hud.timeout.connect(self.hud.hide)
        self._marked = 0  # results already turned into marks
        self._marks: tuple[list[float], list[float], list[int], list[QColor]] = ([], [], [], [])
        session.chart_switched.connect(lambda *_: self._chart_switched())
        session.document_replaced.connect(lambda *_: self.stop("another song was opened"))
        session.audio_changed.connect(lambda *_: self.stop("the audio changed"))
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def active(self) -> bool:
        return self.judge is not None

    # ------------------------------------------------------------------ start / stop
    def start(self) -> bool:
        """Play from a second before the cursor and judge the current chart's notes from the cursor on."""
        if self.active:
            return False
        s, pb = self.session, self.playback
        chart = s.chart
        if pb.player is None:
            s.status.emit(f"Test play needs the song's audio: {s.audio_error or pb.device_text}")
            return False
        if chart is None or not any(n.kind.is_onset for n in chart.notes):
            s.status.emit("Test play: this chart has no notes to play")
            return False
        if chart.lanes not in KEYS_BY_LANES:
            s.status.emit(f"Test play: no key layout for {chart.lanes} lanes")
            return False
        if s.doc.history.in_stroke:
            s.status.emit("Test play: finish the drag first")
            return False
        start_s = self.timeline.cursor_s
        player = pb.player
        self.judge = Judge(chart.notes, s.timing(), start_s, rate=float(player.rate), lanes=chart.lanes)
        if self.judge.total_taps == 0:
            self.judge = None
            s.status.emit("Test play: no notes after the cursor (move it back, e.g. Home)")
            return False
        self.chart = chart
        self._clear_marks()
        self.keys = {int(k): lane for lane, keys in enumerate(KEYS_BY_LANES[chart.lanes]) for k in keys}
        pb.stop_loop()
        pb.play_from(max(0.0, start_s - LEAD_IN_S))
        self.timer.start()
        self._hide_hud.stop()
        self.hud.show_result(None, 0, self._counts_text())
        self.timeline.setFocus()
        s.status.emit(f"Test play from {start_s:.2f} s: {key_names(chart.lanes)}; Esc ends it")
        self.started.emit()
        return True

    def stop(self, why: str = "") -> Summary | None:
        """End the test play where the song is now; returns its summary (None when none was running)."""
        judge = self.judge
        if judge is None:
            return None
        self.timer.stop()
        pb = self.playback
        now = self.now_s()
        if pb.playing:
            pb.toggle()  # pause where it is heard; the cursor stays there
        summary = judge.finish(now)  # keys still down go up now
        self._update_marks(judge)
        chart = self.chart
        self.judge = None
        self.chart = None
        self._hide_hud.start(2500)
        self.session.status.emit(f"Test play ended{f' ({why})' if why else ''}: {self._summary_line(summary)}")
        self.ended.emit(summary, judge, chart)
        return summary

    def _chart_switched(self) -> None:
        self.stop("the chart changed")
        self._clear_marks()  # the marks belong to the chart that was played

    def shutdown(self) -> None:
        self.stop("closing")
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    # ------------------------------------------------------------------ clock and frames
    def now_s(self) -> float:
        """Song seconds being heard now (the audio clock, after the output-latency setting)."""
        player = self.playback.player
        if player is None:
            return self.judge.now_s if self.judge is not None else 0.0
        return float(player.clock.audible_seconds(player.now()))

    def frame(self) -> None:
        """Settle misses, holds and mines as the song plays; end with the song."""
        if self.judge is None:
            self.timer.stop()
            return
        if self.playback.player is None or not self.playback.playing:
            self.stop("end of the song" if self.playback.player is not None else "no audio")
            return
        for result in self.judge.advance(self.now_s()):
            self._show(result)
        if self.judge.done:
            self.stop("every note played")

    def _show(self, result) -> None:
        if self.judge is not None:
            self.hud.show_result(result, self.judge.combo, self._counts_text())
            self._update_marks()

    def _clear_marks(self) -> None:
        self._marked = 0
        self._marks = ([], [], [], [])
        self.timeline.marks_item.set_marks(*self._marks)

    def _update_marks(self, judge: Judge | None = None) -> None:
        """Draw the judged taps in the notefield: the results that came in since the last call are appended."""
        judge = judge or self.judge
        if judge is None or len(judge.results) == self._marked:
            return
        note_s, hit_s, lanes, colors = self._marks
        for r in judge.results[self._marked:]:
            if isinstance(r, TapResult):
                note_s.append(r.note_s)
                hit_s.append(float("nan") if r.offset_ms is None else r.at_s)
                lanes.append(r.note.lane)
                colors.append(QColor(GRADE_COLORS[r.grade]))
        self._marked = len(judge.results)
        self.timeline.marks_item.set_marks(*self._marks)

    def _counts_text(self) -> str:
        if self.judge is None:
            return ""
        c = self.judge.counts
        return " ".join(f"{g.label[0]}{c[g]}" for g in Grade)

    @staticmethod
    def _summary_line(s: Summary) -> str:
        if not s.judged:
            return "no notes were reached"
        return (f"{s.score * 100:.1f} %, " + ", ".join(f"{s.counts[g]} {g.label}" for g in Grade if s.counts[g])
                + (f", median offset {s.median_offset_ms:+.0f} ms" if s.median_offset_ms is not None else ""))

    # ------------------------------------------------------------------ keys
    def eventFilter(self, obj, ev) -> bool:  # noqa: N802 - Qt API
        if self.judge is None:
            return False
        kind = ev.type()
        if kind in KEY_EVENTS:
            return self._key(ev)
        if kind == QEvent.Type.MouseButtonPress and isinstance(obj, QWidget) \
                and (obj is self.timeline or self.timeline.isAncestorOf(obj)):
            self.stop("click")
            return True  # the click ends the play; it does not place a note
        if kind == QEvent.Type.ApplicationDeactivate:  # keys may come up elsewhere: let them go now
            self.judge.release_all(self.now_s())
        return False

    def _key(self, ev) -> bool:
        """Handle one key event while playing; every key event is swallowed (no shortcut edits the chart)."""
        judge = self.judge
        assert judge is not None
        key = ev.key()
        if ev.type() == QEvent.Type.ShortcutOverride:
            ev.accept()  # we take the key: no shortcut fires
            return True
        if ev.isAutoRepeat():
            return True
        if ev.type() == QEvent.Type.KeyPress and key in STOP_KEYS and key not in self.keys:
            self.stop()
            return True
        lane = self.keys.get(key)
        if lane is None:
            return True
        # the Judge ignores a press of a key already down and a release of one that is up
        press = judge.press if ev.type() == QEvent.Type.KeyPress else judge.release
        result = press(lane, self.now_s())
        if result is not None:
            self._show(result)
        return True

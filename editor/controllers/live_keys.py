"""LiveKeys: the part test play and record mode share: play from the cursor and take the lane keys on the audio clock.

Both start the song one second before the cursor (a moment to get ready; near the start of the song the player
plays silence before the audio, so the second is always there) and time every lane key going down or
up on the **audio clock** (``clock.audible_seconds(now)``: the song time being heard, after the output-latency
setting), the clock that drives the playhead, so what a key means does not depend on the frame rate or the
playback rate. While one runs, every other key is swallowed (no shortcut edits the chart by accident); Escape or
Space ends it, as do a click in the notefield, anything that would move the song (the wheel over the notefield, a
click in the minimap, a jump from a panel: :meth:`PlaybackController.refuse_seek`; the song is not moved), Play/Pause
and Play Selection in a Loop (the run ends where the song was heard: "paused", "loop"), the end of the song, the
sound device stopping, switching chart or song, and losing the audio. Another run, or an edit the take's open
stroke refuses, is refused with what runs ("recording: Esc ends the take").
A key is timed when the GUI thread reads it, within a frame of it going down (``make bench``: 4-8 ms).
A lane's keys are counted (D and Left both play lane 0): every key going down is a step (:meth:`LiveKeys.on_key`
``down``), and the lane comes up only when its last key does, so a hold stays held while any of its keys is down
(as any button of a StepMania column steps and holds).

Subclasses say what a lane key does (:meth:`on_key`), what happens each frame (:meth:`on_frame`) and how it ends
(:meth:`stop`).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QWidget

FRAME_MS = 16
LEAD_IN_S = 1.0  # playback starts this long before the cursor
END_SLACK_S = 0.1  # a player stopped this near its end reached the end of the song (else something paused it)
K = Qt.Key
KEYS_BY_LANES: dict[int, tuple[tuple[Qt.Key, ...], ...]] = {
    # per lane, the keys that press it: osu!mania's default layouts (the home row, Space for a middle lane;
    # 10 lanes the whole home row A..;), the arrow keys too for 4 lanes
    1: ((K.Key_Space,),),
    2: ((K.Key_F,), (K.Key_J,)),
    3: ((K.Key_F,), (K.Key_Space,), (K.Key_J,)),
    4: ((K.Key_D, K.Key_Left), (K.Key_F, K.Key_Down), (K.Key_J, K.Key_Up), (K.Key_K, K.Key_Right)),
    5: ((K.Key_D,), (K.Key_F,), (K.Key_Space,), (K.Key_J,), (K.Key_K,)),
    6: ((K.Key_S,), (K.Key_D,), (K.Key_F,), (K.Key_J,), (K.Key_K,), (K.Key_L,)),
    7: ((K.Key_S,), (K.Key_D,), (K.Key_F,), (K.Key_Space,), (K.Key_J,), (K.Key_K,), (K.Key_L,)),
    8: ((K.Key_A,), (K.Key_S,), (K.Key_D,), (K.Key_F,), (K.Key_J,), (K.Key_K,), (K.Key_L,), (K.Key_Semicolon,)),
    9: ((K.Key_A,), (K.Key_S,), (K.Key_D,), (K.Key_F,), (K.Key_Space,), (K.Key_J,), (K.Key_K,), (K.Key_L,),
        (K.Key_Semicolon,)),
    10: ((K.Key_A,), (K.Key_S,), (K.Key_D,), (K.Key_F,), (K.Key_G,), (K.Key_H,), (K.Key_J,), (K.Key_K,), (K.Key_L,),
         (K.Key_Semicolon,)),
}
MAX_KEY_LANES = max(KEYS_BY_LANES)
STOP_KEYS = (K.Key_Escape, K.Key_Space)  # unless the layout plays the key (1, 3, 5, 7 and 9 lanes use Space)
KEY_EVENTS = (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride)


def key_names(lanes: int, keys: dict[int, int] | None = None) -> str:
    """The keys of each lane, for the status line: ``D/Left F/Down J/Up K/Right`` (or those of ``keys``); "" for a
    lane count without a layout."""
    from PySide6.QtGui import QKeySequence

    per_lane: tuple[tuple[int, ...], ...]  # Qt keys (Qt.Key is an int)
    if keys is None:
        per_lane = KEYS_BY_LANES.get(lanes, ())
    else:
        per_lane = tuple(tuple(k for k, lane in keys.items() if lane == i) for i in range(lanes))
    return " ".join("/".join(QKeySequence(k).toString() for k in ks) for ks in per_lane)


class Hud(QLabel):
    """A line of rich text over the top of the notefield (the mouse goes through it)."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet("background: rgba(10, 12, 20, 190); border-radius: 6px; padding: 6px 14px;")
        self.hide()

    def show_html(self, html: str) -> None:
        self.setText(html)
        self.adjustSize()
        parent = self.parentWidget()
        if parent is not None:
            self.move(max(0, (parent.width() - self.width()) // 2), 12)
        self.show()
        self.raise_()


class LiveKeys(QObject):
    """Playing from the cursor with the lane keys taken: what test play and record mode share."""

    what = "Live keys"  # the name in status messages
    busy = "a test play or take is running: Esc ends it"  # why another run or edit must wait (a refusal's reason)
    hud_class: type[Hud] = Hud

    def __init__(self, win, session, playback, timeline):
        super().__init__(win)
        self.win, self.session, self.playback, self.timeline = win, session, playback, timeline
        self.keys: dict[int, int] = {}  # Qt key -> lane
        self.held: dict[int, set[int]] = {}  # lane -> its keys down now (the lane comes up with the last one)
        self.hud = self.hud_class(timeline)
        self._hide_hud = QTimer(self)  # the overlay stays a moment after a run ends
        self._hide_hud.setSingleShot(True)
        self._hide_hud.timeout.connect(self.hud.hide)
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self.frame)
        session.chart_switched.connect(lambda *_: self._chart_switched())
        session.document_replaced.connect(lambda *_: self.stop("another song was opened"))
        session.audio_changed.connect(lambda *_: self.stop("the audio changed"))
        # judging windows and the hold threshold are real time, set for the run's rate: a new rate ends the run
        playback.rate_changing.connect(lambda *_: self.stop("the rate changed") if self.active else None)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    # ------------------------------------------------------------------ for subclasses
    @property
    def active(self) -> bool:
        raise NotImplementedError

    def stop(self, why: str = "") -> object:
        raise NotImplementedError

    def on_key(self, lane: int, down: bool, t_s: float) -> None:
        """A key of ``lane`` went down (``down``: a step, even with another key of the lane down) or the lane came
        up (its last key down went up) at song time ``t_s``."""
        raise NotImplementedError

    def on_frame(self, t_s: float) -> None:
        """The song is at ``t_s`` (every frame while running)."""

    def on_release_all(self, t_s: float) -> None:
        """The window lost the keyboard: keys still down may come up elsewhere; let them go now."""

    def _chart_switched(self) -> None:
        self.stop("the chart changed")

    # ------------------------------------------------------------------ start / end
    def refusal(self, chart) -> str | None:
        """Why a run cannot start now (a status line), or None."""
        s, pb = self.session, self.playback
        if pb.live_stop is not None:  # this run or the other kind (a take under a test play took the same keys)
            return f"{self.what}: {s.live_run}"
        if pb.player is None:
            return f"{self.what} needs the song's audio: {s.audio_error or pb.device_text}"
        if chart is None:
            return f"{self.what}: no chart (add a difficulty first)"
        if chart.lanes not in KEYS_BY_LANES:
            return f"{self.what}: no key layout for {chart.lanes} lanes (1 to {MAX_KEY_LANES} lanes are played)"
        if s.doc.history.in_stroke:
            return f"{self.what}: {s.doc.history.stroke_ends} first"  # the drag, or a lane key held
        return None

    def begin(self, start_s: float, keys: dict[int, int]) -> None:
        """Take ``keys`` (Qt key -> lane) and play from a second before ``start_s`` (before the audio: silence)."""
        self.keys = keys
        self.held = {}
        self.drop_gesture()
        pb = self.playback
        pb.stop_loop()
        pb.play_from(start_s - LEAD_IN_S)
        pb.live_stop = self.stop  # a user seek now ends the run instead of moving the song
        self.session.live_run = self.busy  # a refused edit says why (the take's stroke, not a drag)
        self.timer.start()
        self._hide_hud.stop()
        self.timeline.setFocus()

    def drop_gesture(self) -> None:
        """Forget a mouse press not yet released: its drag must not move notes during a run (nor edit, and end, a
        record take's stroke)."""
        editing = getattr(self.win, "editing", None)
        if editing is not None:
            editing.cancel_gesture()

    def end(self) -> float:
        """Stop the frames and pause where the song is heard (the overlay fades in 2.5 s); returns that song
        time."""
        self.timer.stop()
        self._hide_hud.start(2500)
        self.playback.live_stop = None
        self.session.live_run = None
        now = self.now_s()
        if self.playback.playing:
            self.playback.toggle()  # pause where it is heard; the cursor stays there
        return now

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
            return 0.0
        return float(player.clock.audible_seconds(player.now()))

    def frame(self) -> None:
        if not self.active:
            self.timer.stop()
            return
        pb = self.playback
        if pb.player is None or not pb.playing:
            self.stop("no audio" if pb.player is None else
                      "the sound output stopped" if pb.output_stopped() else
                      "end of the song" if self.now_s() >= pb.player.duration_s - END_SLACK_S else
                      "playback paused")
            return
        self.on_frame(self.now_s())

    # ------------------------------------------------------------------ keys
    def eventFilter(self, obj, ev) -> bool:  # noqa: N802 - Qt API
        if not self.active:
            return False
        kind = ev.type()
        if kind in KEY_EVENTS:
            return self._key(ev)
        if kind == QEvent.Type.MouseButtonPress and isinstance(obj, QWidget) \
                and (obj is self.timeline or self.timeline.isAncestorOf(obj)):
            self.stop("click")
            return True  # the click ends the run; it does not place a note
        if kind == QEvent.Type.ApplicationDeactivate:  # keys may come up elsewhere: let them go now
            self.held = {}
            self.on_release_all(self.now_s())
        return False

    def _key(self, ev) -> bool:
        """Handle one key event while running; every key event is swallowed (no shortcut edits the chart)."""
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
        held = self.held.setdefault(lane, set())
        if ev.type() == QEvent.Type.KeyPress:
            held.add(key)
            self.on_key(lane, True, self.now_s())  # a step, even with another key of the lane down
        elif key in held:  # (a key that went down before the run is not the lane's)
            held.discard(key)
            if not held:
                self.on_key(lane, False, self.now_s())
        return True

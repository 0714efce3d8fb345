"""PlaybackController: the song through :mod:`audio.player`, with the playhead driven by the audio clock.

A ~16 ms QTimer reads ``Player.position_s()`` — the :class:`audio.clock.PlaybackClock` mapping of the output
stream's clock to song seconds, with the user's output latency and visual offset applied — and moves the
cursor. Nothing here measures wall time, so the playhead cannot drift from what is heard (ARCHITECTURE §4).

Assist ticks (beats, notes) are mixed by the player at exact frames; their times come from the chart's timing:
one beat tick per distinct time (the beats a warp skips would all sound on one frame), note ticks for the notes a
test play judges (none inside warps or fake segments, as StepMania's assist clap); on an osu! map the notes play
their hitsounds instead (:mod:`editor.controllers.hitsound_playback`). Rate 25-100 % (keep pitch optional),
music/tick volumes, latency and visual offset come from the settings.
Without a sound device the player runs on its null output: the playhead still moves, and the status bar says
there is no sound. A device that stops mid-play (unplugged) pauses playback where the sound stopped and the status
bar says so; the next Space opens the output again (the device, else the null output).

While a test play or a record take runs (:attr:`PlaybackController.live_stop`), a user seek (the wheel, the
minimap, a jump from a panel) ends the run the way a click in the notefield does, and does not move the song;
Play/Pause and Play Selection in a Loop end it too, where the song was heard (a loop from the menu jumped the song
under a running test play, and Play/Pause ended it as "end of the song").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from chart.formats.display_segments import judged_notes
from chart.snap import step as snap_step
from chart.stats import onset_times_s
from editor.controllers.hitsound_playback import SETTING as HITSOUNDS_SETTING
from editor.controllers.hitsound_playback import HitsoundVoices, plays_hitsounds, toggled_text
from editor.key_hints import hint
from editor.session import EditorSession
from editor.settings import EditorSettings
from editor.status_messages import post_background
from editor.timeline.grid_item import knot_beats
from editor.timeline.view import TimelineWidget

if TYPE_CHECKING:
    from audio.player import Player

FRAME_MS = 16
AT_END_S = 0.001  # Space with the cursor this near the audio's end (or past it) plays nothing and says so
DISTINCT_TICK_S = 0.001  # beat ticks closer than this are one tick (a warp maps its beats onto one time)


def tick_beats(timing, end_beat: float) -> np.ndarray:
    """The whole beats in ``[0, end_beat)`` that get a beat tick: per stretch between timing changes every beat,
    or every m-th one where beats come closer than DISTINCT_TICK_S (they would sound as one), and none inside a
    warp (its beats all sound at its end's time, whose beat ticks). The cost follows the song's seconds, not its
    beats: a 10^9-beat warp (or BPM) listed 10^9 beats and froze the editor."""
    inner = knot_beats(timing)
    edges = np.concatenate(([0.0], inner[(inner > 0) & (inner < end_beat)], [end_beat]))
    a, b = edges[:-1], edges[1:]
    a, b = a[b - a > 1e-9], b[b - a > 1e-9]
    if not len(a):
        return np.empty(0)
    lo, hi = a + (b - a) / 4, b - (b - a) / 4
    t = timing.beats_to_seconds_array(np.concatenate((lo, hi)))
    spb = (t[len(a):] - t[:len(a)]) / (hi - lo)
    step = np.ceil(DISTINCT_TICK_S / np.maximum(spb, 1e-300)).clip(1, 2.0**52)
    first, last = np.ceil(a), np.minimum(np.floor(b), np.ceil(end_beat) - 1)
    counts = np.where((spb > 0) & (last >= first), np.floor((last - first) / step) + 1, 0).astype(np.int64)
    index = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.unique(np.repeat(first, counts) + index * np.repeat(step, counts))


def open_player(samples: np.ndarray, sample_rate_hz: int):
    """The real player (sound device, else null output). Tests swap this for a fake with the same API."""
    from audio.player import Player

    return Player.open(samples, sample_rate_hz, output="auto")


class PlaybackController(QObject):
    """Transport for one window."""

    state_changed = Signal(bool)  # playing
    rate_changing = Signal(float)  # the new rate, before it applies (test play and record end their run first)
    rate_changed = Signal(float)  # the rate in force after set_rate (the Playback panel's Rate box follows it)
    device_changed = Signal(str)  # one line about the output
    player_changed = Signal()  # a new player was opened (a new song, or the output reopened): it holds no stems

    def __init__(self, win, session: EditorSession, timeline: TimelineWidget, settings: EditorSettings):
        super().__init__(win)
        self.win, self.session, self.timeline, self.settings = win, session, timeline, settings
        self.player: Player | None = None  # tests swap in a fake with the same API (player_factory)
        self.player_factory = open_player
        self.device_text = "no audio"
        self.loop_s: tuple[float, float] | None = None
        self.failure = ""  # why the output stopped by itself, once reported (cleared with a new player)
        self.live_stop: Callable[[str], object] | None = None  # ends the test play or take under way (LiveKeys)
        self.hitsounds = HitsoundVoices(win, session)
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self.tick)
        session.audio_changed.connect(self._audio_changed)
        session.document_replaced.connect(self._attach)
        session.chart_switched.connect(self.update_ticks)
        timeline.cursor_moved.connect(self._user_seek)
        # seek_guard is declared without a type in editor/timeline/view.py (None at first): fix the declaration there
        timeline.seek_guard = self.refuse_seek  # type: ignore[assignment]
        self._attach()

    def _attach(self) -> None:
        self.session.bridge.notes_changed.connect(lambda *_: self.update_ticks())
        self.session.bridge.timing_changed.connect(self.update_ticks)
        self.session.bridge.charts_changed.connect(self.update_ticks)  # a chart's extras: Edit > Hitsounds

    # ------------------------------------------------------------------ player lifetime
    def _audio_changed(self) -> None:
        self.close_player()
        audio = self.session.audio
        if audio is None:
            self._set_device("no audio loaded")
            return
        try:
            self.player = self.player_factory(audio.samples, audio.sample_rate_hz)
        except Exception as exc:  # any failure to open an output must leave an editable window
            self.player = None
            self._set_device(f"cannot open audio output: {' '.join(str(exc).split())}")
            post_background(self.win, self.device_text)  # comes with the audio loading, not a key
            return
        self.apply_settings()
        self.update_ticks()
        self.player_changed.emit()  # the stems controller loads its stems again (else the rebuilt player lost them)
        self._set_device(self.player.backend_description)
        if not self.player.has_device:
            # after the "Audio: ..." line the loader emits once this returns, or that line hides this one at once
            QTimer.singleShot(0, lambda p=self.player: self._say_no_device(p))

    def _say_no_device(self, player) -> None:
        if player is not self.player:  # another song (or none) meanwhile
            return
        why = getattr(player, "fallback_reason", "")  # PortAudio's reason; empty when the null output was chosen
        post_background(self.win, f"No sound device{f' ({why})' if why else ''}: playback runs silently; the "
                                  "playhead still moves.")

    def _set_device(self, text: str) -> None:
        self.device_text = text
        self.device_changed.emit(text)

    def close_player(self) -> None:
        """Close the output; a loop belongs to the song played, so it goes too (and its drawn range)."""
        self.timer.stop()
        self.failure = ""
        if self.loop_s is not None:
            self.loop_s = None
            self.timeline.range_item.set_ranges(self.timeline.range_item.range_s, None)
        if self.player is not None:
            self.player.close()
            self.player = None
            self.state_changed.emit(False)

    def shutdown(self) -> None:
        self.close_player()

    def apply_settings(self) -> None:
        """Push rate, pitch mode, volumes, latency and visual offset from the settings into the player."""
        if self.player is None:
            return
        s = self.settings
        self.player.rate = float(np.clip(s.get("audio/rate"), 0.25, 1.0))
        self.player.keep_pitch = s.get("audio/keep_pitch")
        self.player.music_volume = s.get("audio/music_volume")
        self.player.tick_volume = s.get("audio/tick_volume")
        self.player.output_latency_s = s.get("audio/latency_ms") / 1000.0
        self.player.visual_offset_s = s.get("audio/visual_offset_ms") / 1000.0

    # ------------------------------------------------------------------ ticks
    def update_ticks(self) -> None:
        """Beat and note tick times (song seconds) from the current chart's timing and notes; on an osu! map with
        Hitsounds on, its notes' hitsounds instead of the note ticks."""
        if self.player is None:
            return
        timing = self.session.timing()
        beat_s = note_s = None
        hitsounds = self.hitsounds.sounds(self.player) if plays_hitsounds(self.session.chart, self.settings) else None
        if self.settings.get("audio/beat_ticks"):
            last_beat = float(timing.seconds_to_beats_array([self.player.duration_s])[0])
            beat_s = np.sort(timing.beats_to_seconds_array(tick_beats(timing, max(last_beat, 0.0) + 1.0)))
            beat_s = beat_s[np.concatenate(([True], np.diff(beat_s) >= DISTINCT_TICK_S))] if beat_s.size else beat_s
        if self.settings.get("audio/note_ticks") and self.session.chart is not None and hitsounds is None:
            note_s = np.unique(onset_times_s(judged_notes(self.session.chart.notes, timing), timing))
        # hitsounds only when there are some: a player made for ticks alone (a test's fake) takes two arguments
        self.player.set_ticks(beat_s=beat_s, note_s=note_s, **({"hitsounds": hitsounds} if hitsounds else {}))

    def set_ticks_enabled(self, beats: bool | None = None, notes: bool | None = None,
                          hitsounds: bool | None = None) -> None:
        if beats is not None:
            self.settings.set("audio/beat_ticks", bool(beats))
        if notes is not None:
            self.settings.set("audio/note_ticks", bool(notes))
        if hitsounds is not None:
            self.settings.set(HITSOUNDS_SETTING, bool(hitsounds))
            self.session.status.emit(toggled_text(bool(hitsounds), self.session.chart, self.win))
        self.update_ticks()

    # ------------------------------------------------------------------ transport
    @property
    def playing(self) -> bool:
        if self.player is None:
            return False
        if self.player.is_playing:
            return True
        self.output_stopped()  # reported once, the moment anyone notices
        return False

    def output_stopped(self) -> bool:
        """Whether the output stopped by itself (device unplugged, stream error); the first time, stop the frames,
        leave the cursor where the sound stopped and say so in the status bar and the audio label."""
        reason = getattr(self.player, "output_failure", None) if self.player is not None else None
        if not reason:
            return False
        assert self.player is not None  # the reason is the player's
        if reason != self.failure:
            self.failure = reason
            self.timer.stop()
            t_s = self.player.position_s()
            self.timeline.set_cursor(t_s, playing=False)
            self.win.on_playhead(t_s)
            self._set_device(f"sound stopped: {reason}")
            self.session.status.emit(f"Sound output stopped ({reason}): paused at {t_s:.2f} s. Play"
                                     f"{hint(self.win, 'play.toggle')} opens the output again.")
            self.state_changed.emit(False)
        return True

    def toggle(self) -> None:
        """Space: play from the cursor, or pause where it is heard now."""
        if self.player is None:
            self.session.status.emit(f"Cannot play: {self.session.audio_error or self.device_text}")
            return
        if self.live_stop is not None:  # the run ends paused where the song is heard (LiveKeys.end pauses)
            self.live_stop("paused")
            return
        if self.playing:
            self.player.pause()
            self.timer.stop()
            t_s = self.player.position_s()
            self.timeline.set_cursor(t_s, playing=False)
            self.win.on_playhead(t_s)  # the read-outs too: they showed the last frame's time (10-40 ms before)
            self.state_changed.emit(False)
        elif self.timeline.cursor_s >= self.player.duration_s - AT_END_S:
            # nothing to play from here: say so, and leave the cursor (the chart may go on past the audio)
            self.session.status.emit(f"Play: the cursor is at or past the end of the audio "
                                     f"({self.player.duration_s:.2f} s); move it back to play")
        else:
            self.play_from(self.timeline.cursor_s)

    def play_from(self, t_s: float) -> None:
        """Play from ``t_s``; before 0 (a lead-in, a cursor above the audio) silence plays until the audio starts.
        An output that stopped by itself is opened again first (the device, else the null output)."""
        if self.player is None:
            return
        if self.output_stopped():
            loop = self.loop_s
            self._audio_changed()
            if self.player is None:
                return
            if loop is not None:
                self.player.set_loop(*loop)
                self.loop_s = loop
                self.timeline.range_item.set_ranges(self.timeline.range_item.range_s, loop)
        if self.loop_s is None:
            self.player.clear_loop()
        self.player.play(from_s=t_s)
        self.timer.start()
        self.state_changed.emit(True)

    def play_loop(self) -> bool:
        """Loop the selected range (or the span of the selected notes); pressing again stops looping."""
        if self.player is None:
            return False
        if self.live_stop is not None:  # a loop would move the song under the run: it ends where it was heard
            self.live_stop("loop")
            return False
        if self.loop_s is not None:
            self.stop_loop()
            return False
        span = self._selection_span_s()
        if span is None:
            self.session.status.emit(f"Loop: select a range{hint(self.win, 'edit.range_up', 'edit.range_down')} "
                                     "or some notes first")
            return False
        try:
            self.player.set_loop(*span)
        except ValueError as exc:
            self.session.status.emit(f"Loop: {exc}")
            return False
        from audio.player import LEAD_IN_MAX_S

        span = max(span[0], -LEAD_IN_MAX_S), min(span[1], self.player.duration_s)  # drawn as heard
        self.loop_s = span
        self.timeline.range_item.set_ranges(self.timeline.range_item.range_s, span)
        self.play_from(span[0])
        return True

    def stop_loop(self) -> None:
        self.loop_s = None
        if self.player is not None:
            self.player.clear_loop()
        self.timeline.range_item.set_ranges(self.timeline.range_item.range_s, None)

    def _selection_span_s(self) -> tuple[float, float] | None:
        s = self.session
        timing = s.timing()
        if s.range_beats is not None and s.range_beats[0] != s.range_beats[1]:
            b0, b1 = sorted(s.range_beats)
        elif s.selection:  # to a snap step past the last note: a loop that ended on it cut its sound every pass
            b0 = min(n.beat for n in s.selection)
            b1 = max(max(n.end_beat for n in s.selection) + snap_step(s.divisor), b0 + 1)
        else:
            return None
        return float(timing.beat_to_seconds(b0)), float(timing.beat_to_seconds(b1))

    def tick(self) -> None:
        """GUI frame: move the playhead to where the audio clock says the song is."""
        if self.player is None:
            self.timer.stop()
            return
        if self.output_stopped():
            return
        t_s = self.player.position_s()
        self.timeline.set_cursor(t_s, playing=True)
        self.win.on_playhead(t_s)
        if not self.player.is_playing:
            self.timer.stop()
            if not self.output_stopped():
                self.timeline.set_cursor(t_s, playing=False)
                self.state_changed.emit(False)

    def refuse_seek(self, _t_s: float) -> bool:
        """The timeline asks before a user seek moves the cursor: while a test play or a record take runs, the
        seek ends the run (as a click in the notefield does) and is refused. A seek would skip or replay part of
        the song under the run: test play counted the skipped notes as misses, and a take replacing notes cleared
        the whole skipped passage."""
        if self.live_stop is None:
            return False
        self.live_stop("seek")
        return True

    def _user_seek(self, t_s: float) -> None:
        """A seek the timeline let through (:meth:`refuse_seek` answered first: ``cursor_moved`` comes only from
        :meth:`TimelineWidget.seek`, after its guard)."""
        if self.playing:
            assert self.player is not None  # playing: there is a player
            self.player.seek(t_s)

    def set_rate(self, rate: float) -> None:
        rate = float(np.clip(rate, 0.25, 1.0))
        if self.player is not None and rate != self.player.rate:
            self.rate_changing.emit(rate)
        self.settings.set("audio/rate", rate)
        self.apply_settings()
        self.rate_changed.emit(rate)

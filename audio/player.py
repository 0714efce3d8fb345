"""Playback for the editor: a sound-device stream (or a paced null output) running the :mod:`audio.mixer` renderer.

The ONLY module that imports ``sounddevice`` (import-linter enforces it), and only inside functions: PortAudio may
be missing (``OSError`` on import), and the app must still open and say "no sound device".

* :class:`Player` is the GUI-side API: play / pause / seek / loop / rate / keep pitch / volumes / ticks / stems,
  and :meth:`Player.position_s` for the playhead, read from the :class:`audio.clock.PlaybackClock` that the
  callback feeds. Every method returns at once; the callback picks up the change at its next block.
* :class:`NullOutput` drives the same callback from a thread at real-time pace, with an ideal DAC clock, optional
  capture of everything it "played" and an optional host that reports no DAC time. CI and machines without a
  sound card use it; tests use its capture as an oracle.
* ``Player.open(output="auto")`` picks a sound device when PortAudio has one and falls back to the null output,
  reporting which in ``backend_description`` and ``has_device``.
* A device stream that stops by itself pauses where the sound stopped; :attr:`Player.output_failure` says why.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

import numpy as np

from audio.clock import PlaybackClock, effective_dac_time, ring_capacity
from audio.mixer import MAX_RATE, MIN_RATE, Renderer, SourceMix, Transport, resample_source
from audio.null_output import NullOutput, RenderFn
from audio.output_watch import OutputHealth, first_line
from audio.ticks import TickTracks

__all__ = ["NullOutput", "Player", "PlayerError", "SoundDeviceOutput"]

LEAD_IN_MAX_S = 10.0  # positions down to minus this play silence before the audio (a lead-in before its start)
MIN_LOOP_S = 0.010  # shortest loop; at rate 1 it wraps (and adds a clock entry) 100 times a second


class PlayerError(Exception):
    """The requested output cannot be used; the message is one line."""


class SoundDeviceOutput:
    """A PortAudio output stream (callback API) through ``sounddevice``.

    Raises
    ------
    PlayerError
        PortAudio is missing, there is no output device, or the stream cannot be opened.
    """

    has_device = True

    def __init__(self, render: RenderFn, sample_rate_hz: float, channels: int, blocksize: int = 512,
                 device: int | str | None = None, latency: float | str = "low") -> None:
        # Never let libjack start a JACK server as a side effect of probing devices.
        os.environ.setdefault("JACK_NO_START_SERVER", "1")
        try:
            import sounddevice as sd
        except (OSError, ImportError) as exc:  # libportaudio2 (or sounddevice) not installed
            raise PlayerError(f"PortAudio is not available ({exc})") from exc
        self._sd, self._render = sd, render
        self.sample_rate_hz, self.channels, self.blocksize = float(sample_rate_hz), channels, blocksize
        self.health, self._last_now = OutputHealth(), 0.0  # health: why the stream stopped by itself
        try:
            sd.query_devices(device, kind="output")
            self._stream = sd.OutputStream(samplerate=sample_rate_hz, blocksize=blocksize, device=device,
                                           channels=channels, dtype="float32", latency=latency,
                                           callback=self._callback, finished_callback=self.health.finished)
        except (sd.PortAudioError, ValueError) as exc:
            raise PlayerError(f"cannot open an output stream: {str(exc).splitlines()[0]}") from exc
        self.latency_s = float(self._stream.latency)
        info = sd.query_devices(self._stream.device)
        host = sd.query_hostapis(info["hostapi"])["name"]
        self.description = (f"{info['name']} via {host}, {self._stream.samplerate:.0f} Hz, "
                            f"{blocksize} frames, latency {self.latency_s * 1000:.1f} ms")

    def now(self) -> float:
        """Seconds on the stream clock (DAC times' base); after a PortAudioError, the last good reading."""
        try:
            self._last_now = float(self._stream.time)
        except self._sd.PortAudioError as exc:
            self.health.stopped(f"the stream clock failed: {first_line(exc)}")
        return self._last_now

    def check(self, playing: bool) -> str | None:
        """Why the stream stopped by itself, or None while it runs (see :class:`OutputHealth`)."""
        return self.health.check(playing, lambda: bool(self._stream.active), self.now, self._sd.PortAudioError)

    def start(self) -> None:
        try:
            self._stream.start()
        except self._sd.PortAudioError as exc:
            self._stream.close(ignore_errors=True)
            raise PlayerError(f"cannot start the output stream: {str(exc).splitlines()[0]}") from exc

    def close(self) -> None:
        self.health.closing = True  # our own stop is not a failure (the finished callback fires for it too)
        self._stream.close(ignore_errors=True)

    def _callback(self, outdata: np.ndarray, frames: int, time_info, status) -> None:
        self.health.blocks += 1
        dac = time_info.outputBufferDacTime
        if dac <= 0.0:  # some hosts report no DAC time: currentTime + latency (stream time as a last resort)
            current = time_info.currentTime
            dac = effective_dac_time(0.0, current, self.latency_s, 0.0 if current > 0.0 else self._stream.time)
        try:
            self._render(outdata, dac, bool(status.output_underflow))
        except Exception as exc:  # the stream aborts; the GUI says why
            self.health.stopped(f"playback failed: {first_line(exc)}")
            raise self._sd.CallbackAbort from exc


class Player:
    """The editor's transport. Make one with :meth:`open`; call every method from one (GUI) thread.

    Positions are song seconds (source frame / ``sample_rate_hz``); the chart's ``#OFFSET`` is not applied
    here, the editor maps beats to seconds with :mod:`chart.timing` first.
    """

    def __init__(self, mix: SourceMix, sample_rate_hz: float, channels: int, clock: PlaybackClock) -> None:
        self.sample_rate_hz = float(sample_rate_hz)
        self.channels = channels
        self.clock = clock
        self.renderer = Renderer(mix, self.sample_rate_hz, channels, clock)
        self.output: NullOutput | SoundDeviceOutput | None = None
        self.input_rate_hz = int(round(sample_rate_hz))  # rate of the arrays given (music, stems)
        self.fallback_reason = ""
        self._failure: str | None = None
        self._request = 0
        self._hold_s = 0.0
        self._stem_gains: np.ndarray | None = None
        self._stem_muted: np.ndarray | None = None
        self._music = mix
        self._tick_tracks = TickTracks(self.sample_rate_hz)

    @classmethod
    def open(cls, music: np.ndarray, sample_rate_hz: int, *, output: str = "auto",
             device: int | str | None = None, channels: int = 2, blocksize: int = 512,
             latency: float | str = "low", clock: PlaybackClock | None = None,
             report_dac: bool = True, capture_s: float = 0.0) -> Player:
        """Open a player on ``music`` ((n,) or (channels, n) float32 at ``sample_rate_hz``) and start the output.

        ``output`` is ``"auto"`` (sound device if usable, else null output), ``"sounddevice"`` (raise
        :class:`PlayerError` if unusable) or ``"null"``. ``report_dac`` and ``capture_s`` configure the null
        output (see :class:`NullOutput`); ``clock`` replaces the default :class:`PlaybackClock`.
        """
        if output not in ("auto", "sounddevice", "null"):
            raise ValueError(f"output must be 'auto', 'sounddevice' or 'null', not {output!r}")
        clock = clock or PlaybackClock(sample_rate_hz)
        reason = ""
        if output != "null":
            # The music's own rate first; else the device's rate (JACK, for one, plays only at the server rate).
            for rate in _candidate_rates(sample_rate_hz, device):
                clock.sample_rate_hz = float(rate)
                player = cls._build(music, sample_rate_hz, rate, channels, clock)
                try:
                    player.output = SoundDeviceOutput(player.renderer.render, rate, channels, blocksize,
                                                      device=device, latency=latency)
                    player._reserve_clock(blocksize)
                    player.output.start()
                    return player
                except PlayerError as exc:
                    reason = reason or str(exc)
            if output == "sounddevice":
                raise PlayerError(reason)
        clock.sample_rate_hz = float(sample_rate_hz)
        player = cls._build(music, sample_rate_hz, sample_rate_hz, channels, clock)
        player.fallback_reason = reason
        player.output = NullOutput(player.renderer.render, sample_rate_hz, channels, blocksize,
                                   report_dac=report_dac, capture_s=capture_s)
        if reason:
            player.output.description = f"no sound device ({reason}); null output"
        player._reserve_clock(blocksize)
        player.output.start()
        return player

    @classmethod
    def _build(cls, music: np.ndarray, music_rate: int, rate: int, channels: int,
               clock: PlaybackClock) -> Player:
        player = cls(SourceMix.create([resample_source(music, music_rate, rate)], rate, channels), rate, channels,
                     clock)
        player.input_rate_hz = music_rate
        return player

    def _reserve_clock(self, blocksize: int) -> None:
        """Size the clock's ring for this stream before it starts: its latency, its rate, its block size."""
        latency_s = self.output.latency_s if self.output is not None else 0.0
        self.clock.reserve(ring_capacity(self.sample_rate_hz, blocksize, latency_s, 1.0 / MIN_LOOP_S))

    # --- status ----------------------------------------------------------------------------------------

    @property
    def has_device(self) -> bool:
        """Whether sound really comes out (False with the null output, and once the device stopped)."""
        return self.output is not None and self.output.has_device and self._failure is None

    @property
    def output_failure(self) -> str | None:
        """Why the output stopped by itself (unplugged, stream error, no callback for a second), or None. Once set
        the transport stays paused at the last position the device played: open a new player to go on."""
        check = getattr(self.output, "check", None)  # a device stream's; the null output cannot fail
        if self._failure is None and check is not None and (reason := check(self.renderer.transport.playing)):
            playing = self.renderer.transport.playing
            pos = self.clock.played_seconds(self.now(), self.renderer.device_frame) if playing else self._hold_s
            self._failure = reason
            self._send(False, pos)
        return self._failure

    @property
    def backend_description(self) -> str:
        """One line for the UI, e.g. device, host API, rate and latency, or why there is no sound."""
        return self.output.description if self.output is not None else "closed"

    @property
    def duration_s(self) -> float:
        return self.renderer.mix.n_frames / self.sample_rate_hz

    @property
    def is_playing(self) -> bool:
        """Transport is playing and the song end has not been heard yet (it stays True while the last blocks
        are still in the device buffer, so a GUI that stops its timer on False sees the playhead at the end)."""
        t = self.renderer.transport
        if not t.playing or self.output_failure is not None:
            return False
        if self.renderer.finished_request != t.request:
            return True
        return self.clock.audible_seconds(self.now()) < self.duration_s

    def now(self) -> float:
        """Seconds on the output clock, the time base :meth:`position_s` expects."""
        return self.output.now() if self.output is not None else time.monotonic()

    def position_s(self, now_s: float | None = None) -> float:
        """Playhead in song seconds (output latency and visual offset applied); call from the GUI timer."""
        if self.renderer.transport.playing and self.output_failure is not None:
            return self._hold_s  # frozen where the sound stopped
        return self.clock.song_seconds(self.now() if now_s is None else now_s)

    @property
    def output_latency_s(self) -> float:
        return self.clock.output_latency_s

    @output_latency_s.setter
    def output_latency_s(self, value: float) -> None:
        self.clock.output_latency_s = float(value)

    @property
    def visual_offset_s(self) -> float:
        return self.clock.visual_offset_s

    @visual_offset_s.setter
    def visual_offset_s(self, value: float) -> None:
        self.clock.visual_offset_s = float(value)

    # --- transport -------------------------------------------------------------------------------------

    def play(self, from_s: float | None = None) -> None:
        """Play from ``from_s``, else from the paused position (from the start after the song ended). A negative
        ``from_s`` (down to ``-LEAD_IN_MAX_S``) plays silence first: a lead-in before a note near the start."""
        if from_s is None:
            if self.is_playing:
                return
            t = self.renderer.transport  # ended: the callback reached the end; _hold_s is where that play began
            ended = t.playing and self.renderer.finished_request == t.request
            from_s = 0.0 if ended or self._hold_s >= self.duration_s else self._hold_s
        self._send(True, from_s)

    def pause(self) -> None:
        """Stop where the user hears it now; the playhead freezes there."""
        self._send(False, self.clock.audible_seconds(self.now()))

    def toggle(self) -> None:
        if self.is_playing:
            self.pause()
        else:
            self.play()

    def seek(self, song_s: float) -> None:
        """Jump to ``song_s``; keeps playing if playing."""
        self._send(self.is_playing, song_s)

    def _send(self, playing: bool, song_s: float) -> None:
        song_s = min(max(float(song_s), -LEAD_IN_MAX_S), self.duration_s)
        self._request += 1
        self._hold_s = song_s
        self.clock.hold(song_s, self._request, playing)
        self.renderer.transport = Transport(self._request, playing, song_s * self.sample_rate_hz)

    def set_loop(self, start_s: float, end_s: float) -> None:
        """Loop ``[start_s, end_s)`` once playback enters it, at least 10 ms, clamped to what play reaches: from
        ``-LEAD_IN_MAX_S`` (lead-in silence loops too) to the audio's end; one wholly outside is refused."""
        start_s, end_s = float(start_s), float(end_s)
        if start_s >= self.duration_s:
            raise ValueError(f"the loop lies past the audio's end ({self.duration_s:.2f} s)")
        if end_s <= -LEAD_IN_MAX_S:
            raise ValueError(f"the loop lies more than {LEAD_IN_MAX_S:.0f} s before the audio's start")
        start_s, end_s = max(-LEAD_IN_MAX_S, start_s), min(end_s, self.duration_s)
        if end_s - start_s < MIN_LOOP_S - 1e-9:  # set_loop(a, a + MIN_LOOP_S) is not refused for a rounding error
            raise ValueError(f"a loop must be at least {MIN_LOOP_S * 1000:.0f} ms long")
        self.renderer.loop = (round(start_s * self.sample_rate_hz), round(end_s * self.sample_rate_hz))

    def clear_loop(self) -> None:
        self.renderer.loop = None

    @property
    def loop_s(self) -> tuple[float, float] | None:
        loop = self.renderer.loop
        return None if loop is None else (loop[0] / self.sample_rate_hz, loop[1] / self.sample_rate_hz)

    @property
    def rate(self) -> float:
        return self.renderer.rate

    @rate.setter
    def rate(self, value: float) -> None:
        """Playback rate, 0.25 to 1.0; takes effect at the next block without moving the playhead."""
        if not MIN_RATE <= float(value) <= MAX_RATE:
            raise ValueError(f"rate must be between {MIN_RATE} and {MAX_RATE}, got {value}")
        self.renderer.rate = float(value)

    @property
    def keep_pitch(self) -> bool:
        return self.renderer.keep_pitch

    @keep_pitch.setter
    def keep_pitch(self, value: bool) -> None:
        """True: time-stretch (WSOLA) below rate 1; False: plain resampling (pitch drops with the rate)."""
        self.renderer.keep_pitch = bool(value)

    # --- volumes, ticks, stems -------------------------------------------------------------------------

    @property
    def music_volume(self) -> float:
        return self.renderer.music_gain

    @music_volume.setter
    def music_volume(self, value: float) -> None:
        self.renderer.music_gain = max(0.0, float(value))

    @property
    def tick_volume(self) -> float:
        return self.renderer.tick_gain

    @tick_volume.setter
    def tick_volume(self, value: float) -> None:
        self.renderer.tick_gain = max(0.0, float(value))

    def set_ticks(self, beat_s: np.ndarray | None = None, note_s: np.ndarray | None = None,
                  hitsounds: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None) -> None:
        """Assist ticks at song seconds (beat "tock" and note "tick") and an osu! map's hitsounds ((times s, gains,
        samples at this player's rate) per sound, :mod:`audio.hitsound_bank`); ``None`` turns a kind off."""
        self.renderer.ticks = self._tick_tracks.tracks(beat_s, note_s, hitsounds)

    def set_stems(self, stems: Sequence[np.ndarray] | None, gains: Sequence[float] | None = None) -> None:
        """Play ``stems`` ((n,) or (channels, n) each, same rate) instead of the music; ``None`` goes back."""
        if stems is None:
            self._stem_gains = self._stem_muted = None
            self.renderer.mix = self._music
            return
        rate = int(round(self.sample_rate_hz))
        stems = [resample_source(stem, self.input_rate_hz, rate) for stem in stems]
        mix = SourceMix.create(stems, self.sample_rate_hz, self.channels, gains)
        self._stem_gains, self._stem_muted = mix.gains.copy(), np.zeros(mix.gains.size, bool)
        self.renderer.mix = mix

    def set_stem_gain(self, index: int | slice, gain: float | Sequence[float], muted: bool | None = None) -> None:
        """Change one stem's gain (or a slice's, in one change; negative subtracts) and mute flag, within a block."""
        if self._stem_gains is None or self._stem_muted is None:
            raise ValueError("no stems are loaded")
        self._stem_gains[index] = np.asarray(gain, dtype=np.float64)
        if muted is not None:
            self._stem_muted[index] = muted
        self.renderer.mix = self.renderer.mix.with_gains(np.where(self._stem_muted, 0.0, self._stem_gains))

    def close(self) -> None:
        """Stop the output; the player cannot be used afterwards."""
        if self.output is not None:
            self.output.close()
            self.output = None

    def __enter__(self) -> Player:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _candidate_rates(sample_rate_hz: int, device: int | str | None) -> list[int]:
    """The music's rate, then the output device's default rate when it differs (empty-safe probing)."""
    rates = [int(sample_rate_hz)]
    os.environ.setdefault("JACK_NO_START_SERVER", "1")
    try:
        import sounddevice as sd

        default = int(round(sd.query_devices(device, kind="output")["default_samplerate"]))
    except Exception:  # no PortAudio, no device: SoundDeviceOutput reports the reason
        return rates
    if default > 0 and default != rates[0]:
        rates.append(default)
    return rates

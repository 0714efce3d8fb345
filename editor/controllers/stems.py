"""StemsController: separate the song into stems, play them with solo / mute / volume, show one stem's waveform,
and hand one stem's samples to the AI draft.

Separation is :func:`audio.separation_cache.separate_file` in a background :class:`~editor.workers.Job`
(progress, cancel per chunk, the on-disk cache makes a second "Separate" of the same audio instant). The job also
loads vocals, drums and accompaniment and builds a peak pyramid per layer (vocals, drums, other = accompaniment -
drums: they add up to the mix), so nothing heavy happens in the GUI thread. "other" is never held as an array.

While "play stems" is on, the player mixes vocals, drums and accompaniment (``Player.set_stems``) with gains that
give each layer its own (:func:`part_gains`): a stem is heard when it is not muted and either no stem is soloed or
it is soloed; its slider sets the gain. Off, the player goes back to the full mix. A player rebuilt for the same
song (the output reopened after the device failed, ``PlaybackController.player_changed``) gets the stems again,
so "play stems" stays true to what is heard.
A new song (``audio_changed``) drops the stems and detaches a running separation: it is cancelled, its signals
are ignored from then on (no stale progress or "cancelled" line), and the new song can be separated at once.

The waveform can also show the mix low-passed or high-passed (:mod:`audio.bands`, zero phase): no separation
needed; the filtered peak pyramid is built in a background job on first use and kept for the song.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Signal

from editor.controllers.band_waveform import (  # noqa: F401  (BandSpan, WINDOW_S: re-exported for callers)
    WINDOW_S,
    BandSpan,
    band_peaks_job,
)
from editor.session import AudioState, EditorSession
from editor.workers import Job, JobContext

if TYPE_CHECKING:
    from audio.peaks import PeakPyramid

STEMS = ("vocals", "drums", "other")
FILTERED = ("low-pass", "high-pass")  # audio.bands: the mix filtered, no separation needed
WAVEFORM_CHOICES = ("mix", *FILTERED, *STEMS)


def separate_file(path, progress=None, cancel=None):
    """The engine (module-level so tests can swap in a fast fake returning a StemSet-like object)."""
    from audio.separation import separate_file as separate  # (importing separation_cache first is circular)

    return separate(path, progress=progress, cancel=cancel)


@dataclass
class StemState:
    """One stem's controls (gain 0..1)."""

    gain: float = 1.0
    muted: bool = False
    solo: bool = False


PARTS = ("vocals", "drums", "accompaniment")  # the stems held and played: "other" is accompaniment - drums
BLOCK_FRAMES = 1 << 20


def part_gains(layer_gains) -> np.ndarray:
    """The player's gains of :data:`PARTS` for layer gains ``(vocals, drums, other)``: ``gv V + gd D + go (A - D)``
    is ``gv V + (gd - go) D + go A``, so no "other" array is needed (a song-sized one: 4 bytes a sample)."""
    gv, gd, go = (float(g) for g in layer_gains)
    return np.array([gv, gd - go, go])


@dataclass
class SeparatedStems:
    """What the separation job hands to the GUI: ``parts`` (:data:`PARTS`, ``[channels, n]`` float32 each, views
    of the arrays read from the cache, no copies), a peak pyramid per layer (:data:`STEMS`), the method.

    The layer "other" is never held: :meth:`span` computes any span of it, the player mixes the parts with
    :func:`part_gains`. Held: three song-sized arrays (the mix's size each), none while loading beyond them."""

    parts: dict[str, np.ndarray]
    peaks: dict[str, PeakPyramid]
    sample_rate_hz: int
    method: str
    _mono: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def frames(self) -> int:
        return int(self.parts["vocals"].shape[-1])

    def span(self, stem: str, first: int, stop: int) -> np.ndarray:
        """Layer ``stem`` (vocals, drums or other) frames ``first:stop`` as ``[channels, n]`` float32."""
        if stem == "other":
            return self.parts["accompaniment"][..., first:stop] - self.parts["drums"][..., first:stop]
        return self.parts[stem][..., first:stop]

    def layer(self, stem: str) -> np.ndarray:
        """A whole layer as ``[channels, n]`` (for "other" a new song-sized array: for tests and small songs)."""
        return self.span(stem, 0, self.frames)

    def mono_blocks(self, stem: str):
        """The layer's mono mix one block at a time (no song-sized temporary)."""
        for start in range(0, self.frames, BLOCK_FRAMES):
            chunk = self.span(stem, start, start + BLOCK_FRAMES)
            yield chunk.mean(axis=0, dtype=np.float32) if chunk.ndim == 2 else chunk

    def mono(self, stem: str) -> np.ndarray:
        """The stem's mono mix ``[n]`` float32 (what the drafter listens to), computed once."""
        if stem not in self._mono:
            out, at = np.empty(self.frames, np.float32), 0
            for block in self.mono_blocks(stem):
                out[at:at + len(block)] = block
                at += len(block)
            self._mono[stem] = out
        return self._mono[stem]

    def fine_reader(self, stem: str):
        """``reader(first, stop)`` -> the layer's mono span ``[1, n]`` (:meth:`audio.peaks.PeakPyramid.with_reader`)."""
        return lambda first, stop: np.atleast_2d(self.span(stem, first, stop)).mean(axis=0, dtype=np.float32,
                                                                                      keepdims=True)


STALE_AUDIO = "the audio file changed on disk since it was opened; reopen the song"


class StaleAudioError(Exception):
    """The stems are not of the audio the editor holds (the file was replaced after it was loaded)."""


def check_stems_match(stems: SeparatedStems, audio, block_frames: int | None = None) -> None:
    """Raise :class:`StaleAudioError` unless ``stems`` are of ``audio`` (the session's decoded song).

    Separation reads the file on disk again, which may since have been replaced (a re-export at another rate,
    with the intro cut): its stems were played in place of the mix, resampled as if at the loaded rate and out of
    sync. Vocals + accompaniment is the input, so besides rate and length their sum must equal the loaded
    samples (their stereo downmix for surround), which also catches a file changed at the same rate and length.
    Checked block by block: no song-sized temporary.
    """
    from audio.downmix import to_stereo

    samples = audio.samples
    n = samples.shape[-1]
    if int(stems.sample_rate_hz) != int(audio.sample_rate_hz) or any(a.shape[-1] != n for a in stems.parts.values()):
        raise StaleAudioError(STALE_AUDIO)
    vocals, accompaniment = stems.parts["vocals"], stems.parts["accompaniment"]
    block_frames = block_frames or BLOCK_FRAMES
    for start in range(0, n, block_frames):
        mix = to_stereo(np.atleast_2d(samples[..., start:start + block_frames]))
        total = np.atleast_2d(vocals[..., start:start + block_frames] + accompaniment[..., start:start + block_frames])
        if total.shape != mix.shape or not np.allclose(total, mix, rtol=1e-4, atol=1e-3):
            raise StaleAudioError(STALE_AUDIO)


def separation_job(ctx: JobContext, path, audio=None) -> SeparatedStems:
    """Separate ``path`` (cached), load vocals, drums and accompaniment and build the layers' peak pyramids; with
    ``audio`` (the session's :class:`~editor.session.AudioState`) refuse stems that are not of it
    (:func:`check_stems_match`)."""
    from audio.peaks import PeakPyramid

    ctx.report(0.0, "Separating stems")
    stemset = separate_file(path, progress=lambda f: ctx.report(0.9 * float(f), "Separating stems"),
                            cancel=lambda: ctx.cancelled)
    ctx.check()
    ctx.report(0.9, "Loading stems")
    parts = {}
    for name in PARTS:
        ctx.check()
        parts[name] = stemset.load(name)  # float32, read straight into its array (StemSet.load)
    stemset.release()  # ``parts`` holds them now
    stems = SeparatedStems(parts, {}, int(stemset.sr), str(stemset.method))
    if audio is not None:
        check_stems_match(stems, audio)
    for name in STEMS:
        ctx.check()
        pyramid = PeakPyramid.from_blocks(stems.mono_blocks(name), stems.sample_rate_hz)
        stems.peaks[name] = (pyramid.with_samples(parts[name]) if name in parts
                             else pyramid.with_reader(stems.fine_reader(name)))
    return stems


class StemsController(QObject):
    """Stems for one window."""

    changed = Signal()  # stems arrived or went away, play-stems toggled
    busy_changed = Signal(bool)
    progress = Signal(float, str)
    waveform_changed = Signal(str)

    def __init__(self, win, session: EditorSession):
        super().__init__(win)
        self.win, self.session = win, session
        self.stems: SeparatedStems | None = None
        self._stems_audio: AudioState | None = None  # the stems' audio (a player of another song gets none)
        self.states = {name: StemState() for name in STEMS}
        self.active = False  # the player mixes the stems
        self.waveform = "mix"
        self.job: Job | None = None
        self.band_peaks: dict[str, PeakPyramid] = {}  # filtered waveforms of the current audio, built on first use
        self.band_job: Job | None = None
        self._wanted = "mix"  # the waveform asked for last (a filtered one may still be building)
        self._queued: object | None = None  # the document whose Separate waits for its audio to decode
        session.audio_changed.connect(self._audio_changed)
        win.playback.player_changed.connect(self._player_rebuilt)

    # ------------------------------------------------------------------ separation
    @property
    def busy(self) -> bool:
        return self.job is not None and self.job.running

    def separate(self) -> Job | None:
        """Start separating the song's audio (nothing when no audio is loaded or a job already runs; while the
        audio still decodes, just after the song was opened, it starts when the audio is in)."""
        audio = self.session.audio
        if audio is None:
            if self.session.audio_loading() is not None:
                self._queued = self.session.doc
                self.session.status.emit("Stems: the audio is still loading; separating when it is in")
            else:
                self.session.status.emit("Stems: no audio is loaded")
            return None
        if self.busy:
            return self.job
        job = Job("stems", separation_job, audio.path, audio, parent=self)

        def ours(handler):  # each handler checks that the job is still ours: a new song detaches it (_audio_changed)
            return lambda *args: handler(*args) if job is self.job else None
        job.progress.connect(ours(self.progress.emit))
        job.finished.connect(ours(lambda result: self._separated(result, audio)))
        job.failed.connect(ours(lambda text: self.session.status.emit(f"Stems: separation failed: {text}")))
        job.cancelled.connect(ours(lambda: self.session.status.emit("Stems: separation cancelled")))
        job.done.connect(ours(lambda: self.busy_changed.emit(False)))
        self.job = job
        self.busy_changed.emit(True)
        return self.win.run_job(job)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _separated(self, result: SeparatedStems, audio) -> None:
        if self.session.audio is not audio:  # another song was opened meanwhile
            return
        self.stems, self._stems_audio = result, audio
        self.session.status.emit(f"Stems ready ({result.method}): vocals, drums, other")
        self.set_active(True)

    def _audio_changed(self) -> None:
        old, self.job = self.job, None
        if old is not None and old.running:  # detached: cancelled, and its signals are ignored from now on
            old.cancel()
            self.busy_changed.emit(False)
        if self.band_job is not None:
            self.band_job.cancel()
        self.band_peaks = {}
        self.stems, self._stems_audio, self.active = None, None, False
        self.states = {name: StemState() for name in STEMS}
        self.waveform = "mix"
        self.changed.emit()
        self.waveform_changed.emit("mix")
        queued, self._queued = self._queued, None  # a Separate pressed while this audio decoded (not a failed one's)
        if queued is not None and queued is self.session.doc and self.session.audio is not None:
            self.separate()

    # ------------------------------------------------------------------ playback
    def set_active(self, on: bool) -> None:
        """Play the stems (True) or the full mix (False)."""
        self.active = bool(on) and self.stems is not None
        self.apply_to_player()
        self.changed.emit()

    def effective_gains(self) -> np.ndarray:
        """Per-stem gains (vocals, drums, other) after solo and mute."""
        soloed = any(s.solo for s in self.states.values())
        return np.array([0.0 if s.muted or (soloed and not s.solo) else s.gain
                         for s in (self.states[n] for n in STEMS)])

    def set_stem(self, stem: str, gain: float | None = None, muted: bool | None = None,
                 solo: bool | None = None) -> None:
        state = self.states[stem]
        if gain is not None:
            state.gain = float(np.clip(gain, 0.0, 1.0))
        if muted is not None:
            state.muted = bool(muted)
        if solo is not None:
            state.solo = bool(solo)
        self._push_gains()

    def _player(self):
        return self.win.playback.player

    def apply_to_player(self) -> None:
        """Load the stems into the player (or go back to the mix); called again when the player is rebuilt
        (:meth:`_player_rebuilt`). Stems of another song (a new song's player is built before
        :meth:`_audio_changed` drops them) never reach the player."""
        player = self._player()
        if player is None:
            return
        if self.active and self.stems is not None and self._stems_audio is self.session.audio:
            player.set_stems([self.stems.parts[n] for n in PARTS], part_gains(self.effective_gains()))
        else:
            player.set_stems(None)

    def _player_rebuilt(self) -> None:
        """A new player holds no stems: load ours when they are being played (nothing to do otherwise)."""
        if self.active and self.stems is not None and self._stems_audio is self.session.audio:
            self.apply_to_player()

    def _push_gains(self) -> None:
        player = self._player()
        if player is None or not self.active:
            return
        try:
            player.set_stem_gain(slice(None), part_gains(self.effective_gains()))  # one change: no odd mix between
        except ValueError:  # the player holds no stems (rebuilt without telling us): load them, with these gains
            self.apply_to_player()

    # ------------------------------------------------------------------ waveform and AI
    def set_waveform(self, choice: str) -> None:
        """Show the mix's or one stem's waveform in the timeline."""
        if choice not in WAVEFORM_CHOICES:
            raise ValueError(f"unknown waveform {choice!r}")
        audio = self.session.audio
        if audio is None:
            return
        self._wanted = choice
        if choice in FILTERED and choice not in self.band_peaks:
            self._build_band(choice, audio)
            return
        if choice in STEMS and self.stems is None:
            self.session.status.emit("Stems: separate the song first")
            choice = "mix"
        if choice in FILTERED:
            peaks = self.band_peaks[choice]
        elif choice == "mix":
            from editor.audio_support import peaks_for

            peaks = peaks_for(audio)
        else:
            assert self.stems is not None  # a stem's: checked above
            peaks = self.stems.peaks[choice]
        self.waveform = choice
        self.win.timeline.set_peaks(peaks, audio.duration_s)
        self.waveform_changed.emit(choice)

    def _build_band(self, band: str, audio: AudioState) -> None:
        """Filter the mix into ``band`` in the background, then show it (unless another choice came first)."""
        if self.band_job is not None and self.band_job.running:
            self.band_job.cancel()
        from editor.audio_support import peaks_for

        job = Job("waveform", band_peaks_job, audio.samples, audio.sample_rate_hz, band, peaks_for(audio).peak,
                  parent=self)
        job.finished.connect(lambda peaks, a=audio: self._band_ready(band, peaks, a))
        job.failed.connect(lambda text: self.session.status.emit(f"Waveform {band}: {text}"))
        self.band_job = job
        self.session.status.emit(f"Filtering the waveform ({band})...")
        self.win.run_job(job)

    def _band_ready(self, band: str, peaks, audio) -> None:
        if self.session.audio is not audio:  # another song meanwhile
            return
        self.band_peaks[band] = peaks
        if self._wanted == band:
            self.set_waveform(band)
            what = "below 200 Hz: kick and bass" if band == "low-pass" else "above 2.5 kHz: hi-hats, snare attacks"
            self.session.status.emit(f"Waveform: the mix, {band} ({what})")

    def stem_samples(self, stem: str) -> tuple[np.ndarray, int] | None:
        """``(mono float32 [n], sample rate Hz)`` of ``stem`` for the drafter; None before separation."""
        if self.stems is None or stem not in STEMS:
            return None
        return self.stems.mono(stem), self.stems.sample_rate_hz

    def shutdown(self) -> None:
        self.cancel()

"""StemsController: separate the song into stems, play them with solo / mute / volume, show one stem's waveform,
and hand one stem's samples to the AI draft.

Separation is :func:`audio.separation_cache.separate_file` in a background :class:`~editor.workers.Job`
(progress, cancel per chunk, the on-disk cache makes a second "Separate" of the same audio instant). The job also
loads :meth:`~audio.separation_cache.StemSet.layers` (vocals, drums, other: they add up to the mix) and builds a
peak pyramid per stem, so nothing heavy happens in the GUI thread.

While "play stems" is on, the player mixes the three layers (``Player.set_stems``) with per-stem gains: a stem is
heard when it is not muted and either no stem is soloed or it is soloed; its slider sets the gain. Off, the player
goes back to the full mix. A player rebuilt for the same song (the output reopened after the device failed,
``PlaybackController.player_changed``) gets the stems again, so "play stems" stays true to what is heard.
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


@dataclass
class SeparatedStems:
    """What the separation job hands to the GUI: layers ``[channels, n]`` float32, their peaks, the method."""

    layers: dict[str, np.ndarray]
    peaks: dict[str, PeakPyramid]
    sample_rate_hz: int
    method: str
    _mono: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def mono(self, stem: str) -> np.ndarray:
        """The stem's mono mix ``[n]`` float32 (what the drafter listens to), computed once."""
        if stem not in self._mono:
            x = self.layers[stem]
            self._mono[stem] = (x.mean(axis=0) if x.ndim == 2 else x).astype(np.float32)
        return self._mono[stem]


MAX_BAND_GAIN = 8.0


def band_peaks_job(ctx: JobContext, samples: np.ndarray, sr: int, band: str, target_peak: float):
    """The peak pyramid of the mix filtered to ``band`` (:mod:`audio.bands`), block by block, scaled so that its
    loudest sample is drawn as large as the mix's (``target_peak``; at most :data:`MAX_BAND_GAIN` x): a band holds
    a fraction of the energy and would otherwise be a thin line."""
    from audio.bands import band_blocks
    from audio.peaks import PeakPyramid
    from editor.audio_support import mono_blocks

    total = max(1, samples.shape[-1])
    done = [0]

    def blocks():
        for block in band_blocks(mono_blocks(samples), sr, band):
            ctx.check()
            done[0] += len(block)
            ctx.report(done[0] / total, f"Filtering ({band})")
            yield block

    pyramid = PeakPyramid.from_blocks(blocks(), sr).with_reader(BandSpan(samples, sr, band))
    gain = min(MAX_BAND_GAIN, target_peak / pyramid.peak) if pyramid.peak > 0 else 1.0
    return pyramid.scaled(gain)


WINDOW_S = 4.0  # the span of a band filtered at once around the view zoomed in, reused while the view is in it
FINE_PAD_S = 0.1  # of the mix either side of that span: the filters' responses die out within ~10 ms


class BandSpan:
    """A span of the mix filtered to ``band`` as the band pyramid was (:func:`audio.bands.band_blocks`), for the
    waveform zoomed in past the pyramid's 64-sample bins: without it a bin's peak lit the whole bin and an attack
    was drawn up to a bin early (11 px at 22.05 kHz and 4000 px/s).

    Each repaint asks again (during playback every frame, in X-mod once per piece), so a window of
    :data:`WINDOW_S` (at least 3 spans) around the span asked is filtered once, with :data:`FINE_PAD_S` of the
    mix either side, and the spans inside it are read from it; it is filtered again only when a span leaves it
    (filtering each span, with the filter designed again, cost 1.5 ms a query and 25-30 ms a 20-piece repaint).
    A reference to the samples and that window are kept, no filtered copy of the song (that would be 4 bytes a
    sample per band)."""

    def __init__(self, samples: np.ndarray, sr: int, band: str):
        self.samples, self.sr, self.band = samples, int(sr), band
        self.window_at = 0  # the first sample of ``window``
        self.window = np.zeros(0, np.float32)

    def __call__(self, first: int, stop: int) -> np.ndarray:
        stop = min(stop, self.samples.shape[-1])
        if stop <= first:
            return np.zeros((1, max(stop - first, 0)), np.float32)
        at = self.window_at
        if first < at or stop > at + len(self.window):
            self._filter_around(first, stop)
            at = self.window_at
        return self.window[None, first - at:stop - at]

    def _filter_around(self, first: int, stop: int) -> None:
        from audio.bands import band_sos, zero_phase

        n, sos = self.samples.shape[-1], band_sos(self.sr, self.band)
        length = min(max(int(WINDOW_S * self.sr), 3 * (stop - first)), n)
        w0 = min(max((first + stop - length) // 2, 0), n - length)
        w1 = w0 + length
        pad = int(FINE_PAD_S * self.sr)
        lo, hi = max(w0 - pad, 0), min(w1 + pad, n)
        chunk = self.samples[..., lo:hi]
        mono = chunk.mean(axis=0, dtype=np.float64) if chunk.ndim == 2 else chunk.astype(np.float64)
        mono = zero_phase(mono, sos)  # as audio.bands.band_blocks filters the pyramid
        self.window_at, self.window = w0, mono[w0 - lo:w1 - lo].astype(np.float32)


STALE_AUDIO = "the audio file changed on disk since it was opened; reopen the song"


class StaleAudioError(Exception):
    """The stems are not of the audio the editor holds (the file was replaced after it was loaded)."""


def check_stems_match(layers: dict[str, np.ndarray], sr: int, audio, block_frames: int = 1 << 20) -> None:
    """Raise :class:`StaleAudioError` unless ``layers`` are of ``audio`` (the session's decoded song).

    Separation reads the file on disk again, which may since have been replaced (a re-export at another rate,
    with the intro cut): its stems were played in place of the mix, resampled as if at the loaded rate and out of
    sync. The layers add up to the mix they were separated from (vocals + accompaniment is the input), so besides
    rate and length their sum must equal the loaded samples (their stereo downmix for surround), which also
    catches a file changed at the same rate and length. Checked block by block: no song-sized temporary.
    """
    from audio.downmix import to_stereo

    samples = audio.samples
    n = samples.shape[-1]
    if int(sr) != int(audio.sample_rate_hz) or any(arr.shape[-1] != n for arr in layers.values()):
        raise StaleAudioError(STALE_AUDIO)
    parts = list(layers.values())
    for start in range(0, n, block_frames):
        mix = to_stereo(np.atleast_2d(samples[..., start:start + block_frames]))
        total = sum((np.atleast_2d(p[..., start:start + block_frames]) for p in parts), np.float32(0))
        if total.shape != mix.shape or not np.allclose(total, mix, rtol=1e-4, atol=1e-3):
            raise StaleAudioError(STALE_AUDIO)


def separation_job(ctx: JobContext, path, audio=None) -> SeparatedStems:
    """Separate ``path`` (cached), load the three layers and build their peak pyramids; with ``audio`` (the
    session's :class:`~editor.session.AudioState`) refuse stems that are not of it (:func:`check_stems_match`)."""
    from audio.peaks import PeakPyramid
    from editor.audio_support import mono_blocks

    ctx.report(0.0, "Separating stems")
    stemset = separate_file(path, progress=lambda f: ctx.report(0.9 * float(f), "Separating stems"),
                            cancel=lambda: ctx.cancelled)
    ctx.check()
    ctx.report(0.9, "Loading stems")
    layers = {name: np.ascontiguousarray(arr, dtype=np.float32) for name, arr in stemset.layers().items()}
    stemset.release()  # the layers keep vocals and drums; dropping "accompaniment" saves a song-sized array
    if audio is not None:
        check_stems_match(layers, int(stemset.sr), audio)
    peaks = {}
    for name in STEMS:
        ctx.check()
        peaks[name] = PeakPyramid.from_blocks(mono_blocks(layers[name]), int(stemset.sr)).with_samples(layers[name])
    return SeparatedStems(layers, peaks, int(stemset.sr), str(stemset.method))


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
        session.audio_changed.connect(self._audio_changed)
        win.playback.player_changed.connect(self._player_rebuilt)

    # ------------------------------------------------------------------ separation
    @property
    def busy(self) -> bool:
        return self.job is not None and self.job.running

    def separate(self) -> Job | None:
        """Start separating the song's audio (nothing when no audio is loaded or a job already runs)."""
        audio = self.session.audio
        if audio is None:
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
            player.set_stems([self.stems.layers[n] for n in STEMS], self.effective_gains())
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
            for i, gain in enumerate(self.effective_gains()):
                player.set_stem_gain(i, float(gain))
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

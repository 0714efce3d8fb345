"""Drafter internals: per-song feature analysis, the beat window of a request, and the batched onset-model run.

Split from :mod:`inference.drafter` to keep modules short; nothing here is meant to be called directly.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from chart.notes import Note, NoteKind, onset_beats
from chart.timing import TimingData
from inference.backends import Backend
from inference.draft_silence import Span, tail_silence
from inference.draft_types import CancelToken, DraftError, ProgressFn, SongAnalysis
from inference.lane_features import cut_hold_length
from inference.manifest import FeatureParams, Manifest, ManifestError


@dataclass(frozen=True)
class BeatWindow:
    """A request's beat range, its frames ``[f_lo, f_hi)``, and the model window ``[w0, w1)`` around them
    (``-1``: the range plus the model's context on each side, see :func:`inference.time_chunks.context_frames`).

    ``rows_end``: rows go before it (``end_beat``, or where the song's tail silence starts when that is earlier);
    ``quiet``: the song's silences (:func:`inference.draft_silence.silences`), where holds end."""

    start_beat: Fraction
    end_beat: Fraction
    f_lo: int
    f_hi: int
    w0: int
    w1: int
    duration_s: float
    rows_end: Fraction
    quiet: tuple[Span, ...] = ()


def audio_key(audio: Any, params: FeatureParams) -> tuple:
    """Cache key of a song: file identity (path, mtime, size) or the samples' digest, plus the feature params."""
    p = repr(params)
    if isinstance(audio, tuple):
        samples, sr = audio
        digest = hashlib.blake2b(np.ascontiguousarray(samples).data, digest_size=16).hexdigest()
        return ("samples", digest, int(sr), p)
    path = Path(audio).resolve()
    try:
        st = path.stat()
    except OSError:
        return ("file", str(path), 0, 0, p)  # load_audio reports the missing file
    return ("file", str(path), st.st_mtime_ns, st.st_size, p)


def analyse_audio(audio: Any, params: FeatureParams, progress: ProgressFn | None,
                  cancel: CancelToken | None) -> SongAnalysis:
    """Decode (when given a path), compute features once, normalise with the manifest's statistics."""
    from inference.features import compute_features, normalise

    report = progress or (lambda stage, fraction: None)
    report("decode audio", 0.0)
    if isinstance(audio, tuple):
        samples, sr = audio
        samples = np.asarray(samples, dtype=np.float32)
        if samples.ndim == 2:
            samples = samples.mean(axis=0)
    else:
        from audio.decode import load_audio

        samples, sr = load_audio(audio, sr=params.sample_rate)
    report("decode audio", 1.0)
    if cancel is not None:
        cancel.check()
    report("features", 0.0)
    raw = compute_features(samples, int(sr), params)
    if cancel is not None:  # features take seconds on a long song (10 s for 8 minutes): a cancelled draft ends here
        cancel.check()
    normalised = normalise(raw, params) if params.norm_mean else raw
    report("features", 1.0)
    return SongAnalysis(raw, normalised, params.frame_rate, len(samples) / float(sr), samples, int(sr))


def beat_window(timing: TimingData, analysis: SongAnalysis, start_beat: Fraction | None,
                end_beat: Fraction | None, quiet: Sequence[Span] = ()) -> BeatWindow:
    """Frames of ``[start_beat, end_beat)`` (default: beat 0 to the end of the audio) and the model window.

    The range ends at the end of the audio at the latest: a step after the music is over is a problem (Verify's
    ``audio-range`` check), and a regenerated last phrase put rows up to a beat past it. Rows stop where the
    song's tail silence starts (``quiet``, the song's silences: :func:`inference.draft_silence.tail_silence`)."""
    rate, n_frames = analysis.frame_rate, len(analysis.normalised)
    audio_end = timing.seconds_to_beat(Fraction(analysis.duration_s))
    start = Fraction(start_beat) if start_beat is not None else Fraction(0)
    end = Fraction(end_beat) if end_beat is not None else audio_end
    start, end = max(start, Fraction(0)), min(end, audio_end)
    if end <= start:
        span = f"beats {_beat_text(start_beat, 0)} to {_beat_text(end_beat, audio_end)}"
        if end_beat is not None and Fraction(end_beat) <= 0:
            raise DraftError(f"nothing to draft: {span} lie before beat 0, and a chart has no beats there")
        if start_beat is not None and Fraction(start_beat) >= audio_end:
            raise DraftError(f"nothing to draft: {span} are past the end of the audio (beat {float(audio_end):.2f})")
        raise DraftError(f"nothing to draft: {span} is an empty range (the audio ends at beat {float(audio_end):.2f})")
    start_s = max(0.0, float(timing.beat_to_seconds(start)))
    end_s = min(analysis.duration_s, float(timing.beat_to_seconds(end)))
    f_lo = min(n_frames, max(0, math.floor(start_s * rate)))
    f_hi = min(n_frames, max(f_lo + 1, math.ceil(end_s * rate) + 1))
    tail = tail_silence(quiet, analysis.samples, analysis.sample_rate, timing)
    rows_end = min(end, tail) if tail is not None else end
    if rows_end <= start:
        raise DraftError(f"nothing to draft: beats {_beat_text(start_beat, 0)} to {_beat_text(end_beat, audio_end)} "
                         f"lie in the silence at the end of the song (from beat {float(rows_end):.2f})")
    quiet = tuple(quiet)
    if start_beat is None and end_beat is None:  # the whole song
        return BeatWindow(start, end, 0, n_frames, 0, n_frames, analysis.duration_s, rows_end, quiet)
    return BeatWindow(start, end, f_lo, f_hi, -1, -1, max(end_s - start_s, 1e-3), rows_end, quiet)  # window: the run


def run_onset_model(manifest: Manifest, backend: Backend, analysis: SongAnalysis, timing: TimingData,
                    window: BeatWindow, jobs: list[Any]) -> np.ndarray:
    """Probabilities [B, T] for the jobs (one batch row each); zero outside the window's frames."""
    from inference.beatguide import beat_guide_window
    from inference.time_chunks import context_frames

    rate, n_frames = analysis.frame_rate, len(analysis.normalised)
    ctx = context_frames(manifest)
    w0 = window.w0 if window.w0 >= 0 else max(0, window.f_lo - ctx)
    w1 = window.w1 if window.w1 >= 0 else min(n_frames, window.f_hi + ctx)
    n, batch = w1 - w0, len(jobs)
    guide = beat_guide_window(timing, w0 / rate, n, 1.0 / rate)
    specs = {s.name: s for s in manifest.inputs}
    want_g = specs["beat_guide"].shape[-1] if "beat_guide" in specs else -1
    if want_g >= 0 and guide.shape[1] != want_g:
        raise ManifestError(f"{manifest.model_id} wants {want_g} beat-guide channels, inference.beatguide makes "
                            f"{guide.shape[1]}")
    feats = analysis.normalised[w0:w1]
    values: dict[str, np.ndarray] = {
        # broadcast views, not copies: a RemoteBackend sends one row (see inference.remote), local ONNX copies
        "features": np.broadcast_to(feats.astype(np.float32, copy=False), (batch, *feats.shape)),
        "beat_guide": np.broadcast_to(guide.astype(np.float32, copy=False), (batch, *guide.shape)),
        "difficulty": np.array([int(j.slot) for j in jobs], dtype=np.int64),
        "cond_onsets": np.stack([j.cond[w0:w1] if j.cond is not None else np.zeros(n, np.float32) for j in jobs]),
        "cond_difficulty": np.array([j.cond_slot for j in jobs], dtype=np.int64),
        "cond_present": np.array([1.0 if j.cond is not None else 0.0 for j in jobs], dtype=np.float32),
    }
    inputs = {name: values[name] for name in specs if name in values}
    if missing := sorted(set(specs) - set(values)):
        raise ManifestError(f"{manifest.model_id} takes inputs the drafter does not know: {missing}")
    out_name = manifest.outputs[0].name if manifest.outputs else "onset_prob"
    out = backend.run(manifest, inputs)[out_name]  # in windows on a GPU or past LONG_SONG_FRAMES: OnnxBackend.run
    prob = np.zeros((batch, n_frames), dtype=np.float32)
    prob[:, window.f_lo:window.f_hi] = out[:, window.f_lo - w0:window.f_hi - w0]
    return prob


def impulse_train(pos_frames: np.ndarray, n_frames: int) -> np.ndarray:
    """1 on the frame nearest each position (in frames), 0 elsewhere; float32 [n_frames].

    The refine conditioning input ``cond_onsets``: training (``training.crops``) and drafting both build it here.
    """
    out = np.zeros(n_frames, dtype=np.float32)
    idx = np.rint(np.asarray(pos_frames, dtype=np.float64)).astype(np.int64)
    out[idx[(idx >= 0) & (idx < n_frames)]] = 1.0
    return out


def onset_train(notes: Sequence[Note], timing: TimingData, n_frames: int, frame_rate: float) -> np.ndarray:
    """:func:`impulse_train` of the onset rows of ``notes`` (taps, holds, rolls, lifts); float32 [T]."""
    beats = onset_beats(notes)
    seconds = timing.beats_to_seconds_array(np.array([float(b) for b in beats], dtype=np.float64))
    return impulse_train(seconds * frame_rate, n_frames)


def clip_to_range(notes: list[Note], start_beat: Fraction, end_beat: Fraction,
                  context: Sequence[Note] = ()) -> list[Note]:
    """Notes inside ``[start_beat, end_beat)``; holds shortened to end on the sixteenth grid before
    ``end_beat`` (or made taps when that leaves too little: :func:`inference.lane_features.cut_hold_length`).

    ``context``: the chart the passage goes into. A note inside one of its holds or rolls that starts before the
    passage and runs into it is dropped: the lane decoder keeps those lanes free (``inference.lanes``), and this
    is the guarantee where it cannot (three or four such holds at once). Before, a regenerated passage put notes
    inside such a hold, which Verify calls a problem."""
    into = [h for h in context if h.kind.has_length and h.beat < start_beat <= h.end_beat]
    out = []
    for note in notes:
        if not start_beat <= note.beat < end_beat:
            continue
        if any(h.lane == note.lane and note.beat <= h.end_beat for h in into):
            continue
        if note.kind.has_length and note.end_beat >= end_beat:
            length = cut_hold_length(note.beat, end_beat)
            note = Note(note.beat, note.lane, note.kind, length) if length else Note(note.beat, note.lane, NoteKind.TAP)
        out.append(note)
    return out


def ends_within(notes: list[Note], timing: TimingData, duration_s: float) -> list[Note]:
    """``notes`` with every hold or roll that would end at or after the end of the audio (``duration_s``) ended on
    the sixteenth grid before it, or made a tap (rows a designer placed are kept: Arrows gives them arrows)."""
    end = timing.seconds_to_beat(Fraction(duration_s))
    out = []
    for n in notes:
        if n.kind.has_length and n.end_beat >= end:
            length = cut_hold_length(n.beat, end)
            n = n.replace(length=length) if length else n.replace(kind=NoteKind.TAP, length=Fraction(0))
        out.append(n)
    return out


def _beat_text(beat: Fraction | None, default: Fraction | int) -> str:
    """A beat for a message: ``247.375``, not ``1979/8``."""
    return f"{float(beat if beat is not None else default):.3f}".rstrip("0").rstrip(".")

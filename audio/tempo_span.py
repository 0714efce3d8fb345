"""Tempo (BPM) and beat phase of one *section* of a song: the search of :mod:`audio.tempo` on a time span.

:mod:`audio.tempo` fits one constant tempo to a song (all of it up to :data:`audio.tempo.MAX_FOLD_S`, 8
minutes; longer audio on its middle 8 minutes, as a span longer than that is here). A song with tempo changes is charted section by
section (the editor's Timing > Detect Tempo of Selection), so here the same search runs on the onset envelope of
just ``[start_s, end_s)``. The envelope is computed on the span plus :data:`PAD_S` of audio either side and then
cut to the span: the spectral flux of the first frames of a cut would otherwise see the sudden start of the
samples as an onset (a spike at the span's start that the fold would count as a beat), and a cut through a
sustained note at the end would lose its attack's neighbours. Frame times stay song times, so a candidate's
``offset_s`` is the phase of the section's beats on the song's clock: its beats are at ``offset_s + k * 60 /
bpm`` for whole ``k``, and :func:`audio.tap_tempo.nearest_beat` gives the one nearest any time.

What is shorter than :data:`MIN_SPAN_S` is refused (empty list): the fold needs enough beats to be sharp (a
0.1 % tempo error drifts only 8 ms over 8 s) and the autocorrelation enough periods to find the tempo at all.
Measured on charted songs with tempo changes: ``docs/tempo.md``, "Sections of songs with tempo changes".
"""

from __future__ import annotations

import numpy as np

from audio.onset import onset_envelope
from audio.tempo import TempoCandidate, detect_tempo_from_envelope

MIN_SPAN_S = 6.0  # shortest section searched (the editor says so for a shorter selection)
PAD_S = 0.5  # audio analysed either side of the span and then cut off (module docstring)


def span_envelope(env: np.ndarray, rate_hz: float, t0_s: float, start_s: float,
                  end_s: float) -> tuple[np.ndarray, float]:
    """The frames of an onset envelope that lie in ``[start_s, end_s)``.

    Parameters
    ----------
    env : np.ndarray, shape [groups, n]
        :func:`audio.onset.onset_envelope` of audio whose frame 0 is at ``t0_s``.
    rate_hz, t0_s : float
        Its frame rate (Hz) and the time of its frame 0 (s).
    start_s, end_s : float
        The span in the same clock (s).

    Returns
    -------
    env : np.ndarray, shape [groups, m]
        The frames in the span (``m`` may be 0).
    t0_s : float
        Time of its first frame (s).
    """
    env = np.atleast_2d(env)
    n = env.shape[-1]
    lo = int(np.clip(np.ceil((start_s - t0_s) * rate_hz), 0, n))
    hi = int(np.clip(np.ceil((end_s - t0_s) * rate_hz), lo, n))
    return env[:, lo:hi], t0_s + lo / rate_hz


def detect_tempo_span(samples: np.ndarray, sr: int, start_s: float, end_s: float,
                      n_candidates: int = 5) -> list[TempoCandidate]:
    """BPM and beat-phase candidates of the song section ``[start_s, end_s)``, best first.

    Parameters
    ----------
    samples : np.ndarray, float32, shape [n] or [channels, n]
        The whole song (mixed down to mono when it has channels); time 0 is its first sample.
    sr : int
        Sample rate in Hz.
    start_s, end_s : float
        The section in song seconds; clipped to the audio.
    n_candidates : int
        At most this many candidates are returned.

    Returns
    -------
    list of TempoCandidate
        As :func:`audio.tempo.detect_tempo`, with ``offset_s`` the section's beat phase on the song's clock (in
        ``[0, 60 / bpm)``). Empty when the section, clipped to the audio, is shorter than :data:`MIN_SPAN_S` or
        has no onsets.
    """
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim == 2:
        x = x.mean(axis=0)
    duration_s = x.size / float(sr)
    start_s, end_s = max(0.0, float(start_s)), min(duration_s, float(end_s))
    if end_s - start_s < MIN_SPAN_S:
        return []
    lo = max(0, int(np.floor((start_s - PAD_S) * sr)))
    hi = min(x.size, int(np.ceil((end_s + PAD_S) * sr)))
    env, rate_hz, t0_s = onset_envelope(x[lo:hi], sr)
    cut, cut_t0_s = span_envelope(env, rate_hz, t0_s + lo / sr, start_s, end_s)
    return detect_tempo_from_envelope(cut, rate_hz, cut_t0_s, n_candidates)

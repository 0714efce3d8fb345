"""Tempo (BPM) and beat-offset detection precise enough to chart on.

A generic beat tracker places beats to a few tens of milliseconds; a chart needs the whole grid within ~5 ms.
For a song with one constant tempo the grid is two numbers, so they are fitted to the *whole song* at once:

1. :func:`audio.onset.onset_envelope`: log spectral flux at a 1 ms hop in 8 frequency groups. Each group is
   divided by its mean and groups 1-6 (~70 Hz to ~5 kHz) are summed: the sub-bass (timing smeared by the
   long period of its waves) and the top group (hi-hats, often on the off-beats) mislead the phase.
2. Tempo candidates: peaks of the autocorrelation of that envelope (pooled to 100 frames/s).
3. Each candidate period is refined by *folding* the envelope modulo the period (a phase histogram over every
   beat of the song) and maximising the folded peak: a period off by 0.01 % smears a 3-minute song's beats
   over ~18 ms, so the fold is sharp only at the right period. Coarse grid, fine grid, then a parabola.
   The beat phase is the fold's maximum (parabolic, sub-millisecond).
4. Octave (x2, /2): the folded peak at twice the period is never lower, so salience alone cannot choose;
   each level is scored by its salience (fold height over the height at a detuned period) plus a log-normal
   prior over BPM fitted to the 298 constant-BPM StepMania charts of ``charts-only`` (geometric mean 153 BPM,
   0.29 octaves), a data set separate from the songs the evaluation uses.
5. Round BPMs (integers, halves) are preferred when they fold almost as sharply (charters use them often).
6. Every level is also offered with its beat half a beat from the fold's maximum: in 8 of 64 charted songs
   and song stretches the authored beat sits there, and no onset feature measured (per-band strength at the
   beat and the half beat, kick versus hi-hat, the intro alone) tells those songs apart, so that phase
   scores ``HALF_BEAT_LOG_ODDS`` below the strongest. It and the x2 and /2 levels follow the best candidate
   in the order of their scores.

A learned score (conditional logit over these hypotheses with metre features, trained on the authored grids
of the charted songs) did not beat this rule under song-level cross-validation (``scripts/fit_tempo.py``),
so the rule stays. Measured on the charted songs by ``scripts/eval_tempo.py``: see ``docs/tempo.md``. Tests
use synthetic audio.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from audio.onset import onset_envelope

MIN_BPM = 40.0
MAX_BPM = 400.0
PRIOR_CENTRE_BPM = 153.0  # charts-only: geometric mean of 298 constant-BPM charts
PRIOR_SIGMA_OCTAVES = 0.29  # ... and their standard deviation in octaves
SALIENCE_WEIGHT = 12.0  # best BPM hits for 10-12 on the charted songs and on the stretches of the others
# The authored beat lay half a beat from the strongest folded phase in 8 of 64 songs and stretches whose
# grid the search finds (docs/tempo.md); no onset feature measured tells those apart, so only the rate counts.
HALF_BEAT_LOG_ODDS = math.log(8 / 56)
PHASE_GROUPS = slice(1, 7)  # envelope groups used (see module docstring)
COARSE_RATE_HZ = 100.0  # envelope rate for the autocorrelation
N_ACF_PEAKS = 8
FOLD_SMOOTH_S = 0.002  # Gaussian smoothing of the folded profile: about the detector's jitter
COARSE_SPAN = 0.008  # relative period range searched around each autocorrelation peak
COARSE_STEP = 0.0001
FINE_STEP = 0.00001
SMEAR_PERIODS = 5.3  # salience baseline: detune until the beats drift by this many periods over the song
ROUND_MAX_REL = 0.0001  # snap to a round BPM this close (relative) ...
ROUND_MAX_LOSS = 0.05  # ... when its fold is at most this much lower (2 ms of drift costs ~3 %)
SAME_PERIOD_REL = 0.002
# Longer audio (a DJ mix, an hour-long file) is measured on its middle MAX_FOLD_S only: the period search folds
# the whole envelope some 1,500 times, so its cost grew with the song (90 s and 3 GB for 60 minutes on 2 cores).
# Eight minutes fold sharper than any 3-5 minute song, whose results this leaves unchanged.
MAX_FOLD_S = 480.0


@dataclass(frozen=True)
class TempoCandidate:
    """One tempo hypothesis.

    Attributes
    ----------
    bpm : float
        Beats per minute.
    offset_s : float
        Time in seconds of beat 0, in ``[0, 60 / bpm)`` (StepMania's ``#OFFSET`` is ``-offset_s``).
    confidence : float
        In [0, 1]; the candidates of one song sum to at most 1.
    """

    bpm: float
    offset_s: float
    confidence: float


@dataclass(frozen=True)
class TempoHypothesis:
    """One (BPM, beat phase) hypothesis before scoring.

    Attributes
    ----------
    bpm : float
        Beats per minute (round BPMs snapped).
    offset_s : float
        Time in seconds of beat 0, in ``[0, 60 / bpm)``.
    salience : float
        Fold height at the period over the height at detuned periods (1: no beat structure).
    strongest : bool
        True for the phase of the folded maximum, False for the phase half a beat away.
    """

    bpm: float
    offset_s: float
    salience: float
    strongest: bool

    @property
    def score(self) -> float:
        """Log-odds-like score: salience, BPM prior and, for the half-beat phase, how rarely it is right."""
        return SALIENCE_WEIGHT * math.log(max(self.salience, 1e-9)) + _log_prior(self.bpm) + \
            (0.0 if self.strongest else HALF_BEAT_LOG_ODDS)


class _Folder:
    """The beat envelope of one song and fold-based measurements on it."""

    def __init__(self, env: np.ndarray, rate_hz: float, t0_s: float) -> None:
        env = np.atleast_2d(np.asarray(env, dtype=np.float64))
        # Remove the sustained part (~100 ms running mean) so only onsets remain, then equalise the groups.
        env = np.maximum(env - _running_mean(env, max(3, int(round(0.1 * rate_hz)))), 0.0)
        env /= np.maximum(env.mean(axis=-1, keepdims=True), 1e-12)
        rows = env[PHASE_GROUPS] if env.shape[0] > PHASE_GROUPS.stop - 1 else env
        self.env = rows.sum(axis=0)
        self.rate_hz = rate_hz
        self.times = t0_s + np.arange(self.env.size) / rate_hz
        self.duration_s = self.env.size / rate_hz
        factor = max(1, int(round(rate_hz / 250.0)))  # 4 ms copy for the coarse period grid
        n = self.env.size // factor * factor
        self.coarse_env = self.env[:n].reshape(-1, factor).mean(axis=1)
        self.coarse_times = self.times[:n].reshape(-1, factor).mean(axis=1)

    def profile(self, period_s: float, bin_s: float, coarse: bool = False) -> np.ndarray:
        """Mean envelope per phase bin of ``period_s``, circularly smoothed; shape [n_bins]."""
        env, times = (self.coarse_env, self.coarse_times) if coarse else (self.env, self.times)
        return _fold(env[None], times, period_s, bin_s, FOLD_SMOOTH_S)[0]

    def height(self, period_s: float, bin_s: float = 0.001, coarse: bool = False) -> float:
        """Folded peak over the fold's mean (1 means no beat structure at this period)."""
        prof = self.profile(period_s, bin_s, coarse)
        return float(prof.max() / max(prof.mean(), 1e-12))

    def salience(self, period_s: float) -> float:
        """Fold height at ``period_s`` over the height at periods detuned enough to smear every beat."""
        # Detune so that the beats drift through the same number of periods at every level; otherwise a
        # longer period would be smeared over fewer cycles and get a higher (less flat) baseline.
        detune = min(SMEAR_PERIODS * period_s / max(self.duration_s, 1e-9), 0.1)
        base = 0.5 * (self.height(period_s * (1 + detune)) + self.height(period_s * (1 - detune)))
        return self.height(period_s) / max(base, 1e-12)

    def phase(self, period_s: float) -> float:
        """Time in [0, period) of the folded maximum, to a fraction of a millisecond."""
        prof = self.profile(period_s, 0.0005)
        n = prof.size
        j = int(np.argmax(prof))
        return float(((j + _vertex(prof[(j - 1) % n], prof[j], prof[(j + 1) % n])) * period_s / n) % period_s)

    def refine(self, period_s: float) -> float:
        """Period near ``period_s`` (within ``COARSE_SPAN``) with the sharpest fold."""
        rels = np.arange(-COARSE_SPAN, COARSE_SPAN + COARSE_STEP / 2, COARSE_STEP)
        period_s *= 1 + self._best_on_grid(period_s, rels, 0.004, True)
        rels = np.arange(-25, 26) * FINE_STEP
        return period_s * (1 + self._best_on_grid(period_s, rels, 0.001, False))

    def _best_on_grid(self, period_s: float, rels: np.ndarray, bin_s: float, coarse: bool) -> float:
        heights = np.array([self.height(period_s * (1 + r), bin_s, coarse) for r in rels])
        j = int(np.argmax(heights))
        shift = _vertex(heights[j - 1], heights[j], heights[j + 1]) if 0 < j < rels.size - 1 else 0.0
        return float(rels[j] + shift * (rels[1] - rels[0]))


def _fold(env: np.ndarray, times: np.ndarray, period_s: float, bin_s: float, smooth_s: float) -> np.ndarray:
    """Rows of ``env`` [rows, n] averaged per phase bin of ``period_s`` and circularly Gaussian-smoothed."""
    n_bins = max(8, int(round(period_s / bin_s)))
    idx = (np.mod(times, period_s) * (n_bins / period_s)).astype(np.int64)
    np.minimum(idx, n_bins - 1, out=idx)
    counts = np.maximum(np.bincount(idx, minlength=n_bins), 1)
    folded = np.stack([np.bincount(idx, weights=row, minlength=n_bins) for row in env]) / counts
    k = np.fft.rfftfreq(n_bins) * n_bins
    kernel = np.exp(-0.5 * (2 * np.pi * k * (smooth_s / (period_s / n_bins)) / n_bins) ** 2)
    return np.fft.irfft(np.fft.rfft(folded, axis=1) * kernel, n=n_bins, axis=1)


def _running_mean(x: np.ndarray, width: int) -> np.ndarray:
    """Centred moving average along the last axis (edges averaged over the part inside), same shape."""
    csum = np.concatenate([np.zeros((*x.shape[:-1], 1)), np.cumsum(x, axis=-1)], axis=-1)
    n = x.shape[-1]
    lo = np.clip(np.arange(n) - width // 2, 0, n)
    hi = np.clip(np.arange(n) + (width - width // 2), 0, n)
    return (csum[..., hi] - csum[..., lo]) / (hi - lo)


def _vertex(a: float, b: float, c: float) -> float:
    """Offset in [-0.5, 0.5] of the maximum of the parabola through (-1, a), (0, b), (1, c)."""
    denom = a - 2 * b + c
    return float(np.clip(0.5 * (a - c) / denom, -0.5, 0.5)) if denom < 0 else 0.0


def _log_prior(bpm: float) -> float:
    return -0.5 * (math.log2(bpm / PRIOR_CENTRE_BPM) / PRIOR_SIGMA_OCTAVES) ** 2


def _acf_periods(env: np.ndarray, rate_hz: float, n_peaks: int) -> list[float]:
    """Periods (s) of the highest autocorrelation peaks with a BPM in [MIN_BPM, MAX_BPM]."""
    x = env - env.mean()
    n = x.size
    spec = np.fft.rfft(x, n=2 * n)
    acf = np.fft.irfft(spec * np.conj(spec))[:n]
    lo = max(1, int(math.floor(rate_hz * 60.0 / MAX_BPM)))
    hi = min(n - 2, int(math.ceil(rate_hz * 60.0 / MIN_BPM)))
    if hi <= lo + 1:
        return []
    inner = acf[lo:hi + 1]
    is_peak = (inner > acf[lo - 1:hi]) & (inner >= acf[lo + 1:hi + 2])
    lags = np.flatnonzero(is_peak) + lo
    lags = lags[np.argsort(acf[lags])[::-1][:n_peaks]]
    return [(lag + _vertex(acf[lag - 1], acf[lag], acf[lag + 1])) / rate_hz for lag in lags]


MIN_DURATION_S = 2.0


def _levels(folder: _Folder) -> list[tuple[float, float]]:
    """(period_s, salience) of the refined autocorrelation periods and their half/double levels."""
    factor = max(1, int(round(folder.rate_hz / COARSE_RATE_HZ)))
    n = folder.env.size // factor * factor
    pooled = folder.env[:n].reshape(-1, factor).mean(axis=1)
    refined: list[float] = []
    for period in _acf_periods(pooled, folder.rate_hz / factor, N_ACF_PEAKS):
        # An octave of a period already refined needs no search of its own (the search dominates the time).
        octave = next((q * k for q in refined for k in (0.25, 0.5, 2.0, 4.0)
                       if abs(period / (q * k) - 1) < COARSE_SPAN / 2), None)
        period = octave if octave is not None else folder.refine(period)
        if all(abs(period / q - 1) > SAME_PERIOD_REL for q in refined):
            refined.append(period)
    levels: list[tuple[float, float]] = []
    for base in refined:
        for level in (0.5, 1.0, 2.0):
            period = base * level
            if not MIN_BPM <= 60.0 / period <= MAX_BPM:
                continue
            if any(abs(period / q - 1) <= SAME_PERIOD_REL for q, _ in levels):
                continue
            levels.append((period, folder.salience(period)))
    return levels


def _round_bpm(folder: _Folder, period_s: float) -> float:
    """A round BPM (integer, else half) within ``ROUND_MAX_REL`` whose fold is nearly as sharp, else as is."""
    bpm = 60.0 / period_s
    height = folder.height(period_s)
    for step in (1.0, 0.5):
        rounded = round(bpm / step) * step
        if rounded > 0 and abs(rounded / bpm - 1) <= ROUND_MAX_REL and \
                folder.height(60.0 / rounded) >= height * (1 - ROUND_MAX_LOSS):
            return float(rounded)
    return bpm


def _hypotheses(folder: _Folder) -> list[TempoHypothesis]:
    """Two hypotheses per tempo level: the strongest folded phase and the phase half a beat away."""
    out = []
    for period_s, salience in _levels(folder):
        bpm = _round_bpm(folder, period_s)
        phase_s = folder.phase(60.0 / bpm)
        out.append(TempoHypothesis(bpm, phase_s, salience, True))
        out.append(TempoHypothesis(bpm, (phase_s + 30.0 / bpm) % (60.0 / bpm), salience, False))
    return out


def tempo_hypotheses(env: np.ndarray, rate_hz: float, t0_s: float,
                     audio_s: float | None = None) -> list[TempoHypothesis]:
    """Every hypothesis :func:`detect_tempo_from_envelope` chooses from (``scripts/fit_tempo.py`` uses them).

    Parameters
    ----------
    env : np.ndarray, shape [groups, n]
        :func:`audio.onset.onset_envelope` of the song.
    rate_hz, t0_s : float
        Its frame rate (Hz) and the time of frame 0 (s).
    audio_s : float, optional
        Length of the audio the envelope was made from, in seconds; without it the envelope's own length,
        which is a few frames (the flux lag) shorter.

    Returns
    -------
    list of TempoHypothesis
        Empty for audio shorter than 2 s or without onsets.
    """
    folder = _folder(env, rate_hz, t0_s, audio_s)
    return [] if folder is None else _hypotheses(folder)


def _folder(env: np.ndarray, rate_hz: float, t0_s: float, audio_s: float | None) -> _Folder | None:
    """The :class:`_Folder` of an envelope, None for audio shorter than 2 s or without onsets."""
    frames = np.shape(env)[-1]
    length_s = frames / rate_hz if audio_s is None else audio_s
    # the frame count is checked before the folder, whose means need frames (a bit of slack for the flux lag)
    if length_s < MIN_DURATION_S or frames < 0.9 * MIN_DURATION_S * rate_hz:
        return None
    folder = _Folder(env, rate_hz, t0_s)
    return folder if np.any(folder.env > 0) else None


def rank_hypotheses(hyps: list[TempoHypothesis], n_candidates: int = 5) -> list[TempoCandidate]:
    """Candidates from hypotheses, best (highest :attr:`TempoHypothesis.score`) first.

    The best is followed by its alternatives (its double- and half-time levels at their strongest phase, and
    its own tempo with the beat half a beat away) in the order of their scores, then the rest by score; one
    candidate per (BPM, phase). Confidences are the softmax of the scores over all hypotheses.
    """
    if not hyps:
        return []
    scores = np.array([h.score for h in hyps])
    weights = np.exp(scores - scores.max())
    weights /= weights.sum()
    order = [int(i) for i in np.argsort(-scores, kind="stable")]
    best = hyps[order[0]]
    related = [i for i in order[1:] if hyps[i].bpm == best.bpm][:1]
    for i in order[1:]:  # the best phase of each double/half-time level
        if any(abs(hyps[i].bpm / (best.bpm * k) - 1) <= SAME_PERIOD_REL for k in (2.0, 0.5)) and \
                all(hyps[j].bpm != hyps[i].bpm for j in related):
            related.append(i)
    # In score order, not octaves first: measured on songs and stretches (docs/tempo.md), the right grid is
    # then in the first three more often.
    chosen = [order[0], *sorted(related, key=lambda i: -scores[i])]
    chosen += [i for i in order[1:] if i not in chosen]
    return [TempoCandidate(hyps[i].bpm, hyps[i].offset_s, float(weights[i])) for i in chosen[:n_candidates]]


def detect_tempo_from_envelope(env: np.ndarray, rate_hz: float, t0_s: float, n_candidates: int = 5,
                               audio_s: float | None = None) -> list[TempoCandidate]:
    """:func:`detect_tempo` on a precomputed :func:`audio.onset.onset_envelope` (``[groups, n]``, rate, t0);
    ``audio_s`` as for :func:`tempo_hypotheses`. An envelope longer than ``MAX_FOLD_S`` is measured on its
    middle ``MAX_FOLD_S`` (:func:`fold_span`)."""
    env = np.asarray(env)
    lo_s, hi_s = fold_span(env.shape[-1] / rate_hz)
    if hi_s - lo_s < env.shape[-1] / rate_hz:
        lo = int(round(lo_s * rate_hz))
        env, t0_s = env[..., lo:lo + int(round(MAX_FOLD_S * rate_hz))], t0_s + lo / rate_hz
    return rank_hypotheses(tempo_hypotheses(env, rate_hz, t0_s, audio_s), n_candidates)


def fold_span(duration_s: float) -> tuple[float, float]:
    """Start and end (s) of the stretch of a song its tempo is measured on: all of it up to ``MAX_FOLD_S``,
    else the middle ``MAX_FOLD_S`` (a song with one tempo has it there too; intros and outros are left out)."""
    if duration_s <= MAX_FOLD_S:
        return 0.0, max(duration_s, 0.0)
    lo = 0.5 * (duration_s - MAX_FOLD_S)
    return lo, lo + MAX_FOLD_S


def detect_tempo(samples: np.ndarray, sr: int, n_candidates: int = 5) -> list[TempoCandidate]:
    """BPM and beat-0 offset candidates for a song with one constant tempo, best first.

    Parameters
    ----------
    samples : np.ndarray, float32, shape [n]
        Mono audio (a ``[channels, n]`` array is mixed down).
    sr : int
        Sample rate in Hz.
    n_candidates : int
        At most this many candidates are returned.

    Returns
    -------
    list of TempoCandidate
        Best first, followed by the half- and double-time alternatives of the best, then other tempi.
        Empty when the audio is shorter than 2 s or has no onsets (silence). Audio longer than ``MAX_FOLD_S``
        is measured on its middle ``MAX_FOLD_S`` (:func:`fold_span`), so time and memory stay bounded.
    """
    env, rate_hz, t0_s, audio_s = _song_envelope(samples, sr)
    return detect_tempo_from_envelope(env, rate_hz, t0_s, n_candidates, audio_s=audio_s)


def beat_phase(samples: np.ndarray, sr: int, bpm: float) -> float | None:
    """Time in seconds of beat 0, in ``[0, 60 / bpm)``, for a tempo the caller knows: the phase
    :func:`detect_tempo` gives its candidate of that BPM (the folded maximum at its period), on the same stretch
    of the song. None where :func:`detect_tempo` finds nothing (audio under 2 s, no onsets)."""
    folder = _folder(*_song_envelope(samples, sr))
    return None if folder is None else folder.phase(60.0 / bpm)


def _song_envelope(samples: np.ndarray, sr: int) -> tuple[np.ndarray, float, float, float]:
    """The onset envelope (env, rate, t0 on the song's clock) of the :func:`fold_span` of a song, and that
    stretch's length in seconds."""
    x = np.asarray(samples)
    lo_s, hi_s = fold_span(x.shape[-1] / sr)
    lo, hi = int(round(lo_s * sr)), int(round(hi_s * sr))
    x = np.asarray(x[..., lo:hi], dtype=np.float32)  # cut before the mix-down and the resampling
    if x.ndim == 2:
        x = x.mean(axis=0)
    env, rate_hz, t0_s = onset_envelope(x, sr)
    return env, rate_hz, t0_s + lo / sr, x.size / sr

"""Onset strength envelopes at a high frame rate (about 1 ms), for tempo and beat-phase estimation.

Charting needs beat phase to a few milliseconds, far finer than the 10-23 ms hops of the usual onset
functions, so the envelope here is log spectral flux with a 1 ms hop and a short (11.6 ms) window. Frame ``k``
is centred on sample ``k * hop``; the flux of lag ``L`` is assigned to the midpoint of the frames it compares.

Log compression makes the flux peak as soon as an onset *enters* the window, i.e. before the onset; that
lead is measured once on a synthetic click (:func:`_detector_lead_s`) and removed. How far the peak leads also
depends on the background level (a quiet onset in loud music is seen later); with a 23 ms window this moved
beats by up to 5 ms between silence and dense music, with 11.6 ms by about 1-2 ms, measured on synthetic
clicks and drums and confirmed on the charted songs (median phase error +5.2 ms vs +1.1 ms). Hence 256 samples.

The flux is returned per frequency group (8 groups of 4 log-spaced bands from 30 Hz to 11 kHz), because
instruments disagree about where the beat is: in dance music the hi-hats and the bass often sit on the
off-beats while kick, snare and voice mark the beats.
"""

from __future__ import annotations

import functools

import numpy as np

ANALYSIS_SR_HZ = 22050
N_FFT = 256  # 11.6 ms: a longer window lets the flux peak wander with the background level (measured)
LOG_GAIN = 1000.0  # log1p(gain * magnitude): compresses dynamics so quiet onsets count too
N_BANDS = 32
N_GROUPS = 8  # 4 adjacent bands per group
CHUNK_FRAMES = 8192  # bounds memory: one chunk of frames is [8192, 257] complex


def _band_matrix(n_fft: int, sr: int, n_bands: int, fmin_hz: float = 30.0) -> tuple[np.ndarray, np.ndarray]:
    """Triangular log-spaced band weights ``[n_bins, n_bands]`` and the band centre frequencies in Hz."""
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    edges = np.geomspace(fmin_hz, sr / 2, n_bands + 2)
    weights = np.zeros((freqs.size, n_bands), dtype=np.float32)
    for b in range(n_bands):
        lo, mid, hi = edges[b], edges[b + 1], edges[b + 2]
        rise = (freqs - lo) / (mid - lo)
        fall = (hi - freqs) / (hi - mid)
        weights[:, b] = np.clip(np.minimum(rise, fall), 0, None)
    # Low bands are narrower than one FFT bin: give each band at least its nearest bin.
    for b in range(n_bands):
        if not weights[:, b].any():
            weights[np.argmin(np.abs(freqs - edges[b + 1])), b] = 1.0
    return weights, edges[1:-1]


def onset_envelope(samples: np.ndarray, sr: int, hop_s: float = 0.001, lag_frames: int = 2,
                   n_fft: int = N_FFT) -> tuple[np.ndarray, float, float]:
    """Spectral-flux onset strength at about ``1 / hop_s`` frames per second.

    Parameters
    ----------
    samples : np.ndarray, float32, shape [n]
        Mono audio.
    sr : int
        Sample rate of ``samples`` in Hz (resampled to 22.05 kHz internally).
    hop_s : float
        Frame hop in seconds (rounded to whole samples at 22.05 kHz).
    lag_frames : int
        Frames between the two spectra whose positive difference is the flux.

    Returns
    -------
    env : np.ndarray, float32, shape [8, n_frames]
        Non-negative flux per frequency group (``N_GROUPS`` rows, low to high); sum the rows for broadband.
    rate_hz : float
        Frames per second (exactly ``22050 / hop``).
    t0_s : float
        Time in seconds of frame 0; frame ``k`` is at ``t0_s + k / rate_hz``.
    """
    x = np.asarray(samples, dtype=np.float32).reshape(-1)
    if sr != ANALYSIS_SR_HZ:
        from audio.decode import resample

        x = resample(x, sr, ANALYSIS_SR_HZ)
    hop = max(1, int(round(hop_s * ANALYSIS_SR_HZ)))
    env, rate_hz, t0_s = _flux(x, hop, lag_frames, n_fft)
    return env, rate_hz, t0_s + _detector_lead_s(hop, lag_frames, n_fft)


def _flux(x: np.ndarray, hop: int, lag_frames: int, n_fft: int) -> tuple[np.ndarray, float, float]:
    """Band-wise log spectral flux of ``x`` (22.05 kHz); see :func:`onset_envelope`.

    Computed in chunks of ``CHUNK_FRAMES`` flux rows (each chunk recomputes the ``lag_frames`` spectra it shares
    with the next), so the temporaries stay a few MB whatever the length; only the ``[8, n]`` result grows."""
    padded = np.concatenate([np.zeros(n_fft // 2, np.float32), x, np.zeros(n_fft // 2, np.float32)])
    n_frames = max(0, (padded.size - n_fft) // hop + 1)
    weights, _ = _band_matrix(n_fft, ANALYSIS_SR_HZ, N_BANDS)
    window = np.hanning(n_fft + 1)[:-1].astype(np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop]
    n_rows = max(0, n_frames - lag_frames)
    env = np.empty((N_GROUPS, n_rows), dtype=np.float32)
    for start in range(0, n_rows, CHUNK_FRAMES):
        stop = min(n_rows, start + CHUNK_FRAMES)
        chunk = frames[start:stop + lag_frames] * window
        mag = np.abs(np.fft.rfft(chunk, axis=1)).astype(np.float32)
        logb = np.log1p(LOG_GAIN * (mag @ weights))
        diff = np.maximum(logb[lag_frames:] - logb[:-lag_frames], 0.0)
        env[:, start:stop] = diff.reshape(diff.shape[0], N_GROUPS, N_BANDS // N_GROUPS).sum(axis=2).T
    rate_hz = ANALYSIS_SR_HZ / hop
    t0_s = lag_frames / 2 / rate_hz  # flux row j compares frames j and j + lag: their midpoint
    return env, rate_hz, t0_s


@functools.lru_cache(maxsize=8)
def _detector_lead_s(hop: int, lag_frames: int, n_fft: int) -> float:
    """How much later an onset really is than the flux peak it causes, measured on a synthetic click.

    The log compression saturates as soon as an onset enters the window, so the flux peaks about half a
    window (~10 ms) *before* the onset. Measuring this with the detector itself keeps it right if the window,
    hop or gain change; tests check the corrected time on clicks, drums and plucked tones.
    """
    click = np.zeros(ANALYSIS_SR_HZ, np.float32)
    at = ANALYSIS_SR_HZ // 2
    click[at] = 1.0
    env, rate_hz, t0_s = _flux(click, hop, lag_frames, n_fft)
    row = env.sum(axis=0)
    j = int(np.argmax(row))
    peak = j + _parabolic(row, j)
    return at / ANALYSIS_SR_HZ - (t0_s + peak / rate_hz)


def _parabolic(row: np.ndarray, j: int) -> float:
    """Sub-frame offset of the maximum at ``j`` from a parabola through its neighbours."""
    if j <= 0 or j >= row.size - 1:
        return 0.0
    a, b, c = float(row[j - 1]), float(row[j]), float(row[j + 1])
    denom = a - 2 * b + c
    return 0.5 * (a - c) / denom if denom < 0 else 0.0

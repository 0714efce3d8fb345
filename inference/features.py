"""THE audio feature function: multi-resolution log-mel frames shared by training, the app and the server.

Like DDC, each frame stacks ``n_mels`` log-mel bands computed with several FFT sizes (short windows resolve
attacks, long ones resolve pitch), all on one hop so that frame ``i`` is centred at ``i * hop / sr`` seconds.
Training imports :func:`compute_features` from here (a test checks it is the same function object), so a model
never sees features computed differently from the ones it was trained on.

Channel layout of the ``[T, C]`` result: FFT-size-major, i.e. channels ``k * n_mels .. (k + 1) * n_mels - 1``
hold the bands of ``params.n_ffts[k]``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from inference.manifest import FeatureParams

#: Floor added before the logarithm (magnitude units of a float signal in [-1, 1]); keeps silence finite.
LOG_FLOOR = 1e-6
#: Frames per FFT block; bounds the temporary memory of a long song to a few tens of MB.
_BLOCK_FRAMES = 4096
#: Standard deviations below this are treated as this (bands that are constant, e.g. empty mel filters).
_STD_FLOOR = 1e-3


class FeatureError(ValueError):
    """Audio that cannot be turned into features (empty, wrong shape, bad parameters)."""


@lru_cache(maxsize=16)
def _mel_basis(sr: int, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    import librosa

    with warnings.catch_warnings():
        # Small FFTs have empty low mel filters; those channels are constant and normalise to zero.
        warnings.simplefilter("ignore")
        basis = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax)
    return np.ascontiguousarray(basis.T.astype(np.float32))  # [n_fft // 2 + 1, n_mels]


@lru_cache(maxsize=16)
def _window(n_fft: int) -> np.ndarray:
    return np.hanning(n_fft + 1)[:-1].astype(np.float32)  # periodic Hann


def n_frames_for(n_samples: int, params: FeatureParams) -> int:
    """Number of feature frames for ``n_samples`` samples at ``params.sample_rate`` (centred frames)."""
    return 1 + int(n_samples) // int(params.hop_length)


def frame_times(n_frames: int, params: FeatureParams) -> np.ndarray:
    """Centre time in seconds of each frame.

    Parameters
    ----------
    n_frames : int
        Number of frames ``T``.
    params : FeatureParams
        Feature parameters (sample rate in Hz, hop in samples).

    Returns
    -------
    np.ndarray, float64, shape [T]
        ``i * hop_length / sample_rate`` seconds.
    """
    return np.arange(int(n_frames), dtype=np.float64) * (params.hop_length / params.sample_rate)


def _log_mel(samples: np.ndarray, n_fft: int, params: FeatureParams, n_frames: int,
             out: np.ndarray | None = None) -> np.ndarray:
    """Log-mel frames ``[n_frames, n_mels]`` of one FFT size, written into ``out`` (a slice of the result)."""
    from scipy import fft as sfft

    hop = int(params.hop_length)
    pad = n_fft // 2
    padded = np.pad(samples, (pad, pad + hop), mode="constant")
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop][:n_frames]
    basis = _mel_basis(int(params.sample_rate), n_fft, int(params.n_mels), float(params.fmin),
                       float(params.fmax))
    win = _window(n_fft)
    if out is None:
        out = np.empty((n_frames, params.n_mels), dtype=np.float32)
    for start in range(0, n_frames, _BLOCK_FRAMES):
        block = frames[start:start + _BLOCK_FRAMES] * win
        mag = np.abs(sfft.rfft(block, axis=1, workers=-1)).astype(np.float32)
        out[start:start + len(block)] = mag @ basis
    out += LOG_FLOOR  # in place: ``out + LOG_FLOOR`` was a copy of the whole song's bands
    np.log(out, out=out)
    return out


def compute_features(samples: np.ndarray, sr: int, params: FeatureParams) -> np.ndarray:
    """Multi-resolution log-mel features of a mono signal (not normalised).

    Parameters
    ----------
    samples : np.ndarray, float, shape [n]
        Mono audio in [-1, 1].
    sr : int
        Sample rate of ``samples`` in Hz; resampled to ``params.sample_rate`` when different.
    params : FeatureParams
        Sample rate (Hz), hop (samples), mel bands, FFT sizes (samples), fmin/fmax (Hz).

    Returns
    -------
    np.ndarray, float32, shape [T, C]
        ``T = 1 + n // hop`` frames at ``params.frame_rate`` frames/s (frame ``i`` centred at
        ``i * hop / sr`` s), ``C = n_mels * len(n_ffts)`` natural-log magnitudes.

    Raises
    ------
    FeatureError
        If ``samples`` is not a non-empty 1-D array or the parameters are invalid.
    """
    x = np.asarray(samples)
    if x.ndim != 1 or x.size == 0:
        raise FeatureError(f"features need non-empty mono audio, got shape {x.shape}")
    if sr <= 0 or params.hop_length <= 0 or not params.n_ffts or params.n_mels <= 0:
        raise FeatureError("invalid feature parameters (sample rate, hop, FFT sizes, mel bands)")
    x = x.astype(np.float32, copy=False)
    if int(sr) != int(params.sample_rate):
        from audio.decode import resample  # the audio layer's one resampler

        x = resample(x, int(sr), int(params.sample_rate))
    x = np.nan_to_num(x, copy=False)
    n_frames = n_frames_for(len(x), params)
    n_mels = int(params.n_mels)
    out = np.empty((n_frames, n_mels * len(params.n_ffts)), dtype=np.float32)
    for k, n_fft in enumerate(params.n_ffts):  # into one array: no per-size copies (a 60-minute song's are 350 MB)
        _log_mel(x, int(n_fft), params, n_frames, out[:, k * n_mels:(k + 1) * n_mels])
    return out


def normalise(feats: np.ndarray, params: FeatureParams) -> np.ndarray:
    """Per-channel standardisation with the statistics stored in ``params`` (from the training set).

    Parameters
    ----------
    feats : np.ndarray, float32, shape [T, C]
        Output of :func:`compute_features`.
    params : FeatureParams
        Must carry ``norm_mean`` and ``norm_std`` of length ``C``.

    Returns
    -------
    np.ndarray, float32, shape [T, C]
    """
    mean = np.asarray(params.norm_mean, dtype=np.float32)
    std = np.asarray(params.norm_std, dtype=np.float32)
    if feats.ndim != 2 or mean.shape != (feats.shape[1],) or std.shape != mean.shape:
        raise FeatureError(
            f"normalisation statistics for {mean.shape} channels do not fit features of shape {feats.shape}"
        )
    if feats.dtype != np.float32:
        return ((feats - mean) / np.maximum(std, _STD_FLOOR)).astype(np.float32)
    out = feats - mean  # one new array, divided in place (same values; a 60-minute song's copies are 350 MB each)
    out /= np.maximum(std, _STD_FLOOR)
    return out


def normalisation_stats(feature_arrays: Iterable[np.ndarray]) -> tuple[list[float], list[float]]:
    """Per-channel mean and standard deviation over all frames of several songs (float64 accumulation).

    Parameters
    ----------
    feature_arrays : iterable of np.ndarray, shape [T_i, C]

    Returns
    -------
    mean, std : list of float, length C
    """
    total = 0
    s1: np.ndarray | None = None
    s2: np.ndarray | None = None
    for f in feature_arrays:
        f64 = np.asarray(f, dtype=np.float64)
        s1 = f64.sum(axis=0) if s1 is None else s1 + f64.sum(axis=0)
        s2 = (f64 ** 2).sum(axis=0) if s2 is None else s2 + (f64 ** 2).sum(axis=0)
        total += len(f64)
    if s1 is None or s2 is None or total == 0:
        raise FeatureError("no frames to compute normalisation statistics from")
    mean = s1 / total
    std = np.sqrt(np.maximum(s2 / total - mean ** 2, 0.0))
    return [float(v) for v in mean], [float(max(v, _STD_FLOOR)) for v in std]

"""Soft time-frequency masks of the default (weight-free) separator, for one chunk of audio.

The vocal mask is a product of three cues, each a soft value in [0, 1] per STFT bin:

* **centre** (stereo only): vocals are mixed to the centre, so left and right carry the same signal there. The cue
  is the inter-channel coherence of the bin, ``2 Re E[L conj(R)] / (E|L|^2 + E|R|^2)`` with ``E`` a short moving
  average over time (Avendano & Jot's similarity, made phase-aware so that decorrelated reverb and wide stereo
  pads score low), clipped to [0, 1] and raised to ``centre_power`` to sharpen it.
* **foreground** (REPET-SIM, Rafii & Pardo 2012): the accompaniment repeats (bars, loops), the voice does not. Each
  frame's background is the median of its most similar frames (cosine similarity of log-magnitude columns,
  ``librosa.decompose.nn_filter``); the foreground cue is ``1 - min(background, S) / S``.
* **harmonic** (HPSS, Fitzgerald 2010): a median filter along time (harmonic) and along frequency (percussive);
  the harmonic cue removes kick/snare energy that also sits in the centre.

Below ``vocal_low_hz`` the vocal mask fades out (bass and kick live there, voices do not). Masks are applied
to the complex STFT of each channel, so the stems keep the mixture's phase and stereo image; the accompaniment is
the mixture minus the vocals (the two stems add up to the input exactly). Drums are the percussive part of
the accompaniment.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

_EPS = 1e-10


@dataclass(frozen=True)
class MaskParams:
    """Parameters of the mask estimation (all part of the cache key).

    ``n_fft``/``hop_frames`` are in samples at the file's rate; the ``*_s`` and ``*_hz`` values are converted per
    rate, so one set of parameters behaves alike at 44.1 and 48 kHz.
    """

    n_fft: int = 2048
    hop_frames: int = 512
    centre_power: float = 6.0
    coherence_frames: int = 3  # moving-average length of E[.] in the centre cue
    repet_min_gap_s: float = 1.0  # REPET-SIM ignores frames closer than this (a note's own sustain)
    repet_neighbours: int = 20
    repet_power: float = 0.15  # soft: on the benchmark a full REPET-SIM cue also removed repeated sung notes
    hpss_kernel: int = 31
    hpss_margin: float = 1.0
    harmonic_power: float = 0.3  # soft: speech consonants are percussive too
    vocal_low_hz: float = 250.0  # centred bass harmonics leak into the vocals below this
    vocal_high_hz: float = 12000.0
    drums_power: float = 2.0

    def as_dict(self) -> dict:
        return asdict(self)


def stft(x: np.ndarray, p: MaskParams) -> np.ndarray:
    """Complex STFT of ``x`` ``[channels, n]`` -> ``[channels, n_fft // 2 + 1, frames]`` (complex64, Hann)."""
    import librosa

    return librosa.stft(x, n_fft=p.n_fft, hop_length=p.hop_frames, window="hann", center=True).astype(np.complex64)


def istft(spec: np.ndarray, p: MaskParams, length: int) -> np.ndarray:
    """Inverse of :func:`stft`: ``[channels, bins, frames]`` -> ``[channels, length]`` float32."""
    import librosa

    return librosa.istft(spec, hop_length=p.hop_frames, n_fft=p.n_fft, window="hann", center=True,
                         length=length).astype(np.float32)


def _smooth_time(a: np.ndarray, frames: int) -> np.ndarray:
    """Moving average over the last axis (``frames`` long, centred)."""
    if frames <= 1:
        return a
    from scipy.ndimage import uniform_filter1d

    return uniform_filter1d(a, size=frames, axis=-1, mode="nearest")


def centre_cue(spec: np.ndarray, p: MaskParams) -> np.ndarray:
    """Centre cue in [0, 1] of a stereo STFT ``[2, bins, frames]`` -> ``[bins, frames]`` float32."""
    left, right = spec[0], spec[1]
    cross = _smooth_time((left * np.conj(right)).real, p.coherence_frames)
    power = _smooth_time(np.abs(left) ** 2 + np.abs(right) ** 2, p.coherence_frames)
    coherence = np.clip(2.0 * cross / (power + _EPS), 0.0, 1.0)
    return (coherence ** p.centre_power).astype(np.float32)


def similar_frames(features: np.ndarray, k: int, min_gap_frames: int) -> np.ndarray:
    """Indices ``[frames, k]`` of each frame's ``k`` most cosine-similar frames at least ``min_gap_frames`` away.

    One matrix product and a partial sort (librosa's ``recurrence_matrix`` + ``nn_filter`` did the same in
    ~20x the time here, looping in Python per frame).
    """
    unit = features / (np.linalg.norm(features, axis=0, keepdims=True) + _EPS)
    sim = unit.T @ unit  # [frames, frames]
    frames = sim.shape[0]
    for lag in range(min(min_gap_frames, frames)):  # diagonals, not an int64 |i - j| matrix (memory)
        rows = np.arange(frames - lag)
        sim[rows, rows + lag] = -np.inf
        sim[rows + lag, rows] = -np.inf
    np.negative(sim, out=sim)
    out = np.empty((frames, k), dtype=np.int32)
    for r0 in range(0, frames, 512):  # argpartition's int64 result in row blocks
        out[r0:r0 + 512] = np.argpartition(sim[r0:r0 + 512], k - 1, axis=1)[:, :k]
    return out


def foreground_cue(mag: np.ndarray, p: MaskParams, sr: int) -> np.ndarray:
    """REPET-SIM foreground cue in [0, 1] of a magnitude ``[bins, frames]`` (1 = does not repeat)."""
    import librosa

    frames = mag.shape[1]
    gap = max(1, int(round(p.repet_min_gap_s * sr / p.hop_frames)))
    k = int(min(p.repet_neighbours, frames - 2 * gap - 1))
    if k < 3:
        return np.ones_like(mag)  # too short to find repetitions: keep everything as foreground
    # 64 mel bands, loudness-compressed: similar frames are found as well as on all bins, at a tenth of the cost
    bands = librosa.filters.mel(sr=sr, n_fft=p.n_fft, n_mels=64, fmax=min(sr / 2.0, 16000.0)).astype(np.float32)
    neighbours = similar_frames(np.log1p(100.0 * (bands @ mag)), k, gap)
    background = np.empty_like(mag)
    for b0 in range(0, mag.shape[0], 64):  # in bands of bins: [64, frames, k] stays ~13 MB per 30 s
        block = mag[b0:b0 + 64][:, neighbours]
        background[b0:b0 + 64] = np.partition(block, k // 2, axis=-1)[..., k // 2]
    background = np.minimum(background, mag)
    return (1.0 - background / (mag + _EPS)).clip(0.0, 1.0) ** p.repet_power


def hpss_cues(mag: np.ndarray, p: MaskParams) -> tuple[np.ndarray, np.ndarray]:
    """Soft harmonic and percussive masks ``[bins, frames]`` (Wiener-like, power 2) of a magnitude."""
    from audio.separation_median import median_filter_axis

    harm = median_filter_axis(mag, p.hpss_kernel, axis=1)  # smooth along time: sustained partials
    perc = median_filter_axis(mag, p.hpss_kernel, axis=0)  # smooth along frequency: broadband hits
    harm2, perc2 = harm ** 2, (p.hpss_margin * perc) ** 2
    total = harm2 + perc2 + _EPS
    return (harm2 / total).astype(np.float32), (perc2 / total).astype(np.float32)


def band_weight(p: MaskParams, sr: int) -> np.ndarray:
    """Per-bin weight ``[bins, 1]``: 1 inside the vocal band, raised-cosine fades an octave wide outside it."""
    freqs_hz = np.fft.rfftfreq(p.n_fft, 1.0 / sr)
    octaves_low = np.log2(np.maximum(freqs_hz, 1.0) / p.vocal_low_hz)
    octaves_high = np.log2(p.vocal_high_hz / np.maximum(freqs_hz, 1.0))

    def fade(octaves: np.ndarray) -> np.ndarray:
        t = np.clip(octaves + 1.0, 0.0, 1.0)  # 0 an octave beyond the edge, 1 at the edge and inside
        return 0.5 - 0.5 * np.cos(np.pi * t)

    return (fade(octaves_low) * fade(octaves_high)).astype(np.float32)[:, None]


def separate_chunk(x: np.ndarray, sr: int, p: MaskParams, stereo: bool) -> dict[str, np.ndarray]:
    """Split one chunk into vocals, accompaniment and drums.

    Parameters
    ----------
    x : np.ndarray, float32
        ``[channels, n]`` samples (1 or 2 channels).
    sr : int
        Sample rate in Hz.
    p : MaskParams
        Mask parameters.
    stereo : bool
        Use the centre cue (needs 2 channels); otherwise only REPET-SIM, HPSS and the vocal band.

    Returns
    -------
    dict of str to np.ndarray
        ``vocals``, ``accompaniment``, ``drums``, each ``[channels, n]`` float32; vocals + accompaniment == x.
    """
    n = x.shape[1]
    if n < p.n_fft:  # the STFT needs one full frame; pad with silence and cut the stems back to n
        out = separate_chunk(np.pad(x, ((0, 0), (0, p.n_fft - n))), sr, p, stereo)
        return {k: v[:, :n] for k, v in out.items()}
    spec = stft(x, p)
    mag = np.abs(spec).mean(axis=0)
    harmonic, percussive = hpss_cues(mag, p)
    vocal = band_weight(p, sr) * harmonic ** p.harmonic_power
    if stereo:
        vocal = vocal * centre_cue(spec, p)
    # REPET-SIM on what is left after the other cues, so the repeating part it looks for is mostly bass/chords
    vocal = vocal * foreground_cue(mag * vocal, p, sr)
    vocals = istft(spec * vocal[None], p, n)
    drums_mask = (percussive ** (p.drums_power / 2.0)) * (1.0 - vocal)
    drums = istft(spec * drums_mask[None], p, n)
    return {"vocals": vocals, "accompaniment": (x - vocals).astype(np.float32), "drums": drums}

"""Built-in osu! hitsounds: one short synthesised sample for each of the 12 sample set x sound combinations.

osu! plays its skin's sounds for a hit object whose sample the set's folder does not hold (index 0, or no such
file); osu!'s own sound files are not ours to ship, so the editor plays these instead
(:mod:`audio.hitsound_bank`). They are made to be told apart while mapping, not to imitate osu!'s skin:

* sounds: ``normal`` a short click, ``whistle`` a short tonal whistle, ``finish`` a cymbal-like noise with a long
  decay, ``clap`` a band-passed noise burst in three quick slaps (as a hand clap has);
* sets: ``normal`` bright and crisp, ``soft`` lower and mellower with gentler attacks, ``drum`` a drum kit
  (kick, tom, crash over a low boom, snare).

Every sample starts at its onset (frame 0), peaks below 1, and fades out over its last 5 ms so its truncated tail
does not click. Noise is shaped in the frequency domain from a fixed seed: the same rate gives the same samples.
"""

from __future__ import annotations

import numpy as np

SETS = ("normal", "soft", "drum")
SOUNDS = ("normal", "whistle", "finish", "clap")
_SEEDS = {(s, d): 11 + 4 * i + j for i, s in enumerate(SETS) for j, d in enumerate(SOUNDS)}


def _t(length_s: float, sr: int) -> np.ndarray:
    return np.arange(max(int(round(length_s * sr)), 1)) / sr


def _env(t: np.ndarray, decay_s: float, attack_s: float = 0.0) -> np.ndarray:
    """Exponential decay, after a linear attack when ``attack_s`` > 0 (0: full level at frame 0)."""
    env = np.exp(-t / decay_s)
    if attack_s > 0.0:
        env *= np.minimum(t / attack_s, 1.0)
    return env


def _noise(n: int, sr: int, lo_hz: float, hi_hz: float, seed: int) -> np.ndarray:
    """Unit-RMS noise band-limited to ``[lo_hz, hi_hz]`` (raised-cosine skirts half an octave wide)."""
    spec = np.fft.rfft(np.random.default_rng(seed).standard_normal(n))
    f = np.fft.rfftfreq(n, 1.0 / sr)
    hi_hz = min(hi_hz, 0.45 * sr)
    octaves = np.log2(np.maximum(f, 1.0))
    skirt = 0.5
    below = np.clip((octaves - np.log2(lo_hz)) / skirt + 1.0, 0.0, 1.0)
    above = np.clip((np.log2(hi_hz) - octaves) / skirt + 1.0, 0.0, 1.0)
    mask = (0.5 - 0.5 * np.cos(np.pi * below)) * (0.5 - 0.5 * np.cos(np.pi * above))
    y = np.fft.irfft(spec * mask, n)
    rms = float(np.sqrt(np.mean(y * y)))
    return y / rms if rms > 0 else y


def _glide(t: np.ndarray, f0_hz: float, f1_hz: float, tau_s: float) -> np.ndarray:
    """A sine whose pitch glides exponentially from ``f0_hz`` to ``f1_hz`` (time constant ``tau_s``)."""
    phase = 2 * np.pi * (f1_hz * t + (f0_hz - f1_hz) * tau_s * (1.0 - np.exp(-t / tau_s)))
    return np.sin(phase)


def _partials(t: np.ndarray, freqs_hz: tuple[float, ...], seed: int) -> np.ndarray:
    """Equal-level sines at inharmonic ``freqs_hz`` with random phases: the metallic ring of a cymbal."""
    phases = np.random.default_rng(seed).uniform(0, 2 * np.pi, len(freqs_hz))
    return sum((np.sin(2 * np.pi * f * t + p) for f, p in zip(freqs_hz, phases)), np.zeros_like(t)) / len(freqs_hz)


def _bursts(t: np.ndarray, starts_s: tuple[float, ...], burst_decay_s: float, tail_decay_s: float) -> np.ndarray:
    """A clap's envelope: quick slaps at ``starts_s``, the last one ringing on with ``tail_decay_s``."""
    env = np.zeros_like(t)
    for k, s in enumerate(starts_s):
        on = t >= s
        decay = tail_decay_s if k == len(starts_s) - 1 else burst_decay_s
        env[on] = np.maximum(env[on], np.exp(-(t[on] - s) / decay) * (1.0 if k == 0 else 0.85))
    return env


def _normal_set(sound: str, sr: int, seed: int) -> tuple[np.ndarray, float]:
    if sound == "normal":  # a hi-hat click with a short tonal tick in it
        t = _t(0.080, sr)
        y = _noise(t.size, sr, 6000, 14000, seed) * _env(t, 0.018) + 0.9 * np.sin(2 * np.pi * 2400 * t) * _env(t, 0.008)
        return y, 0.55
    if sound == "whistle":  # a short whistle: a rising sine with a touch of vibrato and of its octave
        t = _t(0.220, sr)
        vib = 1.0 + 0.006 * np.sin(2 * np.pi * 7 * t)
        y = (_glide(t * vib, 2200, 2650, 0.015) + 0.15 * _glide(t * vib, 4400, 5300, 0.015)) * _env(t, 0.090, 0.008)
        return y, 0.35  # a pure tone near 2.5 kHz sounds louder than noise of the same peak
    if sound == "finish":  # a crash cymbal: bright noise and metallic partials, long decay
        t = _t(1.200, sr)
        ring = _partials(t, (3130, 4710, 5870, 7290, 8610), seed)
        y = (_noise(t.size, sr, 3000, 16000, seed) + 1.5 * ring) * _env(t, 0.450, 0.002)
        return y, 0.5
    t = _t(0.200, sr)  # clap
    return _noise(t.size, sr, 900, 3000, seed) * _bursts(t, (0.0, 0.009, 0.018), 0.004, 0.045), 0.65


def _soft_set(sound: str, sr: int, seed: int) -> tuple[np.ndarray, float]:
    if sound == "normal":  # a muted wooden tick
        t = _t(0.090, sr)
        y = 0.5 * _noise(t.size, sr, 1500, 5000, seed) * _env(t, 0.012) + np.sin(2 * np.pi * 900 * t) * _env(t, 0.025)
        return y, 0.5
    if sound == "whistle":  # a breathy flute-like note, lower and slower than the normal set's
        t = _t(0.300, sr)
        y = (_glide(t, 1300, 1500, 0.030) + 0.08 * _noise(t.size, sr, 1000, 3000, seed)) * _env(t, 0.140, 0.015)
        return y, 0.3
    if sound == "finish":  # a dark wash of noise swelling in
        t = _t(1.500, sr)
        return _noise(t.size, sr, 1500, 8000, seed) * _env(t, 0.650, 0.010), 0.4
    t = _t(0.250, sr)  # a soft snap
    return _noise(t.size, sr, 500, 1800, seed) * _bursts(t, (0.0, 0.012), 0.006, 0.070), 0.55


def _drum_set(sound: str, sr: int, seed: int) -> tuple[np.ndarray, float]:
    if sound == "normal":  # a kick: a falling thump with a click on top
        t = _t(0.300, sr)
        y = _glide(t, 160, 50, 0.030) * _env(t, 0.120) + 0.2 * _noise(t.size, sr, 2000, 6000, seed) * _env(t, 0.003)
        return y, 0.8
    if sound == "whistle":  # a tom
        t = _t(0.350, sr)
        y = (_glide(t, 260, 170, 0.060) + 0.3 * _glide(t, 416, 272, 0.060)) * _env(t, 0.160)
        return y, 0.7
    if sound == "finish":  # a crash over a low boom
        t = _t(1.600, sr)
        y = _noise(t.size, sr, 2000, 14000, seed) * _env(t, 0.700, 0.002) + 1.2 * np.sin(2 * np.pi * 90 * t) * _env(t, 0.200)
        return y, 0.55
    t = _t(0.300, sr)  # a snare: rattle and body
    y = _noise(t.size, sr, 1000, 7000, seed) * _env(t, 0.090) + 1.5 * _glide(t, 230, 190, 0.020) * _env(t, 0.060)
    return y, 0.7


_MAKERS = {"normal": _normal_set, "soft": _soft_set, "drum": _drum_set}


def default_sample(sample_set: str, sound: str, sample_rate_hz: int) -> np.ndarray:
    """The built-in sample of ``sample_set`` (``normal``/``soft``/``drum``) and ``sound`` (``normal``/``whistle``/
    ``finish``/``clap``) at ``sample_rate_hz``: float32, shape (n,), onset at frame 0 (module docstring)."""
    if sample_set not in _MAKERS or sound not in SOUNDS:
        raise ValueError(f"no built-in hitsound {sample_set}-hit{sound} (sets {SETS}, sounds {SOUNDS})")
    sr = int(sample_rate_hz)
    y, peak = _MAKERS[sample_set](sound, sr, _SEEDS[(sample_set, sound)])
    y = y * (peak / max(float(np.max(np.abs(y))), 1e-9))
    fade = min(y.size, int(0.005 * sr))
    if fade:
        y[-fade:] *= np.linspace(1.0, 0.0, fade)
    return y.astype(np.float32)

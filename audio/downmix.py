"""Stereo downmix of multichannel audio: the one rule that playback (:mod:`audio.mixer`) and separation
(:mod:`audio.separation_cache`) both use, so a 5.1 song sounds the same in the player and in its stems.

Channels are in WAV order (WAVEFORMATEXTENSIBLE / SMPTE: FL FR FC LFE BL BR ...), which :mod:`audio.decoders`
delivers for every format (Vorbis and Opus files, whose own order is FL FC FR ..., are reordered there).

* 6 channels (5.1: FL FR FC LFE BL BR): ITU-R BS.775, L = FL + 0.707 FC + 0.707 BL, R = FR + 0.707 FC + 0.707 BR,
  LFE left out (it carries nothing a stereo mix needs, and adding it muddies the bass).
* Other counts up to 8: the same rule on the default WAVEFORMATEXTENSIBLE layout of that count (3: FL FR FC;
  4: FL FR BL BR; 5: FL FR FC BL BR; 7: FL FR FC LFE BC SL SR; 8: FL FR FC LFE BL BR SL SR): a front channel goes
  to its side at 1, a centre channel (FC, BC) to both sides at 0.707, a surround channel to its side at 0.707,
  LFE nowhere.
* More than 8 channels (no standard layout): channels alternate between the sides (even index left, odd right)
  at equal weight.

Each side is then divided by the sum of its gains (2.414 for 5.1, as ffmpeg's default normalisation does), so
full-scale input cannot clip. Mono and stereo are left as they are.
"""

from __future__ import annotations

import numpy as np

_C = 0.7071  # -3 dB

# Gains (left, right) of each channel of the default layouts, in WAV order.
_LAYOUTS: dict[int, tuple[tuple[float, float], ...]] = {
    3: ((1, 0), (0, 1), (_C, _C)),
    4: ((1, 0), (0, 1), (_C, 0), (0, _C)),
    5: ((1, 0), (0, 1), (_C, _C), (_C, 0), (0, _C)),
    6: ((1, 0), (0, 1), (_C, _C), (0, 0), (_C, 0), (0, _C)),
    7: ((1, 0), (0, 1), (_C, _C), (0, 0), (_C, _C), (_C, 0), (0, _C)),
    8: ((1, 0), (0, 1), (_C, _C), (0, 0), (_C, 0), (0, _C), (_C, 0), (0, _C)),
}

#: Vorbis/Opus channel order -> WAV order, for the counts where they differ: ``wav = vorbis[ORDER[n]]``.
VORBIS_TO_WAV_ORDER: dict[int, tuple[int, ...]] = {
    3: (0, 2, 1),  # FL FC FR -> FL FR FC
    5: (0, 2, 1, 3, 4),  # FL FC FR BL BR
    6: (0, 2, 1, 5, 3, 4),  # FL FC FR BL BR LFE
    7: (0, 2, 1, 6, 5, 3, 4),  # FL FC FR SL SR BC LFE
    8: (0, 2, 1, 7, 5, 6, 3, 4),  # FL FC FR SL SR BL BR LFE
}


def downmix_matrix(channels: int) -> np.ndarray:
    """Gains ``[2, channels]`` float32 that turn ``channels`` WAV-ordered channels into left and right."""
    if channels < 1:
        raise ValueError("audio needs at least one channel")
    if channels <= 2:
        return np.eye(2, channels, dtype=np.float32) if channels == 2 else np.ones((2, 1), np.float32)
    if channels in _LAYOUTS:
        gains = np.array(_LAYOUTS[channels], dtype=np.float64).T
    else:
        gains = np.zeros((2, channels))
        gains[0, 0::2] = 1.0
        gains[1, 1::2] = 1.0
    return (gains / gains.sum(axis=1, keepdims=True)).astype(np.float32)


def to_stereo(samples: np.ndarray) -> np.ndarray:
    """``[channels, n]`` -> ``[2, n]`` float32 by the module's rule; one or two channels come back unchanged."""
    x = np.asarray(samples)
    if x.ndim != 2 or x.shape[0] <= 2:
        return x
    return downmix_matrix(x.shape[0]) @ x.astype(np.float32, copy=False)


__all__ = ["VORBIS_TO_WAV_ORDER", "downmix_matrix", "to_stereo"]

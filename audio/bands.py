"""Low-pass and high-pass versions of a song for the filtered waveforms (ArrowVortex-style): the kick and bass
below ~200 Hz, the hi-hats and snare attacks above ~2.5 kHz, so a designer sees which beats carry which sound.

Zero phase: each block is filtered forward and backward (``scipy.signal.sosfiltfilt``, a 4th-order Butterworth
each way), so an attack stays at its sample: a causal filter would draw the low band's kicks a few milliseconds
late, which is exactly what a waveform for syncing must not do. Blocks overlap by :data:`PAD_S` on each side
(the filter's response has died out long before) and only their middle is kept, so memory stays one block, not
a song-length copy in float64.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

import numpy as np

BANDS: dict[str, tuple[str, float]] = {
    "low-pass": ("lowpass", 200.0),  # kick, bass
    "high-pass": ("highpass", 2500.0),  # hi-hats, snare and vocal consonants
}
ORDER = 4
PAD_S = 0.5
BLOCK_S = 20.0


@lru_cache(maxsize=8)
def band_sos(sr: int, band: str) -> np.ndarray:
    """The filter of ``band`` (a key of :data:`BANDS`) at ``sr``, as second-order sections."""
    from scipy.signal import butter

    if band not in BANDS:
        raise ValueError(f"unknown band {band!r}; one of {', '.join(BANDS)}")
    kind, cutoff = BANDS[band]
    return butter(ORDER, min(cutoff, 0.45 * sr), btype=kind, fs=sr, output="sos")


def zero_phase(x: np.ndarray, sos: np.ndarray) -> np.ndarray:
    """``x`` (float64) filtered forward and backward; zeros when too short for sosfiltfilt's edge padding (a song
    that short has no band to draw)."""
    from scipy.signal import sosfiltfilt

    return sosfiltfilt(sos, x) if len(x) > 3 * (2 * len(sos) + 1) else np.zeros_like(x)


def band_blocks(blocks: Iterable[np.ndarray], sr: int, band: str) -> Iterator[np.ndarray]:
    """The mono ``blocks`` (float32, any lengths, in order) filtered to ``band`` (a key of :data:`BANDS`),
    re-blocked into :data:`BLOCK_S`-second float32 blocks; the concatenation has the input's length."""
    from scipy.signal import sosfiltfilt

    sos = band_sos(sr, band)
    block, pad = int(BLOCK_S * sr), int(PAD_S * sr)
    buf = np.zeros(0, dtype=np.float32)
    history = 0  # samples at the start of ``buf`` already emitted, kept as the next block's left padding
    for chunk in blocks:
        buf = np.concatenate([buf, np.asarray(chunk, dtype=np.float32)])
        while len(buf) - history >= block + pad:  # enough for a block and its right padding
            out = sosfiltfilt(sos, buf[:history + block + pad].astype(np.float64))
            yield out[history:history + block].astype(np.float32)
            keep_from = history + block - pad
            buf = buf[keep_from:]
            history = pad
    if len(buf) > history:
        yield zero_phase(buf.astype(np.float64), sos)[history:].astype(np.float32)

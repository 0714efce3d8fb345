"""The song's waveform zoomed in past the peak pyramid's 64-sample bins: the editor's pyramid reads the samples it
holds anyway, so at 4000 px/s an attack is drawn on its beat line, not up to a bin (12 px) before it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from editor.audio_support import peaks_for
from editor.session import AudioState

SR = 22050
CLICK = 64 * 1500 + 63  # the last sample of a 64-sample bin


def test_the_song_waveform_draws_an_attack_on_its_sample_at_high_zoom():
    stereo = np.zeros((2, SR * 10), np.float32)
    stereo[:, CLICK:CLICK + 22] = 0.9
    audio = AudioState(path=Path("clicks.wav"), samples=stereo, sample_rate_hz=SR)
    pyramid = peaks_for(audio)
    pps = 4000.0
    start, n = CLICK / SR - 0.05, 400
    lo, hi = pyramid.query(start, start + n / pps, n)
    first = start + int(np.flatnonzero(np.maximum(np.abs(lo), np.abs(hi)) > 0.1)[0]) / pps
    assert CLICK / SR - first <= 1.0 / pps  # at most the pixel holding the click's first sample (was 12 px)
    assert np.shares_memory(pyramid.samples, stereo)  # read from the song's samples, not a copy of them

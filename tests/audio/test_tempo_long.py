"""Long audio (an hour-long file) costs tempo detection bounded time and memory (audit: 90 s and 3.1 GB for 60 min).

Tempo is measured on the middle ``MAX_FOLD_S`` of longer audio, and the onset flux is computed in chunks. The
tests shrink ``MAX_FOLD_S`` so that a short synthetic song counts as long.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import audio.tempo as tempo
from audio import onset
from audio.onset import onset_envelope
from tests.audio.signals import click_track


def _phase_error_s(offset_s: float, true_offset_s: float, bpm: float) -> float:
    period = 60.0 / bpm
    d = (offset_s - true_offset_s) % period
    return min(d, period - d)


def test_songs_of_normal_length_are_measured_whole():
    assert tempo.MAX_FOLD_S >= 6 * 60  # 3-5 minute songs (and the evaluation's) keep their results
    assert tempo.fold_span(300.0) == (0.0, 300.0)
    assert tempo.fold_span(3600.0) == (1800.0 - tempo.MAX_FOLD_S / 2, 1800.0 + tempo.MAX_FOLD_S / 2)


def test_long_audio_is_analysed_on_a_bounded_excerpt_on_the_songs_clock(monkeypatch):
    monkeypatch.setattr(tempo, "MAX_FOLD_S", 20.0, raising=False)
    sizes: list[int] = []

    def spy(x, sr, *args, **kwargs):
        sizes.append(np.shape(x)[-1])
        return onset_envelope(x, sr, *args, **kwargs)

    monkeypatch.setattr(tempo, "onset_envelope", spy)
    sr, bpm, offset = 22050, 155.0, 0.3  # 20 s is not a whole number of beats: the excerpt's start must be added
    samples = click_track(bpm, offset, 60.0, sr, noise=0.002)
    best = tempo.detect_tempo(np.stack([samples, samples]), sr)[0]  # stereo: cut before the mix-down
    assert sizes == [int(round(20.0 * sr))]  # not the whole minute
    assert abs(best.bpm / bpm - 1) < 0.001, best
    assert _phase_error_s(best.offset_s, offset, bpm) < 0.002, best


def test_a_long_envelope_is_folded_on_its_middle_only(monkeypatch):
    sr, bpm, offset = 22050, 137.0, 0.41
    env, rate, t0 = onset_envelope(click_track(bpm, offset, 45.0, sr, noise=0.002), sr)
    monkeypatch.setattr(tempo, "MAX_FOLD_S", 15.0, raising=False)
    frames: list[int] = []
    real = tempo.tempo_hypotheses
    monkeypatch.setattr(tempo, "tempo_hypotheses", lambda e, *a, **k: frames.append(np.shape(e)[-1]) or real(e, *a, **k))
    best = tempo.detect_tempo_from_envelope(env, rate, t0)[0]
    assert frames == [int(round(15.0 * rate))]
    assert abs(best.bpm / bpm - 1) < 0.001, best
    assert _phase_error_s(best.offset_s, offset, bpm) < 0.002, best


def test_the_flux_is_computed_in_chunks_with_the_same_result(monkeypatch):
    x = click_track(128.0, 0.2, 90.0, 22050, noise=0.01)
    whole = onset._flux(x, 22, 2, 256)
    monkeypatch.setattr(onset, "CHUNK_FRAMES", 1000)
    tracemalloc.start()
    try:
        chunked = onset._flux(x, 22, 2, 256)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(chunked[0], whole[0])
    assert chunked[1:] == whole[1:]
    # The padded signal, the result and one chunk's spectra; before, four [frames, 32] arrays of the whole song
    # (bands, their log, the difference, its sum) were held at once: 4 x 11.5 MB more here.
    n_frames = chunked[0].shape[1]
    assert peak < x.nbytes + chunked[0].nbytes + 10e6, peak
    assert peak < x.nbytes + chunked[0].nbytes + 2 * n_frames * onset.N_BANDS * 4


@pytest.mark.parametrize("n", [0, 1, 3, 300, 1000, 2001])
def test_the_chunked_flux_handles_every_length(monkeypatch, n):
    x = np.random.default_rng(n).standard_normal(n * 22).astype(np.float32)
    whole = onset._flux(x, 22, 2, 256)
    monkeypatch.setattr(onset, "CHUNK_FRAMES", 1000)
    np.testing.assert_array_equal(onset._flux(x, 22, 2, 256)[0], whole[0])

"""A band waveform zoomed in filters one window around the view and reads the spans of later repaints (playback
frames, X-mod pieces) from it: it filtered every span again, designing the filter each time (1.5 ms a query,
25-30 ms a 20-piece X-mod repaint, against the mix's 0.1 and 0.7 ms). The window's short padding leaves the
filtered samples those of the whole song filtered at once."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal

from audio.bands import band_blocks
from editor.controllers.stems import WINDOW_S, BandSpan

SR = 22050


def song(seconds: float = 30.0) -> np.ndarray:
    rng = np.random.default_rng(1)
    n = int(seconds * SR)
    y = 0.1 * rng.standard_normal((2, n)).astype(np.float32)
    for k in range(0, n - 200, SR // 2):  # attacks every half second
        y[:, k:k + 200] += np.exp(-np.arange(200) / 40.0).astype(np.float32)
    return y


@pytest.fixture
def filter_calls(monkeypatch):
    calls: list[int] = []
    real = scipy.signal.sosfiltfilt

    def counting(sos, x, *args, **kwargs):
        calls.append(len(x))
        return real(sos, x, *args, **kwargs)

    monkeypatch.setattr(scipy.signal, "sosfiltfilt", counting)
    return calls


def test_playback_frames_and_xmod_pieces_reuse_one_filtered_window(filter_calls):
    span = BandSpan(song(), SR, "low-pass")
    view = int(0.225 * SR)  # 900 px at 4000 px/s
    start = 10 * SR
    for frame in range(30):  # half a second of playback at 60 fps
        first = start + frame * SR // 60
        for piece in range(20):  # an X-mod repaint: 20 pieces
            a = first + piece * view // 20
            span(a, a + view // 20)
    assert len(filter_calls) == 1, f"filtered {len(filter_calls)} times for 600 spans inside one window"
    # scrolling on through the song filters again only as the view leaves the window
    for frame in range(60 * 10):  # ten seconds of playback
        first = start + frame * SR // 60
        span(first, first + view)
    assert len(filter_calls) <= 1 + 10 / (WINDOW_S / 2) + 1


@pytest.mark.parametrize("band", ["low-pass", "high-pass"])
def test_windowed_spans_are_the_whole_song_filtered(band):
    samples = song()
    whole = np.concatenate(list(band_blocks([samples.mean(axis=0, dtype=np.float32)], SR, band)))
    span = BandSpan(samples, SR, band)
    n = samples.shape[-1]
    for first, stop in ((0, 500), (n - 300, n), (SR * 12, SR * 12 + 4000), (SR * 12 + 5000, SR * 12 + 9000),
                        (SR * 14 - 7, SR * 14 + 900), (SR * 3, SR * 11), (n - 10, n + 50)):
        got = span(first, stop)
        assert got.shape == (1, min(stop, n) - first)
        assert np.allclose(got[0], whole[first:stop], atol=1e-6), (first, stop)
        assert np.abs(got[0] - whole[first:stop]).max() < 1e-6

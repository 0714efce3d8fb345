"""The mix filtered to a band for the waveform (:mod:`audio.bands`, zero phase): its peak pyramid, built in a
background job on first use, and the fine spans read when the view is zoomed in past the pyramid's bins.
(Split from :mod:`editor.controllers.stems`, which re-exports these names.)"""

from __future__ import annotations

import numpy as np

from editor.workers import JobContext

MAX_BAND_GAIN = 8.0


def band_peaks_job(ctx: JobContext, samples: np.ndarray, sr: int, band: str, target_peak: float):
    """The peak pyramid of the mix filtered to ``band`` (:mod:`audio.bands`), block by block, scaled so that its
    loudest sample is drawn as large as the mix's (``target_peak``; at most :data:`MAX_BAND_GAIN` x): a band holds
    a fraction of the energy and would otherwise be a thin line."""
    from audio.bands import band_blocks
    from audio.peaks import PeakPyramid
    from editor.audio_support import mono_blocks

    total = max(1, samples.shape[-1])
    done = [0]

    def blocks():
        for block in band_blocks(mono_blocks(samples), sr, band):
            ctx.check()
            done[0] += len(block)
            ctx.report(done[0] / total, f"Filtering ({band})")
            yield block

    pyramid = PeakPyramid.from_blocks(blocks(), sr).with_reader(BandSpan(samples, sr, band))
    gain = min(MAX_BAND_GAIN, target_peak / pyramid.peak) if pyramid.peak > 0 else 1.0
    return pyramid.scaled(gain)


WINDOW_S = 4.0  # the span of a band filtered at once around the view zoomed in, reused while the view is in it
FINE_PAD_S = 0.1  # of the mix either side of that span: the filters' responses die out within ~10 ms


class BandSpan:
    """A span of the mix filtered to ``band`` as the band pyramid was (:func:`audio.bands.band_blocks`), for the
    waveform zoomed in past the pyramid's 64-sample bins: without it a bin's peak lit the whole bin and an attack
    was drawn up to a bin early (11 px at 22.05 kHz and 4000 px/s).

    Each repaint asks again (during playback every frame, in X-mod once per piece), so a window of
    :data:`WINDOW_S` (at least 3 spans) around the span asked is filtered once, with :data:`FINE_PAD_S` of the
    mix either side, and the spans inside it are read from it; it is filtered again only when a span leaves it
    (filtering each span, with the filter designed again, cost 1.5 ms a query and 25-30 ms a 20-piece repaint).
    A reference to the samples and that window are kept, no filtered copy of the song (that would be 4 bytes a
    sample per band)."""

    def __init__(self, samples: np.ndarray, sr: int, band: str):
        self.samples, self.sr, self.band = samples, int(sr), band
        self.window_at = 0  # the first sample of ``window``
        self.window = np.zeros(0, np.float32)

    def __call__(self, first: int, stop: int) -> np.ndarray:
        stop = min(stop, self.samples.shape[-1])
        if stop <= first:
            return np.zeros((1, max(stop - first, 0)), np.float32)
        at = self.window_at
        if first < at or stop > at + len(self.window):
            self._filter_around(first, stop)
            at = self.window_at
        return self.window[None, first - at:stop - at]

    def _filter_around(self, first: int, stop: int) -> None:
        from audio.bands import band_sos, zero_phase

        n, sos = self.samples.shape[-1], band_sos(self.sr, self.band)
        length = min(max(int(WINDOW_S * self.sr), 3 * (stop - first)), n)
        w0 = min(max((first + stop - length) // 2, 0), n - length)
        w1 = w0 + length
        pad = int(FINE_PAD_S * self.sr)
        lo, hi = max(w0 - pad, 0), min(w1 + pad, n)
        chunk = self.samples[..., lo:hi]
        mono = chunk.mean(axis=0, dtype=np.float64) if chunk.ndim == 2 else chunk.astype(np.float64)
        mono = zero_phase(mono, sos)  # as audio.bands.band_blocks filters the pyramid
        self.window_at, self.window = w0, mono[w0 - lo:w1 - lo].astype(np.float32)

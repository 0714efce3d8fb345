"""The lane's SliceTiler computes one spectrogram tile per tile it draws, of just the frames it keeps (it made a
sub-tiler over its whole segment and computed both of its tiles, the second thrown away)."""

from __future__ import annotations

import numpy as np


def test_a_lane_tile_is_one_sub_tile_of_the_frames_it_keeps(monkeypatch):
    import audio.spectrogram as spectrogram
    from editor.timeline.spectrogram_item import SliceTiler

    sr = 22050
    x = (0.2 * np.random.default_rng(3).standard_normal((2, sr * 12))).astype(np.float32)
    tiler = SliceTiler(x, sr)
    computed: list[int] = []
    real = spectrogram.SpectrogramTiler.tile

    def tile(self, index):
        out = real(self, index)
        computed.append(out.db.shape[1])
        return out

    monkeypatch.setattr(spectrogram.SpectrogramTiler, "tile", tile)
    start_s, end_s, db = tiler.tile(1)
    assert computed == [tiler.frames_per_tile + tiler.pre]  # was two sub-tiles, the whole segment
    assert db.shape[1] == tiler.frames_per_tile
    whole = spectrogram.SpectrogramTiler(x.mean(axis=0), sr, tiler.params).full()
    first = tiler.frames_per_tile
    assert np.max(np.abs(db - whole[:, first:first + db.shape[1]])) < 1e-3  # the same frames as the whole song's
    assert start_s == first * tiler.hop_s

"""inference.beatguide: channels on constant and changing tempo, masking."""

from __future__ import annotations

import numpy as np

from chart.timing import TimingData
from inference.beatguide import BEAT_GUIDE_CHANNELS, beat_guide, beat_guide_window, mask_beat_marks


def _hits(guide: np.ndarray, name: str) -> np.ndarray:
    return np.flatnonzero(guide[:, BEAT_GUIDE_CHANNELS.index(name)] > 0.5)


def test_constant_bpm_channels() -> None:
    # 120 BPM, beat 0 at 0.1 s: beats every 50 frames from frame 10 at 100 frames/s.
    g = beat_guide(TimingData.constant(120, offset="-0.1"), 420, 100.0)
    assert g.shape == (420, len(BEAT_GUIDE_CHANNELS))
    assert g.dtype == np.float32
    assert list(_hits(g, "beat")) == [10, 60, 110, 160, 210, 260, 310, 360, 410]
    assert list(_hits(g, "downbeat")) == [10, 210, 410]
    assert list(_hits(g, "half_beat")) == [35, 85, 135, 185, 235, 285, 335, 385]
    quarter = _hits(g, "quarter_beat")
    assert len(quarter) == 16
    assert abs(int(quarter[0]) - 22) <= 1
    assert abs(int(quarter[1]) - 48) <= 1
    sin, cos = g[:, 2], g[:, 3]
    assert np.allclose(sin ** 2 + cos ** 2, 1.0, atol=1e-5)
    assert abs(sin[10]) < 1e-5
    assert cos[10] > 0.999
    assert abs(sin[35]) < 1e-5
    assert cos[35] < -0.999


def test_bpm_change_and_stop_move_the_beats() -> None:
    timing = TimingData(offset=0, bpms=((0, 120), (4, 60)), stops=((2, "0.5"),))
    g = beat_guide(timing, 700, 100.0)
    # beats 0,1,2 at 0, .5, 1.0 s; stop 0.5 s after beat 2; beat 3 at 2.0, beat 4 at 2.5, then 1 s per beat.
    assert list(_hits(g, "beat")) == [0, 50, 100, 200, 250, 350, 450, 550, 650]


def test_window_matches_full_guide() -> None:
    timing = TimingData.constant(150, offset="0.03")
    full = beat_guide(timing, 1000, 100.0)
    part = beat_guide_window(timing, 3.0, 200, 0.01)
    assert np.allclose(part, full[300:500], atol=1e-5)


def test_masking_drops_only_impulses() -> None:
    g = beat_guide(TimingData.constant(120), 2000, 100.0)
    m = mask_beat_marks(g, 0.5, np.random.default_rng(0))
    assert 0 < (m[:, 0] > 0).sum() < (g[:, 0] > 0).sum()
    assert np.array_equal(m[:, 2:4], g[:, 2:4])

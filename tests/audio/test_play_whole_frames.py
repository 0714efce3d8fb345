"""At rate 1 the music is copied, whatever fraction of a frame play starts at (a note's row, a pause, a wrap).

A play position between two frames (93 of the demo's 115 note rows; every pause) made the renderer interpolate
every sample for the whole play, and linear interpolation at a fixed fraction is a low-pass filter: -9 dB at
16-18 kHz at half a frame. The renderer now starts on the nearest whole frame (at most half a frame, 11 us, away),
and the clock says so.
"""

from __future__ import annotations

import numpy as np
import pytest

from audio.clock import PlaybackClock
from audio.mixer import Renderer, SourceMix, Transport

SR = 44100
BLOCK = 512
STEP = 2.0 ** -20  # ramp music: sample value = frame index * STEP (exact in float32)


def _renderer() -> tuple[Renderer, PlaybackClock]:
    clock = PlaybackClock(SR)
    music = (np.arange(SR) * STEP).astype(np.float32)
    return Renderer(SourceMix.create([music], SR, 1), SR, 1, clock), clock


def _run(renderer: Renderer, n_blocks: int) -> np.ndarray:
    out = np.zeros((n_blocks * BLOCK, 1), np.float32)
    for i in range(n_blocks):
        renderer.render(out[i * BLOCK:(i + 1) * BLOCK], 100.0 + renderer.device_frame / SR)
    return out[:, 0]


@pytest.mark.parametrize(("start", "whole"), [(1000.75, 1001), (1000.5, 1000), (1000.25, 1000), (1000.0, 1000)])
def test_a_start_between_frames_copies_from_the_nearest_frame(start: float, whole: int) -> None:
    renderer, clock = _renderer()
    clock.hold(start / SR, 1, True)
    renderer.transport = Transport(1, True, start)
    out = _run(renderer, 8)
    np.testing.assert_array_equal(out, (np.arange(whole, whole + out.size) * STEP).astype(np.float32))
    assert clock.song_seconds(100.0) == whole / SR  # the playhead follows the frame that plays


def test_back_to_rate_one_after_slowed_play_copies_again() -> None:
    renderer, clock = _renderer()
    renderer.rate = 1 / 3  # 512 / 3 source frames a block: the position ends between frames
    clock.hold(0.0, 1, True)
    renderer.transport = Transport(1, True, 0.0)
    _run(renderer, 2)
    assert renderer.src_frame != int(renderer.src_frame)
    renderer.rate = 1.0
    out = _run(renderer, 4)
    frames = out / STEP
    np.testing.assert_array_equal(frames, np.round(frames))  # every sample is one source frame, none a blend
    np.testing.assert_array_equal(np.diff(frames), 1.0)


def test_a_loop_entered_between_frames_wraps_on_whole_frames() -> None:
    renderer, clock = _renderer()
    renderer.loop = (2000, 2700)
    clock.hold(1900.5 / SR, 1, True)
    renderer.transport = Transport(1, True, 1900.5)
    frames = _run(renderer, 6) / STEP
    expected = np.concatenate([np.arange(1900, 2700)] + [np.arange(2000, 2700)] * 4)[:frames.size]
    np.testing.assert_array_equal(frames, expected)

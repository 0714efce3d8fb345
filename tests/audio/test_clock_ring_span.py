"""The clock's ring reaches back as far as the playhead looks: device latency plus both user offsets at +-500 ms.

A fixed ring of 64 entries (64 blocks of 512 frames) covered 0.34 s at 96 kHz, and a short loop adds an entry at
every wrap; with a 300 ms latency setting no entry was old enough and the playhead froze at the play position
(pause jumped back there). The stand-in ``sounddevice`` module (:mod:`tests.audio.fake_sounddevice`) runs the
callback by hand on an exact DAC timeline, so the truth is plain arithmetic.
"""

from __future__ import annotations

import numpy as np
import pytest

from audio.clock import PlaybackClock, ring_capacity
from audio.player import MIN_LOOP_S, Player
from tests.audio.fake_sounddevice import FakeStream, install

SR = 96000
START_S = 5.0


@pytest.mark.parametrize("loop_s", [None, MIN_LOOP_S], ids=["no-loop", "10ms-loop"])
@pytest.mark.parametrize("visual_s", [0.0, -0.5], ids=["no-visual-offset", "visual-offset--500ms"])
def test_playhead_follows_at_96k_with_a_500ms_latency_setting(monkeypatch, loop_s, visual_s) -> None:
    install(monkeypatch, SR)
    player = Player.open(np.zeros(20 * SR, np.float32), SR, output="sounddevice")
    stream = FakeStream.last
    assert stream is not None
    assert stream.samplerate == SR
    try:
        player.output_latency_s, player.visual_offset_s = 0.5, visual_s
        if loop_s is not None:
            player.set_loop(START_S, START_S + loop_s)
        first_dac = stream.next_dac  # the play request's first block sounds then
        player.play(START_S)
        for _ in range(90):  # 1.44 s of GUI frames
            stream.pump(0.016)
        readings = []
        for _ in range(10):
            stream.pump(0.0123)
            audible = stream.t - 0.5 + visual_s - first_dac  # real (= song, rate 1) seconds played at the eye
            want = START_S + (audible if loop_s is None else audible % loop_s)
            readings.append((player.position_s(), want))
        for got, want in readings:
            if loop_s is None:
                assert got == pytest.approx(want, abs=1e-6)
            else:  # compare on the loop's circle: a reading right at the wrap may sit on either side
                delta = (got - want + loop_s / 2) % loop_s - loop_s / 2
                assert abs(delta) < 1e-6, (got, want)
                assert START_S <= got < START_S + loop_s
        player.pause()
        held = START_S + (stream.t - 0.5 - first_dac) if loop_s is None else None
        if held is not None:
            assert player.position_s() == pytest.approx(held, abs=1e-6)  # pause froze where it is heard
    finally:
        player.close()


def test_ring_capacity_counts_blocks_and_loop_wraps() -> None:
    base = ring_capacity(96000, 512, 0.1, 0.0)
    assert base * 512 / 96000 >= 0.1 + 2 * 0.5  # device latency + both offsets at their limit
    with_wraps = ring_capacity(96000, 512, 0.1, 100.0)
    assert with_wraps - base >= 100.0 * (0.1 + 2 * 0.5)  # one entry per wrap over the same span


def test_reserve_grows_the_ring_and_keeps_its_entries() -> None:
    clock = PlaybackClock(44100, capacity=8, window=4)
    clock.hold(0.0, request=1, playing=True)
    for i in range(20):  # wraps the small ring
        clock.record(10.0 + i * 512 / 44100, i * 512, i * 512, 1.0, 1, 1)
    t = 10.0 + 15.5 * 512 / 44100
    before = clock.song_seconds(t)
    clock.reserve(64)
    assert clock.capacity == 64
    assert clock.song_seconds(t) == before
    clock.reserve(16)  # never shrinks
    assert clock.capacity == 64
    for i in range(20, 80):
        clock.record(10.0 + i * 512 / 44100, i * 512, i * 512, 1.0, 1, 1)
    t = 10.0 + 20.5 * 512 / 44100  # 59 entries back: outside the old 8-entry ring
    assert clock.song_seconds(t) == pytest.approx(20.5 * 512 / 44100, abs=1e-9)

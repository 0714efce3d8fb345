"""A sound device that stops mid-play (unplugged, a host error, an exception in the callback) is noticed.

A stand-in ``sounddevice`` module (:mod:`tests.audio.fake_sounddevice`) plays PortAudio's part; the test moves its
clock and asks for blocks by hand. Before the fix the playhead extrapolated past the song end with
``is_playing`` True, and a failing ``Stream.time`` raised out of ``pause``.
"""

from __future__ import annotations

import numpy as np
import pytest

from audio.output_watch import STALL_S, StallWatch
from audio.player import Player
from tests.audio.fake_sounddevice import FakeStream, install

SR = 22050


@pytest.fixture
def player(monkeypatch):
    install(monkeypatch, SR)
    p = Player.open(np.zeros(20 * SR, np.float32), SR, output="sounddevice")
    assert p.has_device
    p.play(1.0)
    for _ in range(60):  # about a second of normal play
        FakeStream.last.pump(0.016)
        assert p.is_playing
    yield p, FakeStream.last
    p.close()


def _heard_end(stream: FakeStream) -> float:
    """Song seconds at the end of the last block the device was given (play started at 1 s, DAC 1000.05 s)."""
    return 1.0 + (stream.next_dac - 1000.05)


def test_callbacks_that_stop_pause_the_player_where_the_sound_stopped(player):
    p, stream = player
    stream.calling = False  # unplugged: PortAudio keeps the stream "active" but asks for nothing more
    for _ in range(200):  # 3.2 s of GUI frames
        stream.pump(0.016)
        p.is_playing  # noqa: B018 - the GUI timer's poll
    assert not p.is_playing
    assert p.output_failure == "the sound device stopped asking for sound"
    assert not p.has_device
    frozen = p.position_s()
    assert frozen == pytest.approx(_heard_end(stream), abs=0.002)  # not 4 s further on
    stream.pump(30.0)
    assert p.position_s() == frozen


def test_finished_callback_and_inactive_stream_are_failures(player):
    p, stream = player
    stream.calling = stream.is_active = False
    if stream.finished_callback is not None:  # the host aborted the stream; PortAudio tells whoever asked
        stream.finished_callback()
    stream.pump(0.5)
    assert not p.is_playing
    assert "the device may have gone" in p.output_failure
    assert p.position_s() == pytest.approx(_heard_end(stream), abs=0.002)


def test_a_failing_stream_clock_pauses_instead_of_raising(player):
    p, stream = player
    stream.time_fails = True
    p.pause()  # Space: raised PortAudioError before
    assert p.output_failure == "the stream clock failed: Error getting stream time"
    assert not p.is_playing
    assert p.position_s() <= _heard_end(stream) + 1e-9


def test_an_exception_in_the_callback_is_reported(player):
    p, stream = player
    p.output._render = lambda *args: 1 / 0  # the next block raises inside the callback
    stream.pump(0.1)
    assert not p.is_playing
    assert p.output_failure == "playback failed: division by zero"


def test_our_own_close_is_not_a_failure(player):
    p, stream = player
    health = p.output.health
    p.close()
    assert health.reason is None


def test_stall_watch_waits_out_a_busy_gui_thread():
    """A GUI thread busy for 2 s (and holding the GIL from the callback) is not a lost device: the first poll
    after a long gap starts counting again."""
    watch = StallWatch()
    assert not watch.stalled(10, 0.0, 0.0)
    assert not watch.stalled(10, 2.0, 2.0)  # 2 s since the last poll: the count restarts
    assert not watch.stalled(11, 2.02, 2.02)
    t = 2.02
    while t < 2.02 + STALL_S - 0.05:  # regular polls, no block: not yet
        t += 0.016
        assert not watch.stalled(11, t, t)
    assert watch.stalled(11, t + 0.1, t + 0.1)

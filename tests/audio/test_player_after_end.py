"""``Player.play()`` / ``toggle()`` with no position after the song ended start from the top, as documented.

The player remembered only where the last play *started* (the song end is reached in the callback, and nothing on
the GUI side was told), so play() after the end went back to that start instead of to 0 s. The stand-in
``sounddevice`` module (:mod:`tests.audio.fake_sounddevice`) runs the callback by hand on an exact DAC timeline.
"""

from __future__ import annotations

import numpy as np
import pytest

from audio.player import Player
from tests.audio.fake_sounddevice import FakeStream, install

SR = 22050


@pytest.fixture
def ended(monkeypatch):
    """A 3 s song played from 2.5 s until its end has been heard."""
    install(monkeypatch, SR)
    player = Player.open(np.full(3 * SR, 0.1, np.float32), SR, output="sounddevice")
    stream = FakeStream.last
    player.play(2.5)
    for _ in range(60):  # about a second: the end (0.5 s of song + 50 ms of device latency) is heard
        stream.pump(0.016)
    assert not player.is_playing
    assert player.position_s() == pytest.approx(3.0)
    yield player, stream
    player.close()


@pytest.mark.parametrize("method", ["play", "toggle"])
def test_play_after_the_end_starts_from_the_top(ended, method: str) -> None:
    player, stream = ended
    getattr(player, method)()
    assert player.renderer.transport.start_frame == 0.0
    assert player.position_s() == 0.0  # held at the start until its audio reaches the DAC
    first_dac = stream.next_dac
    stream.pump(0.2)
    assert player.is_playing
    assert player.position_s() == pytest.approx(stream.t - first_dac, abs=1e-6)


def test_pause_and_play_still_resume_where_paused(ended) -> None:
    player, stream = ended
    player.play(1.0)
    for _ in range(10):
        stream.pump(0.016)
    player.pause()
    paused = player.position_s()
    assert paused > 1.0
    player.play()
    assert player.renderer.transport.start_frame == pytest.approx(paused * SR)

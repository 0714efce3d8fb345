"""Playing from before the audio: silence first, the music on time, a negative playhead (the lead-in test play
and record give a note near the song start). Before, a negative start was clamped to 0 s."""

from __future__ import annotations

import numpy as np
import pytest

from audio.clock import PlaybackClock
from audio.player import Player

SR = 8000
BLOCK = 256


def _player() -> Player:
    return Player._build(np.full(SR, 0.5, np.float32), SR, SR, 1, PlaybackClock(SR))  # 1 s of music, no output


def _render(player: Player, seconds: float, dac0: float = 10.0) -> np.ndarray:
    out, blocks = np.zeros((BLOCK, 1), np.float32), []
    for i in range(int(seconds * SR) // BLOCK):
        player.renderer.render(out, dac0 + i * BLOCK / SR)
        blocks.append(out[:, 0].copy())
    return np.concatenate(blocks)


@pytest.mark.parametrize("keep_pitch", [False, True])
def test_play_before_zero_plays_silence_then_the_music(keep_pitch):
    player = _player()
    player.keep_pitch = keep_pitch
    player.rate = 1.0
    player.play(from_s=-0.5)
    audio = _render(player, 0.9)
    start = int(np.flatnonzero(np.abs(audio) > 0.25)[0])
    assert start == pytest.approx(0.5 * SR, abs=2)  # half a second of silence, then the music
    assert not np.any(audio[:start - 2])
    assert player.position_s(10.25) == pytest.approx(-0.25)
    assert player.position_s(10.75) == pytest.approx(0.25)


def test_lead_in_has_a_floor_and_the_end_still_clamps():
    from audio.player import LEAD_IN_MAX_S

    player = _player()
    player.play(from_s=-60.0)
    assert player.position_s(0.0) == -LEAD_IN_MAX_S
    player.seek(5.0)
    assert player.position_s(0.0) == pytest.approx(player.duration_s)

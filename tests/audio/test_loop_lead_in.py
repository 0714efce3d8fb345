"""A loop before the audio's start loops the lead-in silence too (as play from there plays it); a loop the audio
cannot reach is refused with the true reason. Before, the start was clamped to 0 s: a loop of notes at -1.0 and
-0.06 s played 55 ms of music over and over, and one of the note at -1.0 s alone (or of notes past the audio's end)
was refused as "a loop must be at least 10 ms long"."""

from __future__ import annotations

import numpy as np
import pytest

from audio.clock import PlaybackClock
from audio.player import LEAD_IN_MAX_S, Player

SR = 8000
BLOCK = 256


def _player() -> Player:
    return Player._build(np.full(SR, 0.5, np.float32), SR, SR, 1, PlaybackClock(SR))  # 1 s of music, no output


def _render(player: Player, seconds: float) -> np.ndarray:
    out, blocks = np.zeros((BLOCK, 1), np.float32), []
    for i in range(int(seconds * SR) // BLOCK):
        player.renderer.render(out, 10.0 + i * BLOCK / SR)
        blocks.append(out[:, 0].copy())
    return np.concatenate(blocks)


def test_a_loop_from_before_the_audio_loops_its_lead_in() -> None:
    player = _player()
    player.set_loop(-0.5, 0.25)
    assert player.loop_s == pytest.approx((-0.5, 0.25))
    player.play(from_s=-0.5)
    audio = _render(player, 2.25)  # three passes of 0.75 s
    music = np.abs(audio) > 0.25
    for k in range(3):
        a = int(k * 0.75 * SR)
        assert not music[a:a + int(0.5 * SR) - 2].any()  # each pass: half a second of silence ...
        assert music[a + int(0.5 * SR) + 2:a + int(0.75 * SR) - 2].all()  # ... then a quarter of music


def test_a_loop_wholly_in_the_lead_in_is_accepted() -> None:
    player = _player()
    player.set_loop(-1.0, -0.5)
    assert player.loop_s == pytest.approx((-1.0, -0.5))


def test_the_lead_in_floor_clamps_a_loop_start() -> None:
    player = _player()
    player.set_loop(-20.0, 0.5)
    assert player.loop_s == pytest.approx((-LEAD_IN_MAX_S, 0.5))


@pytest.mark.parametrize(("span", "reason"), [
    ((1.5, 2.0), "the loop lies past the audio's end (1.00 s)"),
    ((1.0, 1.2), "the loop lies past the audio's end (1.00 s)"),
    ((-30.0, -20.0), f"the loop lies more than {LEAD_IN_MAX_S:.0f} s before the audio's start"),
    ((0.5, 0.505), "a loop must be at least 10 ms long"),
])
def test_a_loop_play_cannot_reach_says_why(span: tuple[float, float], reason: str) -> None:
    with pytest.raises(ValueError, match=r"loop") as info:
        _player().set_loop(*span)
    assert str(info.value) == reason

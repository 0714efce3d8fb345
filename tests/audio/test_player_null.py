"""The whole playback path in real time against the null output (no sound card needed)."""

from __future__ import annotations

import importlib.abc
import sys
import time
import types

import numpy as np
import pytest

from audio.player import NullOutput, Player, PlayerError
from benchmarks.playback_probe import probe

SR = 44100


def wait_until(predicate, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.005)


@pytest.mark.parametrize("report_dac", [True, False], ids=["dac-times", "fallback-current-time"])
def test_playhead_tracks_the_frames_fed_within_2ms(report_dac: bool) -> None:
    """Truth is read back from the captured output (ramp music), independent of the clock."""
    result = probe("null", seconds=1.5, report_dac=report_dac)
    assert result["readings"] > 20
    assert result["monotonic"]
    assert result["err_abs_p99_ms"] <= 2.0, result
    assert not result["has_device"]


def test_rate_half_doubles_the_playing_time() -> None:
    music = np.full(int(0.4 * SR), 0.01, np.float32)
    with Player.open(music, SR, output="null") as player:
        player.rate = 0.5
        t0 = time.monotonic()
        player.play(0.0)
        wait_until(lambda: not player.is_playing)
        elapsed = time.monotonic() - t0
        assert player.position_s() == pytest.approx(0.4, abs=1e-9)  # stopped = the end has been heard
        time.sleep(0.05)
        assert player.position_s() == pytest.approx(0.4, abs=1e-9)  # stays at the end
    assert 0.8 <= elapsed <= 1.6  # 0.8 s of output (+ latency and a loaded CI machine's slack)


def test_pause_freezes_and_play_resumes_where_it_stopped() -> None:
    with Player.open(np.zeros(5 * SR, np.float32), SR, output="null") as player:
        player.play(1.0)
        wait_until(lambda: player.position_s() > 1.15)
        player.pause()
        frozen = player.position_s()
        time.sleep(0.1)
        assert player.position_s() == frozen
        assert not player.is_playing
        player.play()
        wait_until(lambda: player.position_s() > frozen + 0.05)
        assert player.is_playing


def test_seek_while_playing_jumps_and_keeps_playing() -> None:
    with Player.open(np.zeros(10 * SR, np.float32), SR, output="null") as player:
        player.play(0.0)
        wait_until(lambda: player.position_s() > 0.05)
        player.seek(7.0)
        assert player.position_s() == pytest.approx(7.0)  # held at the target until the audio gets there
        wait_until(lambda: player.position_s() > 7.05)
        assert player.position_s() < 8.0


def test_loop_wraps_in_real_time() -> None:
    with Player.open(np.zeros(5 * SR, np.float32), SR, output="null") as player:
        player.set_loop(1.0, 1.15)
        assert player.loop_s == pytest.approx((1.0, 1.15))
        player.play(1.0)
        seen = []
        t_end = time.monotonic() + 0.6
        while time.monotonic() < t_end:
            seen.append(player.position_s())
            time.sleep(0.01)
    pos = np.array(seen)
    assert pos.min() >= 1.0 - 1e-9
    assert pos.max() < 1.15 + 1e-6
    assert int(np.sum(np.diff(pos) < -0.05)) >= 2  # wrapped at least twice


def test_ticks_land_on_exact_frames_through_the_player() -> None:
    music = np.full(2 * SR, 0.001, np.float32)  # DC marks where playback starts in the capture
    with Player.open(music, SR, output="null", capture_s=2.0) as player:
        output = player.output
        assert isinstance(output, NullOutput)
        player.set_ticks(beat_s=np.array([0.1, 0.35]), note_s=np.array([0.2]))
        player.tick_volume = 0.5
        player.play(0.0)
        wait_until(lambda: player.position_s() > 0.5)
    audio, _ = output.captured()
    ch = audio[:, 0]
    start = int(np.flatnonzero(ch != 0)[0])
    for t in (0.1, 0.2, 0.35):
        f = start + round(t * SR)
        assert ch[f - 1] == pytest.approx(0.001, abs=1e-7)  # music only on the frame before
        assert ch[f] == pytest.approx(0.501, abs=1e-6)  # tick onset (first sample 1.0 x 0.5) on its frame


def test_volumes_and_stems_through_the_player() -> None:
    with Player.open(np.zeros(SR, np.float32), SR, output="null", capture_s=1.0) as player:
        output = player.output
        assert isinstance(output, NullOutput)
        with pytest.raises(ValueError, match="no stems"):
            player.set_stem_gain(0, 0.5)
        player.set_stems([np.full(SR, 0.1, np.float32), np.full(SR, 0.2, np.float32)])
        player.set_stem_gain(1, 1.0, muted=True)
        player.music_volume = 0.5
        player.play(0.0)
        wait_until(lambda: player.position_s() > 0.2)
    audio, _ = output.captured()
    played = audio[np.abs(audio[:, 0]) > 0, 0]
    np.testing.assert_allclose(played, 0.05, atol=1e-7)


def test_bad_settings_are_refused() -> None:
    with Player.open(np.zeros(SR, np.float32), SR, output="null") as player:
        with pytest.raises(ValueError, match="rate"):
            player.rate = 0.2
        with pytest.raises(ValueError, match="10 ms"):
            player.set_loop(0.5, 0.505)
    with pytest.raises(ValueError, match="output"):
        Player.open(np.zeros(SR, np.float32), SR, output="speakers")


class _BrokenPortAudio(importlib.abc.MetaPathFinder):
    """Importing sounddevice fails as it does when libportaudio2 is missing."""

    def find_spec(self, name, path=None, target=None):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return None


def test_auto_falls_back_to_null_when_portaudio_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_BrokenPortAudio(), *sys.meta_path])
    with Player.open(np.zeros(SR, np.float32), SR) as player:
        assert not player.has_device
        assert "PortAudio" in player.backend_description
        assert "no sound device" in player.backend_description
        player.play(0.0)
        wait_until(lambda: player.position_s() > 0.02)  # still plays (silently) with a moving playhead
    with pytest.raises(PlayerError, match="PortAudio"):
        Player.open(np.zeros(SR, np.float32), SR, output="sounddevice")


def test_auto_falls_back_to_null_without_an_output_device(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("sounddevice")

    class PortAudioError(Exception):
        pass

    def query_devices(device=None, kind=None):
        raise PortAudioError("No output device matching ''")

    fake.PortAudioError = PortAudioError  # type: ignore[attr-defined]
    fake.query_devices = query_devices  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sounddevice", fake)
    with Player.open(np.zeros(SR, np.float32), SR) as player:
        assert not player.has_device
        assert "No output device" in player.backend_description

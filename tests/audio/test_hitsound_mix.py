"""An osu! map's hitsounds in the callback's signal path (audio/ticks.py, audio/hitsound_bank.py): each sample
lands on its note's frame at every rate, at its own pitch, scaled by the note's volume and the tick volume."""

from __future__ import annotations

import numpy as np
import pytest

from audio.clock import PlaybackClock
from audio.hitsound_bank import SampleBank, plan_sounds
from audio.mixer import Renderer, SourceMix, Transport
from audio.ticks import TickTrack, TickTracks, mix_ticks
from chart.formats import osu_mania
from chart.hitsound_play import hitsound_plan
from tests.audio.signals import peak_allocated

SR = 44100
BLOCK = 512
HEAD = ("osu file format v14\n\n[General]\nAudioFilename: a.wav\nMode: 3\n\n[Metadata]\nTitle:T\nCreator:C\n"
        "Version:Hard\n\n[Difficulty]\nCircleSize:4\n\n[TimingPoints]\n0,500,4,1,0,100,1,0\n\n[HitObjects]\n")


def sounds_of(objects: str, bank: SampleBank):
    song = osu_mania.loads(HEAD + objects)
    chart = song.charts[0]
    return plan_sounds(hitsound_plan(song, chart, song.timing_for(chart)), None, SR, bank)


def render(sounds, rate: float, seconds: float = 3.0, tick_gain: float = 0.5) -> np.ndarray:
    clock = PlaybackClock(SR)
    renderer = Renderer(SourceMix.create([np.zeros(int(SR * seconds), np.float32)], SR, 2), SR, 2, clock)
    renderer.rate = rate
    renderer.tick_gain = tick_gain
    renderer.ticks = TickTracks(SR).tracks(None, None, sounds)
    clock.hold(0.0, 1, True)
    renderer.transport = Transport(1, True, 0.0)
    n = int(SR * seconds / rate) // BLOCK * BLOCK
    out = np.zeros((n, 2), np.float32)
    for i in range(0, n, BLOCK):
        renderer.render(out[i:i + BLOCK], 100.0 + i / SR)
    return out


def placed(n: int, at: int, *samples: np.ndarray, gain: float) -> np.ndarray:
    y = np.zeros(n, np.float32)
    for s in samples:
        y[at:at + s.size] += gain * s[:max(n - at, 0)]
    return y


@pytest.mark.parametrize("rate", [1.0, 0.5])
def test_a_whistle_and_clap_note_plays_both_samples_from_its_frame(rate: float) -> None:
    bank = SampleBank()
    out = render(sounds_of("64,192,1000,1,10,0:0:0:0:\n", bank), rate)
    whistle, clap = bank.builtin("normal", "whistle", SR), bank.builtin("normal", "clap", SR)
    onset = int(np.floor(SR * 1.0 / rate + 0.5))  # the note's source frame, in output frames at this rate
    expected = placed(out.shape[0], onset, whistle, clap, gain=0.5)
    np.testing.assert_allclose(out[:, 0], expected, atol=1e-6)
    np.testing.assert_array_equal(out[:, 0], out[:, 1])
    assert not out[:onset].any()
    assert out[onset, 0] != 0.0
    assert bank.builtin("normal", "normal", SR).size != whistle.size  # the plain click would not have matched


def test_the_note_s_volume_scales_its_samples() -> None:
    bank = SampleBank()
    out = render(sounds_of("64,192,500,1,0,0:0:0:30:\n192,192,1500,1,0,0:0:0:0:\n", bank), 1.0, tick_gain=1.0)
    click = bank.builtin("normal", "normal", SR)
    expected = placed(out.shape[0], SR // 2, click, gain=0.3) + placed(out.shape[0], 3 * SR // 2, click, gain=1.0)
    np.testing.assert_allclose(out[:, 0], expected, atol=1e-6)


def test_per_tick_gains_follow_their_ticks_when_sorted() -> None:
    sample = np.ones(4, np.float32)
    track = TickTrack.from_seconds(np.array([0.3, np.nan, 0.1]), sample, 100.0, gains=np.array([0.5, 9.0, 0.25]))
    assert track.frames.tolist() == [10.0, 30.0]
    assert track.gains is not None
    assert track.gains.tolist() == [0.25, 0.5]
    out = np.zeros((40, 1), np.float32)
    mix_ticks(out, track, 0.0, 1.0, 2.0, np.zeros(8, np.float32))
    assert out[10:14, 0].tolist() == [0.5] * 4
    assert out[30:34, 0].tolist() == [1.0] * 4
    assert out[:10].sum() == 0.0
    assert out[14:30].sum() == 0.0


def test_mixing_hitsounds_allocates_no_arrays() -> None:
    """Dense hitsounded notes (each at its own volume, long finishes overlapping) at a slowed rate: the callback
    still makes no arrays (a block is 16 kB; a tick's scaled copy, were it allocated, 4 kB and more)."""

    bank = SampleBank()
    objects = "".join(f"{64 + 128 * (i % 4)},192,{i * 50},1,{(2, 4, 8, 14)[i % 4]},0:0:0:{30 + i % 70}:\n"
                      for i in range(100))
    sounds = sounds_of(objects, bank)
    renderer = Renderer(SourceMix.create([np.zeros(SR * 6, np.float32)], SR, 2), SR, 2, PlaybackClock(SR))
    renderer.ticks = TickTracks(SR).tracks(None, None, sounds)
    renderer.rate, renderer.tick_gain = 0.5, 0.3
    renderer.clock.hold(0.0, 1, True)
    renderer.transport = Transport(1, True, 0.0)
    out = np.zeros((2048, 2), np.float32)
    for _ in range(10):
        renderer.render(out, 0.0)
    assert np.abs(out).max() > 0.01
    peak = peak_allocated(lambda: renderer.render(out, 0.0))
    assert peak < 4096, f"callback allocated {peak} bytes at peak"

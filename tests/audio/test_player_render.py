"""The callback's signal path, driven block by block (deterministic: no thread, no device)."""

from __future__ import annotations

import numpy as np
import pytest

from audio.clock import PlaybackClock
from audio.mixer import Renderer, SourceMix, Transport, soft_limit
from audio.ticks import BEAT, NOTE, TickTrack, click_sample, mix_ticks
from tests.audio.signals import peak_allocated

SR = 44100
BLOCK = 512
STEP = 2.0 ** -20  # ramp music: sample value = frame index * STEP (exact in float32 below 2**24 frames)


def ramp(n: int) -> np.ndarray:
    return (np.arange(n) * STEP).astype(np.float32)


def make(music: np.ndarray | list[np.ndarray], channels: int = 2) -> tuple[Renderer, PlaybackClock]:
    sources = music if isinstance(music, list) else [music]
    clock = PlaybackClock(SR)
    return Renderer(SourceMix.create(sources, SR, channels), SR, channels, clock), clock


def start(renderer: Renderer, clock: PlaybackClock, from_frame: float = 0.0, request: int = 1) -> None:
    clock.hold(from_frame / SR, request, True)
    renderer.transport = Transport(request, True, from_frame)


def run(renderer: Renderer, n_blocks: int, block: int = BLOCK) -> np.ndarray:
    out = np.zeros((n_blocks * block, renderer.channels), np.float32)
    for i in range(n_blocks):
        renderer.render(out[i * block:(i + 1) * block], 100.0 + renderer.device_frame / SR)
    return out


def test_rate_one_copies_the_music_frame_exact_to_every_channel() -> None:
    renderer, clock = make(ramp(SR))
    start(renderer, clock, 1000)
    out = run(renderer, 20)
    expected = ramp(SR)[1000:1000 + 20 * BLOCK]
    np.testing.assert_array_equal(out[:, 0], expected)
    np.testing.assert_array_equal(out[:, 1], expected)


def test_paused_renders_silence_and_records_nothing() -> None:
    renderer, clock = make(ramp(SR))
    out = run(renderer, 4)
    assert not out.any()
    assert clock.entries_recorded == 0


def test_seek_request_applies_at_the_next_block() -> None:
    renderer, clock = make(ramp(SR))
    start(renderer, clock, 0)
    run(renderer, 2)
    renderer.transport = Transport(2, True, 20000.0)
    out = run(renderer, 1)
    assert out[0, 0] == pytest.approx(20000 * STEP)


@pytest.mark.parametrize("rate", [0.25, 0.5, 0.75])
def test_resampling_reads_the_right_source_frames(rate: float) -> None:
    renderer, clock = make(ramp(SR))
    renderer.rate = rate
    start(renderer, clock, 300)
    out = run(renderer, 8)
    expected = (300 + np.arange(8 * BLOCK) * rate) * STEP
    np.testing.assert_allclose(out[:, 0], expected, rtol=0, atol=1e-9)


def test_rate_half_doubles_the_duration() -> None:
    n = 10 * BLOCK + 77
    renderer, clock = make(np.full(n, 0.5, np.float32))
    renderer.rate = 0.5
    start(renderer, clock, 0)
    out = run(renderer, 30)
    played = int(np.count_nonzero(out[:, 0]))
    assert played == 2 * n  # output frame k plays source frame k / 2: n source frames take 2n output frames
    assert renderer.finished_request == 1
    assert clock.song_seconds(1e9) == pytest.approx(n / SR)


def test_loop_wraps_sample_exact() -> None:
    a, b = 1000, 1000 + 700  # a loop shorter than two blocks, so it wraps inside blocks too
    renderer, clock = make(ramp(SR))
    renderer.loop = (a, b)
    start(renderer, clock, 900)
    out = run(renderer, 6)
    frames = np.round(out[:, 0] / STEP).astype(int)
    expected = np.concatenate([np.arange(900, b)] + [np.arange(a, b)] * 6)[:frames.size]
    np.testing.assert_array_equal(frames, expected)
    # the clock follows the wrap: its newest entries carry the wrapped positions
    t_end = 100.0 + 6 * BLOCK / SR - 1e-6
    assert a / SR <= clock.song_seconds(t_end) < b / SR


def test_ticks_land_on_exact_frames_across_block_boundaries() -> None:
    renderer, clock = make(np.zeros(SR * 2, np.float32))
    times_s = np.array([0.0101, 0.0232, 0.0464, 0.05, 0.1, 0.2])  # several straddle block boundaries
    beat = click_sample(BEAT, SR)
    renderer.ticks = (TickTrack.from_seconds(times_s, beat, SR),)
    start(renderer, clock, 0)
    out = run(renderer, 40)[:, 0]
    expected = np.zeros_like(out)
    for t in times_s:
        f = int(round(t * SR))
        expected[f:f + beat.size] += beat[:max(0, min(beat.size, out.size - f))]
    limited = expected[:, None].copy()  # the output's soft limiter bends the peaks above its knee
    soft_limit(limited, np.zeros_like(limited), np.zeros(limited.shape, bool))
    np.testing.assert_allclose(out, limited[:, 0], atol=1e-6)
    first = round(times_s[0] * SR)
    assert out[first - 1] == 0.0
    assert out[first] == pytest.approx(0.9 + 0.1 * np.tanh(1.0))  # peak 1.0, bent by the limiter


def test_ticks_at_half_rate_keep_their_own_length_and_land_on_stretched_frames() -> None:
    renderer, clock = make(np.zeros(SR, np.float32))
    note = click_sample(NOTE, SR)
    renderer.ticks = (TickTrack.from_seconds(np.array([0.05, 0.1]), note, SR),)
    renderer.rate = 0.5
    renderer.tick_gain = 0.5
    start(renderer, clock, 0)
    out = run(renderer, 40)[:, 0]
    for t in (0.05, 0.1):
        f = int(round(t * SR / 0.5))
        np.testing.assert_allclose(out[f:f + note.size], 0.5 * note, atol=1e-7)
        assert out[f - 1] == 0.0


def test_mix_ticks_direct() -> None:
    out = np.zeros((100, 1), np.float32)
    track = TickTrack(frames=np.array([10.0, 95.0]), sample=np.ones(20, np.float32))
    mix_ticks(out, track, src_frame=0.0, rate=1.0, gain=1.0)
    assert out[10:30, 0].sum() == 20
    assert out[95:, 0].sum() == 5
    assert out[:10].sum() == 0
    out2 = np.zeros((50, 1), np.float32)  # next block: the tail of the tick at 95 continues
    mix_ticks(out2, track, src_frame=100.0, rate=1.0, gain=1.0)
    assert out2[:15, 0].sum() == 15
    assert out2[15:].sum() == 0


def test_stems_gains_and_mute() -> None:
    s1 = np.full(SR, 0.1, np.float32)
    s2 = np.stack([np.full(SR, 0.2, np.float32), np.full(SR, -0.2, np.float32)])  # stereo stem
    renderer, clock = make([s1, s2])
    renderer.mix = renderer.mix.with_gains([1.0, 0.5])
    renderer.music_gain = 2.0
    start(renderer, clock, 0)
    out = run(renderer, 2)
    np.testing.assert_allclose(out[0], [2 * (0.1 + 0.1), 2 * (0.1 - 0.1)], atol=1e-7)
    renderer.mix = renderer.mix.with_gains([0.0, 1.0])  # first stem muted
    out = run(renderer, 1)
    np.testing.assert_allclose(out[0], [0.4, -0.4], atol=1e-7)


def test_clock_entries_follow_rendered_blocks() -> None:
    renderer, clock = make(ramp(SR))
    start(renderer, clock, 4410)
    run(renderer, 10)
    # song position of a frame sounding 3.3 blocks after the first block's DAC time
    t = 100.0 + 3.3 * BLOCK / SR
    assert clock.song_seconds(t) == pytest.approx(0.1 + 3.3 * BLOCK / SR, abs=1e-9)


def test_keep_pitch_keeps_the_pitch_and_the_position_map() -> None:
    t = np.arange(SR * 2) / SR
    tone = (0.5 * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32)

    def peak_hz(keep: bool) -> float:
        renderer, clock = make(tone, channels=1)
        renderer.rate, renderer.keep_pitch = 0.5, keep
        start(renderer, clock, 0)
        out = run(renderer, 120)[:, 0]
        seg = out[20000:20000 + 16384] * np.hanning(16384)
        return float(np.fft.rfftfreq(16384, 1 / SR)[np.argmax(np.abs(np.fft.rfft(seg)))])

    assert peak_hz(True) == pytest.approx(440.0, abs=4.0)
    assert peak_hz(False) == pytest.approx(220.0, abs=4.0)


def test_keep_pitch_click_lands_on_time() -> None:
    """A click in the music plays where the position map says (what a designer aligns notes to)."""
    music = np.zeros(SR, np.float32)
    click_at = 20000
    music[click_at:click_at + 64] = np.exp(-np.arange(64) / 8.0)
    renderer, clock = make(music, channels=1)
    renderer.rate, renderer.keep_pitch = 0.5, True
    start(renderer, clock, 0)
    out = run(renderer, 100)[:, 0]
    ideal = click_at / 0.5
    peak = int(np.argmax(np.abs(out)))
    assert abs(peak - ideal) / SR < 0.002


@pytest.mark.parametrize(("rate", "keep_pitch"), [(1.0, False), (0.6, False), (0.5, True), (0.75, True)])
def test_callback_allocates_no_arrays(rate: float, keep_pitch: bool) -> None:
    """Steady-state blocks allocate no arrays: the traced peak stays far below one 2048-frame stereo block.

    Clicks 30 ms apart over quiet noise keep the keep-pitch transient lock busy (an attack and the next one in
    view in every block); noise alone never set it off."""

    stems = [np.random.default_rng(i).uniform(-0.01, 0.01, (2, SR * 5)).astype(np.float32) for i in range(2)]
    k = np.arange(200)
    for at in range(SR // 20, SR * 5 - 200, int(0.03 * SR)):
        stems[0][:, at:at + 200] += np.exp(-k / 30) * np.cos(2 * np.pi * 3000 * k / SR)
    renderer, clock = make([stems[0], stems[1][0]])  # a stereo and a mono source
    renderer.rate, renderer.keep_pitch = rate, keep_pitch
    renderer.ticks = (TickTrack.from_seconds(np.arange(0.0, 5.0, 0.05), click_sample(BEAT, SR), SR),)
    renderer.tick_gain = 0.7
    start(renderer, clock, 0)
    out = np.zeros((2048, 2), np.float32)  # one block = 16 kB
    for _ in range(20):  # warm up: caches, FFT plans
        renderer.render(out, 0.0)
    peak = peak_allocated(lambda: renderer.render(out, 0.0))
    assert peak < 8192, f"callback allocated {peak} bytes at peak"

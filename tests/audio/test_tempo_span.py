"""Tempo of one section of a song with tempo changes (audio.tempo_span): a synthetic click track at 120 BPM for
20 s, then 150 BPM; each section's BPM within 0.1 % and its beat phase within 3 ms, on the song's clock."""

from __future__ import annotations

import numpy as np
import pytest

from audio.tap_tempo import nearest_beat
from audio.tempo_span import MIN_SPAN_S, detect_tempo_span, span_envelope
from tests.audio.signals import click, place

SR = 22050
CHANGE_S = 20.1  # the first beat at 150 BPM (the 120-BPM beats run from 0.1 s)


def two_tempo_track(duration_s: float = 45.0, noise: float = 0.002) -> np.ndarray:
    """Clicks every 0.5 s from 0.1 s to 20.1 s, then every 0.4 s; float32 mono."""
    out = np.zeros(int(duration_s * SR))
    beats = list(np.arange(0.1, CHANGE_S - 1e-9, 0.5)) + list(np.arange(CHANGE_S, duration_s, 0.4))
    for t in beats:
        place(out, click(SR), float(t), SR)
    out += np.random.default_rng(0).standard_normal(out.size) * noise
    return (0.5 * out).astype(np.float32)


@pytest.fixture(scope="module")
def track() -> np.ndarray:
    return two_tempo_track()


@pytest.mark.parametrize(("start_s", "end_s", "bpm", "beat_s"), [
    (0.1, CHANGE_S, 120.0, 0.1),  # the first section, whole
    (CHANGE_S, 45.0, 150.0, CHANGE_S),  # the second, to the end
    (4.1, 12.1, 120.0, 4.1),  # 8 s in the middle of the first
    (22.1, 30.1, 150.0, 22.1),  # 8 s of the second: its grid, not the first's, though the first is longer
])
def test_each_section_gets_its_own_bpm_and_phase(track, start_s, end_s, bpm, beat_s):
    best = detect_tempo_span(track, SR, start_s, end_s)[0]
    assert best.bpm == pytest.approx(bpm, rel=0.001)
    assert 0 <= best.offset_s < 60.0 / best.bpm
    detected_s = nearest_beat(best.offset_s, 60.0 / best.bpm, beat_s)  # the offset is on the song's clock
    assert abs(detected_s - beat_s) < 0.003


def test_a_span_shorter_than_the_minimum_or_outside_the_audio_gives_nothing(track):
    assert detect_tempo_span(track, SR, 10.0, 10.0 + MIN_SPAN_S - 0.5) == []
    assert detect_tempo_span(track, SR, 41.0, 60.0) == []  # 4 s of audio left: clipped, too short
    assert detect_tempo_span(np.zeros(SR * 20, np.float32), SR, 2.0, 18.0) == []  # silence


def test_stereo_is_mixed_down(track):
    stereo = np.stack([track, 0.5 * track])
    assert detect_tempo_span(stereo, SR, CHANGE_S, 40.0)[0].bpm == pytest.approx(150.0, rel=0.001)


def test_span_envelope_keeps_the_frames_of_the_span_on_the_song_clock():
    env = np.arange(30, dtype=np.float32).reshape(1, 30)  # frame k at 2.0 + k / 10 s
    cut, t0_s = span_envelope(env, 10.0, 2.0, 2.45, 3.0)
    assert t0_s == pytest.approx(2.5)
    assert cut[0].tolist() == [5, 6, 7, 8, 9]
    empty, _ = span_envelope(env, 10.0, 2.0, 9.0, 10.0)
    assert empty.shape == (1, 0)

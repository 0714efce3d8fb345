"""beat_phase (audit 24): beat 0 at a tempo the caller gives, as detect_tempo phases its candidate of that BPM
(``draft AUDIO --bpm B`` without ``--offset`` used to put beat 0 at 0 s, every note off the music's beats)."""

from __future__ import annotations

import numpy as np
import pytest

from audio.tempo import beat_phase, detect_tempo
from tests.audio.signals import click_track

SR = 22050


@pytest.mark.parametrize(("bpm", "first_s"), [(110.0, 0.195), (128.0, 1.3), (90.0, 0.05)])
def test_the_phase_at_a_given_bpm_is_the_first_beat_within_2_ms(bpm, first_s):
    samples = click_track(bpm, first_s, 20.0, SR, noise=0.002)
    phase = beat_phase(samples, SR, bpm)
    assert phase is not None
    period = 60.0 / bpm
    assert 0 <= phase < period
    assert abs((phase - first_s + period / 2) % period - period / 2) < 0.002


def test_it_is_the_phase_tempo_prints_for_that_bpm():
    samples = click_track(120.0, 0.37, 20.0, SR)
    best = detect_tempo(samples, SR)[0]
    assert beat_phase(samples, SR, best.bpm) == pytest.approx(best.offset_s, abs=1e-9)


def test_silence_or_too_short_audio_has_no_phase():
    assert beat_phase(np.zeros(SR * 10, np.float32), SR, 120.0) is None
    assert beat_phase(click_track(120.0, 0.1, 1.0, SR), SR, 120.0) is None

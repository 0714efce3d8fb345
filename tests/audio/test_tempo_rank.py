"""How audio.tempo scores and orders its hypotheses: levels, the half-beat phase, confidences."""

from __future__ import annotations

import math

import numpy as np
import pytest

from audio.onset import onset_envelope
from audio.tempo import (
    HALF_BEAT_LOG_ODDS,
    SALIENCE_WEIGHT,
    TempoHypothesis,
    detect_tempo,
    rank_hypotheses,
    tempo_hypotheses,
)
from tests.audio.signals import click_track, drum_loop


def test_score_is_salience_prior_and_half_beat_odds():
    on = TempoHypothesis(153.0, 0.1, 2.0, True)  # 153 BPM: the prior's centre, log prior 0
    off = TempoHypothesis(153.0, 0.1 + 30 / 153, 2.0, False)
    assert on.score == pytest.approx(SALIENCE_WEIGHT * math.log(2.0))
    assert off.score == pytest.approx(on.score + HALF_BEAT_LOG_ODDS)
    assert HALF_BEAT_LOG_ODDS < 0  # the strongest phase is the better bet
    # The prior breaks near-ties in salience towards usual chart tempi ...
    assert TempoHypothesis(160.0, 0, 2.0, True).score > TempoHypothesis(80.0, 0, 2.02, True).score
    # ... but a clearly sharper fold wins.
    assert TempoHypothesis(80.0, 0, 4.0, True).score > TempoHypothesis(160.0, 0, 2.0, True).score


def test_ranking_order_alternatives_by_score_then_rest():
    hyps = [TempoHypothesis(120.0, 0.10, 3.0, True), TempoHypothesis(120.0, 0.35, 3.0, False),
            TempoHypothesis(240.0, 0.10, 2.0, True), TempoHypothesis(240.0, 0.225, 2.0, False),
            TempoHypothesis(80.0, 0.10, 2.5, True), TempoHypothesis(60.0, 0.10, 1.5, True)]
    cands = rank_hypotheses(hyps, n_candidates=10)
    assert [(c.bpm, c.offset_s) for c in cands] == [
        (120.0, 0.10), (120.0, 0.35), (240.0, 0.10), (60.0, 0.10), (80.0, 0.10), (240.0, 0.225)]
    assert sum(c.confidence for c in cands) == pytest.approx(1.0)
    assert cands[0].confidence == max(c.confidence for c in cands)
    # The best's alternatives (x2, /2, half-beat phase) come first whatever their score (60 BPM before 80),
    # among themselves in score order: here the half-beat phase (salience equal) beats 240 and 60 ...
    assert [c.bpm for c in rank_hypotheses(hyps, n_candidates=2)] == [120.0, 120.0]
    # ... and here the half-time level (score 6.1) beats the half-beat phase (7.4 - 1.95 = 5.5).
    hyps = [TempoHypothesis(200.0, 0.1, 2.0, True), TempoHypothesis(200.0, 0.25, 2.0, False),
            TempoHypothesis(100.0, 0.1, 2.0, True)]
    assert [(c.bpm, c.offset_s) for c in rank_hypotheses(hyps)] == [(200.0, 0.1), (100.0, 0.1), (200.0, 0.25)]
    assert rank_hypotheses([]) == []


def test_every_level_has_both_phases_half_a_beat_apart():
    sr = 22050
    env, rate_hz, t0_s = onset_envelope(drum_loop(128.0, 0.2171, 30.0, sr, noise=0.03), sr)
    hyps = tempo_hypotheses(env, rate_hz, t0_s)
    strongest = [h for h in hyps if h.strongest]
    assert strongest
    assert len(strongest) * 2 == len(hyps)
    for h in strongest:
        period = 60.0 / h.bpm
        twins = [g for g in hyps if g.bpm == h.bpm and not g.strongest]
        assert len(twins) == 1
        assert twins[0].salience == h.salience
        assert (twins[0].offset_s - h.offset_s) % period == pytest.approx(period / 2, abs=1e-9)
        assert 0 <= twins[0].offset_s < period


def test_half_beat_alternative_is_listed_but_not_first():
    best, *rest = detect_tempo(click_track(140.0, 0.2, 30.0, 22050), 22050)
    period = 60.0 / best.bpm
    assert best.bpm == pytest.approx(140.0, rel=1e-3)
    twins = [c for c in rest if c.bpm == best.bpm and abs((c.offset_s - best.offset_s) % period - period / 2) < 1e-6]
    assert len(twins) == 1
    assert twins[0].confidence < best.confidence * math.exp(HALF_BEAT_LOG_ODDS) * 1.0001


def test_silence_has_no_hypotheses():
    assert tempo_hypotheses(np.zeros((8, 5000)), 1000.0, 0.0) == []

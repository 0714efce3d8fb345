"""inference.decode: peaks -> snapped rows, min gap, NPS target, coarse snapping at low slots, collisions."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from chart.timing import TimingData
from inference.decode import (
    DEFAULT_DECODE,
    DecodeError,
    decode_onsets,
    density_span,
    pick_peaks,
    refine_rows_prior,
    rows_for_nps,
    settings_for,
    slot_name,
    smooth,
    threshold_for_count,
)
from inference.manifest import Manifest, SlotDecode

FPS = 100.0
T120 = TimingData.constant(120)  # one beat = 0.5 s = 50 frames


def _curve(n: int, peaks: dict[int, float]) -> np.ndarray:
    p = np.full(n, 0.01)
    for f, v in peaks.items():
        p[f] = v
    return p


def test_peaks_snap_to_exact_beats() -> None:
    p = _curve(500, {51: 0.9, 99: 0.8, 176: 0.7, 300: 0.2})  # near beats 1, 2, 3.5; 300 below threshold
    cfg = SlotDecode(threshold=0.5, min_gap_s=0.05, divisors=[4, 8, 16], snap_tolerance_s=0.03)
    out = decode_onsets(p, FPS, T120, cfg)
    assert out.beats == [Fraction(1), Fraction(2), Fraction(7, 2)]
    assert np.allclose(out.seconds, [0.5, 1.0, 1.75])
    assert np.allclose(out.probs, [0.9, 0.8, 0.7])


def test_no_row_lands_where_stepmania_passes_it_over() -> None:
    """A warp takes no time: an onset at its moment snapped to the warp's first beat, which StepMania never
    judges (a real drafted song had notes at the start of its warps). It now goes to the warp's end, the
    same instant; an onset inside a fake segment (drawn, never judged) is dropped."""
    from dataclasses import replace

    timing = replace(T120, warps=((Fraction(4), Fraction(8)),), extra=(("FAKES", "14.000=1.000"),))
    # beat 4 (warp start) = 2.0 s = frame 200; after the warp beat 12 is at 2.0 s, beat 14 (fake [14, 15)) 3.0 s
    p = _curve(500, {150: 0.9, 200: 0.9, 250: 0.8, 300: 0.8})
    cfg = SlotDecode(threshold=0.5, min_gap_s=0.05, divisors=[4, 8, 16], snap_tolerance_s=0.03)
    out = decode_onsets(p, FPS, timing, cfg)
    assert out.beats == [Fraction(3), Fraction(12), Fraction(13)]  # not 4 (warped); not 14 (fake segment)
    assert np.allclose(out.seconds, [1.5, 2.0, 2.5])
    # a warp whose end is off the 1/192-measure grid (0.167 beats for a sixth, as a shared song has): no note
    # can sit there, so the passed-over row is dropped (it once made the whole .ssc unwritable)
    approximate = replace(T120, warps=((Fraction(4), Fraction(167, 1000)),))
    out = decode_onsets(_curve(500, {150: 0.9, 198: 0.9}), FPS, approximate, cfg)  # 1.98 s: snaps to beat 4
    assert out.beats == [Fraction(3)]
    # a warp ending between the slot's grid lines (1/192 here, Beginner snaps to 1/4..1/16): dropped too
    fine = replace(T120, warps=((Fraction(4), Fraction(385, 48)),))  # ends at 12 + 1/48
    assert decode_onsets(_curve(500, {150: 0.9, 198: 0.9}), FPS, fine, cfg).beats == [Fraction(3)]
    # ... and for a slot that may snap to 1/192 (Challenge) too: the row would be a 1/192 snap, which Verify
    # flags (a shared song's Challenge draft had one at its warp's end); a warp ending on a 1/16 keeps it
    wide = SlotDecode(threshold=0.5, min_gap_s=0.05, divisors=[4, 8, 16, 96, 192], snap_tolerance_s=0.03)
    assert decode_onsets(_curve(500, {150: 0.9, 198: 0.9}), FPS, fine, wide).beats == [Fraction(3)]
    sixteenth = replace(T120, warps=((Fraction(4), Fraction(33, 4)),))  # ends at 12 + 1/4
    assert decode_onsets(_curve(500, {150: 0.9, 198: 0.9}), FPS, sixteenth, wide).beats == [3, Fraction(49, 4)]


def test_slow_passages_snap_to_usual_divisors() -> None:
    """At 90 BPM (a half-time section) 1/16 and 1/64 rows are 42 ms apart: an onset between them is farther
    than the fine tolerance (20 ms) from every usual snap, and went to the finest divisor, a 1/96 row that no
    chart of the song uses and that Verify flags (shared Challenge drafts had six). It goes to the nearest
    usual snap now; 1/96 and 1/192 remain for onsets no usual snap of the slot lies within its tolerance of."""
    from chart.snap import UNUSUAL_DIVISORS, quantization

    challenge = DEFAULT_DECODE["challenge"]
    t90 = TimingData.constant(90)  # one beat = 2/3 s; beat 3/4 at 0.5 s, beat 13/16 at 0.5417 s
    midway = 0.521  # 21 ms after the 1/16 row, 20.7 ms before the 1/64 row, 6.8 ms before a 1/96 row
    out = decode_onsets(_curve(1000, {521: 0.9}), 1000.0, t90, challenge)
    assert [quantization(b) for b in out.beats] not in ([96], [192])
    assert out.beats == [Fraction(13, 16)]  # the nearer usual snap
    from inference.decode import snap_rows

    assert snap_rows(np.array([midway]), t90, challenge) == [Fraction(13, 16)]
    assert snap_rows(np.array([0.5 + 0.0196]), t90, challenge) == [Fraction(3, 4)]  # within 20 ms: the 1/16
    # 62.5 BPM (a shared song's half-time section, drafted at Challenge): 1/16 and 1/64 rows 60 ms apart, an
    # onset halfway is 30 ms from both, beyond the slot's 25 ms tolerance; it takes the coarser, not a 1/96 row
    t62 = TimingData.constant("62.5")  # one beat = 0.96 s: beat 3/4 at 0.72 s, beat 13/16 at 0.78 s
    assert snap_rows(np.array([0.75]), t62, challenge) == [Fraction(3, 4)]
    # 20 BPM: 1/64 rows are 187.5 ms apart; an onset on a 1/96 row is 62.5 ms from every usual snap
    t20 = TimingData.constant(20)  # one beat = 3 s
    row = snap_rows(np.array([3.125]), t20, challenge)[0]
    assert row == Fraction(25, 24)
    assert quantization(row) in UNUSUAL_DIVISORS
    assert snap_rows(np.array([3.125]), t20, DEFAULT_DECODE["hard"]) == [Fraction(17, 16)]  # Hard has no 1/96


def test_min_gap_keeps_the_more_probable_peak() -> None:
    p = _curve(300, {100: 0.6, 108: 0.9, 200: 0.7})
    assert list(pick_peaks(p, 0.5, 10)) == [108, 200]
    assert list(pick_peaks(p, 0.5, 5)) == [100, 108, 200]


def test_a_plateau_is_one_peak() -> None:
    """Two or three equal frames above the threshold are a local maximum: one peak on the plateau (a strict
    comparison on both sides finds none there)."""
    for gap in (1, 2, 3):
        (peak,) = pick_peaks(np.array([0.0, 0.9, 0.9, 0.0]), 0.5, gap)
        assert peak in (1, 2)
        (peak,) = pick_peaks(np.array([0.0, 0.9, 0.9, 0.9, 0.0]), 0.5, gap)
        assert peak in (1, 2, 3)


def test_min_gap_ties_keep_the_earlier_peak() -> None:
    assert list(pick_peaks(np.array([0.0, 0.9, 0.0, 0.9, 0.0]), 0.5, 3)) == [1]
    assert list(pick_peaks(np.array([0.0, 0.9, 0.0, 0.9, 0.0]), 0.5, 2)) == [1, 3]  # 2 frames apart: both


def test_threshold_for_count_keeps_the_n_most_probable_but_never_goes_below_the_floor() -> None:
    probs = np.array([0.3, 0.9, 0.01, 0.5, 0.005])
    assert threshold_for_count(probs, 1) == 0.9
    assert threshold_for_count(probs, 3) == 0.3  # the 3rd best
    assert threshold_for_count(probs, 4) == 0.02  # the 4th best is 0.01: the floor NPS_MIN_THRESHOLD, 0.02
    assert threshold_for_count(probs, 4.4) == 0.02  # round(want)
    assert threshold_for_count(probs, 5) == 0.02  # every row wanted: the floor too


def test_collisions_after_snapping_become_one_row() -> None:
    p = _curve(300, {98: 0.7, 103: 0.9})  # both within tolerance of beat 2 (frame 100)
    cfg = SlotDecode(threshold=0.5, min_gap_s=0.01, divisors=[4], snap_tolerance_s=0.05)
    out = decode_onsets(p, FPS, T120, cfg)
    assert out.beats == [Fraction(2)]
    assert out.probs[0] == pytest.approx(0.9)


def test_beginner_prefers_coarse_divisors_and_challenge_keeps_fine_ones() -> None:
    # Beat 1 + 1/16 (a 64th note off the beat) is 31 ms after the beat at 120 BPM.
    frame = round((0.5 + 0.5 / 16) * FPS)
    p = _curve(200, {frame: 0.9})
    beginner = decode_onsets(p, FPS, T120, DEFAULT_DECODE["beginner"])
    challenge = decode_onsets(p, FPS, T120, DEFAULT_DECODE["challenge"])
    assert beginner.beats == [Fraction(1)]
    assert challenge.beats[0] != Fraction(1)
    assert abs(float(challenge.beats[0]) - 1.06) < 0.05


def test_audio_that_insists_goes_off_the_coarse_grid_at_beginner() -> None:
    # A peak right on a 16th (1/4 beat = 125 ms from the beat) is too far from any 1/4 or 1/8 grid point.
    p = _curve(300, {round(1.125 * FPS): 0.9})
    out = decode_onsets(p, FPS, T120, DEFAULT_DECODE["beginner"])
    assert out.beats == [Fraction(9, 4)]


def test_nps_target_sets_the_density() -> None:
    rng = np.random.default_rng(0)
    p = rng.random(3000) * 0.9  # 30 s of noisy probabilities, many candidate peaks
    cfg = SlotDecode(threshold=0.5, min_gap_s=0.06, divisors=[4, 8, 16, 32, 64, 192], snap_tolerance_s=0.01)
    few = decode_onsets(p, FPS, T120, cfg, nps_target=1.0)
    many = decode_onsets(p, FPS, T120, cfg, nps_target=4.0)
    assert abs(len(few) - 30) <= 2
    assert abs(len(many) - 120) <= 4
    assert few.threshold > many.threshold


def test_nps_target_counts_notes_from_the_first_to_the_last_like_the_stats_panel() -> None:
    # Rows on every beat from 10 s to 20 s of a 30-s curve (120 BPM, beats 20..40): the most probable ones are
    # the two ends and the even beats, so they spread over the whole 10 s; silence around does not count.
    probs = {k: (0.9 - 0.001 * k if k % 2 == 0 else 0.6) for k in range(21)}
    probs[0], probs[20] = 0.95, 0.94
    p = _curve(3000, {round((10 + 0.5 * k) * FPS): v for k, v in probs.items()})
    cfg = SlotDecode(threshold=0.5, min_gap_s=0.05, divisors=[4], snap_tolerance_s=0.03)
    out = decode_onsets(p, FPS, T120, cfg, nps_target=1.0)
    assert out.beats == [Fraction(20 + 2 * k) for k in range(9)] + [Fraction(40)]  # 10 rows over 10 s, not 30
    # with jumps expected on a fifth of the rows, fewer rows make the same notes per second
    assert decode_onsets(p, FPS, T120, cfg, nps_target=1.2, notes_per_row=1.2).beats == out.beats


def test_nps_target_does_not_shrink_to_nothing_when_the_best_rows_are_in_one_passage() -> None:
    # The most probable rows come first in time: any count of them is 2 rows/s. One correction step, no more.
    p = _curve(3000, {round((10 + 0.5 * k) * FPS): 0.9 - 0.01 * k for k in range(21)})
    cfg = SlotDecode(threshold=0.5, min_gap_s=0.05, divisors=[4], snap_tolerance_s=0.03)
    assert 4 <= len(decode_onsets(p, FPS, T120, cfg, nps_target=1.0)) < 10


def test_rows_target_sets_the_count_outright() -> None:
    p = _curve(3000, {round((10 + 0.5 * k) * FPS): 0.9 - 0.01 * k for k in range(21)})
    cfg = SlotDecode(threshold=0.5, min_gap_s=0.05, divisors=[4], snap_tolerance_s=0.03, nps_target=5.0)
    assert decode_onsets(p, FPS, T120, cfg, rows_target=7).beats == [Fraction(20 + k) for k in range(7)]


def test_density_span_is_first_to_last_row() -> None:
    assert density_span(np.array([10.0, 12.5, 20.0]), 30.0) == pytest.approx(10.0)
    assert density_span(np.array([4.0]), 8.0) == pytest.approx(8.0)  # one row: the whole range
    t, p = np.array([10.0, 15.0, 20.0]), np.array([0.9, 0.2, 0.8])
    assert rows_for_nps(t, p, 0.5, 3.0, 30.0) == 30  # 3 notes/s over the 10 s of the rows at >= 0.5
    assert rows_for_nps(t, p, 0.5, 3.0, 30.0, notes_per_row=1.5) == 20
    # the Stats panel counts a chart shorter than its 2 s window over the window (or the range, when shorter)
    assert density_span(np.array([1.0, 1.5]), 30.0) == pytest.approx(2.0)
    assert density_span(np.array([1.0, 1.5]), 1.2) == pytest.approx(1.2)


def test_manifest_settings_win_over_defaults() -> None:
    m = Manifest(kind="onset", model_id="x", file="x.onnx", decode={"hard": SlotDecode(threshold=0.33)})
    assert settings_for(m, 3).threshold == pytest.approx(0.33)
    assert settings_for(m, "easy") is DEFAULT_DECODE["easy"]
    assert slot_name(4) == "challenge"


@pytest.mark.parametrize("bad", [np.zeros((2, 10)), np.array([0.1, np.nan, 0.2])])
def test_bad_probabilities_raise_decode_error(bad: np.ndarray) -> None:
    with pytest.raises(DecodeError):
        decode_onsets(bad, FPS, T120, DEFAULT_DECODE["easy"])


def test_unknown_slot_is_a_decode_error() -> None:
    with pytest.raises(DecodeError):
        slot_name("expert")
    with pytest.raises(DecodeError):
        slot_name(7)


def test_smoothing_is_normalised() -> None:
    p = np.zeros(100)
    p[50] = 1.0
    s = smooth(p, 5)
    assert s.sum() == pytest.approx(p.sum())
    assert int(np.argmax(s)) == 50


def test_candidate_rows_filtered_by_threshold_equal_a_full_decode() -> None:
    from inference.decode import candidate_rows

    rng = np.random.default_rng(3)
    p = np.convolve(rng.random(4000) ** 3, np.hamming(7) / 3, mode="same")
    cfg = DEFAULT_DECODE["hard"]
    rows, probs = candidate_rows(p, FPS, T120, cfg, 0.05)
    for thr in (0.1, 0.2, 0.3, 0.45):
        full = decode_onsets(p, FPS, T120, SlotDecode(**{**cfg.__dict__, "threshold": thr}))
        assert full.beats == [b for b, q in zip(rows, probs) if q >= thr]


def test_min_gap_in_beats_after_snapping() -> None:
    # Rows on beats 1, 1.5, 2 and 3: with a one-beat gap the weaker 1.5 goes, 2 stays (exactly one beat).
    p = _curve(400, {50: 0.9, 75: 0.6, 100: 0.8, 150: 0.7})
    cfg = SlotDecode(threshold=0.5, min_gap_s=0.05, divisors=[4, 8], snap_tolerance_s=0.03, min_gap_beats=1.0)
    assert decode_onsets(p, FPS, T120, cfg).beats == [Fraction(1), Fraction(2), Fraction(3)]
    strong_middle = _curve(400, {50: 0.7, 75: 0.95, 100: 0.8})
    assert decode_onsets(strong_middle, FPS, T120, cfg).beats == [Fraction(3, 2)]


def test_refine_threshold_applies_only_to_conditioned_curves() -> None:
    p = _curve(500, {50: 0.9, 100: 0.6, 150: 0.45, 200: 0.8})
    cfg = SlotDecode(threshold=0.4, refine_threshold=0.7, min_gap_s=0.05, divisors=[4], snap_tolerance_s=0.03)
    assert decode_onsets(p, FPS, T120, cfg).beats == [1, 2, 3, 4]
    refined = decode_onsets(p, FPS, T120, cfg, conditioned=True)
    assert refined.beats == [1, 4]
    assert refined.threshold == pytest.approx(0.7)
    untuned = SlotDecode(threshold=0.4, min_gap_s=0.05, divisors=[4], snap_tolerance_s=0.03)
    assert decode_onsets(p, FPS, T120, untuned, conditioned=True).beats == [1, 2, 3, 4]
    # an NPS target still wins over either threshold: 1.5 notes/s over the Stats panel's 2 s window (the rows
    # span 1.5 s, less than it) are 3 rows, the most probable ones. (This asserted [1, 2, 4] for 2 notes/s over
    # the 1.5 s alone: the Stats panel shows those three rows as 1.5 NPS.)
    assert decode_onsets(p, FPS, T120, cfg, nps_target=1.5, conditioned=True).beats == [1, 2, 4]
    assert decode_onsets(p, FPS, T120, cfg, nps_target=2.0, conditioned=True).beats == [1, 2, 3, 4]


def test_refine_prior_pulls_the_count_to_the_geometric_mean() -> None:
    # Candidate rows on beats 1..8 with falling probabilities; the refine threshold alone keeps the first 2.
    p = _curve(500, {50 * k: 0.95 - 0.1 * (k - 1) for k in range(1, 9)})
    cfg = SlotDecode(threshold=0.1, refine_threshold=0.8, min_gap_s=0.05, divisors=[4], snap_tolerance_s=0.03,
                     refine_ratio={"easy": 2.0})
    assert decode_onsets(p, FPS, T120, cfg, conditioned=True).beats == [1, 2]
    prior = refine_rows_prior(cfg, "easy", 4)
    assert prior == pytest.approx(8.0)
    pulled = decode_onsets(p, FPS, T120, cfg, conditioned=True, prior_rows=prior)
    assert pulled.beats == [1, 2, 3, 4]  # sqrt(2 x 8) rows, the most probable ones
    assert pulled.threshold == pytest.approx(0.65)  # the 4th row's probability
    fewer = decode_onsets(p, FPS, T120, cfg, conditioned=True, prior_rows=0.5)
    assert fewer.beats == [1]  # round(sqrt(2 x 0.5))
    # an NPS target still wins; no prior without a ratio for that lower slot or without lower rows. 1.5 notes/s:
    # the threshold's 2 rows span 0.5 s, too little to say where the notes are, so the 3.5 s of all 8 candidate
    # rows size it (5 rows), and the 2 s of those 5 bring it to 3: neither the threshold's 2 nor the prior's 4.
    # (This asserted 6 rows for 12 notes/s, sized by those 0.5 s.)
    assert decode_onsets(p, FPS, T120, cfg, nps_target=1.5, conditioned=True, prior_rows=prior).beats == [1, 2, 3]
    assert refine_rows_prior(cfg, "medium", 4) is None
    assert refine_rows_prior(cfg, 1, 0) is None
    assert refine_rows_prior(SlotDecode(), "easy", 4) is None


def test_manifest_without_refine_threshold_still_loads(tmp_path) -> None:
    m = Manifest(kind="onset", model_id="m", file="m.onnx", decode={"hard": SlotDecode(threshold=0.3)})
    path = tmp_path / "m.manifest.json"
    m.save(path)
    data = path.read_text(encoding="utf-8").replace('"refine_threshold": null,', "")
    path.write_text(data, encoding="utf-8")
    assert "refine_threshold" not in data
    assert Manifest.load(path, verify=False).decode["hard"].refine_threshold is None

"""Onset decoding: per-frame onset probabilities -> onset rows on the beat grid (pure numpy, production code).

Pipeline (per difficulty slot, settings from the model manifest):

1. smooth with a normalised Hamming window of ``smooth_frames`` (1 = off);
2. pick local maxima at or above ``threshold``;
3. enforce ``min_gap_s`` greedily, most probable peak first (GenéLive's ``filter_overwrap``), and again on the
   snapped rows of step 5 (an 8th and a 12th 1/6 beat apart were 59 ms apart in Challenge drafts);
4. snap with :func:`chart.snap.snap_preferring_coarse`: the coarsest divisor of the slot's list whose grid
   point lies within ``snap_tolerance_s`` wins, so Beginner/Easy stay on 1/4 and 1/8 unless the audio clearly
   sits between them; an onset near no grid line goes to the nearest one, and to the 1/96 and 1/192 rows Verify
   calls unusual only when no other snap of the slot is within its tolerance (:func:`snap_rows`);
5. move rows StepMania would pass over (inside a warp: to its end, the same instant; inside a fake segment:
   dropped), resolve collisions after snapping (two peaks on one row -> one row, the more probable one kept), then keep
   rows at least ``min_gap_beats`` apart (most probable first): Beginner charts rarely step twice within a beat.

An NPS (notes per second) target replaces the threshold by the one whose decoded density comes closest to it
(exactly: see :func:`candidate_rows`), in the Stats panel's measure: notes (a jump is 2) from the first note to
the last, that span taken as at least the Stats panel's 2 s window (:func:`rows_for_nps`). A refine without one
aims at the geometric mean of the rows its threshold gives and the rows the lower chart implies (its rows x the
slot pair's ratio in the training charts, ``SlotDecode.refine_ratio``): on the validation songs this took refine
F1 from 0.803 to 0.812 and the refine density error from 0.22 to 0.14. An NPS target leaves rests
(:mod:`inference.draft_rests`: at most 80 % of the grid, Beginner/Easy runs broken, the rows so dropped refilled). Decoding uses the chart's timing for the
grid, never a reference chart's notes or note count (a refine's lower chart is the designer's input, not a
reference).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from chart.snap import UNUSUAL_DIVISORS, snap_beats_array, snap_preferring_coarse
from chart.stats import NPS_WINDOW_S
from chart.timing import TimingData
from inference.draft_rests import grid_capped, rested_rows
from inference.manifest import Manifest, SlotDecode

SLOT_NAMES = ("beginner", "easy", "medium", "hard", "challenge")
#: Untuned defaults per slot; training tunes the threshold and ``min_gap_beats`` on the validation songs.
DEFAULT_DECODE: dict[str, SlotDecode] = {
    "beginner": SlotDecode(threshold=0.5, min_gap_s=0.16, smooth_frames=1, divisors=[4, 8, 12, 16],
                           snap_tolerance_s=0.06, min_gap_beats=1.0),
    "easy": SlotDecode(threshold=0.5, min_gap_s=0.128, smooth_frames=1, divisors=[4, 8, 12, 16],
                       snap_tolerance_s=0.05, min_gap_beats=0.5),
    "medium": SlotDecode(threshold=0.5, min_gap_s=0.1, smooth_frames=1, divisors=[4, 8, 12, 16, 24, 32],
                         snap_tolerance_s=0.035, min_gap_beats=0.25),
    "hard": SlotDecode(threshold=0.5, min_gap_s=0.08, smooth_frames=1,
                       divisors=[4, 8, 12, 16, 24, 32, 48, 64], snap_tolerance_s=0.03),
    "challenge": SlotDecode(threshold=0.5, min_gap_s=0.06, smooth_frames=1,
                            divisors=[4, 8, 12, 16, 24, 32, 48, 64, 96, 192], snap_tolerance_s=0.025),
}
#: Divisors up to this one (1/4 and 1/8 notes) win within the slot's ``snap_tolerance_s``.
COARSE_DIVISOR = 8
#: Finer divisors (triplets, 16ths, ...) only win within this many seconds, so that a peak on a 16th is not
#: pulled onto a triplet just because a generous coarse tolerance would allow it.
FINE_SNAP_TOLERANCE_S = 0.02
#: 1/96 and 1/192 rows only for onsets farther than this many times the slot's snap tolerance from every other
#: snap of the slot (Challenge: 50 ms; at 62.5 BPM no onset is farther than 30 ms from a 1/48 or 1/64 row).
UNUSUAL_SNAP_FACTOR = 2.0


class DecodeError(ValueError):
    """Probabilities or settings that cannot be decoded (wrong shape, bad slot)."""


@dataclass
class DecodedOnsets:
    """Onset rows of one slot: exact beats, their times (s, float64 [N]) and peak probabilities [N]."""

    beats: list[Fraction]
    seconds: np.ndarray
    probs: np.ndarray
    threshold: float
    divisors: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.beats)


def slot_name(slot: int | str) -> str:
    """Lower-case slot name from a slot index (0..4), a :class:`chart.song.Slot` or a name."""
    if isinstance(slot, str):
        key = slot.strip().lower()
        if key not in SLOT_NAMES:
            raise DecodeError(f"unknown slot {slot!r} (use {', '.join(SLOT_NAMES)})")
        return key
    if not 0 <= int(slot) < len(SLOT_NAMES):
        raise DecodeError(f"slot index {int(slot)} outside 0..{len(SLOT_NAMES) - 1}")
    return SLOT_NAMES[int(slot)]


def settings_for(manifest: Manifest | None, slot: int | str) -> SlotDecode:
    """Decode settings of a slot: the manifest's tuned values, else :data:`DEFAULT_DECODE`."""
    name = slot_name(slot)
    if manifest is not None and name in manifest.decode:
        return manifest.decode[name]
    return DEFAULT_DECODE[name]


def smooth(prob: np.ndarray, smooth_frames: int) -> np.ndarray:
    """Normalised-Hamming smoothing of a probability curve ([T] float); identity for ``smooth_frames <= 1``."""
    p = np.asarray(prob, dtype=np.float64)
    if smooth_frames <= 1 or p.size == 0:
        return p
    win = np.hamming(int(smooth_frames))
    return np.convolve(p, win / win.sum(), mode="same")


def pick_peaks(prob: np.ndarray, threshold: float, min_gap_frames: int) -> np.ndarray:
    """Frames of local maxima >= ``threshold``, thinned so no two are closer than ``min_gap_frames``. A flat top
    (equal frames) is one maximum, at its last frame.

    Parameters
    ----------
    prob : np.ndarray, float [T]
    threshold : float
    min_gap_frames : int
        Peaks closer than this keep only the most probable one (ties: the earlier).

    Returns
    -------
    np.ndarray, int64 [N], sorted
    """
    p = np.asarray(prob, dtype=np.float64)
    if p.size == 0:
        return np.zeros(0, dtype=np.int64)
    left = np.concatenate([[-np.inf], p[:-1]])
    right = np.concatenate([p[1:], [-np.inf]])
    cand = np.flatnonzero((p >= left) & (p > right) & (p >= threshold))
    if min_gap_frames <= 1 or cand.size < 2:
        return cand
    order = cand[np.argsort(-p[cand], kind="stable")]
    blocked = np.zeros(p.size + 2 * min_gap_frames, dtype=bool)
    keep = []
    for f in order:  # most probable first; blocked marks frames within the gap of a kept peak
        if not blocked[f + min_gap_frames]:
            keep.append(f)
            blocked[f + 1:f + 2 * min_gap_frames] = True
    return np.sort(np.asarray(keep, dtype=np.int64))


def snap_rows(t_s: np.ndarray, timing: TimingData, cfg: SlotDecode) -> list[Fraction]:
    """Snap onset times (s, float [N]) to exact beats on the slot's grid.

    1/4 and 1/8 notes win when within ``cfg.snap_tolerance_s``; otherwise the coarsest of ``cfg.divisors``
    within :data:`FINE_SNAP_TOLERANCE_S`, else the nearest of them. The snaps Verify calls unusual
    (:data:`chart.snap.UNUSUAL_DIVISORS`, 1/96 and 1/192) come last: only when no other divisor of the slot
    lies within :data:`UNUSUAL_SNAP_FACTOR` x ``cfg.snap_tolerance_s``. In slow passages (a 62.5 or 90 BPM
    half-time section: 1/64 notes 60 or 42 ms apart) an onset between two of them would otherwise land on a 1/96
    or 1/192 row, which no chart of those songs uses and which Verify flags in the draft.
    """
    beats = timing.seconds_to_beats_array(np.asarray(t_s, dtype=np.float64))
    local = lambda tol_s: np.abs(timing.seconds_to_beats_array(t_s + tol_s) - beats)  # noqa: E731
    fine_tol = local(min(cfg.snap_tolerance_s, FINE_SNAP_TOLERANCE_S))
    usual, unusual = usual_divisors(cfg.divisors)
    snapped = snap_preferring_coarse(beats, usual, fine_tol, fallback="nearest")
    if unusual:
        err = np.abs(np.array([float(b) for b in snapped]) - beats)
        far = np.flatnonzero(err > local(UNUSUAL_SNAP_FACTOR * cfg.snap_tolerance_s))
        if far.size:
            for i, b in zip(far, snap_preferring_coarse(beats[far], unusual, fine_tol[far])):
                snapped[i] = b
    coarse = [d for d in cfg.divisors if d <= COARSE_DIVISOR]
    if coarse:
        near = np.abs(snap_beats_array(beats, max(coarse)) - beats) <= local(cfg.snap_tolerance_s)
        if near.any():
            on_coarse = snap_preferring_coarse(beats[near], coarse, local(cfg.snap_tolerance_s)[near])
            for i, b in zip(np.flatnonzero(near), on_coarse):
                snapped[i] = b
    return snapped


def usual_divisors(divisors: list[int]) -> tuple[list[int], list[int]]:
    """A slot's divisors split into the usual ones and the unusual 1/96 and 1/192 (all usual when the slot has
    no other)."""
    usual = [d for d in divisors if d not in UNUSUAL_DIVISORS]
    if not usual:
        return list(divisors), []
    return usual, [d for d in divisors if d in UNUSUAL_DIVISORS]


def judged_rows(beats: list[Fraction], timing: TimingData, divisors: list[int]) -> list[Fraction | None]:
    """Rows StepMania would pass over, made judged: a row inside a warp moves to the warp's end (the same
    instant; :func:`chart.formats.display_segments.judged_beat`) when that end is on one of the slot's usual snaps
    (:func:`usual_divisors`: a Beginner row on a 1/192 warp end would be no Beginner row, and a Challenge row there
    is a snap Verify warns about), else it is dropped (None), as is a row inside a fake segment. Without warps or
    fake segments the rows are returned as they are."""
    from chart.formats.display_segments import fake_ranges, judged_beat
    from chart.snap import is_on_grid

    fakes = fake_ranges(timing) if timing.extra else []
    if not timing.warps and not fakes:
        return list(beats)
    usual = usual_divisors(divisors)[0]
    out: list[Fraction | None] = []
    for b in beats:
        j = judged_beat(timing, b, fakes)
        out.append(j if j == b or (j is not None and any(is_on_grid(j, d) for d in usual)) else None)
    return out


#: Rows closer than ``min_gap_s`` minus this after snapping keep the more probable (float seconds of exact beats).
SNAPPED_GAP_SLACK_S = 1e-3
#: Lowest threshold an NPS target may reach (peaks below it are noise, not notes).
NPS_MIN_THRESHOLD = 0.02


def candidate_rows(prob: np.ndarray, frame_rate: float, timing: TimingData, cfg: SlotDecode,
                   floor: float) -> tuple[list[Fraction], np.ndarray]:
    """Rows that decoding at any threshold >= ``floor`` can produce, with the probability that keeps each.

    The rows of threshold ``t`` are exactly those whose probability is >= ``t``: the min-gap pass keeps peaks
    most probable first, so peaks below ``t`` never remove a peak above it, and a snapped row stands for its
    most probable peak. This makes NPS targeting and threshold tuning one decode instead of many.

    Parameters
    ----------
    prob : np.ndarray, float [T]
        Smoothed probabilities.
    frame_rate : float
        Frames per second.
    timing : TimingData
    cfg : SlotDecode
    floor : float
        Lowest threshold of interest.

    Returns
    -------
    rows : list of Fraction
        Sorted exact beats.
    probs : np.ndarray, float64 [N]
    """
    gap_frames = max(1, int(round(cfg.min_gap_s * frame_rate)))
    frames = pick_peaks(prob, floor, gap_frames)
    if frames.size == 0:
        return [], np.zeros(0)
    snapped = judged_rows(snap_rows(frames / float(frame_rate), timing, cfg), timing, cfg.divisors)
    # Collision resolution: several peaks on one grid row become one row carrying the highest probability.
    best: dict[Fraction, float] = {}
    for b, p in zip(snapped, prob[frames]):
        if b is not None and p > best.get(b, -1.0):
            best[b] = float(p)
    rows = sorted(best)
    probs = np.array([best[b] for b in rows], dtype=np.float64)
    if len(rows) > 1:  # min_gap_s again on the snapped rows: two peaks 80 ms apart can snap 1/6 beat apart
        seconds = timing.beats_to_seconds_array(np.array([float(b) for b in rows], dtype=np.float64))
        keep = _beat_gap_keep(seconds, probs, cfg.min_gap_s - SNAPPED_GAP_SLACK_S)
        rows, probs = [b for b, k in zip(rows, keep) if k], probs[keep]
    if cfg.min_gap_beats > 0 and len(rows) > 1:
        keep = _beat_gap_keep(np.array([float(b) for b in rows]), probs, cfg.min_gap_beats)
        rows, probs = [b for b, k in zip(rows, keep) if k], probs[keep]
    return rows, probs


def _beat_gap_keep(beats: np.ndarray, probs: np.ndarray, gap_beats: float) -> np.ndarray:
    """Mask of rows kept when rows closer than ``gap_beats`` keep only the most probable (greedy)."""
    keep = np.zeros(len(beats), dtype=bool)
    kept: list[float] = []
    for i in np.argsort(-probs, kind="stable"):
        j = bisect.bisect_left(kept, beats[i])
        near = (j < len(kept) and kept[j] - beats[i] < gap_beats - 1e-9) or (
            j > 0 and beats[i] - kept[j - 1] < gap_beats - 1e-9)
        if not near:
            kept.insert(j, float(beats[i]))
            keep[i] = True
    return keep


def threshold_for_count(row_probs: np.ndarray, want: float) -> float:
    """Threshold keeping the ``round(want)`` most probable candidate rows (never below NPS_MIN_THRESHOLD)."""
    n = int(round(want))
    ranked = np.sort(np.asarray(row_probs, dtype=np.float64))[::-1]
    if n <= 0 or ranked.size == 0:
        return 1.0 if ranked.size == 0 else float(np.nextafter(ranked[0], np.inf))
    if n >= ranked.size:
        return NPS_MIN_THRESHOLD
    return float(max(ranked[n - 1], NPS_MIN_THRESHOLD))


def density_span(row_seconds: np.ndarray, duration_s: float) -> float:
    """Seconds a density refers to: first to last row, as :func:`chart.stats.chart_stats` measures mean NPS, so
    at least its :data:`chart.stats.NPS_WINDOW_S` (or ``duration_s`` when the range is shorter); ``duration_s``
    for fewer than two rows."""
    t = np.asarray(row_seconds, dtype=np.float64)
    span = float(t.max() - t.min()) if t.size >= 2 else 0.0
    return max(span, min(NPS_WINDOW_S, float(duration_s))) if span > 0 else float(duration_s)


def rows_for_nps(row_seconds: np.ndarray, row_probs: np.ndarray, base: float, nps_target: float,
                 duration_s: float, notes_per_row: float = 1.0) -> int:
    """How many of the most probable rows make ``nps_target`` notes per second as the Stats panel counts them.

    :func:`chart.stats.chart_stats` measures mean NPS as onset notes (a jump counts 2) from the first note to the
    last, that span taken as at least its 2 s window (:func:`density_span`). The rows are
    ``nps_target x span / notes_per_row`` with ``notes_per_row`` the expected notes per row (1 + the lane
    model's jump rate) and ``span`` first, the first-to-last time of the rows the base threshold ``base`` keeps
    (where the model hears notes: a song's intro and outro do not count), then once more that of the rows so
    chosen, when it is shorter (a sparser draft can start later and end earlier). Only one step: the most
    probable rows may all sit in one passage, where no count makes the target and iterating would shrink the
    draft towards nothing.

    Rows at the base threshold that span less than the 2 s window (a song of a few seconds, a short passage:
    four rows within one second of a 5 s song) say nothing about where the notes are, as a single row does not:
    the span of every candidate row counts instead (the range the model offers rows in). Sized by those four
    rows, a 5 s song's Medium draft for 3.38 NPS had 2 notes, its Easy draft 11.
    """
    t = np.asarray(row_seconds, dtype=np.float64)
    p = np.asarray(row_probs, dtype=np.float64)
    per_second = max(float(nps_target), 0.0) / max(float(notes_per_row), 1.0)
    heard = t[p >= base]
    if heard.size < 2 or float(heard.max() - heard.min()) < min(NPS_WINDOW_S, float(duration_s)):
        heard = t
    n = int(round(per_second * density_span(heard, duration_s)))
    chosen = t[np.argsort(-p, kind="stable")[:n]]
    return min(n, int(round(per_second * density_span(chosen, duration_s))))


def base_threshold(settings: SlotDecode, conditioned: bool = False) -> float:
    """The slot's threshold: ``refine_threshold`` for a draft conditioned on a lower chart (when tuned)."""
    if conditioned and settings.refine_threshold is not None:
        return float(settings.refine_threshold)
    return float(settings.threshold)


def refine_rows_prior(settings: SlotDecode, lower_slot: int | str, lower_rows: int) -> float | None:
    """Rows a refine from ``lower_rows`` rows of ``lower_slot`` implies for the slot of ``settings`` (or None)."""
    ratio = (settings.refine_ratio or {}).get(slot_name(lower_slot))
    return float(lower_rows) * float(ratio) if ratio and lower_rows > 0 else None


def decode_onsets(prob: np.ndarray, frame_rate: float, timing: TimingData, settings: SlotDecode,
                  nps_target: float | None = None, duration_s: float | None = None,
                  conditioned: bool = False, prior_rows: float | None = None, max_run_s: float | None = None,
                  notes_per_row: float = 1.0, rows_target: float | None = None) -> DecodedOnsets:
    """Turn one slot's onset probabilities into snapped onset rows.

    Parameters
    ----------
    prob : np.ndarray, float [T]
        ``onset_prob`` of one row of the model output; frame ``i`` is at ``i / frame_rate`` seconds.
    frame_rate : float
        Frames per second (``manifest.features.frame_rate``).
    timing : TimingData
        The chart's timing (beat grid for snapping).
    settings : SlotDecode
        Threshold, min gap (s), smoothing (frames), snap divisors and tolerance (s) of the slot.
    nps_target : float, optional
        Wanted density in notes per second as the Stats panel shows it (:func:`rows_for_nps`); overrides
        ``settings.threshold`` (and ``settings.nps_target``). With it, rests are made (:mod:`inference.draft_rests`;
        a stream longer than ``max_run_s`` seconds, the slot's ``draft_rests.MAX_RUN_S``, gets a break).
    duration_s : float, optional
        Seconds of the drafted range (default: the length of ``prob``).
    conditioned : bool
        The curve comes from a refine (lower chart conditioning) run: use ``settings.refine_threshold``.
    prior_rows : float, optional
        Rows expected from elsewhere (a refine: :func:`refine_rows_prior`). Without an NPS target the decoded
        count is the geometric mean of the threshold's count and this.
    notes_per_row : float
        Expected notes per row once arrows are chosen (a jump is 2 notes), for the NPS target.
    rows_target : float, optional
        The number of rows, outright (wins over everything above; the librosa baseline's typical density).

    Returns
    -------
    DecodedOnsets
        Rows sorted by beat; one row per beat (collisions resolved).
    """
    p = np.asarray(prob, dtype=np.float64)
    if p.ndim != 1:
        raise DecodeError(f"decode expects one probability curve [T], got shape {p.shape}")
    if not np.all(np.isfinite(p)):
        raise DecodeError("onset probabilities contain NaN or infinity")
    target = nps_target if nps_target is not None else settings.nps_target
    ps = smooth(p, settings.smooth_frames)
    targeted = target is not None or bool(prior_rows) or rows_target is not None
    threshold = NPS_MIN_THRESHOLD if targeted else base_threshold(settings, conditioned)
    rows, probs = candidate_rows(ps, frame_rate, timing, settings, threshold)
    seconds = timing.beats_to_seconds_array(np.array([float(b) for b in rows], dtype=np.float64))
    if targeted:
        if rows_target is not None:
            want = float(rows_target)
        elif target is not None:
            duration = float(duration_s) if duration_s else len(ps) / float(frame_rate)
            want = grid_capped(rows_for_nps(seconds, probs, base_threshold(settings, conditioned), float(target),
                                            duration, notes_per_row), len(probs), settings.min_gap_beats)
        else:
            at_threshold = int(np.count_nonzero(probs >= base_threshold(settings, conditioned)))
            want = math.sqrt(max(at_threshold, 1) * float(prior_rows))  # type: ignore[arg-type]
        threshold = threshold_for_count(probs, want)
        keep = probs >= threshold
        if target is not None and rows_target is None:  # rests and breaks made, and as many rows refilled
            keep, threshold = rested_rows(rows, seconds, probs, want, settings.min_gap_beats, max_run_s)
        rows, probs, seconds = [b for b, k in zip(rows, keep) if k], probs[keep], seconds[keep]
    return DecodedOnsets(rows, seconds, probs, float(threshold), list(settings.divisors))

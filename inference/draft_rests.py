"""Rests in drafts drawn to a notes-per-second target (pure numpy; :func:`inference.decode.decode_onsets` calls it).

A slot's minimum gap between rows (``decode.<slot>.min_gap_beats``: Beginner 2 beats, Easy 1 in the shipped
manifest) caps how dense a draft can get at the song's tempo. The default targets (``chart.stats.default_nps``:
Beginner 1.25, Easy 2.35 NPS) are often beyond that cap, so the threshold sank to its floor
(:data:`inference.decode.NPS_MIN_THRESHOLD`) and every allowed grid step was filled: audited Beginner/Easy drafts of
8 validation songs (session 23) had 84 % / 88 % of their gaps at the minimum (the songs' own charts 35 % / 45 %),
6.5 / 11.2 rests per 100 rows (30.2 / 28.7) and up to 176 s without one. Two rules:

* a target takes at most :data:`GRID_FULL_SHARE` of the candidate rows (:func:`grid_capped`: every row the
  minimum gaps leave at the lowest threshold), so the least probable fifth is left out whatever the target asks;
* no more than :data:`MAX_ROWS_WITHOUT_REST` rows in a row without a rest (a gap of at least twice the minimum):
  the least probable inner row of a longer run is dropped (:func:`with_rests`), which leaves a gap of two minimum
  gaps or more there.

Both apply to slots whose minimum gap is :data:`REST_MIN_GAP_BEATS` or more (Beginner and Easy in the shipped
manifest); Medium and up, whose targets the gaps allow, are drafted as before.

Hard and Challenge (no minimum gap) had the opposite trouble: audited drafts ran 28 s (Hard) and 46 s
(Challenge) on average without a gap of a beat, up to 91 s, where the songs' own charts ran 18 s and 24 s. A third
rule, :func:`with_breaks`, bounds that stamina: once a run of rows with every gap under :data:`BREAK_BEATS` lasts
longer than the slot's :data:`MAX_RUN_S`, the least probable rows whose removal leaves a gap of a beat in the
run's second half are dropped (the run then starts after that gap).

All three apply only to NPS-targeted drafts (the editor's AI panel and ``main.py draft``, which target a density by
default); a draft at the manifest's threshold, as ``main.py eval`` scores it, is untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np

#: Most of the candidate rows (all rows the minimum gaps leave at the lowest threshold) an NPS target may take.
GRID_FULL_SHARE = 0.8
#: Rounds :func:`rested_rows` refills the rows its rules dropped (each round usually makes up all but a few).
REFILL_ROUNDS = 8
#: Slots whose ``min_gap_beats`` is at least this (Beginner and Easy in the shipped manifest) get the rest rule.
REST_MIN_GAP_BEATS = 1.0
#: Rows a draft of such a slot may have in a row without a rest.
MAX_ROWS_WITHOUT_REST = 12
#: A gap of at least this many beats breaks a stream (:func:`with_breaks`).
BREAK_BEATS = 1.0
#: Per slot (Beginner..Challenge): seconds a stream (every gap under :data:`BREAK_BEATS`) may last in a targeted
#: draft (None: no bound): the 90th percentile of the longest such run per human chart (text-only charts, 240-384
#: a slot: medians 7.7 s Hard, 13.7 s Challenge; Medium 11.6 s: the 8 validation songs' Medium drafts were within
#: it, but at 101-114 BPM its default target is about every eighth note and Buster's ran 35 s; Beginner/Easy have
#: rests).
MAX_RUN_S: tuple[float | None, ...] = (None, None, 11.6, 21.3, 37.2)


def grid_share(min_gap_beats: float) -> float:
    """The share of its candidate rows a targeted draft of a slot with this minimum gap may take."""
    return GRID_FULL_SHARE if min_gap_beats >= REST_MIN_GAP_BEATS else 1.0


def grid_capped(want: float, candidates: int, min_gap_beats: float) -> float:
    """``want`` rows, at most :data:`GRID_FULL_SHARE` of ``candidates`` in a slot whose minimum gap is
    :data:`REST_MIN_GAP_BEATS` or more (and has more than a handful of candidate rows)."""
    if min_gap_beats < REST_MIN_GAP_BEATS or candidates <= MAX_ROWS_WITHOUT_REST:
        return float(want)
    return min(float(want), GRID_FULL_SHARE * candidates)


def rested_rows(beats: Sequence[Fraction], seconds: np.ndarray, probs: np.ndarray, want: float,
                min_gap_beats: float, max_run_s: float | None) -> tuple[np.ndarray, float]:
    """The rows an NPS target of ``want`` rows keeps, and the threshold of the last rows taken: the ``want`` most
    probable, less those :func:`with_rests` and :func:`with_breaks` drop, then refilled with the next most probable
    (the rules applied again) until ``want`` rows are kept or no candidate is left (at most
    :data:`REFILL_ROUNDS` rounds). Without the refill a target was short by the rows the rules dropped: Beginner and
    Easy drafts of two audited songs came out 8-9 % under the rows the grid cap allowed, and under a target the
    panel called reachable."""
    from inference.decode import threshold_for_count

    goal, n = int(round(want)), float(want)
    keep, threshold = np.zeros(len(probs), dtype=bool), 1.0
    for _ in range(REFILL_ROUNDS):
        threshold = threshold_for_count(probs, n)
        keep = with_breaks(beats, seconds, probs, with_rests(beats, probs, probs >= threshold, min_gap_beats),
                           max_run_s)
        short = goal - int(keep.sum())
        if short <= 0 or n >= len(probs):
            break
        n = min(float(len(probs)), n + short)
    return keep, threshold


def with_rests(beats: Sequence[Fraction], probs: np.ndarray, keep: np.ndarray, min_gap_beats: float,
               max_rows: int = MAX_ROWS_WITHOUT_REST) -> np.ndarray:
    """``keep`` (bool, one per row of ``beats``/``probs``) less the rows dropped to make rests: going through the
    kept rows in order, a run of more than ``max_rows`` rows whose gaps are all under ``2 * min_gap_beats`` loses
    its least probable row between its first and last (the run then starts after it). Unchanged for a slot whose
    minimum gap is under :data:`REST_MIN_GAP_BEATS`."""
    out = np.asarray(keep, dtype=bool).copy()
    if min_gap_beats < REST_MIN_GAP_BEATS or max_rows < 2:
        return out
    rest = 2.0 * min_gap_beats - 1e-9
    idx = np.flatnonzero(out).tolist()
    b = [float(beats[i]) for i in idx]
    run: list[int] = []  # positions in idx of the current run
    for k in range(len(idx)):
        if run and b[k] - b[run[-1]] >= rest:
            run = []
        run.append(k)
        if len(run) > max_rows:
            inner = run[1:-1]
            drop = min(range(len(inner)), key=lambda j: (float(probs[idx[inner[j]]]), j))
            out[idx[inner[drop]]] = False
            run = run[drop + 2:]  # the dropped row's neighbours are now a rest apart
    return out


def with_breaks(beats: Sequence[Fraction], seconds: np.ndarray, probs: np.ndarray, keep: np.ndarray,
                max_run_s: float | None) -> np.ndarray:
    """``keep`` (bool, one per row of ``beats``/``seconds``/``probs``) less the rows dropped to break streams:
    going through the kept rows in order, a run whose gaps are all under :data:`BREAK_BEATS` that lasts longer than
    ``max_run_s`` loses the rows between two of its rows a beat or more apart, the two chosen in the run's second
    half so that the dropped rows' probabilities sum least (fewest rows on a tie). Unchanged without a bound."""
    out = np.asarray(keep, dtype=bool).copy()
    if max_run_s is None:
        return out
    idx = np.flatnonzero(out).tolist()
    b = [float(beats[i]) for i in idx]
    t = [float(seconds[i]) for i in idx]
    start = 0  # position in idx of the current run's first row
    for k in range(1, len(idx)):
        if b[k] - b[k - 1] >= BREAK_BEATS - 1e-9:
            start = k
        elif t[k] - t[start] > max_run_s:
            best: tuple[float, int, int, int] | None = None  # (cost, rows dropped, a, c)
            c = k
            for a in range(k - 1, start - 1, -1):
                if t[a] - t[start] < max_run_s / 2:
                    break
                while c > a + 1 and b[c - 1] - b[a] >= BREAK_BEATS - 1e-9:
                    c -= 1  # the nearest row a beat or more after row a
                if b[c] - b[a] < BREAK_BEATS - 1e-9:
                    continue
                cost = float(sum(probs[idx[j]] for j in range(a + 1, c)))
                if best is None or (cost, c - a) < best[:2]:
                    best = (cost, c - a, a, c)
            if best is not None:
                for j in range(best[2] + 1, best[3]):
                    out[idx[j]] = False
                start = best[3]
    return out

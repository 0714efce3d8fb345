"""Calibrate the lane decoder's jump and hold thresholds on free-running drafts of held-out charts.

Greedy decoding that always takes the single likeliest arrow set produces almost no jumps and few holds (each
is rarely the likeliest outcome of one row), and a model that feeds on its own jump-free history grows even less
inclined to jump. So the thresholds of :class:`inference.lane_decision.DecisionRule` are set where it matters: the
exported model drafts the monitor charts' onset rows exactly as the drafter does, and a per-slot bisection moves
each threshold until the drafts' jump rate (rows with two arrows) and hold rate (hold heads per arrow) match
those of the reference charts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from chart.song import Chart, Song
from inference.lane_decision import RATE_CAP_FACTOR, DecisionRule, fast_repeat_rows, repeat_rows
from inference.lane_features import MASK_BITS, N_SLOTS, POPCOUNT, LaneRows, row_features, rows_from_notes
from inference.lanes import LaneRequest, decode_rows

ITERATIONS = 10  # bisection steps: thresholds to within 1/1024


def _usable(folders: Sequence[Path], skip_broken: bool) -> Iterator[tuple[Song, int, Chart]]:
    """Song, slot and chart of every usable chart in ``folders``, in slot order per song; folders without a
    readable chart file are skipped with ``skip_broken``, else raise ``DataError``."""
    from training.data import DataError, find_chart_file, load_song, usable_charts

    for folder in folders:
        path = find_chart_file(folder)
        try:
            if path is None:
                raise DataError(f"no .ssc/.sm chart in {folder.name}")
            song = load_song(path)
        except DataError:
            if skip_broken:
                continue
            raise
        for slot, chart in sorted(usable_charts(song).items()):
            yield song, slot, chart


def chart_requests(folders: Sequence[Path]) -> tuple[list[LaneRequest], list[LaneRows]]:
    """Decoder requests (no audio) and reference rows of every usable chart in ``folders``."""
    requests, references = [], []
    for song, slot, chart in _usable(folders, skip_broken=False):
        rows = rows_from_notes(chart.notes)
        seconds = song.timing_for(chart).beats_to_seconds_array(np.array([float(b) for b in rows.beats]))
        requests.append(LaneRequest(rows.beats, row_features(rows.beats, seconds, slot), slot, seconds))
        references.append(rows)
    return requests, references


def rates(rows: Sequence[LaneRows], slots: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Per slot: share of rows with two or more arrows, share of arrows that are hold heads, shape (5,) each."""
    jumps, n_rows = np.zeros(N_SLOTS), np.zeros(N_SLOTS)
    holds, n_arrows = np.zeros(N_SLOTS), np.zeros(N_SLOTS)
    for r, slot in zip(rows, slots):
        jumps[slot] += np.sum(POPCOUNT[r.arrows] >= 2)
        n_rows[slot] += len(r)
        holds[slot] += MASK_BITS[r.holds].sum()
        n_arrows[slot] += MASK_BITS[r.arrows].sum()
    return jumps / np.maximum(n_rows, 1), holds / np.maximum(n_arrows, 1)


#: Per-chart shares between these quantiles of human charts are what drafts are held to: drafts that copy their own
#: jumps run to the upper one, so it is the median (with the 75th percentile, drafts of 30 songs had a median jump
#: share of 0.10-0.12 against their charts' 0.05-0.07; with the median 0.05-0.08). Repeats use the same.
JUMP_RANGE_QUANTILES = (0.25, 0.5)


def share_range(rows: Sequence[LaneRows], slots: Sequence[int], measure: Callable[[np.ndarray], np.ndarray],
                quantiles: tuple[float, float] = JUMP_RANGE_QUANTILES, beginner: bool = True) -> dict:
    """Per slot, the ``quantiles`` of the *per-chart* share of rows for which ``measure`` (the rows' arrow masks
    -> (N,) bool) holds: the drafter's running floor and cap (:class:`inference.lane_decision.DecisionRule`).

    Per chart, not pooled: a pooled rate is dominated by a few long, jump-heavy charts (text-only corpus,
    Challenge: pooled jump rate 0.118, median chart 0.091), while a draft should look like a typical chart of its
    slot. Without ``beginner`` the Beginner entries are None. Returns ``{"low": [..], "high": [..], "charts":
    [..], "quantiles": [..]}``, 5 entries each.
    """
    shares: list[list[float]] = [[] for _ in range(N_SLOTS)]
    for r, slot in zip(rows, slots):
        if len(r):
            shares[int(slot)].append(float(np.mean(measure(np.asarray(r.arrows)))))
    return _quantile_bounds(shares, quantiles, beginner)


def _quantile_bounds(shares: list[list[float]], quantiles: tuple[float, float], beginner: bool) -> dict:
    """:func:`share_range`'s result from the per-chart shares of each slot."""
    low: list[float | None] = []
    high: list[float | None] = []
    for slot, values in enumerate(shares):
        q = np.quantile(values, quantiles) if values and (beginner or slot) else (None, None)
        low.append(None if q[0] is None else round(float(q[0]), 4))
        high.append(None if q[1] is None else round(float(q[1]), 4))
    return {"low": low, "high": high, "charts": [len(v) for v in shares],
            "quantiles": [float(quantiles[0]), float(quantiles[1])]}


def jump_share_range(rows: Sequence[LaneRows], slots: Sequence[int],
                     quantiles: tuple[float, float] = JUMP_RANGE_QUANTILES) -> dict:
    """:func:`share_range` of jump rows (two or more arrows); Beginner gets none (the post-rules allow no jumps
    there)."""
    return share_range(rows, slots, lambda arrows: POPCOUNT[arrows] >= 2, quantiles, beginner=False)


def repeat_share_range(rows: Sequence[LaneRows], slots: Sequence[int],
                       quantiles: tuple[float, float] = JUMP_RANGE_QUANTILES) -> dict:
    """:func:`share_range` of repeats (:func:`inference.lane_decision.repeat_rows`), every slot."""
    return share_range(rows, slots, repeat_rows, quantiles)


def fast_repeat_share_range(rows: Sequence[LaneRows], slots: Sequence[int], seconds: Sequence[np.ndarray],
                            quantiles: tuple[float, float] = JUMP_RANGE_QUANTILES) -> dict:
    """:func:`share_range` of fast repeats (:func:`inference.lane_decision.fast_repeat_rows`; ``seconds``: each
    chart's row times), every slot."""
    shares: list[list[float]] = [[] for _ in range(N_SLOTS)]
    for r, slot, sec in zip(rows, slots, seconds):
        if len(r):
            shares[int(slot)].append(float(np.mean(fast_repeat_rows(r.arrows, sec))))
    return _quantile_bounds(shares, quantiles, beginner=True)


def corpus_rows(folders: Sequence[Path]) -> tuple[list[LaneRows], list[int], list[np.ndarray]]:
    """Reference rows, slots and the rows' times (each chart's own timing) of every usable chart in ``folders``
    (text only; unreadable files skipped)."""
    charts = list(_usable(folders, skip_broken=True))
    rows = [rows_from_notes(chart.notes) for _, _, chart in charts]
    seconds = [song.timing_for(chart).beats_to_seconds_array(np.array([float(b) for b in r.beats]))
               for (song, _, chart), r in zip(charts, rows)]
    return rows, [slot for _, slot, _ in charts], seconds


def calibrate_free_running(stepper, requests: Sequence[LaneRequest], references: Sequence[LaneRows],
                           iterations: int = ITERATIONS) -> dict:
    """Bisect per-slot thresholds until greedy drafts of ``requests`` match the references' rates.

    Parameters
    ----------
    stepper : OnnxLaneStepper
        The exported model; its ``rule`` is replaced while searching and left at the result.
    requests, references : sequences
        Onset rows to draft and the reference rows they come from.
    iterations : int
        Bisection steps (the search starts at 0.5 in [0, 1]).

    Returns
    -------
    dict with ``jump_threshold`` (None at Beginner, where jumps are not allowed) and ``hold_threshold``, plus
    the reached and wanted rates for the record.
    """
    want_jump, want_hold = rates(references, [r.slot for r in requests])
    return calibrate_to_rates(stepper, requests, want_jump, want_hold, iterations)


def calibrate_to_rates(stepper, requests: Sequence[LaneRequest], want_jump: np.ndarray, want_hold: np.ndarray,
                       iterations: int = ITERATIONS) -> dict:
    """Bisect per-slot thresholds until greedy drafts of ``requests`` reach the wanted rates.

    ``want_jump`` / ``want_hold`` (5,) are the per-slot shares of :func:`rates` (jump rows per row, hold heads
    per arrow), e.g. of reference charts. Other parameters and the result as :func:`calibrate_free_running`.
    """
    want_jump, want_hold = np.asarray(want_jump, np.float64), np.asarray(want_hold, np.float64)
    slots = [r.slot for r in requests]
    lo_j, hi_j = np.zeros(N_SLOTS), np.ones(N_SLOTS)
    lo_h, hi_h = np.zeros(N_SLOTS), np.ones(N_SLOTS)
    # Free-running rates need not be monotone in the thresholds (a model that reads its own repeats can tip
    # into copying its jumps), and holds block jumps, so keep, per slot, the tried pair of thresholds whose
    # drafts came closest to both targets (relative errors). Charts decode independently and each depends
    # only on its own slot's thresholds, so the pairs chosen per slot reproduce the rates they were tried at.
    best_j, best_h, best_err = np.full(N_SLOTS, 0.5), np.full(N_SLOTS, 0.5), np.full(N_SLOTS, np.inf)
    # Decode under the running rate caps production derives from these same reference rates
    # (DecisionRule.from_manifest): searched without them, the thresholds came out tuned to self-feeding runs
    # that the caps cut short, and production drafts had a quarter of the wanted holds.
    base = DecisionRule(jump_cap=tuple(RATE_CAP_FACTOR * want_jump), hold_cap=tuple(RATE_CAP_FACTOR * want_hold))
    for _ in range(iterations):
        jump, hold = (lo_j + hi_j) / 2, (lo_h + hi_h) / 2
        stepper.rule = replace(base, jump=tuple([None, *jump[1:].tolist()]), hold=tuple(hold.tolist()))
        got_jump, got_hold = rates(decode_rows(stepper, requests), slots)
        err = (np.abs(got_jump - want_jump) / np.maximum(want_jump, 1e-3)
               + np.abs(got_hold - want_hold) / np.maximum(want_hold, 1e-3))
        better = err < best_err
        best_j, best_h, best_err = np.where(better, jump, best_j), np.where(better, hold, best_h), \
            np.minimum(err, best_err)
        # More jumps (holds) than wanted: raise the threshold; fewer: lower it.
        lo_j, hi_j = np.where(got_jump > want_jump, jump, lo_j), np.where(got_jump > want_jump, hi_j, jump)
        lo_h, hi_h = np.where(got_hold > want_hold, hold, lo_h), np.where(got_hold > want_hold, hi_h, hold)
    jump, hold = best_j, best_h
    stepper.rule = replace(base, jump=tuple([None, *jump[1:].tolist()]), hold=tuple(hold.tolist()))
    got_jump, got_hold = rates(decode_rows(stepper, requests), slots)
    return {"jump_threshold": [None, *[round(float(x), 4) for x in jump[1:]]],
            "hold_threshold": [round(float(x), 4) for x in hold],
            "rates": {"jump": np.round(got_jump, 4).tolist(), "jump_reference": np.round(want_jump, 4).tolist(),
                      "hold": np.round(got_hold, 4).tolist(), "hold_reference": np.round(want_hold, 4).tolist()},
            "charts": len(requests)}

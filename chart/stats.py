"""Chart statistics: counts, jumps/hands, notes-per-second curve, density per measure, difficulty estimate.

Notes per second (NPS) count *onset notes* (taps, hold/roll heads, lifts; a jump counts 2, mines and fakes 0) at
their judgement times from :class:`~chart.timing.TimingData`. ``mean_nps`` is onsets / (last onset - first
onset), that span taken as at least :data:`NPS_WINDOW_S`, and capped at ``peak_nps``; ``peak_nps`` is the most
onsets in any window of :data:`NPS_WINDOW_S` seconds, divided by the window. The floor keeps the mean from
exceeding the peak on charts shorter than the window (3 notes in 0.5 s were a mean of 6 NPS, a peak of 1.5 and a
"Hard" difficulty of 12): their notes all fit in one window, so both are onsets / window. The cap covers evenly
spaced charts: N onsets over N-1 gaps (3 taps a second apart: a mean of 1.5, a peak of 1.0); a cap rather than a
longer span, so that every other chart's mean, and the span the AI decoder sizes drafts by
(``inference.decode.rows_for_nps``), stay as they were. Every chart of the fit lasts far longer, so the figures
below are unchanged.

Difficulty estimate (meter-like, 1..20)::

    difficulty = clip(-6.95 + 6.07 * sqrt(mean_nps) + 2.52 * sqrt(peak_nps) - 3.72 * jump_ratio, 1, 20)

where ``jump_ratio`` = jump rows / onset rows (a jump adds 2 notes but 1 step, so NPS overstates it). The
coefficients are a least-squares fit to the 817 dance-single charts of the three DDR packs in
``../shared/data/charts-only`` (ddr-a20beta, ddr-supernova2, ddr-x2: the modern DDR 1..19 meter scale, chosen as
the reference because the packs share it). Five-fold cross-validation grouped by song: mean absolute error 0.72-0.73
meter (as the songs fall into folds), Spearman 0.977 (mean NPS alone: MAE 0.88, 0.973). The estimate itself, as
the Stats panel shows it (one decimal), lies within 1 of the meter for only about 3 charts in 4 (74 % in
cross-validation; the shipped coefficients on all 817: 73.6 %, 76.4 % at one decimal); rounded to a whole meter it
is within 1 for 90 % (90.2 %; 90.5 %). Over all 2082 dance-single charts of both data folders (mixed pack scales:
old DDR 1-10, ITG, fan packs) the Spearman correlation is 0.83.
Holds and hands did not improve the fit (weights near 0) and are left out.

Typical slot: the estimate maps to the slot whose charts it most resembles, with boundaries midway between the
medians of the estimate per slot (Beginner 3.3, Easy 6.5, Medium 9.3, Hard 11.7, Challenge 13.7). On the
2029 Beginner..Challenge charts this picks the labelled slot for 58 % and a neighbouring slot for most of the rest
(95 % within one slot); packs disagree on what "Hard" means, so treat it as a hint.

Per-slot typical mean NPS (:data:`SLOT_NPS_RANGES`) are the 10th..90th percentiles over the same 2029 charts
(median in brackets): Beginner 0.76..1.73 (1.11), Easy 1.49..3.20 (2.11), Medium 2.27..4.48 (3.09),
Hard 3.11..6.06 (4.18), Challenge 3.34..7.67 (5.00). The charts-with-audio folder alone (348 charts) gives
nearly the same ranges (Beginner 0.78..2.02, Easy 1.43..3.40, Medium 2.19..4.30, Hard 3.03..5.60,
Challenge 3.54..8.10). The data stays outside the repository; only these figures are kept.

A couple chart (``dance-couple``, ``pump-couple``) is two players, each on a pad of their own (the first and the
second half of the lanes): as StepMania's radar (``Steps::CalculateRadarValues``) and Verify's ``hands`` check, each
player is counted on their own, and rows, jumps/hands/quads, NPS, difficulty and typical slot are the busier
player's (the higher estimate); the note counts and the length are the whole chart's. Both players stepping one
arrow at the same moment are two steps, not a jump. A routine chart's notes are player 1's alone (player 2's stay
in the chart's ``extra``): one player across both pads, counted as one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from chart.checks.hands import COUPLE_MODES
from chart.formats.display_segments import judged_notes
from chart.notes import Note, NoteKind
from chart.row_overlap import SHARED_ROW_TOLERANCE_S, RowOverlap, onset_row_times_s, row_overlap  # noqa: F401
from chart.song import Chart, Slot
from chart.timing import TimingData

NPS_WINDOW_S = 2.0  # window of the NPS curve and of the peak NPS: 1 s windows jump on every 16th burst
NPS_HOP_S = 0.25  # spacing of NPS curve samples
WINDOW_EDGE_S = 1e-6  # a time this close to a window's end is at the end, outside (float rounding of exact beats)

# Difficulty estimate (see the module docstring for the fit).
DIFFICULTY_INTERCEPT = -6.95
DIFFICULTY_SQRT_MEAN_NPS = 6.07
DIFFICULTY_SQRT_PEAK_NPS = 2.52
DIFFICULTY_JUMP_RATIO = -3.72
DIFFICULTY_MIN, DIFFICULTY_MAX = 1.0, 20.0

# Upper bound of the estimate for each slot (midpoints between per-slot medians); above the last: Challenge.
SLOT_DIFFICULTY_UPPER: tuple[tuple[Slot, float], ...] = (
    (Slot.BEGINNER, 4.9), (Slot.EASY, 7.9), (Slot.MEDIUM, 10.5), (Slot.HARD, 12.7),
)

# Typical mean NPS per slot: 10th..90th percentile of 2029 human charts (module docstring).
SLOT_NPS_RANGES: dict[Slot, tuple[float, float]] = {
    Slot.BEGINNER: (0.76, 1.73),
    Slot.EASY: (1.49, 3.20),
    Slot.MEDIUM: (2.27, 4.48),
    Slot.HARD: (3.11, 6.06),
    Slot.CHALLENGE: (3.34, 7.67),
}

# Meter of a new empty chart until it has notes (the Charts panel's Add, a chart made for a draft, New Song's
# Beginner); an Accept into such a chart sets :func:`estimated_meter` instead (the CLI's drafts get it too).
PLACEHOLDER_METERS: dict[Slot, int] = {Slot.BEGINNER: 1, Slot.EASY: 3, Slot.MEDIUM: 6, Slot.HARD: 9,
                                       Slot.CHALLENGE: 12}
EDIT_PLACEHOLDER_METER = 8


def placeholder_meter(slot: Slot) -> int:
    """The meter a new empty chart of ``slot`` gets (:data:`PLACEHOLDER_METERS`)."""
    return PLACEHOLDER_METERS.get(slot, EDIT_PLACEHOLDER_METER)


def default_nps(slot: Slot) -> float | None:
    """The density target a draft of ``slot`` gets unless one is asked for (the editor's AI panel and ``main.py
    draft``): the middle of the slot's usual range (:data:`SLOT_NPS_RANGES`), to 0.01; None for an Edit slot."""
    usual = SLOT_NPS_RANGES.get(slot)
    return round((usual[0] + usual[1]) / 2, 2) if usual is not None else None


def onset_times_s(notes: Sequence[Note], timing: TimingData) -> np.ndarray:
    """Judgement times in seconds of the onset notes, sorted; shape ``[n_onsets]`` (a jump counts twice)."""
    beats = np.array([float(n.beat) for n in notes if n.kind.is_onset], dtype=np.float64)
    return np.sort(timing.beats_to_seconds_array(beats)) if beats.size else beats


def kind_counts(notes: Iterable[Note]) -> dict[str, int]:
    """Number of notes of every kind (keys are ``NoteKind`` values; kinds absent count 0)."""
    counts = {k.value: 0 for k in NoteKind}
    for n in notes:
        counts[n.kind.value] += 1
    return counts


def row_counts(notes: Sequence[Note]) -> tuple[int, int, int, int]:
    """Row counts as StepMania's NoteData counts them: ``(rows, jumps, hands, quads)``.

    ``rows`` counts distinct beats with at least one onset; a *jump* is a row with 2 or more onsets, lifts
    included (``GetNumRowsWithSimultaneousTaps``; hands are jumps too). A *hand* (a *quad*) is a row with at least
    one press (a tap or a hold/roll head: a lift is let go, not pressed) where the presses and the lanes held there
    by an earlier hold/roll reach 3 (4); a hold ending on the row still holds its lane there ("Do count adjacent
    holds": ``RowNeedsAtLeastSimultaneousPresses`` with ``IsHoldNoteAtRow``, whose search starts from the row
    before and finds the head of a hold whose end is at or after the row). Verify's ``hands`` check has its own
    rule (what a player can step), not this one.
    """
    onsets = [n for n in notes if n.kind.is_onset]
    if not onsets:
        return 0, 0, 0, 0
    beats = np.array([float(n.beat) for n in onsets])
    rows, per_row = np.unique(beats, return_counts=True)
    pressed = np.sort(beats[np.array([n.kind is not NoteKind.LIFT for n in onsets], dtype=bool)])
    presses = np.searchsorted(pressed, rows, side="right") - np.searchsorted(pressed, rows, side="left")
    holds = [n for n in notes if n.kind.has_length and n.length > 0]
    heads = np.sort(np.array([float(n.beat) for n in holds]))
    ends = np.sort(np.array([float(n.end_beat) for n in holds]))
    # Holds down at the row, head before it and end at or after it: #heads before the row minus #ends before it.
    held = np.searchsorted(heads, rows, side="left") - np.searchsorted(ends, rows, side="left")
    needed = (presses >= 1) * (presses + held)
    return (int(rows.size), int(np.sum(per_row >= 2)), int(np.sum(needed >= 3)), int(np.sum(needed >= 4)))


def nps_curve(
    times_s: np.ndarray, window_s: float = NPS_WINDOW_S, hop_s: float = NPS_HOP_S,
    start_s: float | None = None, end_s: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Notes per second in a window centred on regularly spaced times, and at the centre of the densest window.

    The regular samples can miss the densest window by up to a hop (the minimap's scale, the top of this curve,
    read up to 1 NPS below the Stats panel's Peak NPS), so the curve also holds one sample where that window is
    centred, worth :func:`peak_nps` (when it lies in the span).

    Parameters
    ----------
    times_s : np.ndarray
        Sorted onset times in seconds, shape ``[n]``.
    window_s, hop_s : float
        Window length and sample spacing in seconds.
    start_s, end_s : float, optional
        Span to sample (default: first to last onset).

    Returns
    -------
    centres_s : np.ndarray
        Sample times in seconds, sorted, shape ``[m]``.
    nps : np.ndarray
        Onsets in ``[t - window_s/2, t + window_s/2)`` divided by ``window_s`` (the densest window's sample:
        its :func:`peak_nps`), shape ``[m]``.
    """
    t = np.asarray(times_s, dtype=np.float64)
    if t.size == 0 and (start_s is None or end_s is None):
        return np.zeros(0), np.zeros(0)
    start = float(t[0]) if start_s is None else start_s
    end = float(t[-1]) if end_s is None else end_s
    centres = start + hop_s * np.arange(int(np.floor((end - start) / hop_s)) + 1)
    lo = np.searchsorted(t, centres - window_s / 2, side="left")
    hi = np.searchsorted(t, centres + window_s / 2 - WINDOW_EDGE_S, side="left")  # the end as _densest_window
    nps = (hi - lo) / window_s
    if t.size:
        first, count = _densest_window(t, window_s)
        centre = float(t[first]) + window_s / 2
        if start <= centre <= end:
            at = int(np.searchsorted(centres, centre, side="right"))
            centres, nps = np.insert(centres, at, centre), np.insert(nps, at, count / window_s)
    return centres, nps


def _densest_window(t: np.ndarray, window_s: float) -> tuple[int, int]:
    """(index of the onset that starts the window of ``window_s`` holding the most onsets, how many it holds);
    ``t`` sorted, not empty."""
    # a note exactly window_s later is outside, whatever the float rounding of the two times (an #OFFSET of
    # 0.001 s flipped a steady stream between 4.0 and 4.5 NPS)
    inside = np.searchsorted(t, t + window_s - WINDOW_EDGE_S, side="left") - np.arange(t.size)
    first = int(np.argmax(inside))
    return first, int(inside[first])


def peak_nps(times_s: np.ndarray, window_s: float = NPS_WINDOW_S) -> float:
    """Highest notes per second over any window of ``window_s`` seconds (exact: windows start at onsets)."""
    t = np.asarray(times_s, dtype=np.float64)
    if t.size == 0:
        return 0.0
    return _densest_window(t, window_s)[1] / window_s


@dataclass(frozen=True)
class MeasureDensity:
    """Onsets per measure. Arrays of shape ``[n_measures]``."""

    start_beats: np.ndarray
    counts: np.ndarray
    nps: np.ndarray  # counts / measure duration in seconds (0 where the measure takes no time)


def density_per_measure(notes: Sequence[Note], timing: TimingData) -> MeasureDensity:
    """Onset count and notes per second of every measure from beat 0 to the last onset (time signatures kept)."""
    beats = np.sort(np.array([float(n.beat) for n in notes if n.kind.is_onset], dtype=np.float64))
    if beats.size == 0:
        return MeasureDensity(np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0))
    starts = timing.measure_starts(max(float(beats[-1]), 0.0))
    edges = np.append(starts, starts[-1] + 4.0 if starts.size < 2 else 2 * starts[-1] - starts[-2])
    counts = np.diff(np.searchsorted(beats, edges, side="left"))
    counts[0] += int(np.searchsorted(beats, edges[0], side="left"))  # notes before beat 0 join measure 1
    seconds = np.diff(timing.beats_to_seconds_array(edges))
    nps = np.divide(counts, seconds, out=np.zeros(counts.size), where=seconds > 0)
    return MeasureDensity(starts, counts.astype(np.int64), nps)


def estimate_difficulty(mean_nps: float, peak_nps: float, jump_ratio: float) -> float:
    """Meter-like difficulty on a 1..20 scale from NPS and jumps (formula and fit in the module docstring).

    Parameters
    ----------
    mean_nps, peak_nps : float
        Notes per second, overall and in the densest window.
    jump_ratio : float
        Jump rows / onset rows, in [0, 1].
    """
    if mean_nps <= 0:
        return DIFFICULTY_MIN
    raw = (DIFFICULTY_INTERCEPT + DIFFICULTY_SQRT_MEAN_NPS * np.sqrt(mean_nps)
           + DIFFICULTY_SQRT_PEAK_NPS * np.sqrt(max(peak_nps, mean_nps)) + DIFFICULTY_JUMP_RATIO * jump_ratio)
    return float(np.clip(raw, DIFFICULTY_MIN, DIFFICULTY_MAX))


def typical_slot(difficulty: float) -> Slot:
    """The slot whose charts usually have this estimated difficulty (Beginner..Challenge)."""
    for slot, upper in SLOT_DIFFICULTY_UPPER:
        if difficulty < upper:
            return slot
    return Slot.CHALLENGE


@dataclass(frozen=True)
class ChartStats:
    """Summary of one chart. Times in seconds, densities in onset notes per second."""

    counts: dict[str, int]  # per NoteKind value
    onsets: int
    rows: int
    jumps: int
    hands: int
    quads: int
    first_s: float
    last_s: float
    mean_nps: float
    peak_nps: float
    difficulty: float  # DIFFICULTY_MIN without steps (what estimated_meter writes); shown as "-" (has_estimate)
    typical_slot: Slot
    # the judged notes by kind (taps, holds, rolls, lifts: they add up to onsets; the parts of shown_counts)
    judged_counts: dict[str, int] = field(default_factory=dict)
    # A couple chart's (module docstring): the player (1 or 2) whose figures rows..typical_slot are, the busier,
    # and each player's own stats; 0 and () for a chart of one player
    player: int = 0
    players: tuple[ChartStats, ...] = ()

    @property
    def drain_s(self) -> float:
        """Seconds from the first to the last onset."""
        return self.last_s - self.first_s

    @property
    def has_estimate(self) -> bool:
        """Whether there is a difficulty to estimate: a chart without steps (empty, mines only) has none, and
        shows "-" rather than :data:`DIFFICULTY_MIN`."""
        return self.onsets > 0

    def as_dict(self) -> dict:
        """JSON-ready summary (slot by name, floats rounded to what a reader needs); ``difficulty`` and
        ``typical_slot`` null without steps; ``player`` and ``players`` (each player's own) for a couple chart."""
        out = {
            "counts": dict(self.counts), "onsets": self.onsets, "rows": self.rows, "jumps": self.jumps,
            "hands": self.hands, "quads": self.quads, "first_s": round(self.first_s, 3),
            "last_s": round(self.last_s, 3), "mean_nps": round(self.mean_nps, 3),
            "peak_nps": round(self.peak_nps, 3),
            "difficulty": round(self.difficulty, 1) if self.has_estimate else None,
            "typical_slot": self.typical_slot.sm_name if self.has_estimate else None,
        }
        if self.players:
            out.update(player=self.player, players=[{k: v for k, v in p.as_dict().items() if k != "counts"}
                                                    for p in self.players])  # counts: the chart's, above
        return out


def estimated_meter(chart: Chart, timing: TimingData) -> int:
    """The meter a drafted chart is written with: its estimated difficulty (:func:`chart_stats`), rounded, at
    least 1 (``main.py draft`` and the editor's Accept into a chart still at its placeholder meter)."""
    return max(1, round(chart_stats(chart, timing).difficulty))


def note_count(chart: Chart, timing: TimingData) -> int:
    """A chart's "notes" wherever a count is shown (``info``, the Stats panel, the editor's chart list, ``draft``'s
    note on a chart it replaces): :attr:`ChartStats.onsets`, the onsets StepMania judges under ``timing`` (a jump
    counts 2; mines, fakes and notes in a warp or fake segment 0)."""
    return sum(1 for n in judged_notes(chart.notes, timing) if n.kind.is_onset)


def shown_counts(chart: Chart, timing: TimingData, stats: ChartStats | None = None) -> tuple[dict[str, int], int]:
    """The note counts ``info`` and the Stats panel show: the steps StepMania judges by kind (taps, holds, rolls,
    lifts: they add up to :attr:`ChartStats.onsets`) with every mine and fake of the chart, and the steps it skips
    (in a warp or a fake segment); together every note of the chart. ``stats``: ``chart_stats(chart, timing)``
    when the caller has it (its counts are reused, not counted again)."""
    if stats is not None:
        every, judged = stats.counts, stats.judged_counts
    else:
        every, judged = kind_counts(chart.notes), kind_counts(judged_notes(chart.notes, timing))
    steps = [k.value for k in NoteKind if k.is_onset]
    return {k: judged[k] if k in steps else n for k, n in every.items()}, sum(every[k] - judged[k] for k in steps)


def chart_stats(chart: Chart, timing: TimingData) -> ChartStats:
    """All statistics of a chart played with ``timing`` (usually ``song.timing_for(chart)``). Times, rows and
    densities count the notes StepMania judges: a warp's notes all share one instant, and counting them made peak
    NPS explode (94 on a meter-9 chart); the kind counts list every note of the chart. A couple chart's rows,
    jumps, densities and difficulty are the busier player's (module docstring)."""
    judged = judged_notes(chart.notes, timing)
    if chart.mode not in COUPLE_MODES:
        return _stats(chart.notes, judged, timing)
    half = chart.lanes // 2
    players = tuple(_stats(mine, mine_judged, timing)
                    for mine, mine_judged in zip(_halves(chart.notes, half), _halves(judged, half), strict=True))
    busier = max((0, 1), key=lambda i: (players[i].difficulty, players[i].mean_nps, players[i].peak_nps))  # tie: 1
    # the whole chart's counts and span: the players' together (every note is one player's)
    stepped = [p for p in players if p.onsets]
    return replace(players[busier], counts=_added(p.counts for p in players),
                   judged_counts=_added(p.judged_counts for p in players), onsets=sum(p.onsets for p in players),
                   first_s=min((p.first_s for p in stepped), default=0.0),
                   last_s=max((p.last_s for p in stepped), default=0.0), player=busier + 1, players=players)


def _halves(notes: Sequence[Note], half: int) -> tuple[list[Note], list[Note]]:
    """(player 1's notes: lanes below ``half``, player 2's), in one pass."""
    first: list[Note] = []
    second: list[Note] = []
    for n in notes:
        (first if n.lane < half else second).append(n)
    return first, second


def _added(counts: Iterable[dict[str, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in counts:
        for k, v in c.items():
            out[k] = out.get(k, 0) + v
    return out


def _stats(notes: Sequence[Note], judged: Sequence[Note], timing: TimingData) -> ChartStats:
    """Statistics of one player's ``notes`` (``judged``: those StepMania judges)."""
    times = onset_times_s(judged, timing)
    rows, jumps, hands, quads = row_counts(judged)
    first = float(times[0]) if times.size else 0.0
    last = float(times[-1]) if times.size else 0.0
    span = max(last - first, NPS_WINDOW_S)  # see the module docstring: never denser than the peak window
    peak = peak_nps(times)
    mean = min(times.size / span, peak) if times.size else 0.0  # N onsets over N-1 gaps: capped (module docstring)
    difficulty = estimate_difficulty(mean, peak, jumps / rows if rows else 0.0)
    counts = kind_counts(notes)
    return ChartStats(
        counts=counts, onsets=int(times.size), rows=rows, jumps=jumps, hands=hands,
        quads=quads, first_s=first, last_s=last, mean_nps=mean, peak_nps=peak, difficulty=difficulty,
        typical_slot=typical_slot(difficulty),
        judged_counts=counts if len(judged) == len(notes) else kind_counts(judged),  # judged: a subsequence
    )

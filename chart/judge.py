"""Judging a test play: key presses and releases against a chart's notes, as a rhythm game judges them.

Pure (no Qt, no audio): the editor feeds it the song time of every lane key going down or up, read from the
audio clock, and calls :meth:`Judge.advance` every frame. Times are *song* seconds; the windows are *real*
seconds, so at a slowed rate (the Playback panel's 25-100 %) a window covers ``window x rate`` song seconds and an
offset is reported in real milliseconds (``song offset / rate``): a player hitting 10 ms late at 50 % is 10 ms
late, not 5.

Windows are StepMania's defaults at judge 4 (the usual standard): Marvelous ±22.5 ms, Perfect ±45, Great ±90,
Good ±135, Boo ±180; beyond that a note is missed. A hold's key may come up for at most 250 ms (then it is
*dropped*, NG); a roll must be re-tapped at least every 500 ms; a mine explodes when its lane is held down as it passes, or
stepped on within ±90 ms of it when the mine is closer to the step than any note of that lane (a step goes to the
closest thing in its lane, as StepMania matches steps: a mine a sixteenth before a note does not punish hitting
the note). Lifts are judged on the key going up; fakes, and notes inside a warp or a fake
segment (``#FAKES``), are not judged.

A press takes the closest not yet judged note of its lane inside the Boo window (ties to the earlier), so a
press between two close notes goes to the nearer, and each arrow of a jump is judged on its own. A lane may have
several keys (D and Left): a press while the lane is already down (its other key) is a new step, as any button of
a StepMania column steps; the caller sends the lane's :meth:`Judge.release` when its last key comes up, so a hold
stays held while any of its keys is down.

The score (:attr:`Summary.score`) is the dance-point ratio with the classic DDR weights: Marvelous and Perfect 2,
Great 1, Good 0, Boo -4, Miss -8, a hold or roll kept to its end 6, dropped 0; a mine hit costs 8 (it is a step
the chart asked the player not to make). 100 % is every arrow Perfect or better and every hold kept.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from chart.formats.display_segments import fake_ranges, never_judged
from chart.notes import Note, NoteKind
from chart.timing import TimingData


class Grade(IntEnum):
    """Judgment of one tap (or hold head / lift), best first."""

    MARVELOUS = 0
    PERFECT = 1
    GREAT = 2
    GOOD = 3
    BOO = 4
    MISS = 5

    @property
    def label(self) -> str:
        return self.name.capitalize()


@dataclass(frozen=True)
class Windows:
    """Timing windows in real seconds (± around the note)."""

    grades: tuple[float, float, float, float, float] = (0.0225, 0.045, 0.090, 0.135, 0.180)
    hold_s: float = 0.250  # a hold's key may be up this long before the hold is dropped
    roll_s: float = 0.500  # a roll must be tapped again within this
    mine_s: float = 0.090  # a step on a mine's lane this close to it hits it

    @property
    def boo_s(self) -> float:
        return self.grades[-1]

    def grade(self, offset_real_s: float) -> Grade:
        """The grade of a hit ``offset_real_s`` from its note (only called inside the Boo window)."""
        return Grade(bisect.bisect_left(self.grades, abs(offset_real_s)))


STEPMANIA_J4 = Windows()

DANCE_POINTS = {Grade.MARVELOUS: 2, Grade.PERFECT: 2, Grade.GREAT: 1, Grade.GOOD: 0, Grade.BOO: -4, Grade.MISS: -8}
HOLD_POINTS_OK = 6
MINE_POINTS = -8
COMBO_GRADES = (Grade.MARVELOUS, Grade.PERFECT, Grade.GREAT)  # these keep the combo going
# A note this close before the start still counts: the editor's cursor (exact beat -> seconds) and the note times
# here (vectorised) can differ by an ulp, which left out the note the cursor sat on in 17 of 39 starts.
START_SLACK_S = 1e-6


@dataclass(frozen=True)
class TapResult:
    """One judged tap, hold head or lift. ``offset_ms`` is real milliseconds, positive = late; None for a miss."""

    note: Note
    note_s: float
    grade: Grade
    offset_ms: float | None
    at_s: float  # song time the judgment was made


@dataclass(frozen=True)
class HoldResult:
    """A hold or roll, judged at its end (kept) or where it was let go (dropped)."""

    note: Note
    ok: bool
    at_s: float


@dataclass(frozen=True)
class MineResult:
    note: Note
    at_s: float


Result = TapResult | HoldResult | MineResult


class TroubleSpot(NamedTuple):
    """One place a play went wrong: its beat, what happened, the notes, and the tap's grade (None for a dropped
    hold or a mine hit)."""

    beat: Fraction
    what: str
    notes: tuple[Note, ...]
    grade: Grade | None


@dataclass
class Summary:
    """What a test play came to."""

    counts: dict[Grade, int]
    holds_ok: int
    holds_dropped: int
    mines_hit: int
    mines_total: int
    mines_reached: int  # mines the play got past (hit or not); a run ended early never reached the rest
    max_combo: int
    score: float  # 0..1, dance points over the maximum
    mean_offset_ms: float | None  # of the hits (early negative); None without hits
    median_offset_ms: float | None
    spread_ms: float | None  # standard deviation of the hit offsets
    early: int
    late: int
    offsets_ms: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))

    @property
    def judged(self) -> int:
        return sum(self.counts.values())


@dataclass
class _Hold:
    note: Note
    end_s: float
    roll: bool
    last_ok_s: float  # for a hold: when its key went up (while up); for a roll: the last tap
    key_down: bool


class Judge:
    """Judges one test play of ``notes`` (any order) with ``timing``, starting at song time ``start_s``.

    Notes whose judgment time is before ``start_s`` (and holds already under way there) are left out; one at
    ``start_s`` (within :data:`START_SLACK_S`, float rounding) is judged. Feed
    :meth:`press` / :meth:`release` in time order, call :meth:`advance` with the current song time so that
    misses, kept holds and mines are settled as time passes, and :meth:`finish` at the end.
    """

    def __init__(self, notes: Sequence[Note], timing: TimingData, start_s: float = 0.0, *,
                 windows: Windows = STEPMANIA_J4, rate: float = 1.0, lanes: int | None = None):
        if not 0.0 < rate <= 4.0:
            raise ValueError(f"rate must be in (0, 4], not {rate}")
        self.windows, self.rate = windows, float(rate)
        fakes = fake_ranges(timing)  # notes in warps and fake segments are never judged, as in StepMania
        used = [n for n in notes if n.kind != NoteKind.FAKE and not never_judged(timing, n.beat, fakes)]
        self.lanes = lanes if lanes is not None else max((n.lane for n in used), default=-1) + 1
        beats = np.array([float(n.beat) for n in used] + [float(n.end_beat) for n in used], dtype=np.float64)
        secs = timing.beats_to_seconds_array(beats) if beats.size else beats
        head_s, end_s = secs[:len(used)], secs[len(used):]
        # per lane: notes judged by a press (taps, hold and roll heads), by a release (lifts), and mines
        self._press: list[list[tuple[float, float, Note]]] = [[] for _ in range(self.lanes)]
        self._lift: list[list[tuple[float, float, Note]]] = [[] for _ in range(self.lanes)]
        self._mines: list[tuple[float, Note]] = []
        for note, t0, t1 in zip(used, head_s, end_s, strict=True):
            if t0 < start_s - START_SLACK_S or not 0 <= note.lane < self.lanes:
                continue
            if note.kind == NoteKind.MINE:
                self._mines.append((float(t0), note))
            elif note.kind == NoteKind.LIFT:
                self._lift[note.lane].append((float(t0), float(t1), note))
            else:
                self._press[note.lane].append((float(t0), float(t1), note))
        for lane_notes in (*self._press, *self._lift):
            lane_notes.sort(key=lambda x: (x[0], x[2]))
        self._mines.sort(key=lambda x: (x[0], x[1]))
        self.total_taps = sum(len(x) for x in self._press) + sum(len(x) for x in self._lift)
        self.total_mines = len(self._mines)
        self._down: list[bool] = [False] * self.lanes
        self._intervals: list[list[list[float]]] = [[] for _ in range(self.lanes)]  # [down, up or inf] per lane
        self._holds: dict[int, _Hold] = {}
        self.results: list[Result] = []
        self.counts = {g: 0 for g in Grade}  # taps judged so far, per grade (read every frame by the editor's HUD)
        self.combo = 0
        self.max_combo = 0
        self.now_s = start_s
        self.finished = False

    # ------------------------------------------------------------------ input
    def press(self, lane: int, t_s: float) -> TapResult | None:
        """A lane key went down at song time ``t_s``. Returns the tap it judged, if any. A press on a lane already
        down (another key of it) is a new step too; the lane stays down until :meth:`release`."""
        if not 0 <= lane < self.lanes:
            return None
        self.advance(t_s)
        if not self._down[lane]:
            self._down[lane] = True
            self._intervals[lane].append([t_s, float("inf")])
        hold = self._holds.get(lane)  # still under way: advance() settled those ending by t_s
        if hold is not None:
            hold.key_down = True
            hold.last_ok_s = t_s
            return None  # back on a hold, or tapping a roll: no new note is judged
        if self._press_hits_mine(lane, t_s):
            return None
        result, end_s = self._take(self._press[lane], t_s)
        if result is not None and result.note.kind.has_length:
            self._holds[lane] = _Hold(result.note, end_s, result.note.kind == NoteKind.ROLL, t_s, True)
        return result

    def release(self, lane: int, t_s: float) -> TapResult | None:
        """The lane came up at song time ``t_s`` (its last key down went up). Returns the lift it judged, if any."""
        if not 0 <= lane < self.lanes or not self._down[lane]:
            return None
        self.advance(t_s)
        self._down[lane] = False
        self._intervals[lane][-1][1] = t_s
        hold = self._holds.get(lane)
        if hold is not None and not hold.roll:
            hold.key_down = False
            hold.last_ok_s = t_s
        return self._take(self._lift[lane], t_s)[0]

    def release_all(self, t_s: float) -> None:
        """Every key that is down goes up at ``t_s`` (the play ends, or the keys may come up where we cannot see)."""
        for lane in range(self.lanes):
            if self._down[lane]:
                self.release(lane, t_s)

    def advance(self, t_s: float) -> list[Result]:
        """Settle what time ``t_s`` decides: missed notes, kept or dropped holds, mines. Returns the new results."""
        first = len(self.results)
        t_s = max(t_s, self.now_s)
        boo = self.windows.boo_s * self.rate
        for lanes in (self._press, self._lift):
            for pending in lanes:
                while pending and pending[0][0] + boo < t_s:
                    note_s, _, note = pending.pop(0)
                    self._add_tap(TapResult(note, note_s, Grade.MISS, None, note_s + boo))
                    if note.kind.has_length and lanes is self._press:
                        self._add(HoldResult(note, False, note_s + boo))
        for lane, hold in list(self._holds.items()):
            limit = (self.windows.roll_s if hold.roll else self.windows.hold_s) * self.rate
            dropped_at = hold.last_ok_s + limit if (hold.roll or not hold.key_down) else float("inf")
            if dropped_at < hold.end_s and dropped_at <= t_s:
                self._add(HoldResult(hold.note, False, dropped_at))
                del self._holds[lane]
            elif hold.end_s <= t_s:
                self._add(HoldResult(hold.note, True, hold.end_s))
                del self._holds[lane]
        mine_w = self.windows.mine_s * self.rate
        while self._mines and self._mines[0][0] + mine_w < t_s:
            mine_s, note = self._mines.pop(0)
            if self._held_across(note.lane, mine_s):
                self._add(MineResult(note, mine_s))
        self.now_s = t_s
        return self.results[first:]

    def finish(self, t_s: float | None = None) -> Summary:
        """End the play at ``t_s`` (default: after every note, so everything left is settled) and sum it up."""
        if not self.finished:
            end = t_s if t_s is not None else self._last_s() + 1.0
            self.release_all(end)
            self.advance(end)
            self.finished = True
        return self.summary()

    # ------------------------------------------------------------------ results
    def summary(self) -> Summary:
        taps = [r for r in self.results if isinstance(r, TapResult)]
        holds = [r for r in self.results if isinstance(r, HoldResult)]
        counts = dict(self.counts)
        offsets = np.array([r.offset_ms for r in taps if r.offset_ms is not None], dtype=np.float64)
        mines_hit = sum(1 for r in self.results if isinstance(r, MineResult))
        holds_ok = sum(1 for r in holds if r.ok)
        points = (sum(DANCE_POINTS[g] * c for g, c in counts.items()) + HOLD_POINTS_OK * holds_ok
                  + MINE_POINTS * mines_hit)
        best = DANCE_POINTS[Grade.PERFECT] * len(taps) + HOLD_POINTS_OK * len(holds)
        return Summary(
            counts=counts, holds_ok=holds_ok, holds_dropped=len(holds) - holds_ok, mines_hit=mines_hit,
            mines_total=self.total_mines, mines_reached=self.total_mines - len(self._mines),
            max_combo=self.max_combo,
            score=max(0.0, points / best) if best else 0.0,
            mean_offset_ms=float(offsets.mean()) if offsets.size else None,
            median_offset_ms=float(np.median(offsets)) if offsets.size else None,
            spread_ms=float(offsets.std()) if offsets.size else None,
            early=int((offsets < 0).sum()), late=int((offsets > 0).sum()), offsets_ms=offsets)

    def trouble(self, worst: Grade = Grade.GOOD) -> list[TroubleSpot]:
        """Where the play went wrong, in chart order: every tap graded ``worst`` or below, every dropped hold and
        every mine hit (what a designer looks at after a run)."""
        out: list[TroubleSpot] = []
        for r in self.results:
            if isinstance(r, TapResult) and r.grade >= worst:
                what = r.grade.label if r.offset_ms is None else f"{r.grade.label} ({r.offset_ms:+.0f} ms)"
                out.append(TroubleSpot(r.note.beat, what, (r.note,), r.grade))
            elif isinstance(r, HoldResult) and not r.ok:
                kind = "roll" if r.note.kind == NoteKind.ROLL else "hold"
                out.append(TroubleSpot(r.note.beat, f"{kind} dropped", (r.note,), None))
            elif isinstance(r, MineResult):
                out.append(TroubleSpot(r.note.beat, "mine hit", (r.note,), None))
        out.sort(key=lambda x: (x.beat, x.notes[0].lane))
        return out

    @property
    def pending(self) -> int:
        """Notes not judged yet (taps, heads, lifts)."""
        return sum(len(x) for x in self._press) + sum(len(x) for x in self._lift)

    @property
    def done(self) -> bool:
        """Whether everything has been settled: no note, hold or mine left to judge."""
        return not self.pending and not self._holds and not self._mines

    # ------------------------------------------------------------------ internals
    def _take(self, pending: list[tuple[float, float, Note]], t_s: float) -> tuple[TapResult | None, float]:
        """Judge the closest pending note within the Boo window of ``t_s``: (its result, its end time)."""
        boo = self.windows.boo_s * self.rate
        best = None
        for i, (note_s, _, _) in enumerate(pending):
            if note_s - boo > t_s:
                break
            if abs(t_s - note_s) <= boo and (best is None or abs(t_s - note_s) < abs(t_s - pending[best][0])):
                best = i
        if best is None:
            return None, 0.0
        note_s, end_s, note = pending.pop(best)
        offset_real = (t_s - note_s) / self.rate
        result = TapResult(note, note_s, self.windows.grade(offset_real), offset_real * 1000.0, t_s)
        self._add_tap(result)
        return result, end_s

    def _add_tap(self, result: TapResult) -> None:
        self.counts[result.grade] += 1
        if result.grade in COMBO_GRADES:
            self.combo += 1
            self.max_combo = max(self.max_combo, self.combo)
        else:
            self.combo = 0
        self._add(result)

    def _add(self, result: Result) -> None:
        self.results.append(result)

    def _press_hits_mine(self, lane: int, t_s: float) -> bool:
        """A press goes to the closest thing in its lane, as StepMania matches a step: a mine within the mine
        window that is closer than every note the press could judge explodes (and the press judges no note);
        otherwise the press is the note's and the mine is not hit by it."""
        mine_w = self.windows.mine_s * self.rate
        near = [(abs(m_s - t_s), i) for i, (m_s, m) in enumerate(self._mines)
                if m.lane == lane and abs(m_s - t_s) <= mine_w]
        if not near:
            return False
        mine_d, i = min(near)
        boo = self.windows.boo_s * self.rate
        note_d = min((abs(n_s - t_s) for n_s, _, _ in self._press[lane] if abs(n_s - t_s) <= boo), default=None)
        if note_d is not None and note_d <= mine_d:
            return False
        mine_s, note = self._mines.pop(i)
        self._add(MineResult(note, mine_s))
        return True

    def _held_across(self, lane: int, mine_s: float) -> bool:
        """Whether the lane was held down as the mine passed (a press near it is settled at the press)."""
        return any(down <= mine_s <= up for down, up in self._intervals[lane])

    def _last_s(self) -> float:
        times = [self.now_s]
        times += [t1 for lane in (*self._press, *self._lift) for _, t1, _ in lane]
        times += [t for t, _ in self._mines] + [h.end_s for h in self._holds.values()]
        return max(times)
